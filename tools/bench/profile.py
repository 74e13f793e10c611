"""Where the time goes: one pyinstrument run of a command, summarised as its hottest functions."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any


def available() -> bool:
    """True when pyinstrument can be imported by this Python (it is a development tool, not a dependency)."""
    import importlib.util

    return importlib.util.find_spec("pyinstrument") is not None


def profile(target: Sequence[str], out: Path, *, cwd: Path | None = None) -> dict[str, Any]:
    """Run ``python -m pyinstrument -r json -o OUT <target>`` and summarise the profile.

    ``target`` is what follows pyinstrument's options: ``["-m", "surveillance_ties", "validate", DIR]``
    or ``["-c", "import surveillance_ties; ..."]``. pyinstrument samples the main thread only: time
    spent in worker threads shows as waiting on them.
    """
    argv = [sys.executable, "-m", "pyinstrument", "-r", "json", "-o", str(out), *target]
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    data = json.loads(out.read_text(encoding="utf-8"))
    return summarise(data)


IMPORTS = ("(imports)", "")


def _package(frame: Mapping[str, Any]) -> str:
    short = str(frame.get("file_path_short", ""))
    return short.split("/", 1)[0].removesuffix(".py") if "/" in short or short.endswith(".py") else short


def _walk(
    frame: Mapping[str, Any], owner: tuple[str, str] | None, module: str | None, root: bool = True
) -> Iterator[tuple[tuple[str, str], float, tuple[str, str] | None, str | None]]:
    """Each frame's key and own time, with the innermost frame of our own code that it runs under (or
    :data:`IMPORTS` for anything under a module body being imported), and the innermost module it
    runs the body of."""
    children = frame.get("children", [])
    own = float(frame["time"]) - sum(float(c["time"]) for c in children)
    key = (str(frame["function"]), str(frame.get("file_path_short", "")))
    if key[0] == "<module>" and not root:
        owner, module = IMPORTS, _package(frame)
    elif owner != IMPORTS and "surveillance_ties" in str(frame.get("file_path", "")):
        owner = key
    yield key, own, owner, module
    for child in children:
        yield from _walk(child, owner, module, False)


def summarise(data: Mapping[str, Any], top: int = 10) -> dict[str, Any]:
    """Where the time goes: ``ours`` is the time of each function of surveillance_ties including the
    library calls it makes (not its calls into other functions of ours), with all import time in one
    ``(imports)`` row; ``imports`` splits that by the package whose module body runs; ``hot`` lists
    the functions by their own time.
    """
    duration = float(data["duration"]) or 1e-9
    own: dict[tuple[str, str], float] = {}
    ours: dict[tuple[str, str], float] = {}
    imports: dict[tuple[str, str], float] = {}
    for key, self_time, owner, module in _walk(data["root_frame"], None, None):
        t = max(self_time, 0.0)
        own[key] = own.get(key, 0.0) + t
        if owner is not None:
            ours[owner] = ours.get(owner, 0.0) + t
        if owner == IMPORTS and module is not None:
            imports[(module, "")] = imports.get((module, ""), 0.0) + t

    def rows(table: dict[tuple[str, str], float]) -> list[dict[str, Any]]:
        best = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [
            {"function": f, "file": p, "seconds": round(s, 3), "share": round(s / duration, 3)}
            for (f, p), s in best
        ]

    return {
        "duration_s": round(duration, 3),
        "imports_s": round(ours.get(IMPORTS, 0.0), 3),
        "imports": rows(imports),
        "ours": rows(ours),
        "hot": rows(own),
    }


def _where(h: Mapping[str, Any]) -> str:
    return f"{h['share']:.0%} {h['function']}" + (f" ({h['file']})" if h["file"] else "")


def cause(name: str, summary: Mapping[str, Any]) -> str:
    """One sentence naming where the time of ``name`` goes, from a :func:`summarise` result."""
    ours = "; ".join(_where(h) for h in summary["ours"][:6])
    imports = "; ".join(_where(h) for h in summary["imports"][:5])
    return (
        f"pyinstrument on `{name}` ({summary['duration_s']:.2f} s in the main thread): by our function, "
        f"with the library calls it makes: {ours}; the imports by package: {imports}"
    )
