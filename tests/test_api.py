"""The Python API (docs/python.md) on a built warehouse: every documented call, its errors, and
the docs' own notebook session run cell by cell in a real IPython shell.

The warehouse holds two MLMD sources: the hand-made report corpus (tests/report_corpus.py:
pipelines `cadence` and `transformed`, costs worked out by hand) and a `warm` pipeline whose
second training warm-starts from the first one's model (a parent graphlet).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import graphlets
from graphlets.build.dbt import build
from graphlets.core.errors import GraphletsError, QueryRefusedError
from graphlets.core.snapshot import publish, snapshot_path
from graphlets.readers.api import Graphlet, Warehouse
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import load_mlmd
from tests.conftest import REPO
from tests.report_corpus import _Pipeline, report_corpus
from tests.stores import EXAMPLE_GEN, TRAINER


def warm_store(path: Path) -> dict[str, int]:
    """ExampleGen -> Trainer 1 -> model; Trainer 2 reads the examples and warm-starts from it."""
    with StoreWriter(path) as w:
        p = _Pipeline(w, "warm")
        gen = p.run("CsvExampleGen", EXAMPLE_GEN, 0, 1, 10)
        examples = p.output(gen, "Examples", 1, "examples", span=5)
        first = p.run("Trainer", TRAINER, 2, 4, 100)
        p.read(first, examples, 2, "examples")
        model = p.output(first, "Model", 4, "model")
        second = p.run("Trainer", TRAINER, 6, 8, 100)
        p.read(second, examples, 6, "examples")
        p.read(second, model, 6, "base_model")
        p.output(second, "Model", 8, "model")
    return {"first": first, "second": second}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("api")
    ids = report_corpus(root / "hand.sqlite")
    ids.update({f"warm_{k}": v for k, v in warm_store(root / "warm.sqlite").items()})
    warehouse = root / "warehouse.duckdb"
    load_mlmd(warehouse, str(root / "hand.sqlite"), "hand")
    load_mlmd(warehouse, str(root / "warm.sqlite"), "warm")
    build(warehouse, target_path=root / "target")
    return warehouse, ids


@pytest.fixture
def wh(built):
    with graphlets.open(built[0]) as opened:
        yield opened


def graphlet_of(wh: Warehouse, source: str, mlmd_trainer_id: int) -> int:
    frame = wh.sql(
        "select graphlet_id from fct_graphlets"
        " where source_id = $source and source_trainer_execution_id = $trainer",
        {"source": source, "trainer": mlmd_trainer_id},
    )
    assert len(frame) == 1
    return int(frame.graphlet_id.iloc[0])


def test_pipelines(wh: Warehouse) -> None:
    pipelines = wh.pipelines()
    assert isinstance(pipelines, pd.DataFrame)
    assert sorted(pipelines.pipeline_name) == ["cadence", "transformed", "warm"]
    by_name = pipelines.set_index("pipeline_name")
    assert by_name.loc["cadence", "n_graphlets"] == 5  # T1..T4 and the failed T5
    assert by_name.loc["transformed", "n_graphlets"] == 2
    assert by_name.loc["cadence", "n_pushed"] == 3
    assert by_name.loc["warm", "source_id"] == "warm"


def test_graphlets_filtered_by_pipeline_and_outcome(wh: Warehouse, built) -> None:
    ids = built[1]
    cadence = wh.graphlets(pipeline="cadence")
    assert list(cadence.source_trainer_execution_id) == [
        ids["t1"],
        ids["t2"],
        ids["t3"],
        ids["t4"],
        ids["t5"],
    ]  # oldest training first
    assert list(cadence.outcome) == ["pushed", "not_blessed", "pushed", "pushed", "training_failed"]
    assert set(cadence.pipeline_name) == {"cadence"}
    pipeline_id = cadence.pipeline_id.iloc[0]
    assert wh.graphlets(pipeline=pipeline_id).equals(cadence)  # by id or by name

    pushed = wh.graphlets(outcome="pushed")
    assert sorted(pushed.source_trainer_execution_id) == sorted(
        [ids["t1"], ids["t3"], ids["t4"], ids["tb1"]]
    )
    both = wh.graphlets(pipeline="transformed", outcome="pending")
    assert list(both.source_trainer_execution_id) == [ids["tb2"]]
    assert len(wh.graphlets()) == 5 + 2 + 2


def test_waste_is_the_report_most_wasteful_first(wh: Warehouse, built) -> None:
    waste = wh.waste()
    assert list(waste.wasted_cost) == sorted(waste.wasted_cost, reverse=True)
    con = duckdb.connect(str(snapshot_path(built[0])), read_only=True)
    try:
        expected = con.execute(
            "select pipeline_name, wasted_cost from marts.rpt_waste_by_pipeline"
        ).fetchall()
    finally:
        con.close()
    assert sorted(zip(waste.pipeline_name, waste.wasted_cost, strict=True)) == sorted(expected)
    # cadence: T2's graphlet (E2 10 + T2 100 + V2 5) was never pushed, T5 (50) failed.
    assert waste.set_index("pipeline_name").loc["cadence", "wasted_cost"] == pytest.approx(165)


def test_graphlet_members_window_and_costs(wh: Warehouse, built) -> None:
    ids = built[1]
    g = wh.graphlet(graphlet_of(wh, "hand", ids["t1"]))
    assert isinstance(g, Graphlet)
    assert (g.pipeline_name, g.outcome) == ("cadence", "pushed")
    assert g.data_window == (1, 1)
    assert g.trained_at is not None and g.pushed_at is not None and g.pushed_at > g.trained_at
    members = g.members
    assert list(members.relation) == ["upstream", "trainer", "downstream", "downstream"]
    assert list(members.role) == ["ingest", "train", "evaluate", "push"]
    # E1 is shared with the orphan StatisticsGen's reading only; its whole cost is T1's.
    assert list(members.cost) == [10, 100, 5, 1]
    assert g.total_cost == pytest.approx(116)
    assert g.wasted_cost == 0
    assert g.parents == () and g.children == () and g.lineage.empty


def test_graphlet_parents_children_and_lineage(wh: Warehouse, built) -> None:
    ids = built[1]
    first = graphlet_of(wh, "warm", ids["warm_first"])
    second = graphlet_of(wh, "warm", ids["warm_second"])
    child = wh.graphlet(second)
    parent = wh.graphlet(first)
    assert child.parents == (first,)
    assert parent.children == (second,)
    assert list(child.lineage.ancestor_graphlet_id) == [first]
    assert list(child.lineage.generations) == [1]
    assert child.data_window == (5, 5)


def test_sql_goes_through_the_read_only_gate(wh: Warehouse, tmp_path: Path) -> None:
    by_position = wh.sql(
        "select outcome, count(*) as n from fct_graphlets where source_id = ? group by 1",
        ["hand"],
    )
    assert dict(zip(by_position.outcome, by_position.n, strict=True)) == {
        "not_blessed": 1,
        "pending": 1,
        "pushed": 4,
        "training_failed": 1,
    }
    by_name = wh.sql("select $x + 1 as y", {"x": 41})
    assert by_name.y.iloc[0] == 42
    target = tmp_path / "out.csv"
    with pytest.raises(QueryRefusedError):
        wh.sql(f"copy fct_graphlets to '{target}'")
    with pytest.raises(QueryRefusedError):
        wh.sql("select * from read_csv('/etc/passwd')")
    assert not target.exists()
    with pytest.raises(GraphletsError, match="one statement"):
        wh.sql("select 1; select 2")
    tables = wh.tables().set_index("name")
    assert tables.loc["fct_graphlets", "row_count"] == 9
    assert "graphlet" in tables.loc["fct_graphlets", "description"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda wh: wh.graphlets(outcome="deployed"), "unknown outcome 'deployed'"),
        (lambda wh: wh.graphlets(pipeline="nope"), "no pipeline 'nope'"),
        (lambda wh: wh.graphlet(123), "no graphlet 123"),
        (lambda wh: wh.sql("select * from no_such_table"), "no_such_table"),
    ],
)
def test_bad_arguments_are_one_line_errors(wh: Warehouse, call, message: str) -> None:
    with pytest.raises(GraphletsError) as raised:
        call(wh)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_open_takes_a_warehouse_its_snapshot_a_directory_or_the_environment(
    built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warehouse = built[0]
    for path in (warehouse, snapshot_path(warehouse), warehouse.parent, str(warehouse)):
        with graphlets.open(path) as wh:
            assert wh.snapshot == snapshot_path(warehouse)
    monkeypatch.setenv("GRAPHLETS_WAREHOUSE", str(warehouse))
    monkeypatch.chdir(tmp_path)
    with graphlets.open() as wh:
        assert len(wh.pipelines()) == 3


def test_missing_unbuilt_and_partial_warehouses(tmp_path: Path) -> None:
    with pytest.raises(GraphletsError, match="no warehouse at"):
        graphlets.open(tmp_path / "missing.duckdb")
    store = tmp_path / "hand.sqlite"
    report_corpus(store)
    loaded = tmp_path / "loaded.duckdb"
    load_mlmd(loaded, str(store))
    with pytest.raises(GraphletsError, match="not built yet"):
        graphlets.open(loaded)
    publish(loaded)  # a snapshot without the marts, as after a partial build
    with pytest.raises(GraphletsError, match="has no dim_pipelines"):
        graphlets.open(loaded)
    not_duckdb = tmp_path / "notes.serving.duckdb"
    not_duckdb.write_text("not a database\n")
    with pytest.raises(GraphletsError, match="cannot open the snapshot"):
        graphlets.open(not_duckdb)


def test_reload_moves_to_the_newest_snapshot(built) -> None:
    warehouse = built[0]
    with graphlets.open(warehouse) as wh:
        before = wh.published_at
        publish(warehouse)
        assert wh.published_at == before  # the open view does not move by itself
        wh.reload()
        assert wh.published_at > before
        assert len(wh.pipelines()) == 3


def docs_cells() -> list[str]:
    text = (REPO / "docs" / "python.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


SHELL = textwrap.dedent(
    """
    import json, sys
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    outcomes = []
    for cell in json.load(sys.stdin):
        result = shell.run_cell(cell)
        outcomes.append(result.error_in_exec is None and result.error_before_exec is None)
    print("OUTCOMES", json.dumps(outcomes))
    """
)


def run_in_ipython(cells: list[str], warehouse: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GRAPHLETS_WAREHOUSE": str(warehouse), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", SHELL],
        input=json.dumps(cells),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_the_docs_session_runs_in_ipython(built, tmp_path: Path) -> None:
    cells = docs_cells()
    assert len(cells) >= 6
    done = run_in_ipython(cells, built[0], tmp_path)
    outcomes = json.loads(done.stdout.rsplit("OUTCOMES ", 1)[1])
    assert outcomes == [True] * len(cells), done.stdout[-3000:]
    assert "Traceback" not in done.stdout + done.stderr


def test_errors_show_as_one_line_in_ipython(tmp_path: Path) -> None:
    done = run_in_ipython(
        ["import graphlets\nwh = graphlets.open()"], tmp_path / "missing.duckdb", tmp_path
    )
    shown = [line for line in done.stdout.splitlines() if line and not line.startswith("OUTCOMES")]
    assert shown == [
        f"GraphletsError: no warehouse at {tmp_path / 'missing.duckdb'}: pass the path of a "
        "built warehouse, or build one (graphlets demo)"
    ]
    assert "Traceback" not in done.stdout + done.stderr


def test_artifacts_loads_and_findings_are_published(wh: Warehouse, built) -> None:
    warehouse, ids = built
    statistics = wh.sql(
        "select a.* from dim_artifacts as a inner join fct_executions as e"
        " on a.producer_execution_id = e.execution_id"
        " where e.source_id = 'hand' and e.source_execution_id = ?",
        [ids["s1"]],
    )
    # S1 wrote the statistics at hour 2; the CACHED S2 re-emitted them at hour 11.
    assert len(statistics) == 1
    row = statistics.iloc[0]
    assert (row.type_name, row.n_producers, row.n_readers) == ("ExampleStatistics", 2, 0)
    assert row.pipeline_id.endswith("/cadence") and row.source_kind == "mlmd"
    examples = wh.sql(
        "select n_producers, n_readers from dim_artifacts"
        " where source_id = 'hand' and type_name = 'Examples' and span = 1"
        " and pipeline_id like '%/cadence'"
    )
    assert examples.values.tolist() == [[1, 3]]  # read by S1, S2 and T1
    unproduced = wh.sql(
        "select count(*) as n from dim_artifacts where producer_execution_id is null"
    )
    assert unproduced.n.iloc[0] == 0  # every artifact of both stores has a writer

    loads = wh.sql(
        "select source_id, source_kind, rows_read, rows_quarantined from audit.load_history"
    )
    assert sorted(loads.source_id) == ["hand", "warm"]
    assert (loads.rows_read > 0).all() and set(loads.source_kind) == {"sqlite"}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (audit,) = con.execute("select count(*) from audit.dq_quarantine").fetchone()
    finally:
        con.close()
    findings = wh.sql("select count(*) as n from audit.dq_quarantine")  # published too
    assert findings.n.iloc[0] == audit
