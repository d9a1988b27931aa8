"""Where the dbt project is, and where dbt's working files for one warehouse go.

The dbt project (``dbt_project.yml``, ``models/``, ``macros/``, ``seeds/``, ``analyses/``,
``tests/dbt/``, ``profiles.yml``, ``selectors.yml``) lives at the root of a checkout. A built
wheel carries a copy of it inside the package as ``graphlets/dbt_project/`` (pyproject.toml's
``force-include``), so an installed ``graphlets`` builds from any directory. This module is
the one place that knows both locations.

dbt writes a ``target/`` (compiled SQL, manifest, partial-parse cache) and ``logs/``. They go
next to the warehouse, in ``.<warehouse name>.dbt/``, never into the project or the current
directory: the installed project may be read-only, and two warehouses must not share one
partial-parse cache (dbt would re-parse on every switch).
"""

from __future__ import annotations

from pathlib import Path

from graphlets.core.errors import GraphletsError

_PACKAGE = Path(__file__).resolve().parent.parent
BUNDLED = _PACKAGE / "dbt_project"
CHECKOUT = _PACKAGE.parent


def project_dir() -> Path:
    """The dbt project: the copy inside an installed package, else the checkout's root."""
    for candidate in (BUNDLED, CHECKOUT):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    raise GraphletsError(
        f"the dbt project is missing (no dbt_project.yml in {BUNDLED} or {CHECKOUT})",
        "reinstall graphlets (pip install graphlets) or run from a full checkout",
    )


def dbt_work_dir(warehouse: Path) -> Path:
    """``dir/.warehouse.duckdb.dbt``: dbt's target and logs for this warehouse."""
    return warehouse.with_name(f".{warehouse.name}.dbt")
