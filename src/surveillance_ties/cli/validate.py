"""``surveillance-ties validate``: check a data package; exit 0 valid, 1 invalid, 2 unreadable."""

from __future__ import annotations

import os
import sys

import click

from surveillance_ties.cli.common import PATH, echo


@click.command()
@PATH
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: grouped by file, with hints; json: the report's stable structure; "
    "github: workflow commands that annotate a pull request.",
)
@click.option(
    "--max-errors",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Show at most this many errors (the counts per code always cover all of them).",
)
def validate(path: str | None, fmt: str, max_errors: int) -> None:
    """Check the data package at PATH: descriptor, schemas, every table, hashes, quotes and meaning.

    PATH is a package folder, its datapackage.json or a release zip (default: the package
    around the current folder, found upwards). Nothing is written and nothing is fetched. Exit
    status: 0 valid, 1 errors found, 2 the package cannot be read at all (or a usage error).
    """
    _tune_process()
    from surveillance_ties.validation import validate as run
    from surveillance_ties.validation.render import render

    report = run(path, max_errors=max_errors)
    echo(render(report, fmt))
    sys.exit(0 if report.valid else 1 if report.readable else 2)


def _tune_process() -> None:
    """Settings for this one-shot process, before pyarrow and numpy load (a variable already set wins).

    The validator allocates and frees large column buffers; by default both allocators hand freed
    memory back to the kernel, which zeroes it again on the next use (measured at 1.2M rows: 1.8 s
    of system time, about 30 % of the run). Keeping it for reuse costs about 100 MB of peak memory.
    numpy's OpenBLAS threads spin after work, and the validator does no linear algebra.
    """
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")  # pyarrow's allocator: never purge
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if sys.platform.startswith("linux") and "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        import ctypes

        try:
            mallopt = ctypes.CDLL(None).mallopt
        except (OSError, AttributeError):  # not glibc
            return
        mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GB of freed heap
        mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: its maximum, so most buffers come from the heap
