"""The short summary printed after a build: pipelines, executions, models, outcomes, waste."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from graphlets.core.text import printable
from graphlets.core.warehouse import connect, one_row

OUTCOMES = ("pushed", "not_blessed", "infra_rejected", "not_pushed", "training_failed", "pending")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
    )


def collect(warehouse: Path) -> dict:
    """Headline numbers of a built warehouse (empty dict where the marts do not exist)."""
    con = connect(warehouse, read_only=True)
    try:
        if not _has_table(con, "marts", "fct_executions"):
            return {}
        pipelines, executions, cost, wasted = one_row(
            con,
            """select count(distinct pipeline_id), count(*), coalesce(sum(cost), 0),
                      coalesce(sum(cost) filter (where waste_class = 'wasted'), 0)
               from marts.fct_executions""",
        )
        outcomes = dict(
            con.execute("select outcome, count(*) from marts.fct_graphlets group by 1").fetchall()
        )
        flagged = None
        if _has_table(con, "audit", "dq_quarantine"):
            flagged = con.execute(
                "select stage, reason, count(*) from audit.dq_quarantine "
                "group by all order by stage, reason"
            ).fetchall()
    finally:
        con.close()
    return {
        "pipelines": pipelines,
        "executions": executions,
        "models": sum(outcomes.values()),
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "cost": cost,
        "wasted_cost": wasted,
        "waste_fraction": wasted / cost if cost else 0.0,
        # (stage, reason, rows) of audit.dq_quarantine; None when the model is not built
        "quarantine": flagged,
    }


def print_summary(warehouse: Path, console: Console) -> None:
    facts = collect(warehouse)
    if not facts:
        console.print(f"{_shown(warehouse)}: no marts yet; run `graphlets build`")
        return
    head = Table("pipelines", "executions", "models (graphlets)", "waste fraction", box=None)
    head.add_row(
        f"{facts['pipelines']:,}",
        f"{facts['executions']:,}",
        f"{facts['models']:,}",
        f"{facts['waste_fraction']:.1%}",
    )
    console.print(head)
    by_outcome = Table("outcome", "graphlets", "share", box=None)
    for outcome, n in facts["outcomes"].items():
        share = n / facts["models"] if facts["models"] else 0.0
        by_outcome.add_row(_shown(outcome), f"{n:,}", f"{share:.1%}")
    console.print(by_outcome)
    console.print(
        f"waste: {facts['wasted_cost']:,.0f} of {facts['cost']:,.0f} cost units "
        f"({facts['waste_fraction']:.1%}) never reached a pushed model"
    )
    print_quarantine(facts["quarantine"], console)


def print_quarantine(flagged: list[tuple[str, str, int]] | None, console: Console) -> None:
    """Rows per reason of audit.dq_quarantine: rows the warehouse cannot use as recorded."""
    if flagged is None:
        return
    if not flagged:
        console.print("data quality: no rows flagged (audit.dq_quarantine)")
        return
    total = sum(n for _, _, n in flagged)
    console.print(
        f"data quality: {total:,} rows flagged in audit.dq_quarantine "
        "(load: not loaded; model: used as docs/semantics.md says)",
        soft_wrap=True,
    )
    table = Table("stage", "reason", "rows", box=None)
    for stage, reason, n in flagged:
        table.add_row(_shown(stage), _shown(reason), f"{n:,}")
    console.print(table)


def _shown(value: object) -> str:
    """Text from the data printed literally: markup and control characters escaped."""
    return escape(printable(value))
