"""Hatchling build hook: bundle the data package into the wheel, and only there.

The repository holds one copy of ``datapackage.json``, ``data/``, ``schemas/``
and ``seeds/`` at its top level. A wheel carries them under
``surveillance_ties/_data`` (the ``bundle`` table of
``[tool.hatch.build.targets.wheel.hooks.custom]`` in ``pyproject.toml``). An
editable install gets no copy: it reads the repository's own files (see
``surveillance_ties.datapackage.installed.package_root``), so an edited CSV is seen at once
and no stale copy lingers in ``site-packages``. A plain ``force-include`` table
would also copy the files into editable installs, which is why this hook exists.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class BundleDataPackage(BuildHookInterface):  # type: ignore[type-arg]
    """Add the ``bundle`` mapping to the files forced into a standard wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        bundle = self.config.get("bundle", {})
        if not isinstance(bundle, dict) or not bundle:
            raise ValueError(
                "pyproject.toml: [tool.hatch.build.targets.wheel.hooks.custom] needs a `bundle` table"
            )
        build_data["force_include"].update(bundle)
