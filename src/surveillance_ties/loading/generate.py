"""Writes :mod:`surveillance_ties.loading.names`, the table names as a ``Literal`` type, from
``datapackage.json``.

Type checkers cannot read the descriptor, so the names it lists are written into a Python module
that they can read. After adding, renaming or removing a table, run in the repository::

    python -m surveillance_ties.loading.generate

``tests/test_typing.py`` fails while the module differs from what this writes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["COMMAND", "NAMES_FILE", "names_module", "write_names"]

#: The generated module, relative to the repository (the package folder).
NAMES_FILE = "src/surveillance_ties/loading/names.py"
#: The command that regenerates it.
COMMAND = "python -m surveillance_ties.loading.generate"


def names_module(table_names: Sequence[str]) -> str:
    """The text of :data:`NAMES_FILE` for the tables ``table_names`` (in descriptor order)."""
    lines = [
        '"""The names of the tables of the package, as a type: ``st.load("organisations")`` is a type error.',
        "",
        "Generated from datapackage.json by surveillance_ties.loading.generate.names_module; do not edit.",
        f"After adding, renaming or removing a table, regenerate it with `{COMMAND}`.",
        '"""',
        "",
        "from typing import Literal, TypeAlias",
        "",
        '__all__ = ["TableName"]',
        "",
        "#: A table of the installed package, in the order of ``datapackage.json``.",
        "TableName: TypeAlias = Literal[",
        *(f"    {json.dumps(name)}," for name in table_names),
        "]",
    ]
    return "\n".join(lines) + "\n"


def write_names(root: Path) -> bool:
    """Rewrite :data:`NAMES_FILE` in the repository ``root`` from its ``datapackage.json``; whether
    it changed."""
    from surveillance_ties.datapackage import open_package
    from surveillance_ties.datapackage.writing import write_atomic

    with open_package(root) as pkg:
        text = names_module(pkg.table_names)
    target = root / NAMES_FILE
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    write_atomic(target, text.encode("utf-8"), root=root)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m surveillance_ties.loading.generate [REPOSITORY]`` (default: the package around
    the current folder)."""
    from surveillance_ties.datapackage import SurveillanceTiesError, default_root

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        root = Path(args[0]) if args else default_root()
        changed = write_names(root)
    except SurveillanceTiesError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"{root / NAMES_FILE}: {'written' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
