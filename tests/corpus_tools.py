"""Build the packages of the defect corpus (tests/corpus/) into a temporary folder.

Every case is the small valid *base* package with one defect. The base is built
from the fixture package (``tests/fixtures/package``: its ``datapackage.json``,
``schemas/`` and ``seeds/``) and the tiny tables in ``tests/corpus/base/data/``
(a few rows per table, all cited); a table missing there is copied whole from
the fixture. Nothing here reads the live tables. A case
folder ``tests/corpus/<name>/`` holds:

* ``expected.json``: the exact errors, ``[[code, file, row, column], ...]``
  (row = line number as an editor shows it, header = 1; ``null`` for a
  file-level error or no column);
* ``case.json``: ``about`` (one sentence), ``exit_code`` of the CLI,
  ``steps`` applied to the base (below), ``refresh`` (default true: rewrite
  ``hash``/``bytes`` in the descriptor after the steps, so that only the
  intended defect remains) and ``after_refresh`` (steps applied after that);
* any other file: copied over the base at the same relative path, byte for
  byte, before the steps (for defects that are easier to see as a whole file:
  a BOM, CRLF, latin-1 bytes, a truncated file).

Steps (each a JSON object; line numbers count from 1, lines keep their ``\\n``):

* ``{"edit": FILE, "line": N, "old": S, "new": T}``: replace the one
  occurrence of ``S`` in line ``N`` (UTF-8) by ``T``;
* ``{"insert_line": FILE, "line": N, "text": T}``: insert ``T + "\\n"`` so it
  becomes line ``N``;
* ``{"delete_line": FILE, "line": N}``;
* ``{"copy_line": FILE, "line": N, "to": M}``: insert a copy of line ``N`` so
  that it becomes line ``M``;
* ``{"delete": FILE}``;
* ``{"move_outside": FILE}``: move the file out of the package (beside its
  folder) and leave a symbolic link to it in its place;
* ``{"json": FILE, "set": {POINTER: VALUE}, "remove": [POINTER]}``: change a
  JSON file (descriptor or schema). A pointer is a JSON pointer in which a
  segment ``@x`` picks the element of a list whose ``name`` is ``x``
  (``/resources/@features/path``, ``/fields/@amount/constraints/maximum``).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from surveillance_ties.datapackage import dumps, open_package
from surveillance_ties.validation import Report, validate

from .conftest import FIXTURE

ROOT = FIXTURE
CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "base"
CASE_FILES = {"case.json", "expected.json"}

Row = tuple[str, str, int | None, str | None]


@dataclass(frozen=True)
class Case:
    """One defective package: how to build it and what the validator must say."""

    name: str
    about: str
    exit_code: int
    expected: list[Row]
    steps: list[dict[str, Any]] = field(default_factory=list)
    refresh: bool = True
    after_refresh: list[dict[str, Any]] = field(default_factory=list)


def case_names() -> list[str]:
    """The names of all corpus cases (folders with an ``expected.json``), sorted."""
    return sorted(p.parent.name for p in CORPUS.glob("*/expected.json"))


def load_case(name: str) -> Case:
    """Read ``tests/corpus/<name>/case.json`` and ``expected.json``."""
    folder = CORPUS / name
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    raw = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    expected = [(str(c), str(f), r, col) for c, f, r, col in raw]
    unknown = set(meta) - {"about", "exit_code", "steps", "refresh", "after_refresh"}
    assert not unknown, f"{name}/case.json: unknown keys {sorted(unknown)}"
    return Case(
        name=name,
        about=meta["about"],
        exit_code=meta["exit_code"],
        expected=expected,
        steps=meta.get("steps", []),
        refresh=meta.get("refresh", True),
        after_refresh=meta.get("after_refresh", []),
    )


def build_base(dest: Path) -> Path:
    """Write the valid base package into ``dest`` (created) and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for key in ("path", "schema"):
            rel = resource.get(key)
            if not isinstance(rel, str):
                continue
            src = BASE / rel if (BASE / rel).is_file() else ROOT / rel
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    shutil.copytree(ROOT / "seeds", dest / "seeds")
    (dest / "datapackage.json").write_text(dumps(descriptor), encoding="utf-8")
    _refresh(dest, descriptor)
    return dest


