"""The portability check: every compiled SQL model transpiles from DuckDB to other engines.

The project is written for DuckDB. To keep it a step away from Trino and BigQuery, each
compiled model (``target/compiled``, written by ``dbt compile``) must parse with sqlglot's
DuckDB dialect and generate for each of :data:`TARGET_DIALECTS` with unsupported features
raised, not warned about. Passing says only that sqlglot knows a translation, not that the
result runs there: sqlglot passes functions it does not know through unchanged, and some
DuckDB-only syntax too (docs/development.md, "Portability check").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import ErrorLevel

TARGET_DIALECTS = ("trino", "bigquery")


@dataclass(frozen=True)
class CompiledModels:
    """The models of one ``dbt compile`` (its target directory)."""

    # name -> compiled SQL, for every SQL model dbt compiled.
    sql: dict[str, str]
    # Every SQL model of the manifest, compiled or not (a selection compiles only some).
    sql_in_manifest: frozenset[str]
    # Python models: dbt-duckdb runs them in Python, so there is no SQL to transpile.
    python: frozenset[str]


@dataclass(frozen=True)
class Problem:
    model: str
    dialect: str
    error: str


def compiled_models(target: Path) -> CompiledModels:
    """The compiled models of the project whose ``dbt compile`` wrote ``target``."""
    manifest = json.loads((target / "manifest.json").read_text())
    sql: dict[str, str] = {}
    in_manifest: set[str] = set()
    python: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        if node["language"] == "python":
            python.add(node["name"])
            continue
        in_manifest.add(node["name"])
        compiled = Path(node["compiled_path"]) if node.get("compiled_path") else None
        if compiled is not None and compiled.is_file():
            sql[node["name"]] = compiled.read_text()
    return CompiledModels(sql, frozenset(in_manifest), frozenset(python))


def transpile_error(sql: str, dialect: str) -> str | None:
    """Why DuckDB ``sql`` does not transpile to ``dialect``; None when it does."""
    try:
        for statement in sqlglot.parse(sql, read="duckdb", error_level=ErrorLevel.RAISE):
            if statement is not None:
                statement.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    # sqlglot raises its own errors, and at times a plain one from inside a generator.
    except Exception as error:
        lines = str(error).strip().splitlines() or [""]
        return f"{type(error).__name__}: {lines[0]}"
    return None


def check(target: Path, dialects: tuple[str, ...] = TARGET_DIALECTS) -> list[Problem]:
    """Every (compiled SQL model, dialect) of ``target`` that does not transpile."""
    models = compiled_models(target)
    return [
        Problem(name, dialect, error)
        for name, sql in sorted(models.sql.items())
        for dialect in dialects
        if (error := transpile_error(sql, dialect)) is not None
    ]
