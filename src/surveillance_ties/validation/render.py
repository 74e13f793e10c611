"""Render a :class:`~surveillance_ties.validation.report.Report` as text, JSON or GitHub annotations."""

from __future__ import annotations

import json

from surveillance_ties.validation.report import Error, Report

FORMATS = ("text", "json", "github")


def location(e: Error) -> str:
    """``file:row:column`` with the parts that are known."""
    parts = [e.file]
    if e.row is not None:
        parts.append(str(e.row))
    if e.column is not None:
        parts.append(e.column)
    return ":".join(parts)


def _summary(report: Report) -> str:
    if report.valid:
        return f"{report.path}: valid, no errors"
    by_code = ", ".join(f"{n} {code}" for code, n in report.counts.items())
    shown = f" (showing the first {len(report.errors)})" if report.truncated else ""
    noun = "error" if report.error_count == 1 else "errors"
    return f"{report.error_count} {noun}{shown}: {by_code}"


def text(report: Report) -> str:
    """Errors grouped by file: ``file:row:column: message`` and an indented hint; then a summary."""
    lines: list[str] = []
    current: str | None = None
    for e in report.errors:
        if e.file != current:
            if current is not None:
                lines.append("")
            lines.append(f"== {e.file}")
            current = e.file
        lines.append(f"{location(e)}: {e.message} [{e.code}]")
        lines.append(f"    hint: {e.hint}")
    if lines:
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines)


def as_json(report: Report) -> str:
    """``report.to_dict()`` as indented JSON."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def _escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(report: Report) -> str:
    """GitHub workflow commands: one ``::error file=…,line=…,title=…::…`` per error, and a notice."""
    lines = []
    for e in report.errors:
        props = [f"file={_escape(e.file, prop=True)}"]
        if e.row is not None:
            props.append(f"line={e.row}")
        props.append(f"title={_escape(e.code, prop=True)}")
        where = f"{e.column}: " if e.column else ""
        lines.append(f"::error {','.join(props)}::{_escape(where + e.message + ' (hint: ' + e.hint + ')')}")
    lines.append(_summary(report))
    return "\n".join(lines)


def render(report: Report, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    return {"text": text, "json": as_json, "github": github}[fmt](report)
