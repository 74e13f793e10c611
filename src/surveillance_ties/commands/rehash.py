"""``surveillance-ties rehash``: refresh ``hash`` and ``bytes`` in ``datapackage.json``."""

from __future__ import annotations

import click

from surveillance_ties.commands import Unreadable
from surveillance_ties.descriptor import DescriptorError
from surveillance_ties.descriptor import rehash as rehash_descriptor


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
def rehash(path: str) -> None:
    """Write the current sha256 hash and size of every resource into PATH's datapackage.json.

    PATH is a package folder or its datapackage.json (default: the current folder).
    Run it after editing a CSV; nothing but `hash` and `bytes` changes.
    """
    try:
        changed = rehash_descriptor(path)
    except DescriptorError as exc:
        raise Unreadable(str(exc)) from None
    if changed:
        click.echo("updated hash and bytes of: " + ", ".join(changed))
    else:
        click.echo("hash and bytes already current")
