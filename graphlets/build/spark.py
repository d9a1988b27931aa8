"""`graphlets build --target spark`: the same dbt project on Apache Spark (docs/spark.md).

The raw tables are exported as Parquet (:mod:`graphlets.build.spark_raw`), then dbt builds
the profile's `spark` target in this process (dbt-spark, ``method: session``), limited to
the models ported so far (selector ``spark``, selectors.yml) unless ``--select`` says
otherwise. The DuckDB warehouse and its published snapshot are not touched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graphlets.build.dbt import BuildSummary, nothing_selected, run_dbt
from graphlets.build.spark_python import session_python_models
from graphlets.build.spark_raw import RAW_ENV, SPARK_DIR_ENV, export_raw, raw_dir, spark_dir
from graphlets.core.errors import GraphletsError

# The selection a Spark build makes when it is given none (selectors.yml).
SELECTOR = "spark"


@dataclass(frozen=True)
class SparkBuild:
    summary: BuildSummary
    # The local session's metastore and tables, and the raw tables' Parquet copies.
    spark_dir: Path
    raw_dir: Path
    raw_tables: tuple[str, ...]


def check_spark_available() -> None:
    """Raise a one-line error when dbt-spark, pyspark or a Java runtime is missing."""
    if importlib.util.find_spec("dbt.adapters.spark") is None or (
        importlib.util.find_spec("pyspark") is None
    ):
        raise GraphletsError(
            "the Spark target needs dbt-spark and pyspark, which are not installed",
            "pip install 'graphlets[spark]' (docs/spark.md)",
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise GraphletsError(
            "the Spark target needs a Java runtime (java not found, JAVA_HOME not set)",
            "install Java 17, e.g. apt-get install openjdk-17-jre-headless (docs/spark.md)",
        )


def build_spark(warehouse: Path, args: list[str] | None = None, quiet: bool = True) -> SparkBuild:
    """Export the raw tables, then ``dbt build --target spark``; raise on failure."""
    check_spark_available()
    if not warehouse.exists():
        raise GraphletsError(
            f"warehouse {warehouse} does not exist", "load a source first: graphlets load mlmd"
        )
    # Unit tests run on DuckDB only: their fixtures are DuckDB SQL (docs/spark.md).
    args = [*(args or []), "--exclude-resource-type", "unit_test"]
    if not any(flag in args for flag in ("--select", "-s", "--selector")):
        # Only the tests whose every parent is selected: a test that also reads a model not
        # yet ported would find no table.
        args += ["--selector", SELECTOR, "--indirect-selection", "cautious"]
    home, raw = spark_dir(warehouse), raw_dir(warehouse)
    tables = export_raw(warehouse, raw)
    home.mkdir(parents=True, exist_ok=True)
    # The Python models run in the session too (graphlets/build/spark_python.py).
    with _env({SPARK_DIR_ENV: str(home), RAW_ENV: str(raw)}), session_python_models():
        summary = run_dbt(warehouse, "build", args, quiet=quiet, target="spark")
    if summary.passed + summary.warned + summary.failed == 0:
        raise nothing_selected(args)
    return SparkBuild(summary, home, raw, tuple(tables))


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
