"""The ``surveillance-ties`` command: a click group whose commands load on demand.

Each command lives in ``surveillance_ties.cli.<module>`` and is imported only when it runs, so
``surveillance-ties validate`` does not pay for the imports of ``build`` or ``figures``. A
command parses its arguments, calls one library function, renders the result and exits; the
exit code comes from the result, or from the error (see :mod:`surveillance_ties.cli.common`).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

# command name -> "module:attribute" under surveillance_ties.cli
COMMANDS: dict[str, str] = {
    "cite": "curate:cite",
    "format": "curate:format_",
    "rehash": "curate:rehash",
    "validate": "validate:validate",
    "build": "release:build",
    "diff": "release:diff",
    "review": "release:review",
    "release": "release:release",
    "figures": "docs:figures",
    "docs": "docs:docs",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(f"surveillance_ties.cli.{module}"), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="surveillance-ties", prog_name="surveillance-ties")
def main() -> None:
    """Validate, load, release and show the surveillance-ties data package."""


def run(*args: Any) -> None:  # pragma: no cover - thin wrapper for console scripts
    main(*args)