def _refresh(dest: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as the descriptor of ``dest`` with the hash and bytes of every table file
    that is there (a case may have deleted one)."""
    (dest / "datapackage.json").write_text(dumps(data), encoding="utf-8")
    with open_package(dest, strict=False) as pkg:
        out = dict(pkg.descriptor)
        names = {r.name: r.path for r in pkg.resources if pkg.store.is_file(r.path)}
        fresh = {}
        if names:
            from surveillance_ties.datapackage.hashing import digest_stream

            for name, path in names.items():
                with pkg.open(path) as fh:
                    digest, size = digest_stream(fh)
                fresh[name] = (str(digest), size)
    for resource in out.get("resources", []):
        if isinstance(resource, dict) and resource.get("name") in fresh:
            resource["hash"], resource["bytes"] = fresh[resource["name"]]
    (dest / "datapackage.json").write_text(dumps(out), encoding="utf-8")


def build_case(name: str, dest: Path) -> Path:
    """Write the package of case ``name`` into ``dest`` and return it."""
    case = load_case(name)
    build_base(dest)
    folder = CORPUS / name
    for src in sorted(folder.rglob("*")):
        rel = src.relative_to(folder)
        if src.is_file() and str(rel) not in CASE_FILES:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    for step in case.steps:
        apply_step(dest, step)
    descriptor = dest / "datapackage.json"
    if case.refresh and descriptor.is_file():
        try:
            data = json.loads(descriptor.read_text(encoding="utf-8"))
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("resources"), list):
            _refresh(dest, data)
    for step in case.after_refresh:
        apply_step(dest, step)
    return dest


@cache
def _session_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="surveillance-ties-corpus-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def built(name: str) -> tuple[Path, dict[str, str]]:
    """Case ``name`` built once per test run, with the :func:`snapshot` taken right after building.

    The corpus and differential tests share the build and :func:`report`; both assert that
    nothing was written into the package.
    """
    root = build_case(name, _session_dir() / name)
    return root, snapshot(root)


@cache
def report(name: str) -> Report:
    """``validate()`` of case ``name`` (computed once per test run), with the network cut off."""
    with no_network() as attempts:
        result = validate(built(name)[0])
    assert attempts == [], f"validate tried to open a network connection: {attempts}"
    return result


@contextmanager
def no_network() -> Iterator[list[str]]:
    """Refuse every socket connection and name lookup; yields the list of attempts made."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[1:3] if args and isinstance(args[0], socket.socket) else args[:2]))
        raise OSError("the network is cut off in the corpus tests")

    with (
        mock.patch.object(socket.socket, "connect", refuse),
        mock.patch.object(socket.socket, "connect_ex", refuse),
        mock.patch.object(socket, "create_connection", refuse),
        mock.patch.object(socket, "getaddrinfo", refuse),
    ):
        yield attempts


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _line(lines: list[bytes], n: int, where: str) -> bytes:
    assert 1 <= n <= len(lines), f"{where}: no line {n} (the file has {len(lines)})"
    return lines[n - 1]


def apply_step(root: Path, step: dict[str, Any]) -> None:
    """Apply one step (see the module docstring) to the package in ``root``."""
    if "edit" in step:
        path = root / step["edit"]
        lines = _lines(path)
        line = _line(lines, step["line"], step["edit"])
        old, new = step["old"].encode("utf-8"), step["new"].encode("utf-8")
        assert line.count(old) == 1, f"{step['edit']}:{step['line']}: {step['old']!r} is not there once"
        lines[step["line"] - 1] = line.replace(old, new)
        path.write_bytes(b"".join(lines))
    elif "insert_line" in step:
        path = root / step["insert_line"]
        lines = _lines(path)
        assert 1 <= step["line"] <= len(lines) + 1, step
        lines.insert(step["line"] - 1, step["text"].encode("utf-8") + b"\n")
        path.write_bytes(b"".join(lines))
    elif "delete_line" in step:
        path = root / step["delete_line"]
        lines = _lines(path)
        _line(lines, step["line"], step["delete_line"])
        del lines[step["line"] - 1]
        path.write_bytes(b"".join(lines))
    elif "copy_line" in step:
        path = root / step["copy_line"]
        lines = _lines(path)
        copy = _line(lines, step["line"], step["copy_line"])
        lines.insert(step["to"] - 1, copy)
        path.write_bytes(b"".join(lines))
    elif "delete" in step:
        (root / step["delete"]).unlink()
    elif "move_outside" in step:
        inside = root / step["move_outside"]
        outside = root.with_name(root.name + ".outside") / step["move_outside"]
        outside.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(inside, outside)
        inside.symlink_to(outside)
    elif "json" in step:
        path = root / step["json"]
        data = json.loads(path.read_text(encoding="utf-8"))
        for pointer, value in step.get("set", {}).items():
            parent, key = _resolve(data, pointer)
            if isinstance(parent, list):
                parent[int(key)] = value
            else:
                parent[key] = value
        for pointer in step.get("remove", []):
            parent, key = _resolve(data, pointer)
            del parent[int(key) if isinstance(parent, list) else key]
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        raise AssertionError(f"unknown step {step}")


def _resolve(data: Any, pointer: str) -> tuple[Any, str]:
    """The container and the last key of ``pointer`` (``@name`` segments resolved)."""
    parts = pointer.lstrip("/").split("/")
    node = data
    for part in parts[:-1]:
        node = node[_key(node, part)]
    last = parts[-1]
    return node, str(_key(node, last)) if last.startswith("@") else last


def _key(node: Any, part: str) -> Any:
    if isinstance(node, list):
        if part.startswith("@"):
            matches = [i for i, item in enumerate(node) if item.get("name") == part[1:]]
            assert len(matches) == 1, f"no single element named {part[1:]!r}"
            return matches[0]
        return int(part)
    return part


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` by relative path: to prove nothing was written."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
