"""``surveillance-ties figures`` and ``docs``: draw the figures; regenerate every generated document."""

from __future__ import annotations

import click

from surveillance_ties.commands import Unreadable
from surveillance_ties.dictionary import DictionaryError, UndocumentedValueError


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the figures  [default: docs/ in the package folder]",
)
def figures(path: str, out: str | None) -> None:
    """Draw the network map and the timeline of the package at PATH as SVG and PNG.

    Writes network.svg, network.png, timeline.svg and timeline.png into --out.
    The same data always gives the same bytes. Needs the figures extra:
    pip install 'surveillance-ties[figures]'.
    """
    from surveillance_ties.figures import FigureDataError, FiguresUnavailable, render_figures

    try:
        written = render_figures(path, out)
    except (FiguresUnavailable, FigureDataError) as exc:
        raise Unreadable(str(exc)) from None
    for p in written:
        click.echo(f"wrote {p}")


@click.command()
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a generated file is out of date.")
def docs(path: str, check: bool) -> None:
    """Regenerate DATA.md, docs/CLI.md and the figures in docs/ of the package at PATH.

    Run it after changing the data, a schema or a command; only stale files
    are rewritten. Needs the figures extra: pip install
    'surveillance-ties[figures]'.
    """
    from surveillance_ties.docs import regenerate
    from surveillance_ties.figures import FigureDataError, FiguresUnavailable

    try:
        stale = regenerate(path, check=check)
    except UndocumentedValueError as exc:
        raise click.ClickException(str(exc)) from None
    except (DictionaryError, FiguresUnavailable, FigureDataError) as exc:
        raise Unreadable(str(exc)) from None
    if check and stale:
        for p in stale:
            click.echo(f"out of date: {p}", err=True)
        raise click.ClickException(
            f"{len(stale)} generated file(s) out of date; run `surveillance-ties docs` and commit them"
        )
    for p in stale:
        click.echo(f"wrote {p}")
    if not stale:
        click.echo("DATA.md, docs/CLI.md and the figures are up to date")
