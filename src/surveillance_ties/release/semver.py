"""Release guard: the version bump a change needs, and a version that agrees everywhere.

The rules follow the Data Package versioning pattern (semantic versioning
applied to data), as this project states them in ``CHANGELOG.md``:

========  ==============================================================
major     a table or field removed or renamed, fields reordered, a type
          changed, a constraint tightened (``required``, ``unique``,
          ``enum`` values removed, a ``pattern`` added or changed, a
          narrower minimum or maximum), a primary key changed or a foreign
          key added, rows removed (their identifiers no longer resolve),
          the package renamed, a table's ``path`` changed
minor     rows, fields or tables added, a constraint loosened, a foreign
          key removed
patch     values corrected in existing rows, descriptive metadata changed
========  ==============================================================

Before 1.0.0 (``0.y.z``, initial development), as semver allows and as Cargo and
npm's caret ranges read it, each level moves one number down: a major change
bumps the minor number (``0.1.0`` -> ``0.2.0``), a minor change or a patch
bumps the patch number (``0.1.0`` -> ``0.1.1``). ``1.0.0`` is a decision, never
computed.

:func:`check` compares the package with the last release (the newest
``vX.Y.Z`` tag reachable from ``HEAD``, or a given revision or zip) and
lists problems: a version bump smaller than the changes need, a
``CHANGELOG.md`` without a ``## [<version>]`` section, a ``CITATION.cff``
naming another version. :func:`bump` sets the needed version in
``datapackage.json`` (the one version source) and ``CITATION.cff`` and drafts
the ``CHANGELOG.md`` section. Neither ever touches a data file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from surveillance_ties.datapackage import Package, PackageError, default_root, dumps, open_package
from surveillance_ties.datapackage.revisions import release_tags
from surveillance_ties.datapackage.stores import FolderStore
from surveillance_ties.datapackage.writing import locked, write_atomic
from surveillance_ties.release.diff import PackageDiff, TableDiff, diff
from surveillance_ties.release.diff_render import describe_metadata_change, describe_schema_change

Version = tuple[int, int, int]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_CITATION_VERSION = re.compile(r"^version:[ \t]*[\"']?([^\"'\s#]*)[\"']?[ \t]*(#.*)?$", re.MULTILINE)
_CITATION_DATE = re.compile(r"^date-released:.*$", re.MULTILINE)

MAJOR_SCHEMA = {
    "field-removed",
    "field-renamed",
    "fields-reordered",
    "type-changed",
    "constraint-tightened",
    "primary-key-changed",
    "foreign-key-added",
}
MINOR_SCHEMA = {"field-added", "constraint-loosened", "foreign-key-removed"}


class Level(IntEnum):
    """The size of a version bump."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    def __str__(self) -> str:
        return self.name.lower()


class ReleaseError(PackageError):
    """The release cannot be checked or bumped; the message says why and what to do."""


@dataclass(frozen=True)
class Reason:
    """One change and the bump it needs."""

    level: Level
    message: str


@dataclass
class CheckResult:
    """The outcome of :func:`check`; ``ok`` is the exit status."""

    version: str
    against: str | None = None
    previous_version: str | None = None
    required: Level = Level.NONE
    bump: Level | None = None
    reasons: list[Reason] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


@dataclass
class BumpResult:
    """The outcome of :func:`bump`: the version set and the files written."""

    old_version: str
    new_version: str
    against: str | None = None
    required: Level = Level.NONE
    reasons: list[Reason] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_version(text: object, where: str = "datapackage.json") -> Version:
    """``"1.2.3"`` -> ``(1, 2, 3)``; :class:`ReleaseError` for anything else."""
    match = _VERSION.match(text) if isinstance(text, str) else None
    if not match:
        raise ReleaseError(f"{where}: version {text!r} is not MAJOR.MINOR.PATCH (such as 0.1.0)")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def format_version(version: Version) -> str:
    """``(1, 2, 3)`` -> ``"1.2.3"``."""
    return ".".join(str(p) for p in version)


def bump_version(version: Version, level: Level) -> Version:
    """The version after a bump of ``level`` (``NONE`` keeps it); before 1.0.0 a major change bumps
    the minor number and a minor change the patch number."""
    major, minor, patch = version
    if major == 0 and level >= Level.MINOR:
        return (0, minor + 1, 0) if level == Level.MAJOR else (0, minor, patch + 1)
    if level == Level.MAJOR:
        return major + 1, 0, 0
    if level == Level.MINOR:
        return major, minor + 1, 0
    if level == Level.PATCH:
        return major, minor, patch + 1
    return version


