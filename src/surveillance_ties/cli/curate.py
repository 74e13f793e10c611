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


@click.command()
@click.argument("table")
@click.argument("record_id")
@click.argument("source_id")
@click.option("--quote", help="The exact passage (white space and curly quotes may differ from the text).")
@click.option("--words", help="A few words of the passage: the whole sentence around them is cited.")
@click.option("--field", help="The field of the record the quote backs (default: the whole record).")
@click.option(
    "--claim",
    help="Whose claim the quote carries: own_reporting, party_statement, other_outlet or linked_url "
    "(the values the citations schema allows; see DATA.md).",
)
@click.option("--claimant", help="For --claim party_statement: the org_id of the party who made it.")
@click.option(
    "--path",
    "path",
    type=click.Path(file_okay=True, dir_okay=True),
    default=None,
    help="The package folder  [default: the package around the current folder]",
)
@fails
def cite(
    table: str,
    record_id: str,
    source_id: str,
    quote: str | None,
    words: str | None,
    field: str | None,
    claim: str | None,
    claimant: str | None,
    path: str | None,
) -> None:
    """Cite SOURCE_ID for the record RECORD_ID of TABLE, quoting its archived text.

    Give the exact quote (--quote) or a few words of it (--words): the passage is
    looked up in the archived text of the source (or of the archived article that
    links to it) and must occur there once. The new row of the citations table
    gets the next free id (RECORD_ID-n), the passage as the text writes it and
    whose claim it carries (--claim, and --claimant for a party's statement);
    then the package is formatted. Nothing is written when the passage is not
    there or not unique: the message says where the text differs, or shows the
    candidates.
    """
    from surveillance_ties.curation.cite import cite as add

    made = add(
        table,
        record_id,
        source_id,
        quote=quote,
        words=words,
        field=field,
        claim=claim,
        claimant=claimant,
        path=path,
    )
    echo(f"added citation {made.citation_id}: “{made.quote}”")
    for rel in made.written:
        echo(f"wrote {rel}")
