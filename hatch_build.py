"""Wheel build hook: put the dbt project inside the package of a standard (non-editable) wheel.

The project lives at the checkout's root so that ``dbt build`` runs there with no setup; an
installed ``graphlets`` needs its own copy, which it finds as ``graphlets/dbt_project/``.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "analyses",
    "tests/dbt",
)


class DbtProjectHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        for name in PROJECT_FILES:
            build_data["force_include"][name] = f"graphlets/dbt_project/{name}"