def bump_level(old: Version, new: Version) -> Level:
    """The size of the step from ``old`` to ``new``; :class:`ReleaseError` when it goes backwards."""
    if new < old:
        raise ReleaseError(f"the version went backwards, from {format_version(old)} to {format_version(new)}")
    if new[0] > old[0]:
        return Level.MAJOR
    if new[0] == 0:  # before 1.0.0: a minor step allows a major change, a patch step a minor one
        return Level.MAJOR if new[1] > old[1] else Level.MINOR if new[2] > old[2] else Level.NONE
    if new[1] > old[1]:
        return Level.MINOR
    if new[2] > old[2]:
        return Level.PATCH
    return Level.NONE


def _ids(table: TableDiff, rows: list[dict[str, str]], limit: int = 10) -> str:
    keys = [",".join(r.get(k, "") for k in table.primary_key) for r in rows] if table.primary_key else []
    if not keys:
        return ""
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return " (" + ", ".join(keys[:limit]) + more + ")"


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def classify(result: PackageDiff) -> list[Reason]:
    """Every change of a diff with the bump it needs (see the module docstring), in diff order."""
    reasons: list[Reason] = []
    for m in result.metadata:
        if m.key == "version":
            continue  # the bump itself
        level = Level.MAJOR if m.key == "name" else Level.PATCH
        reasons.append(Reason(level, f"package metadata: {describe_metadata_change(m)}"))
    for t in result.tables:
        if t.status == "added":
            reasons.append(Reason(Level.MINOR, f"table {t.name} added ({_rows(t.rows_new)})"))
            continue
        if t.status == "removed":
            reasons.append(Reason(Level.MAJOR, f"table {t.name} removed"))
            continue
        if t.status == "renamed":
            reasons.append(Reason(Level.MAJOR, f"table {t.old_name} renamed to {t.name}"))
        for m in t.metadata:
            level = Level.MAJOR if m.key == "path" else Level.PATCH
            reasons.append(Reason(level, f"{t.name}: metadata {describe_metadata_change(m)}"))
        for s in t.schema:
            level = (
                Level.MAJOR
                if s.kind in MAJOR_SCHEMA
                else Level.MINOR
                if s.kind in MINOR_SCHEMA
                else Level.PATCH
            )
            reasons.append(Reason(level, f"{t.name}: {describe_schema_change(s)}"))
        if t.removed:
            reasons.append(
                Reason(Level.MAJOR, f"{t.name}: {_rows(len(t.removed))} removed{_ids(t, t.removed)}")
            )
        if t.added:
            reasons.append(Reason(Level.MINOR, f"{t.name}: {_rows(len(t.added))} added{_ids(t, t.added)}"))
        if t.changed:
            keys = [{k: v for k, v in c.key.items()} for c in t.changed]
            reasons.append(Reason(Level.PATCH, f"{t.name}: {_rows(len(t.changed))} changed{_ids(t, keys)}"))
    return reasons


def required_level(reasons: list[Reason]) -> Level:
    """The largest bump any of the reasons needs."""
    return max((r.level for r in reasons), default=Level.NONE)


TEXT_LIMIT = 4 << 20  # CHANGELOG.md and CITATION.cff are read up to this size


def _text(pkg: Package, name: str) -> str | None:
    """A text file beside the descriptor (read like any package file), or ``None`` if absent."""
    if not pkg.store.is_file(name):
        return None
    return pkg.read_bytes(name, TEXT_LIMIT).decode("utf-8", errors="replace")


def changelog_has(pkg: Package, version: str) -> bool:
    """Whether ``CHANGELOG.md`` has a ``## [<version>]`` section."""
    text = _text(pkg, "CHANGELOG.md")
    pattern = re.compile(rf"^## \[{re.escape(version)}\]", re.MULTILINE)
    return text is not None and bool(pattern.search(text))


def citation_version(pkg: Package) -> str | None:
    """The ``version`` that ``CITATION.cff`` names, or ``None`` when the file or the key is missing."""
    text = _text(pkg, "CITATION.cff")
    match = _CITATION_VERSION.search(text) if text is not None else None
    return match.group(1) if match else None


def consistency_problems(pkg: Package, version: str) -> list[str]:
    """Problems with ``CHANGELOG.md`` and ``CITATION.cff`` for ``version``."""
    problems = []
    if not changelog_has(pkg, version):
        problems.append(
            f"CHANGELOG.md has no `## [{version}]` section: add one saying what changed "
            "(`surveillance-ties release --bump` drafts it)"
        )
    cited = citation_version(pkg)
    if cited is None:
        problems.append(f"CITATION.cff is missing or has no `version:`; add `version: {version}`")
    elif cited != version:
        problems.append(
            f"CITATION.cff names version {cited}, but datapackage.json says {version}; "
            f"set `version: {version}`"
        )
    return problems


