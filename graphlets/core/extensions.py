"""DuckDB extensions from PyPI packages, installed offline.

``INSTALL sqlite`` would download from DuckDB's own servers, which these machines (and many
corporate networks) cannot reach. The ``duckdb-extension-*`` packages on PyPI ship the
binaries for duckdb 1.5.5; we install them from the package's file and load them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from graphlets.core.errors import GraphletsError

_PACKAGES = {
    "sqlite": "duckdb_extension_sqlite",
    "mysql": "duckdb_extension_mysql",
    "postgres": "duckdb_extension_postgres",
}


def _binary(name: str) -> Path:
    package = importlib.import_module(_PACKAGES[name])
    folder = Path(package.__file__ or "").parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"{name}*.duckdb_extension"))
    if not found:
        raise GraphletsError(
            f"the DuckDB {name} extension for duckdb {duckdb.__version__} is not installed",
            "run `make demo` or `pip install -c requirements.lock -e .` to install the pins",
        )
    return found[0]


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension ``name`` into ``con``, installing it from its PyPI package if needed."""
    try:
        con.execute(f"load {name}")
        return
    except duckdb.Error:
        pass
    path = str(_binary(name)).replace("'", "''")
    con.execute(f"install '{path}'")
    con.execute(f"load {name}")
