"""Measuring a whole child process: wall time, CPU time (user + sys) and peak memory, from ``os.wait4``."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

#: Libraries whose versions go into the results.
LIBRARIES = (
    "surveillance-ties",
    "numpy",
    "pyarrow",
    "pandas",
    "pandera",
    "frictionless",
    "polars",
    "networkx",
    "click",
    "pyinstrument",
)


@dataclass(frozen=True)
class Run:
    """One run of a child process."""

    wall_s: float
    cpu_s: float  # user + sys of the child (all its threads)
    peak_rss_bytes: int  # ru_maxrss of the child
    exit_code: int
    stderr_tail: str = ""  # the end of its stderr, kept only when the exit code was unexpected

    def to_dict(self) -> dict[str, Any]:
        """As plain data."""
        return asdict(self)


# The launcher: a small fresh process that forks and execs each measured command. A child's peak RSS
# (ru_maxrss) starts from its parent's resident memory at fork time, so the commands must not be forked
# from the benchmark itself, which holds the generated packages; the launcher holds ~10 MB.
_LAUNCHER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    out = os.open(job["stdout"] or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            if job["cwd"]:
                os.chdir(job["cwd"])
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.execvp(job["argv"][0], job["argv"])
        finally:
            os._exit(127)
    os.close(out)
    os.close(err)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    print(json.dumps({"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime,
                      "peak_rss_bytes": ru.ru_maxrss * 1024, "exit_code": os.waitstatus_to_exitcode(status)}),
          flush=True)
"""


class Launcher:
    """Runs commands as whole processes, measured from fork to exit by a small launcher process.

    Wall time is taken around fork and ``os.wait4`` in the launcher; CPU time
    (user + sys, all threads) and peak resident memory (``ru_maxrss``) come
    from the child's own ``rusage``. Use as a context manager.
    """

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._err = Path(tempfile.mkdtemp(prefix="bench-")) / "stderr"
        #: Peak RSS of a child that does nothing (``true``): the launcher's share of every figure.
        self.baseline_rss_bytes = self.run(["true"]).peak_rss_bytes

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        stdout: Path | None = None,
        expect: Sequence[int] = (0,),
    ) -> Run:
        """Run ``argv`` to completion; its stdout goes to ``stdout`` (or nowhere), the tail of its stderr
        is kept when the exit code is not in ``expect``."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        job = {
            "argv": list(argv),
            "cwd": None if cwd is None else str(cwd),
            "stdout": None if stdout is None else str(stdout),
            "stderr": str(self._err),
        }
        self._proc.stdin.write(json.dumps(job) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark's launcher process died")
        data = json.loads(line)
        tail = ""
        if data["exit_code"] not in expect:
            tail = self._err.read_bytes()[-2000:].decode("utf-8", errors="replace")
        return Run(
            float(data["wall_s"]),
            float(data["cpu_s"]),
            int(data["peak_rss_bytes"]),
            int(data["exit_code"]),
            tail,
        )

    def close(self) -> None:
        """Stop the launcher."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._err.parent, ignore_errors=True)

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def warm(paths: Sequence[Path]) -> int:
    """Read files once so that every competitor finds them in the page cache; returns the bytes read."""
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 22):
                total += len(block)
    return total


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _git_commit(root: Path) -> str | None:
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("-dirty" if dirty else "")


def machine(root: Path | None = None) -> dict[str, Any]:
    """The machine and software the benchmark ran on."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "cpu_model": _cpu_model(),
        "memory_bytes": _memory_bytes(),
        "system": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "libraries": versions,
        "git_commit": _git_commit(root) if root is not None else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