def last_release(root: Path) -> str | None:
    """The newest ``vX.Y.Z`` tag reachable from HEAD of the repository holding ``root``, if any."""
    tags = release_tags(root)
    return tags[-1][1] if tags else None


def _compare(pkg: Package, root: Path, against: str) -> tuple[PackageDiff, Version]:
    with open_package(against, revisions=True, base=root) as old:
        result = diff(old, pkg, old_label=against, new_label=str(root))
    return result, parse_version(result.old_version, where=against)


def _folder(path: str | os.PathLike[str] | None) -> Package:
    """The package folder a release is checked or bumped in (not a zip or a revision)."""
    pkg = open_package(path if path is not None else default_root())
    if not isinstance(pkg.store, FolderStore):
        pkg.close()
        raise ReleaseError(f"{pkg.label}: a release is checked and bumped in a package folder, not a zip")
    return pkg


def check(path: str | os.PathLike[str] | None = None, against: str | None = None) -> CheckResult:
    """Check the package at ``path`` against the last release (or ``against``: a revision, folder or zip).

    ``None`` is the package around the current folder. Raises
    :class:`~surveillance_ties.datapackage.errors.PackageError` (:class:`ReleaseError` among them)
    when something cannot be read.
    """
    with _folder(path) as pkg:
        assert isinstance(pkg.store, FolderStore)
        root = pkg.store.root
        version = parse_version(pkg.descriptor.get("version"))
        result = CheckResult(version=format_version(version))
        result.problems += consistency_problems(pkg, result.version)
        if against is None:
            against = last_release(root)
            if against is None:
                result.notes.append(
                    "no vX.Y.Z release tag yet: only checked that the version, "
                    "CHANGELOG.md and CITATION.cff agree"
                )
                return result
        result.against = against
        changes, previous = _compare(pkg, root, against)
    result.previous_version = format_version(previous)
    result.reasons = classify(changes)
    result.required = required_level(result.reasons)
    try:
        result.bump = bump_level(previous, version)
    except ReleaseError as exc:
        result.problems.insert(0, f"{exc} (the release {against} is {result.previous_version})")
        return result
    if result.bump < result.required:
        needed = format_version(bump_version(previous, result.required))
        step = f"a {result.bump} bump" if result.bump else "no bump"
        zero = "; before 1.0.0, one number down" if previous[0] == 0 else ""
        lines = [
            f"the changes since {against} need a {result.required} release "
            f"({result.previous_version} -> {needed}{zero}), "
            f"but {result.previous_version} -> {result.version} is {step}; "
            "run `surveillance-ties release --bump` or set the version by hand:"
        ]
        lines += [f"  {r.level} needed: {r.message}" for r in result.reasons if r.level > result.bump]
        result.problems.insert(0, "\n".join(lines))
    return result


def draft_changelog(version: str, date: dt.date, changes: PackageDiff | None, against: str | None) -> str:
    """A ``CHANGELOG.md`` section for ``version`` drafted from a diff, for a person to edit."""
    sections: dict[str, list[str]] = {"Added": [], "Changed": [], "Removed": [], "Fixed": []}
    if changes is not None:
        for m in changes.metadata:
            if m.key != "version":
                sections["Changed"].append(f"Package metadata: {describe_metadata_change(m)}.")
        for t in changes.tables:
            if t.status == "added":
                sections["Added"].append(f"Table `{t.name}` ({_rows(t.rows_new)}).")
                continue
            if t.status == "removed":
                sections["Removed"].append(f"Table `{t.name}` ({_rows(t.rows_old)}).")
                continue
            if t.status == "renamed":
                sections["Changed"].append(f"Table `{t.old_name}` renamed to `{t.name}`.")
            for m in t.metadata:
                sections["Changed"].append(f"`{t.name}`: {describe_metadata_change(m)}.")
            for s in t.schema:
                key = {"field-added": "Added", "field-removed": "Removed"}.get(s.kind, "Changed")
                sections[key].append(f"`{t.name}`: {describe_schema_change(s)}.")
            if t.added:
                sections["Added"].append(f"`{t.name}`: {_rows(len(t.added))}{_ids(t, t.added)}.")
            if t.removed:
                sections["Removed"].append(f"`{t.name}`: {_rows(len(t.removed))}{_ids(t, t.removed)}.")
            if t.changed:
                keys = [dict(c.key) for c in t.changed]
                fields = sorted({c.field for row in t.changed for c in row.cells})
                sections["Fixed"].append(
                    f"`{t.name}`: {_rows(len(t.changed))} corrected{_ids(t, keys)}, in {', '.join(fields)}."
                )
    since = f" since {against}" if against else ""
    lines = [
        f"## [{version}] - {date.isoformat()}",
        "",
        f"<!-- Drafted by `surveillance-ties release --bump` from the changes{since}; edit it. -->",
    ]
    for title, items in sections.items():
        if items:
            lines += ["", f"### {title}"] + [f"- {item}" for item in items]
    if not any(sections.values()):
        lines += ["", "### Changed", "- (say what changed)"]
    return "\n".join(lines) + "\n"


