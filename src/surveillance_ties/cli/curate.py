"""``surveillance-ties rehash``: refresh ``hash`` and ``bytes`` in ``datapackage.json``."""

from __future__ import annotations

import click

from surveillance_ties.cli.common import PATH, Failed, echo, fails


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


@click.command("format")
@PATH
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a file is not in its canonical form.")
@fails
def format_(path: str | None, check: bool) -> None:
    """Write every table of the package at PATH in its canonical form and refresh datapackage.json.

    The canonical form: rows in primary-key order, LF line ends, UTF-8 without a byte order mark,
    quotes only where a cell needs them; no cell's value changes. Then the sha256 hash and size of
    every table go into datapackage.json. Run it after editing a table, before `docs` and
    `validate`; running it twice changes nothing.
    """
    from surveillance_ties.curation import format_package

    result = format_package(path, check=check)
    if check and result.changed:
        for rel in result.changed:
            echo(f"not in canonical form: {rel}", err=True)
        raise Failed(
            f"{len(result.changed)} file(s) not in canonical form; run `surveillance-ties format`", 1
        )
    for rel in result.changed:
        echo(f"formatted {rel}")
    if not result.changed:
        echo("every table is in its canonical form")
