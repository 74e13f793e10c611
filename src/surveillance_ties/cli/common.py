"""What every command shares: errors become one line and an exit code, output is printable.

- :func:`fails` turns the library's :class:`~surveillance_ties.datapackage.errors.SurveillanceTiesError`
  into a click error with the error's own exit code (2: the package cannot be read or written,
  1: the data is invalid), so no command ever ends in a traceback for something a user caused.
- :func:`echo` writes text with control characters from the data escaped
  (:func:`surveillance_ties.datapackage.text.printable`): a cell's ESC or CR never reaches the
  terminal as such.
- :data:`PATH` is the optional package argument: without it, the package around the current
  folder is used (found upwards, as git finds ``.git``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from surveillance_ties.datapackage.errors import SurveillanceTiesError
from surveillance_ties.datapackage.text import printable

F = TypeVar("F", bound=Callable[..., Any])

#: The optional package argument of every command.
PATH = click.argument("path", required=False, type=click.Path(file_okay=True, dir_okay=True))


class Invalid(click.ClickException):
    """The data is invalid (or a check failed): exit code 1, with a one-line message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class Unreadable(Invalid):
    """The package cannot be read or written: exit code 2."""

    exit_code = 2


def Failed(message: str, exit_code: int) -> Invalid:  # noqa: N802 - reads like the exception it makes
    """The click error for ``message`` with ``exit_code`` (1 or 2)."""
    return Unreadable(message) if exit_code == 2 else Invalid(message)


def fails(command: F) -> F:
    """Run ``command``, turning a library error into :class:`Failed` (message and exit code)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SurveillanceTiesError as exc:
            raise Failed(str(exc), exc.exit_code) from None
        except RecursionError:
            raise Failed("the input is nested too deeply to be read", 2) from None

    return wrapper  # type: ignore[return-value]


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` with control characters other than line breaks and tabs escaped."""
    click.echo(printable(text), err=err, nl=nl)
