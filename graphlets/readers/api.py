"""The Python API: the published snapshot as pandas DataFrames (docs/python.md).

``graphlets.open(PATH)`` returns a :class:`Warehouse`. It reads the read-only snapshot that
``graphlets build`` publishes, never the warehouse file itself, so a notebook can stay open
while the daily job rebuilds. Every method runs one parameterised query on one locked-down
connection (:func:`graphlets.core.snapshot.open_snapshot`); :meth:`Warehouse.sql` runs the
caller's SQL through the same read-only gate and limits as ``graphlets query``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import duckdb
import pandas as pd

from graphlets.core.errors import GraphletsError
from graphlets.core.snapshot import SNAPSHOT_SUFFIX, open_snapshot, snapshot_path
from graphlets.core.warehouse import DEFAULT_WAREHOUSE, resolve_warehouse
from graphlets.readers.limits import QueryLimits, limits_from_env
from graphlets.readers.query import engine_error, execute
from graphlets.readers.sqlgate import gate

OUTCOMES = ("training_failed", "pushed", "infra_rejected", "not_blessed", "not_pushed", "pending")

_PIPELINES = """
    select *
    from dim_pipelines
    order by source_id, pipeline_name, pipeline_id
"""

_GRAPHLET_ROWS = """
    select pipelines.pipeline_name, graphlets.*
    from fct_graphlets as graphlets
    inner join dim_pipelines as pipelines
        on graphlets.pipeline_id = pipelines.pipeline_id
"""

_GRAPHLETS = (
    _GRAPHLET_ROWS
    + """
    where
        ($pipeline is null or $pipeline in (graphlets.pipeline_id, pipelines.pipeline_name))
        and ($outcome is null or graphlets.outcome = $outcome)
    order by graphlets.trained_at nulls last, graphlets.graphlet_id
"""
)

_GRAPHLET = _GRAPHLET_ROWS + "where graphlets.graphlet_id = $graphlet_id"

_WASTE = """
    select *
    from rpt_waste_by_pipeline
    order by wasted_cost desc, pipeline_id
"""

_MEMBERS = """
    select
        members.execution_id,
        members.relation,
        members.hops,
        members.role,
        executions.type_name,
        executions.execution_name,
        executions.state,
        executions.started_at,
        executions.ended_at,
        members.cost,
        members.attributed_cost,
        members.wasted_cost,
        executions.waste_class,
        members.n_graphlets_sharing,
        members.execution_pipeline_id,
        executions.source_execution_id
    from fct_graphlet_executions as members
    inner join fct_executions as executions
        on members.execution_id = executions.execution_id
    where members.graphlet_id = $graphlet_id
    order by
        case members.relation when 'upstream' then 0 when 'trainer' then 1 else 2 end,
        case when members.relation = 'upstream' then -members.hops else members.hops end,
        executions.started_at nulls last,
        members.execution_id
"""

_LINEAGE = """
    select
        lineage.ancestor_graphlet_id,
        lineage.generations,
        lineage.is_parent,
        lineage.is_primary_parent,
        lineage.is_read_by_trainer,
        lineage.ancestor_pipeline_id,
        ancestors.outcome as ancestor_outcome,
        ancestors.trained_at as ancestor_trained_at
    from fct_model_lineage as lineage
    inner join fct_graphlets as ancestors
        on lineage.ancestor_graphlet_id = ancestors.graphlet_id
    where lineage.graphlet_id = $graphlet_id
    order by lineage.generations, lineage.ancestor_graphlet_id
"""

_CHILDREN = """
    select graphlet_id
    from fct_model_lineage
    where ancestor_graphlet_id = $graphlet_id and is_parent
    order by graphlet_id
