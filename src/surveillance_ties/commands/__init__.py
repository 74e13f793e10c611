"""Thin click commands: parse the arguments, call one library function, render its result."""

from __future__ import annotations

import click


class Unreadable(click.ClickException):
    """The input cannot be read at all (a missing package, a descriptor that is not JSON): exit code 2."""

    exit_code = 2
