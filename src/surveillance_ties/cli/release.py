"""``surveillance-ties build``, ``diff``, ``review`` and ``release``: release files, data diff, pull-request
review, semver guard."""

from __future__ import annotations

import click

from surveillance_ties.cli.common import PATH, Failed, echo, fails


@click.command()
@PATH
@click.option(
    "--out",
    default="dist",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the release files.",
)
@fails
def build(path: str | None, out: str) -> None:
    """Validate the package at PATH and write its release files into --out.

    Writes <name>-<version>.zip (the package, byte-for-byte reproducible),
    <name>-<version>.sqlite, its Datasette metadata
    <name>-<version>.metadata.json, one <name>-<version>-<table>.parquet per
    table and <name>-<version>.SHA256SUMS. Refuses (exit code 1) when the
    package is invalid; a failed build leaves --out exactly as it was.
    """
    from surveillance_ties.release.build import build as build_release

    result = build_release(path, out)
    for name, digest in sorted(result.sha256.items()):
        echo(f"{digest}  {result.sums.parent / name}")
    echo(f"wrote {len(result.sha256) + 1} files into {out} (checksums in {result.sums.name})")


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Plain text, JSON (a stable structure), or Markdown for a pull-request comment.",
)
@fails
def diff(old: str, new: str | None, fmt: str) -> None:
    """Show what changed in the data from OLD to NEW (default NEW: the package around the current folder).

    OLD and NEW are each a package folder, a datapackage.json, a release zip or
    a git revision of this repository (HEAD~1, v0.1.0, origin/main). Lists rows
    added, removed and changed (by primary key, with old and new values),
    schema changes, and metadata changes.
    """
    from pathlib import Path

    from surveillance_ties.datapackage import default_root, find_root
    from surveillance_ties.release.diff import diff_sources
    from surveillance_ties.release.diff_render import render

    base = find_root(Path.cwd()) or Path.cwd()  # a revision is the package at this place in git
    new_spec = new if new is not None else str(default_root())
    echo(render(diff_sources(old, new_spec, base=base), fmt), nl=False)


@click.command()
@click.argument("base")
@PATH
@fails
def review(base: str, path: str | None) -> None:
    """Write a Markdown review of the data changes from BASE to the package at PATH.

    Meant for the job summary of a data pull request:

        surveillance-ties review "$BASE_SHA" >> "$GITHUB_STEP_SUMMARY"

    BASE is a git revision of this repository (a commit, v0.1.0, origin/main),
    a package folder or a release zip; PATH defaults to the package around the
    current folder. The report gives the release the changes need and whether
    the version of PATH is enough; the records added, changed (old and new value
    of each field) and removed, table by table; and, under every added or
    changed record, each quote that backs it, with its field and its source.
    It is not a gate: the exit code is 0 whenever the report is written, 2 when
    a copy cannot be read.
    """
    from pathlib import Path

    from surveillance_ties.datapackage import find_root
    from surveillance_ties.release.review import review as review_report

    # A revision is the package at PATH's place in git (or the current folder's without PATH).
    where = Path(path) if path is not None and Path(path).exists() else Path.cwd()
    base_dir = find_root(where) or Path.cwd()
    echo(review_report(base, path, base_dir=base_dir), nl=False)


@click.command()
@PATH
@click.option(
    "--check", "mode", flag_value="check", help="Fail when the version bump is too small for the changes."
)
@click.option(
    "--bump", "mode", flag_value="bump", help="Set the needed version; draft the CHANGELOG section."
)
@click.option(
    "--against",
    metavar="REV|ZIP",
    help="Compare with this git revision, folder or release zip instead of the newest vX.Y.Z tag.",
)
@fails
def release(path: str | None, mode: str | None, against: str | None) -> None:
    """Check or bump the version of the package at PATH against the last release.

    --check compares with the newest vX.Y.Z tag (or --against) and fails (exit
    code 1) when the version bump is smaller than the changes need: a removed or
    renamed field or table, a type change or a tightened constraint is major;
    added rows, fields or tables or a loosened constraint is minor; corrected
    values or metadata is a patch. It also fails when CHANGELOG.md has no section
    for the version or CITATION.cff names another version.

    --bump writes the needed version into datapackage.json and CITATION.cff and
    drafts a CHANGELOG.md section from the diff, for you to edit. It never
    touches a data file.
    """
    from surveillance_ties.release.semver import bump, check

    if mode is None:
        raise click.UsageError("give --check or --bump")
    if mode == "bump":
        bumped = bump(path, against)
        for note in bumped.notes:
            echo(note)
        for reason in bumped.reasons:
            echo(f"  {reason.level}: {reason.message}")
        echo(f"version {bumped.old_version} -> {bumped.new_version}")
        if bumped.written:
            echo(f"wrote {', '.join(bumped.written)}; edit the drafted CHANGELOG.md section")
        return
    result = check(path, against)
    if result.against:
        echo(f"version {result.version}, last release {result.against} ({result.previous_version})")
        for reason in result.reasons:
            echo(f"  {reason.level}: {reason.message}")
        step = str(result.bump) if result.bump else "none"
        echo(f"changes need: {result.required if result.required else 'no bump'}; version bump: {step}")
    for note in result.notes:
        echo(note)
    if not result.ok:
        raise Failed("\n".join(result.problems), 1)
    echo("release check passed")