"""


@dataclass(frozen=True)
class Graphlet:
    """One trained model's graphlet: its row of ``fct_graphlets`` and what hangs off it."""

    graphlet_id: int
    pipeline_id: str
    pipeline_name: str
    outcome: str
    trained_at: dt.datetime | None
    pushed_at: dt.datetime | None
    total_cost: float
    wasted_cost: float
    data_window: tuple[int | None, int | None]
    """The input spans the graphlet's training read, lowest and highest (NULL: unknown)."""
    parents: tuple[int, ...]
    """Graphlets whose models this one's trainer read (``fct_model_lineage.is_parent``)."""
    children: tuple[int, ...]
    """Graphlets whose trainers read this one's model."""
    members: pd.DataFrame
    """Its executions: upstream (nearest last), the trainer, downstream; with cost and waste."""
    lineage: pd.DataFrame
    """Every ancestor graphlet, by generation."""
    row: Mapping[str, object]
    """The whole ``fct_graphlets`` row (plus ``pipeline_name``)."""


class Warehouse:
    """A read-only view of one published snapshot. Use as a context manager, or ``close()``.

    The view is the snapshot as it was when it was opened (a rebuild publishes a new file
    and leaves this one readable); :meth:`reload` moves to the newest one.
    """

    def __init__(self, snapshot: Path, limits: QueryLimits | None = None) -> None:
        self.snapshot = snapshot
        self.limits = limits or limits_from_env()
        self._con = open_snapshot(snapshot, settings=self.limits.engine_settings())
        self._check_built()

    # -- the documented calls -------------------------------------------------------------

    def pipelines(self) -> pd.DataFrame:
        """One row per pipeline (``dim_pipelines``): activity, graphlets, pushes, cost, waste."""
        return self._frame(_PIPELINES)

    def graphlets(self, pipeline: str | None = None, outcome: str | None = None) -> pd.DataFrame:
        """Graphlets (``fct_graphlets`` with ``pipeline_name``), oldest training first.

        ``pipeline`` is a pipeline id (``mlmd/name``) or name; ``outcome`` one of
        :data:`OUTCOMES`.
        """
        if outcome is not None and outcome not in OUTCOMES:
            raise GraphletsError(
                f"unknown outcome {outcome!r}", f"pass one of {', '.join(OUTCOMES)}"
            )
        if pipeline is not None and not self._pipeline_exists(pipeline):
            raise GraphletsError(
                f"no pipeline {pipeline!r} in {self.snapshot.name}",
                "pass a pipeline_id or pipeline_name from wh.pipelines()",
            )
        return self._frame(_GRAPHLETS, {"pipeline": pipeline, "outcome": outcome})

    def waste(self) -> pd.DataFrame:
        """Cost and waste per pipeline (``rpt_waste_by_pipeline``), most wasteful first."""
        return self._frame(_WASTE)

    def graphlet(self, graphlet_id: int) -> Graphlet:
        """One graphlet with its members, lineage, parents, children and data window."""
        params = {"graphlet_id": int(graphlet_id)}
        found = self._frame(_GRAPHLET, params)
        if found.empty:
            raise GraphletsError(
                f"no graphlet {graphlet_id} in {self.snapshot.name}",
                "pass a graphlet_id from wh.graphlets()",
            )
        row = {str(key): value for key, value in found.iloc[0].items()}
        lineage = self._frame(_LINEAGE, params)
        return Graphlet(
            graphlet_id=int(row["graphlet_id"]),
            pipeline_id=str(row["pipeline_id"]),
            pipeline_name=str(row["pipeline_name"]),
            outcome=str(row["outcome"]),
            trained_at=_timestamp(row["trained_at"]),
            pushed_at=_timestamp(row["pushed_at"]),
            total_cost=float(row["total_cost"]),
            wasted_cost=float(row["wasted_cost"]),
            data_window=(_int(row["input_span_min"]), _int(row["input_span_max"])),
            parents=tuple(
                int(i)
                for i in self._frame(_LINEAGE, params).query("is_parent").ancestor_graphlet_id
            ),
            children=tuple(int(i) for i in self._frame(_CHILDREN, params).graphlet_id),
            members=self._frame(_MEMBERS, params),
            lineage=lineage,
            row=row,
        )

    def sql(
        self, query: str, params: Sequence[object] | Mapping[str, object] | None = None
    ) -> pd.DataFrame:
        """One read-only statement, through the same gate and limits as ``graphlets query``.

        ``params`` fill ``?`` or ``$name`` placeholders. Tables are found by their bare name
        (``fct_graphlets``); ``wh.tables()`` lists them.
        """
        statements = gate(self._con, query)
        if len(statements) != 1:
            raise GraphletsError(
                f"wh.sql runs one statement, got {len(statements)}", "call it once per statement"
            )
        return execute(self._con, statements[0], self.limits, _df, params)

    def tables(self) -> pd.DataFrame:
        """The published tables, with their row counts and descriptions."""
        return self._frame(
            "select tables.schema_name as schema, tables.table_name as name, counts.row_count,"
            " tables.comment as description"
            " from duckdb_tables() as tables"
            " left join meta.snapshot_tables as counts"
            " on tables.schema_name = counts.schema_name and tables.table_name = counts.table_name"
            " where tables.database_name = current_database() and tables.schema_name <> 'meta'"
            " order by 1, 2"
        )

    @property
    def published_at(self) -> dt.datetime:
        """When this snapshot was published (UTC)."""
        return self._con.execute("select published_at from meta.snapshot").fetchone()[0]  # type: ignore[index]

    # -- life cycle -----------------------------------------------------------------------

    def reload(self) -> None:
        """Move to the newest published snapshot (after a rebuild)."""
        fresh = open_snapshot(self.snapshot, settings=self.limits.engine_settings())
        self._con.close()
        self._con = fresh
        self._check_built()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<graphlets.Warehouse {self.snapshot}>"

    # -- helpers --------------------------------------------------------------------------

    def _frame(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        try:
            return self._con.execute(sql, params).df()
        except duckdb.Error as exc:
            raise engine_error(exc) from None

    def _pipeline_exists(self, pipeline: str) -> bool:
        row = self._con.execute(
            "select count(*) from dim_pipelines where pipeline_id = $p or pipeline_name = $p",
            {"p": pipeline},
        ).fetchone()
        return bool(row and row[0])

    def _check_built(self) -> None:
        needed = (
            "dim_pipelines",
            "fct_graphlets",
            "fct_graphlet_executions",
            "rpt_waste_by_pipeline",
        )
        present = {
            name
            for (name,) in self._con.execute(
                "select table_name from duckdb_tables()"
                " where database_name = current_database() and schema_name = 'marts'"
            ).fetchall()
        }
        missing = [name for name in needed if name not in present]
        if missing:
            self._con.close()
            raise GraphletsError(
                f"the snapshot {self.snapshot} has no {', '.join(missing)}",
                "build the whole project (graphlets build, without --select)",
            )


def open_warehouse(
    path: str | os.PathLike[str] | None = None, limits: QueryLimits | None = None
) -> Warehouse:
    """The published snapshot of the warehouse at ``path`` (see :func:`snapshot_for`)."""
    return Warehouse(snapshot_for(path), limits)


def snapshot_for(path: str | os.PathLike[str] | None = None) -> Path:
    """Where to read: ``path`` may be a warehouse file, its snapshot or a directory holding
    ``warehouse.duckdb``; without one, ``$GRAPHLETS_WAREHOUSE`` or ``./warehouse.duckdb``."""
    chosen = resolve_warehouse(path)
    if chosen.is_dir():
        chosen = chosen / DEFAULT_WAREHOUSE
    if chosen.name.endswith(SNAPSHOT_SUFFIX):
        return chosen
    snapshot = snapshot_path(chosen)
    if not snapshot.exists():
        if chosen.exists():
            raise GraphletsError(
                f"the warehouse {chosen} is not built yet (no published snapshot)",
                "run graphlets build",
            )
        raise GraphletsError(
            f"no warehouse at {chosen}",
            "pass the path of a built warehouse, or build one (graphlets demo)",
        )
    return snapshot


def _df(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if con.description is None:
        return pd.DataFrame()
    return con.df()


def _timestamp(value: object) -> dt.datetime | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return int(value)  # type: ignore[call-overload]
