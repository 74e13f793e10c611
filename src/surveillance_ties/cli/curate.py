"""``surveillance-ties rehash``: refresh ``hash`` and ``bytes`` in ``datapackage.json``."""

from __future__ import annotations

import click

from surveillance_ties.cli.common import PATH, echo, fails


@click.command()
@PATH
@fails
def rehash(path: str | None) -> None:
    """Write the current sha256 hash and size of every table into PATH's datapackage.json.

    PATH is a package folder or its datapackage.json (default: the package around the current
    folder). Nothing but `hash` and `bytes` changes.
    """
    from surveillance_ties.curation import rehash as refresh

    changed = refresh(path)
    echo("updated hash and bytes of: " + ", ".join(changed) if changed else "hash and bytes already current")
