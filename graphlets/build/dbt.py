"""Run dbt in-process (dbtRunner) against a warehouse file.

One `graphlets build` pays dbt's start-up once. The warehouse path reaches profiles.yml
through $GRAPHLETS_WAREHOUSE, the same variable a user sets for plain `dbt build`.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from graphlets.core.errors import BuildError, GraphletsError, WarehouseLockedError
from graphlets.core.project import dbt_work_dir, project_dir
from graphlets.core.warehouse import WAREHOUSE_ENV, connect, exclusive

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

    from graphlets.core.snapshot import PublishResult


@dataclass(frozen=True)
class BuildSummary:
    passed: int
    warned: int
    failed: int
    warnings: tuple[str, ...]
    # The read-only snapshot published after a successful ``build`` (None: not published).
    snapshot: PublishResult | None = None


@contextmanager
def _warehouse_env(warehouse: Path) -> Iterator[None]:
    before = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = before


def run_dbt(
    warehouse: Path,
    command: str,
    args: list[str] | None = None,
    vars: dict | None = None,
    target_path: Path | None = None,
    quiet: bool = True,
    colors: bool | None = None,
    project: Path | None = None,
    target: str = "duckdb",
) -> BuildSummary:
    """Run one dbt command (``build``, ``run``, ``docs generate``...); raise on failure.

    dbt's target and logs go to :func:`~graphlets.core.project.dbt_work_dir` of the
    warehouse unless ``target_path`` says otherwise. dbt colours its lines only when
    ``colors`` says so (default: :func:`use_colors`). ``project`` is the dbt project
    (default: :func:`~graphlets.core.project.project_dir`; the tests pass a modified copy).
    ``target`` is the profile's output: ``duckdb`` (the warehouse file) or ``spark``
    (:mod:`graphlets.build.spark`, which calls this).
    """
    from dbt.cli.main import dbtRunner  # imported late: dbt costs ~1 s to import

    project = project or project_dir()
    work = dbt_work_dir(warehouse)
    argv = [
        *command.split(),
        "--target",
        target,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path or work / ("target" if target == "duckdb" else f"target-{target}")),
        "--log-path",
        str(work / "logs"),
        *(["--quiet"] if quiet else []),
        *([] if (use_colors() if colors is None else colors) else ["--no-use-colors"]),
        *(args or []),
    ]
    # The application publishes by itself (build() below), so dbt's on-run-end hook is off.
    argv += ["--vars", json.dumps({"graphlets_publish_on_run_end": False, **(vars or {})})]
    # dbt-duckdb does not wait for a lock held by another process: wait here first (the
    # window between this check and dbt's own open is milliseconds).
    if target == "duckdb":
        connect(warehouse).close()
    with _warehouse_env(warehouse):
        try:
            result = dbtRunner().invoke(argv)
        finally:
            if target == "duckdb":
                _release_warehouse()
    if not result.success and "could not set lock" in _describe_failure(result).lower():
        raise WarehouseLockedError(
            f"warehouse {warehouse} was locked by another process when dbt opened it",
            "wait for that process to finish and run the build again",
        )
    if not result.success:
        raise BuildError(
            f"dbt {command} failed: {_describe_failure(result)}",
            f"see {work / 'logs' / 'dbt.log'}; the warehouse keeps the last successful build",
        )
    return _summarise(result.result)


def use_colors() -> bool:
    """dbt writes colour codes only to a terminal, and never when $NO_COLOR is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _release_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between invocations.

    dbt-duckdb caches one environment per process; left open, it holds the file and later
    opens in this process (the summary, a second build on another file) conflict with it.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def build(
    warehouse: Path,
    args: list[str] | None = None,
    vars: dict | None = None,
    target_path: Path | None = None,
    quiet: bool = True,
    publish: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> BuildSummary:
    """``dbt build`` (seeds, models and tests) on the warehouse, then publish its snapshot.

    The snapshot (:mod:`graphlets.core.snapshot`) is published only when dbt succeeded: a failed
    build raises before it and the readers keep the previous snapshot. So does a ``--select``
    that matches no node. The warehouse is held (:func:`~graphlets.core.warehouse.exclusive`)
    from before dbt parses until the snapshot is published.
    """
    with exclusive(warehouse, on_wait=on_wait):
        return _build(warehouse, args, vars, target_path, quiet, publish)


def _build(
    warehouse: Path,
    args: list[str] | None,
    vars: dict | None,
    target_path: Path | None,
    quiet: bool,
    publish: bool,
) -> BuildSummary:
    marker = unfinished_build_marker(warehouse)
    earlier_unfinished = marker.exists()
    marker.write_text(f"graphlets build started by process {os.getpid()}\n")
    try:
        summary = run_dbt(warehouse, "build", args, vars, target_path, quiet)
    except WarehouseLockedError:
        # Never got the warehouse: its tables are as they were.
        if not earlier_unfinished:
            marker.unlink(missing_ok=True)
        raise
    if summary.passed + summary.warned + summary.failed == 0:
        # dbt ran nothing: the tables are as they were, and there is nothing to publish.
        if not earlier_unfinished:
            marker.unlink(missing_ok=True)
        raise nothing_selected(args or [])
    # Only a build that finished clears the marker: a killed or failed one leaves the
    # warehouse's tables partly rebuilt, and `graphlets publish` refuses to publish those.
    marker.unlink(missing_ok=True)
    if not publish:
        return summary
    from graphlets.core.snapshot import publish as publish_snapshot

    return replace(summary, snapshot=publish_snapshot(warehouse))


def nothing_selected(args: list[str]) -> GraphletsError:
    """The error for a dbt selection that matched no node."""
    selection = " ".join(
        value
        for flag, value in itertools.pairwise(args)
        if flag in ("--select", "-s", "--exclude", "--selector")
    )
    return GraphletsError(
        f"the selection {selection!r} matched no dbt node; nothing was built or published"
        if selection
        else "dbt selected no node; nothing was built or published",
        "check the names (models such as int_edges, with + for up- or downstream, or "
        "tag:..., path:models/...); list them with: dbt ls --select ...",
    )


# The incremental models and the bookkeeping columns each needs in its previous table.
# A table built by an older version lacks them and must be rebuilt from scratch: dbt's
# incremental materialisation cannot add them (on_schema_change='fail').
INCREMENTAL_COLUMNS = {
    "int_graphlet_upstream": ("built_through_load_id",),
    "int_graphlet_shape_keys": ("member_set_hash", "n_members", "built_through_load_id"),
}


def outdated_incremental_tables(warehouse: Path) -> list[str]:
    """Incremental tables of the warehouse that an older version built (see above)."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return []  # locked or unreadable: dbt reports it
    try:
        found: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'intermediate'"
        ).fetchall():
            found.setdefault(table, set()).add(column)
    finally:
        con.close()
    return sorted(
        table
        for table, needed in INCREMENTAL_COLUMNS.items()
        if table in found and not set(needed) <= found[table]
    )


def unfinished_build_marker(warehouse: Path) -> Path:
    """``dir/.warehouse.duckdb.building``: present while a build runs or after one failed."""
    return warehouse.with_name(f".{warehouse.name}.building")


def _results(res: object) -> list:
    return list(getattr(res, "results", None) or [])


def _summarise(res: object) -> BuildSummary:
    passed = warned = failed = 0
    warnings = []
    for r in _results(res):
        status = str(getattr(r, "status", "")).lower()
        if status in ("warn",):
            warned += 1
            warnings.append(f"{r.node.name}: {r.message or r.failures}")
        elif status in ("error", "fail", "runtime error"):
            failed += 1
        else:
            passed += 1
    return BuildSummary(passed, warned, failed, tuple(warnings))


def _describe_failure(result: dbtRunnerResult) -> str:
    if getattr(result, "exception", None) is not None:
        return str(result.exception).strip().splitlines()[0]
    bad = [
        f"{r.node.name} ({r.status})"
        for r in _results(result.result)
        if str(r.status).lower() in ("error", "fail", "runtime error")
    ]
    return ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
