"""Hostile packages: what a pull request could hold to make a command read, print, archive or hash
a file outside the package, crash, or hang.

Each case is built from a copy of the fixture package (with the files a release carries) next
to a planted *secret* file outside it, whose unique content must never appear in any output or
any file a command writes. ``tests/test_hostile.py`` runs every case through every command and
loader function.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from .conftest import RELEASE_PARTS, copy_package

SECRET = "SECRET-3f9c2b7e-do-not-print"


def _descriptor(root: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _write(root: Path, data: object) -> None:
    (root / "datapackage.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _set_path(root: Path, name: str, key: str, value: str) -> None:
    data = _descriptor(root)
    next(r for r in data["resources"] if r["name"] == name)[key] = value
    _write(root, data)


def _link(root: Path, rel: str, target: Path) -> None:
    (root / rel).unlink(missing_ok=True)
    (root / rel).symlink_to(target)


def absolute_path(root: Path, secret: Path) -> None:
    _set_path(root, "features", "path", str(secret))


def file_url_path(root: Path, secret: Path) -> None:
    _set_path(root, "features", "path", f"file://{secret}")


def dotdot_path(root: Path, secret: Path) -> None:
    _set_path(root, "features", "path", "../" * 12 + str(secret).lstrip("/"))


def table_link(root: Path, secret: Path) -> None:
    _link(root, "data/features.csv", secret)


def schema_link(root: Path, secret: Path) -> None:
    _link(root, "schemas/features.schema.json", secret)


def descriptor_link(root: Path, secret: Path) -> None:
    _link(root, "datapackage.json", secret)


def changelog_link(root: Path, secret: Path) -> None:
    _link(root, "CHANGELOG.md", secret)


def stray_link(root: Path, secret: Path) -> None:
    """A link in data/ that is not a table: a release must not carry it."""
    (root / "data/notes.txt").symlink_to(secret)


def fifo_table(root: Path, secret: Path) -> None:
    (root / "data/features.csv").unlink()
    os.mkfifo(root / "data/features.csv")


def deep_nesting(root: Path, secret: Path) -> None:
    (root / "datapackage.json").write_text("[" * 100_000, encoding="utf-8")


def resources_a_string(root: Path, secret: Path) -> None:
    data = _descriptor(root)
    data["resources"] = "x"
    _write(root, data)


def resource_an_integer(root: Path, secret: Path) -> None:
    data = _descriptor(root)
    data["resources"].insert(0, 7)
    _write(root, data)


def duplicate_keys(root: Path, secret: Path) -> None:
    text = (root / "datapackage.json").read_text(encoding="utf-8")
    (root / "datapackage.json").write_text(
        text.replace('"name":', f'"name": "{secret}", "name":', 1), encoding="utf-8"
    )


def wrong_types(root: Path, secret: Path) -> None:
    data = _descriptor(root)
    data["licenses"] = [{"name": ["CC-BY-4.0"]}]
    data["resources"][0]["schema"] = 12
    _write(root, data)


CASES: dict[str, Callable[[Path, Path], None]] = {
    "absolute-path": absolute_path,
    "file-url-path": file_url_path,
    "dotdot-path": dotdot_path,
    "table-link": table_link,
    "schema-link": schema_link,
    "descriptor-link": descriptor_link,
    "changelog-link": changelog_link,
    "stray-link": stray_link,
    "fifo-table": fifo_table,
    "deep-nesting": deep_nesting,
    "resources-a-string": resources_a_string,
    "resource-an-integer": resource_an_integer,
    "duplicate-keys": duplicate_keys,
    "wrong-types": wrong_types,
}


def build_case(name: str, tmp: Path) -> tuple[Path, Path]:
    """``(package folder, secret file)`` of case ``name`` in ``tmp``."""
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text(f'{{"resources": [], "text": "{SECRET}"}}\n{SECRET}\n', encoding="utf-8")
    root = copy_package(tmp / "pkg", RELEASE_PARTS)
    CASES[name](root, secret)
    return root, secret


def zip_with_dotdot(tmp: Path) -> tuple[Path, Path]:
    """A release-like zip whose descriptor names ``../../…/secret`` (and one whose member is named so)."""
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    root = copy_package(tmp / "zipped", RELEASE_PARTS)
    dotdot_path(root, secret)
    target = tmp / "evil.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
    return target, secret


def zip_with_dotdot_member(tmp: Path) -> tuple[Path, Path]:
    secret = tmp / "outside" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    root = copy_package(tmp / "zipped2", RELEASE_PARTS)
    target = tmp / "evil2.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(root).as_posix())
        archive.writestr("../../" + secret.name, SECRET)
    return target, secret
