"""Where the data package installed with this library lives.

An installed wheel carries ``datapackage.json``, ``data/``, ``schemas/`` and ``seeds/`` under
``surveillance_ties/_data`` (see ``pyproject.toml``), found with :mod:`importlib.resources`. An
editable install (``pip install -e .``) has no such copy: there the repository's own top-level
files are used, so an edited CSV is seen at once.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

from surveillance_ties.datapackage.errors import PackageError
from surveillance_ties.datapackage.model import DESCRIPTOR

__all__ = ["package_root"]


@cache
def package_root() -> Path:
    """The folder that holds the installed ``datapackage.json``."""
    here = importlib.resources.files("surveillance_ties")
    bundled = here / "_data"
    if bundled.is_dir() and (bundled / DESCRIPTOR).is_file():
        return Path(str(bundled))
    # Editable install or source checkout: src/surveillance_ties -> repository root.
    repo = Path(str(here)).resolve().parents[1]
    if (repo / DESCRIPTOR).is_file():
        return repo
    raise PackageError(
        "the surveillance-ties data files are missing from this installation; "
        "reinstall it with `pip install --force-reinstall surveillance-ties`"
    )
