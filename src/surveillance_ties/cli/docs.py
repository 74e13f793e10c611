"""``surveillance-ties figures`` and ``docs``: draw the figures; regenerate every generated document."""

from __future__ import annotations

import click

from surveillance_ties.cli.common import PATH, Failed, echo, fails


@click.command()
@PATH
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the figures  [default: docs/ in the package folder]",
)
@fails
def figures(path: str | None, out: str | None) -> None:
    """Draw the network map and the timeline of the package at PATH as SVG and PNG.

    Writes network.svg, network.png, timeline.svg and timeline.png into --out.
    The same data always gives the same bytes. Needs the figures extra:

    \b
        pip install 'surveillance-ties[figures]'
    """
    from surveillance_ties.documents.figures import render_figures

    for p in render_figures(path, out):
        echo(f"wrote {p}")


@click.command()
@PATH
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a generated file is out of date.")
@fails
def docs(path: str | None, check: bool) -> None:
    """Regenerate DATA.md, docs/CLI.md and the figures in docs/ of the package at PATH.

    Run it after changing the data, a schema or a command; only stale files
    are rewritten, all at once. Needs the figures extra:

    \b
        pip install 'surveillance-ties[figures]'
    """
    from surveillance_ties.documents.docs import regenerate

    stale = regenerate(path, check=check)
    if check and stale:
        for p in stale:
            echo(f"out of date: {p}", err=True)
        raise Failed(
            f"{len(stale)} generated file(s) out of date; run `surveillance-ties docs` and commit them", 1
        )
    for p in stale:
        echo(f"wrote {p}")
    if not stale:
        echo("DATA.md, docs/CLI.md and the figures are up to date")