def insert_changelog_section(text: str, section: str) -> str:
    """``text`` with ``section`` before the first released ``## [x.y.z]`` section (after Unreleased)."""
    match = re.search(r"^## \[(?!Unreleased\])", text, re.MULTILINE | re.IGNORECASE)
    if match is None:
        return text.rstrip("\n") + "\n\n" + section
    return text[: match.start()] + section + "\n" + text[match.start() :]


def set_citation(text: str, version: str, date: dt.date) -> str:
    """``CITATION.cff`` text with ``version`` and ``date-released`` set."""
    line = f"version: {version}"
    text = (
        _CITATION_VERSION.sub(line, text, count=1) if _CITATION_VERSION.search(text) else text + line + "\n"
    )
    date_line = f"date-released: {date.isoformat()}"
    if _CITATION_DATE.search(text):
        return _CITATION_DATE.sub(date_line, text, count=1)
    return text.replace(line + "\n", line + "\n" + date_line + "\n", 1)


def bump(
    path: str | os.PathLike[str] | None = None, against: str | None = None, today: dt.date | None = None
) -> BumpResult:
    """Set the version the changes need in ``datapackage.json`` and ``CITATION.cff``, and draft CHANGELOG.md.

    The new version is the last release's version bumped by the largest change (kept when the
    package already has that or a larger one). ``CITATION.cff`` gets the version and ``today``
    as ``date-released``; ``CHANGELOG.md`` gets a section drafted from the diff unless it
    already has one for the version. The package folder is locked while it is read and written,
    so a ``format`` or ``rehash`` running beside it cannot undo the bump; every file is written
    atomically.
    """
    today = today or dt.date.today()
    with _folder(path) as first:
        assert isinstance(first.store, FolderStore)
        folder = first.store.root
    with locked(folder), _folder(folder) as pkg:
        descriptor = dict(pkg.descriptor)
        current = parse_version(descriptor.get("version"))
        citation_text = _text(pkg, "CITATION.cff")
        if citation_text is None:
            raise ReleaseError(
                f"{folder / 'CITATION.cff'}: no such file; add a CITATION.cff "
                "(see https://citation-file-format.github.io)"
            )
        result = BumpResult(old_version=format_version(current), new_version=format_version(current))
        target = current
        changes: PackageDiff | None = None
        if against is None:
            against = last_release(folder)
        if against is None:
            result.notes.append(
                "no vX.Y.Z release tag yet: the version stays; CITATION.cff and CHANGELOG.md follow it"
            )
        else:
            result.against = against
            changes, previous = _compare(pkg, folder, against)
            result.reasons = classify(changes)
            result.required = required_level(result.reasons)
            if result.required == Level.NONE:
                result.notes.append(f"no changes since {against}: the version stays")
            else:
                target = max(current, bump_version(previous, result.required))
                if target == current and current != bump_version(previous, result.required):
                    result.notes.append(
                        f"the version {result.old_version} is already more than the changes need"
                    )
        version = format_version(target)
        result.new_version = version
        if target != current:
            descriptor["version"] = version
            write_atomic(folder / pkg.descriptor_file, dumps(descriptor).encode("utf-8"), root=folder)
            result.written.append("datapackage.json")
        if citation_version(pkg) != version or target != current:
            text = set_citation(citation_text, version, today)
            write_atomic(folder / "CITATION.cff", text.encode("utf-8"), root=folder)
            result.written.append("CITATION.cff")
        if not changelog_has(pkg, version):
            old = _text(pkg, "CHANGELOG.md") or "# Changelog\n\n## [Unreleased]\n"
            text = insert_changelog_section(old, draft_changelog(version, today, changes, against))
            write_atomic(folder / "CHANGELOG.md", text.encode("utf-8"), root=folder)
            result.written.append("CHANGELOG.md")
    return result
