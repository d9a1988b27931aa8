"""The study's marts, analyses and HTML report, checked against answers worked out by hand.

The corpus (tests/report_corpus.py) is small enough to compute every number on paper; the
expected values below are written as the arithmetic that gives them, not copied from a
build. One warehouse is built per module; the report is opened in a real headless browser.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build, run_dbt
from graphlets.core.project import project_dir
from graphlets.readers.report import write_report
from graphlets.readers.shape_drawing import layers as _layers
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import load_mlmd
from tests.conftest import run_cli
from tests.report_corpus import report_corpus
from tests.stores import EXAMPLE_GEN, HOUR, T0

T0_AT = datetime(2026, 1, 1)
APPROX = {"rel": 1e-9, "abs": 1e-9}
ANALYSES = (
    "pipeline_lifespan",
    "models_per_pipeline",
    "component_run_frequency",
    "graphlet_size_and_topology",
    "cost_by_role",
    "push_rate",
    "waste_distribution",
    "deployment_cadence",
)


def at(hours: float) -> datetime:
    return T0_AT + timedelta(hours=hours)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("reports")
    store = root / "hand.sqlite"
    ids = report_corpus(store)
    warehouse = root / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    build(warehouse, target_path=root / "target")
    return warehouse, ids


@pytest.fixture(scope="module")
def warehouse(corpus) -> Path:
    return corpus[0]


def rows(warehouse: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def by_key(items: list[dict], *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in items}


def assert_row(actual: dict, expected: dict) -> None:
    for column, value in expected.items():
        if isinstance(value, float):
            assert actual[column] == pytest.approx(value, **APPROX), column
        else:
            assert actual[column] == value, column


# -- the tables ----------------------------------------------------------------------------------
def test_component_frequency(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_component_frequency"), "pipeline_id", "node_id")
    assert len(got) == 10
    a_cost = 40 + 3 + 450 + 20 + 3  # pipeline cadence: every cost property, CACHED is 0
    # ExampleGen starts 0, 10, 30, 36: gaps 10, 20, 6 -> median 10; days 0 and 1.
    assert_row(
        got[("hand/cadence", "CsvExampleGen")],
        {
            "role": "ingest",
            "type_name": EXAMPLE_GEN,
            "n_runs": 4,
            "n_completed_runs": 4,
            "n_cached_runs": 0,
            "n_failed_runs": 0,
            "n_active_days": 2,
            "runs_per_active_day": 2.0,
            "median_hours_between_runs": 10.0,
            "first_run_at": at(0),
            "last_run_at": at(36),
            "n_graphlets_fed": 5,  # E4 feeds both T4 and the failed T5
            "cost": 40.0,
            "wasted_cost": 10.0,  # E2 fed only the not-blessed T2
            "share_of_pipeline_cost": 40 / a_cost,
        },
    )
    # StatisticsGen at 1 and (CACHED) 11: one gap of 10; nothing reads its output.
    assert_row(
        got[("hand/cadence", "StatisticsGen")],
        {
            "role": "analyze",
            "n_runs": 2,
            "n_completed_runs": 1,
            "n_cached_runs": 1,
            "n_orphan_runs": 2,
            "n_active_days": 1,
            "runs_per_active_day": 2.0,
            "median_hours_between_runs": 10.0,
            "n_graphlets_fed": 0,
            "cost": 3.0,
            "share_of_pipeline_cost": 3 / a_cost,
        },
    )
    # Trainer starts 2, 12, 32, 40, 50: gaps 10, 20, 8, 10 -> sorted 8 10 10 20 -> median 10.
    assert_row(
        got[("hand/cadence", "Trainer")],
        {
            "role": "train",
            "n_runs": 5,
            "n_completed_runs": 4,
            "n_failed_runs": 1,
            "n_active_days": 3,
            "runs_per_active_day": 5 / 3,
            "median_hours_between_runs": 10.0,
            "n_graphlets_fed": 5,
            "cost": 450.0,
            "wasted_cost": 150.0,
            "share_of_pipeline_cost": 450 / a_cost,
        },
    )
    # Pusher starts 6, 36, 46: gaps 30 and 10 -> median (10 + 30) / 2 = 20.
    assert_row(
        got[("hand/cadence", "Pusher")],
        {
            "n_runs": 3,
            "n_active_days": 2,
            "runs_per_active_day": 1.5,
            "median_hours_between_runs": 20.0,
            "n_graphlets_fed": 3,
            "share_of_pipeline_cost": 3 / a_cost,
        },
    )
    assert_row(
        got[("hand/cadence", "Evaluator")],
        {"n_runs": 4, "median_hours_between_runs": 10.0, "n_graphlets_fed": 4},
    )
    # A single run has no gap.
    assert_row(
        got[("hand/transformed", "Transform")],
        {"role": "transform", "n_runs": 1, "median_hours_between_runs": None, "cost": 30.0},
    )
    assert_row(
        got[("hand/transformed", "CsvExampleGen")],
        {"n_runs": 3, "median_hours_between_runs": 19.5, "n_orphan_runs": 1},  # 28, 11
    )


def test_waste_by_pipeline(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_waste_by_pipeline"), "pipeline_id")
    # cadence: G1, G3, G4 pushed; G2 not blessed (E2 + T2 + V2 = 115 wasted); T5 failed
    # (50 wasted) but its ExampleGen E4 is also in the pushed G4 (productive).
    productive = (10 + 100 + 5 + 1) * 3
    assert_row(
        got["hand/cadence"],
        {
            "source_id": "hand",
            "pipeline_name": "cadence",
            "n_executions": 18,
            "n_graphlets": 5,
            "n_models_trained": 4,
            "n_pushed": 3,
            "n_wasted_graphlets": 2,
            "total_cost": 516.0,
            "productive_cost": float(productive),
            "wasted_cost": 165.0,
            "pending_cost": 0.0,
            "orphan_cost": 3.0,
            "waste_fraction": 165 / 516,
            "share_of_source_waste": 1.0,
            "waste_rank_in_source": 1,
        },
    )
    # transformed: the pushed graphlet (262), the pending one (20 + 200), an orphan run (20).
    assert_row(
        got["hand/transformed"],
        {
            "n_executions": 8,
            "n_graphlets": 2,
            "n_pushed": 1,
            "n_wasted_graphlets": 0,
            "total_cost": 502.0,
            "productive_cost": 262.0,
            "wasted_cost": 0.0,
            "pending_cost": 220.0,
            "orphan_cost": 20.0,
            "waste_fraction": 0.0,
            "share_of_source_waste": 0.0,
            "waste_rank_in_source": 2,
        },
    )


def staleness_by_riemann_sum(pushes: list[tuple[float, float]], end: float) -> float:
    """Time-averaged staleness, by brute force: (push hour, trained hour) pairs, 1-minute steps."""
    pushes = sorted(pushes)
    start = pushes[0][0]
    n = round((end - start) * 60)
    total = 0.0
    for i in range(n):
        mid = start + (i + 0.5) / 60
        serving = [trained for pushed, trained in pushes if pushed <= mid][-1]
        total += mid - serving
    return total / n


def test_deployment_cadence(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_deployment_cadence"), "pipeline_id")
    # cadence: pushes at 6, 36, 46 of models trained at 4, 34, 42; as-of time 60 (the last
    # ExampleGen of `transformed` ends then). Staleness grows linearly between pushes:
    #   [6, 36]: from 2 to 32  -> 30 * (2 + 32) / 2 = 510
    #   [36, 46]: from 2 to 12 -> 10 * (2 + 12) / 2 = 70
    #   [46, 60]: from 4 to 18 -> 14 * (4 + 18) / 2 = 154
    # over a window of 60 - 6 = 54 hours.
    expected = (510 + 70 + 154) / 54
    assert expected == pytest.approx(
        staleness_by_riemann_sum([(6, 4), (36, 34), (46, 42)], 60), rel=1e-6
    )
    assert_row(
        got["hand/cadence"],
        {
            "n_graphlets": 5,
            "n_pushes": 3,
            "first_push_at": at(6),
            "last_push_at": at(46),
            "as_of_at": at(60),
            "observed_days": 60 / 24,
            "pushes_per_day": 3 / (60 / 24),
            "median_hours_between_pushes": 20.0,  # gaps 30 and 10
            "staleness_window_days": 54 / 24,
            "time_averaged_staleness_hours": expected,
            "staleness_at_as_of_hours": 60.0 - 42.0,
        },
    )
    # transformed: one push at 26 of a model trained at 24, window [26, 60]: staleness
    # from 2 to 36, average 19. First activity at 20: 40 hours observed.
    assert_row(
        got["hand/transformed"],
        {
            "n_pushes": 1,
            "pushes_per_day": 1 / (40 / 24),
            "median_hours_between_pushes": None,
            "time_averaged_staleness_hours": 19.0,
            "staleness_at_as_of_hours": 36.0,
        },
    )


def test_cost_by_role(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_cost_by_role"), "role")
    total = 516 + 502
    wasted = 165
    expected = {  # role: (executions, cost, wasted)
        "ingest": (7, 40 + 60, 10),
        "analyze": (2, 3, 0),
        "transform": (1, 30, 0),
        "train": (7, 450 + 400, 100 + 50),
        "evaluate": (5, 20 + 10, 5),
        "push": (4, 3 + 2, 0),
    }
    assert set(got) == set(expected)
    for role, (n, cost, waste) in expected.items():
        assert_row(
            got[role],
            {
                "source_id": "hand",
                "n_executions": n,
                "cost": float(cost),
                "wasted_cost": float(waste),
                "share_of_cost": cost / total,
                "share_of_waste": waste / wasted,
                "waste_fraction": waste / cost,
            },
        )
    assert got["ingest"]["role_order"] < got["train"]["role_order"] < got["push"]["role_order"]


FULL = (
    "ingest:CsvExampleGen;train:Trainer;evaluate:Evaluator;push:Pusher | "
    "ingest:CsvExampleGen>train:Trainer;train:Trainer>evaluate:Evaluator;"
    "train:Trainer>push:Pusher;evaluate:Evaluator>push:Pusher"
)
TRANSFORMED = (
    "ingest:CsvExampleGen;transform:Transform;train:Trainer;evaluate:Evaluator;push:Pusher | "
    "ingest:CsvExampleGen>transform:Transform;ingest:CsvExampleGen>train:Trainer;"
    "transform:Transform>train:Trainer;train:Trainer>evaluate:Evaluator;"
    "train:Trainer>push:Pusher;evaluate:Evaluator>push:Pusher"
)
EVALUATED = (
    "ingest:CsvExampleGen;train:Trainer;evaluate:Evaluator | "
    "ingest:CsvExampleGen>train:Trainer;train:Trainer>evaluate:Evaluator"
)
TRAINED = "ingest:CsvExampleGen;train:Trainer | ingest:CsvExampleGen>train:Trainer"


def test_graphlet_shapes(corpus) -> None:
    warehouse, ids = corpus
    signature_of = {
        r["source_trainer_execution_id"]: r["shape_signature"]
        for r in rows(
            warehouse,
            "select g.source_trainer_execution_id, s.shape_signature "
            "from intermediate.int_graphlet_signatures as s "
            "join marts.fct_graphlets as g using (graphlet_id)",
        )
    }
    # G1, G3 and G4 have the same topology; T2 was only evaluated; the failed T5 and the
    # pending Tb2 have the same shape in two pipelines; Tb1 has a Transform.
    assert signature_of[ids["t1"]] == signature_of[ids["t3"]] == signature_of[ids["t4"]] == FULL
    assert signature_of[ids["t2"]] == EVALUATED
    assert signature_of[ids["t5"]] == signature_of[ids["tb2"]] == TRAINED
    assert signature_of[ids["tb1"]] == TRANSFORMED

    shapes = by_key(rows(warehouse, "from marts.rpt_graphlet_shapes"), "shape_signature")
    assert set(shapes) == {FULL, EVALUATED, TRAINED, TRANSFORMED}
    for signature, shape in shapes.items():
        assert shape["shape_id"] == hashlib.md5(signature.encode()).hexdigest()[:16]
    assert_row(
        shapes[FULL],
        {
            "shape_rank": 1,
            "n_nodes": 4,
            "n_edges": 4,
            "n_graphlets": 3,
            "share_of_graphlets": 3 / 7,
            "n_pipelines": 1,
            "n_pushed": 3,
            "pushed_share": 1.0,
            "min_n_executions": 4,
            "median_n_executions": 4.0,
            "median_total_cost": 116.0,  # 10 + 100 + 5 + 1
            "attributed_cost": 116 + 116 + (5 + 100 + 5 + 1),  # E4 split with T5's graphlet
        },
    )
    assert_row(
        shapes[TRAINED],
        {
            "shape_rank": 2,
            "n_graphlets": 2,
            "n_pipelines": 2,
            "n_pushed": 0,
            "median_n_executions": 2.0,
            "median_total_cost": ((10 + 50) + (20 + 200)) / 2,
        },
    )
    assert shapes[FULL]["node_labels"] == FULL.split(" | ")[0].split(";")
    nodes = json.loads(shapes[TRANSFORMED]["nodes_json"])
    assert [n["label"] for n in nodes] == TRANSFORMED.split(" | ")[0].split(";")
    hops = {n["label"]: n["median_signed_hops"] for n in nodes}
    assert hops == {
        "ingest:CsvExampleGen": -1,
        "transform:Transform": -1,
        "train:Trainer": 0,
        "evaluate:Evaluator": 1,
        "push:Pusher": 1,
    }
    edges = json.loads(shapes[TRANSFORMED]["edges_json"])
    assert [f"{e['from_label']}>{e['to_label']}" for e in edges] == TRANSFORMED.split(" | ")[
        1
    ].split(";")


def test_dim_pipelines_gains_activity_columns(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.dim_pipelines"), "pipeline_id")
    # cadence: activity from 0 to 51 (the failed trainer's end); runs start on days 0, 1, 2.
    # 4 models trained (T5 failed), all judged, 3 pushed.
    assert_row(
        got["hand/cadence"],
        {"lifespan_days": 51 / 24, "active_days": 3, "n_models_trained": 4, "push_rate": 0.75},
    )
    # transformed: 20 to 60; days 0 (20, 21, 22), 1 (24, 26), 2 (48, 50, 59); the pending
    # model is not judged yet, so 1 pushed of 1 judged.
    assert_row(
        got["hand/transformed"],
        {"lifespan_days": 40 / 24, "active_days": 3, "n_models_trained": 2, "push_rate": 1.0},
    )


# -- the report's tables (models/reports/report/) ------------------------------------------------
def test_report_headline_outcomes_and_sources(warehouse: Path) -> None:
    (headline,) = rows(warehouse, "from marts.rpt_report_headline")
    # 26 executions in 2 pipelines; 7 graphlets, T5 failed: 6 trained, of which G1, G3, G4
    # and Tb1 were pushed; 165 of 516 + 502 wasted.
    assert_row(
        headline,
        {
            "report_scope": "warehouse",
            "n_pipelines": 2,
            "n_executions": 18 + 8,
            "n_graphlets": 7,
            "n_models_trained": 6,
            "n_pushed": 4,
            "total_cost": 516.0 + 502.0,
            "wasted_cost": 165.0,
            "pushed_share": 4 / 6,
            "waste_share": 165 / 1018,
        },
    )
    outcomes = rows(warehouse, "from marts.rpt_report_outcomes order by outcome_order")
    # every outcome is listed, in the report's order, zeros included
    assert [(r["outcome"], r["n_graphlets"]) for r in outcomes] == [
        ("pushed", 4),
        ("not_blessed", 1),  # T2
        ("infra_rejected", 0),
        ("not_pushed", 0),
        ("training_failed", 1),  # T5
        ("pending", 1),  # Tb2
    ]
    for r in outcomes:
        assert r["share_of_graphlets"] == pytest.approx(r["n_graphlets"] / 7, **APPROX)
    assert rows(warehouse, "from marts.rpt_report_sources") == [
        {"source_id": "hand", "n_pipelines": 2, "as_of_at": at(60)}
    ]


def test_report_distributions(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_report_distributions"), "section", "measure")

    # (n, median, mean, p90, max); with two values a < b, p90 = a + 0.9 (b - a).
    def two(a: float, b: float) -> tuple:
        return (2, (a + b) / 2, (a + b) / 2, a + 0.9 * (b - a), float(b))

    expected = {
        ("lifespan", "lifespan_days"): two(40 / 24, 51 / 24),
        ("lifespan", "active_days"): two(3, 3),
        ("models", "n_models_trained"): two(2, 4),
        ("models", "n_pushed"): two(1, 3),
        ("push_rate", "push_rate"): two(0.75, 1.0),
        # pushes per day: 1 push in 40 hours, 3 in 60; gaps between pushes: only `cadence`
        # pushed twice; staleness 19 and 734 / 54 (test_deployment_cadence)
        ("cadence", "pushes_per_day"): two(1 / (40 / 24), 3 / (60 / 24)),
        ("cadence", "median_hours_between_pushes"): (1, 20.0, 20.0, 20.0, 20.0),
        ("cadence", "time_averaged_staleness_hours"): two(734 / 54, 19.0),
    }
    assert set(got) == set(expected)
    columns = ("n_values", "median_value", "mean_value", "p90_value", "max_value")
    for key, values in expected.items():
        assert_row(got[key], dict(zip(columns, values, strict=True)))
    assert [r["measure"] for r in sorted(got.values(), key=lambda r: r["measure_order"])] == [
        measure for _, measure in expected
    ]


def test_report_frequency(warehouse: Path) -> None:
    got = rows(warehouse, "from marts.rpt_report_frequency order by role_order")
    # per role over its components (test_component_frequency): runs per active day and the
    # median gap of each component, then the median over the role's components.
    #   ingest: cadence 4 runs on 2 days, gap 10; transformed 3 runs (20, 48, 59) on 2 days, 19.5
    #   train: cadence 5 runs on 3 days, gap 10; transformed 22 and 50: 2 days, gap 28
    #   evaluate: cadence 4, 14, 34, 42 (2 days, gaps 10 20 8); transformed one run
    #   push: cadence 6, 36, 46 (2 days, gaps 30 10); transformed one run
    assert [
        (
            r["role"],
            r["n_components"],
            r["n_runs"],
            r["median_runs_per_active_day"],
            r["median_hours_between_runs"],
        )
        for r in got
    ] == [
        ("ingest", 2, 7, pytest.approx((2 + 1.5) / 2), (10 + 19.5) / 2),
        ("analyze", 1, 2, 2.0, 10.0),
        ("transform", 1, 1, 1.0, None),
        ("train", 2, 7, pytest.approx((5 / 3 + 1) / 2), (10 + 28) / 2),
        ("evaluate", 2, 5, (2 + 1) / 2, 10.0),
        ("push", 2, 4, (1.5 + 1) / 2, 20.0),
    ]


def test_report_cost_by_role_and_waste_classes(warehouse: Path) -> None:
    got = by_key(rows(warehouse, "from marts.rpt_report_cost_by_role"), "role")
    # one source: the same numbers as rpt_cost_by_role (test_cost_by_role)
    assert got["train"]["cost"] == 850.0 and got["train"]["wasted_cost"] == 150.0
    assert got["train"]["share_of_cost"] == pytest.approx(850 / 1018, **APPROX)
    assert got["ingest"]["share_of_waste"] == pytest.approx(10 / 165, **APPROX)
    assert got["evaluate"]["waste_fraction"] == pytest.approx(5 / 30, **APPROX)
    assert sum(r["share_of_cost"] for r in got.values()) == pytest.approx(1.0, **APPROX)
    classes = rows(warehouse, "from marts.rpt_report_waste_classes order by class_order")
    # productive: 3 pushed graphlets of `cadence` (348) and Tb1's (262); orphans S1 and the
    # last ExampleGen of `transformed`; pending: Tb2 and its ExampleGen
    expected = [("productive", 348 + 262), ("wasted", 165), ("pending", 220), ("orphan", 3 + 20)]
    assert [(r["waste_class"], r["cost"]) for r in classes] == expected
    for r, (_, cost) in zip(classes, expected, strict=True):
        assert r["share_of_cost"] == pytest.approx(cost / 1018, **APPROX)


def test_role_order_is_the_seed(warehouse: Path) -> None:
    """One definition of the role order: seed component_role_order, used by the macro
    (rpt_ tables, shape signatures) and published for the report as rpt_report_roles."""
    seed = (project_dir() / "seeds" / "component_role_order.csv").read_text().split()
    seeded = [line.split(",")[0] for line in seed[1:]]
    assert seeded[:3] == ["ingest", "analyze", "validate"] and seeded[-1] == "other"
    published = rows(warehouse, "from marts.rpt_report_roles order by role_order")
    assert [r["role"] for r in published] == seeded
    assert [r["role_order"] for r in published] == list(range(1, len(seeded) + 1))
    cost_order = rows(warehouse, "select role, role_order from marts.rpt_cost_by_role")
    position = {r["role"]: r["role_order"] for r in published}
    assert all(r["role_order"] == position[r["role"]] for r in cost_order)


def section_rows(html: str, key: str) -> list[list[str]]:
    """The body cells of the tables of section ``key`` of the report (the numbers' tables,
    not the waste section's table of pipelines, which body_rows reads)."""
    body = re.search(rf'<section id="{key}">(.*?)</section>', html, re.S).group(1)
    body = body.split('<h3 id="wasteful-pipelines">', 1)[0]
    return [
        re.findall(r"<td[^>]*>([^<]*)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        if "<td" in row
    ]


def test_report_shows_the_models_numbers_in_their_order(warehouse: Path, tmp_path: Path) -> None:
    """The page formats the rpt_report_ tables (it computes nothing): a changed number or
    order in the marts is what the page shows."""
    html = write_report(warehouse, tmp_path / "report").read_text()
    assert section_rows(html, "lifespan") == [
        ["lifespan (days)", "2", "1.9", "1.9", "2.1", "2.1"],
        ["active days", "2", "3", "3", "3", "3"],
    ]
    assert section_rows(html, "frequency")[0] == ["ingest", "2", "7", "1.75", "14.8"]
    assert section_rows(html, "waste")[0] == ["productive", "610", "59.9%"]

    copy = tmp_path / "changed.duckdb"
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("update marts.rpt_report_frequency set role_order = -role_order")
        con.execute("update marts.rpt_report_distributions set median_value = 7.3")
        con.execute("update marts.rpt_report_waste_classes set class_order = -class_order")
    finally:
        con.close()
    changed = write_report(copy, tmp_path / "changed").read_text()
    roles = [r[0] for r in section_rows(changed, "frequency")]
    assert roles == ["push", "evaluate", "train", "transform", "analyze", "ingest"]
    assert section_rows(changed, "lifespan")[0][2] == "7.3"
    assert [r[0] for r in section_rows(changed, "waste")] == [
        "orphan",
        "pending",
        "wasted",
        "productive",
    ]


def test_report_html_is_a_template_file() -> None:
    from graphlets.readers import report

    template = report.TEMPLATES_DIR / "report.html.j2"
    assert template.is_file() and "<!doctype html>" in template.read_text()
    assert template.parent.parent == Path(report.__file__).parent  # ships in the package
    source = Path(report.__file__).read_text()
    assert "<html" not in source and "<style" not in source


# -- analyses ------------------------------------------------------------------------------------
def test_docs_generate_renders_the_analyses_and_documents_every_column(
    warehouse: Path, tmp_path: Path
) -> None:
    for name in ANALYSES:
        text = (project_dir() / "analyses" / f"{name}.sql").read_text()
        assert text.startswith("-- Question: "), name
    run_dbt(warehouse, "docs generate", target_path=tmp_path)

    # every mart (and the reports' building blocks) and every column is described
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    checked = set()
    for uid, table in catalog["nodes"].items():
        model = manifest["nodes"][uid]
        building_block = "/reports/" in model["original_file_path"]
        if (
            model["schema"] != "marts"
            and not building_block
            and model["name"] not in {"int_pipeline_activity"}
        ):
            continue
        checked.add(model["name"])
        assert model["description"].strip(), f"{model['name']} has no description"
        undocumented = [
            column
            for column in table["columns"]
            if not model["columns"].get(column, {}).get("description", "").strip()
        ]
        assert undocumented == [], f"undocumented columns of {model['name']} (every mart "
        "column must be described in its yml)"
    reports = {
        "rpt_component_frequency",
        "rpt_waste_by_pipeline",
        "rpt_deployment_cadence",
        "rpt_graphlet_shapes",
        "rpt_cost_by_role",
    }
    assert reports | {"dim_pipelines", "int_pipeline_activity"} <= checked
    exposure = manifest["exposures"]["exposure.graphlets.html_report"]
    assert {f"model.graphlets.{name}" for name in reports} <= set(exposure["depends_on"]["nodes"])

    # the analyses render, and the report runs exactly the same queries
    compiled = tmp_path / "compiled" / "graphlets" / "analyses"
    assert sorted(p.stem for p in compiled.glob("*.sql")) == sorted(ANALYSES)
    from graphlets.readers.report import _Reader

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reader = _Reader(con)
        for name in ANALYSES:
            sql = (compiled / f"{name}.sql").read_text()
            assert "{{" not in sql
            via_dbt = con.execute(sql).fetchall()
            via_report = reader.analysis(name)
            assert via_report.missing is None, name
            assert via_dbt, name
            assert [tuple(r.values()) for r in via_report.rows] == via_dbt, name
    finally:
        con.close()


def test_waste_distribution_analysis(warehouse: Path) -> None:
    from graphlets.readers.report import _Reader

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = _Reader(con).analysis("waste_distribution")
    finally:
        con.close()
    assert [
        (r["pipeline_id"], r["share_of_pipelines"], r["cumulative_share_of_waste"])
        for r in result.rows
    ] == [("hand/cadence", 0.5, 1.0), ("hand/transformed", 1.0, 1.0)]


# -- the HTML report -----------------------------------------------------------------------------
EXTERNAL = re.compile(
    r"<script\b[^>]*\bsrc|<link|@import|@font-face|url\(\s*['\"]?(?!#)|\bsrc\s*=|https?://",
    re.IGNORECASE,
)


def external(html: str) -> re.Match | None:
    """A reference to anything outside the page, once the package's own inline scripts
    (the vendored tablesort, whose licence banner names its home page, and site.js) are
    taken out; any other script is left in and caught."""
    from graphlets.readers.report import page_assets

    scripts = page_assets()["scripts"]
    return EXTERNAL.search(html.replace(f"<script>{scripts}</script>", "<script></script>"))


def chromium(page: Path, tmp: Path) -> tuple[list[str], Path]:
    """Open the page in headless Chromium; its console messages and a full-page screenshot."""
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium is not installed: run `make system-deps` (scripts/system-deps.sh)")
    shot = tmp / f"{page.parent.name}.png"
    profile = tmp / f"profile-{page.parent.name}"
    proc = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists(), proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if re.search(r":CONSOLE\b", line)], shot


def ink(shot: Path) -> tuple[float, float]:
    """(grey-level standard deviation, share of pixels that are not page background)."""
    from PIL import Image, ImageStat

    with Image.open(shot) as image:
        grey = image.convert("L")
        stddev = ImageStat.Stat(grey).stddev[0]
        histogram = grey.histogram()
    return stddev, 1 - sum(histogram[245:]) / sum(histogram)


def test_the_console_check_catches_errors(tmp_path: Path) -> None:
    """The browser check is not vacuous: a page that logs an error is caught."""
    page = tmp_path / "bad" / "index.html"
    page.parent.mkdir()
    page.write_text("<!doctype html><p>x</p><script>console.error('boom'); nope();</script>")
    console, _ = chromium(page, tmp_path)
    assert any("boom" in line for line in console)
    assert any("nope is not defined" in line for line in console)


def test_report_renders_in_a_browser(warehouse: Path, tmp_path: Path) -> None:
    index = write_report(warehouse, tmp_path / "report")
    assert index == tmp_path / "report" / "index.html"
    html = index.read_text()
    assert not external(html), external(html)
    # every chart has data on this corpus: 9 charts, no placeholder
    assert html.count('<svg class="chart"') == 9
    assert 'class="placeholder"' not in html
    headline = re.search(r'<table class="headline">.*?</table>', html, re.S).group(0)
    cells = re.findall(r"<td>([^<]*)</td>", headline)
    # 2 pipelines, 26 executions, 6 models trained of 7 graphlets, 4 of 6 pushed,
    # 165 of 1018 wasted, total cost 1018
    assert cells == ["2", "26", "6", "7", "66.7%", "16.2%", "1,018"]
    for section in (
        "lifespan",
        "models",
        "frequency",
        "shapes",
        "cost",
        "push-rate",
        "waste",
        "cadence",
    ):
        assert f'<section id="{section}">' in html
    console, shot = chromium(index, tmp_path)
    assert console == []
    stddev, inked = ink(shot)
    assert stddev > 20 and inked > 0.03, (stddev, inked)


def test_report_on_an_empty_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    index = write_report(warehouse, tmp_path / "empty")
    html = index.read_text()
    assert '<svg class="chart"' not in html
    assert html.count('class="placeholder"') == 9
    assert "no data" in html and "graphlets build" in html
    assert not external(html)
    console, shot = chromium(index, tmp_path)
    assert console == []
    stddev, inked = ink(shot)
    assert stddev > 5 and inked > 0.005, (stddev, inked)


def test_report_command_on_a_tiny_warehouse(tmp_path: Path) -> None:
    """One pipeline that only ingested once: marts exist, but no graphlet, push or gap."""
    store = tmp_path / "tiny.sqlite"
    with StoreWriter(store) as w:
        pipeline = w.context("pipeline", "tiny", T0)
        run = w.execution(EXAMPLE_GEN, "COMPLETE", T0, T0 + HOUR, contexts=(pipeline,))
        examples = w.artifact("Examples", "/tiny/1", T0 + HOUR)
        w.event(run, examples, "OUTPUT", T0 + HOUR, "examples")
    warehouse = tmp_path / "tiny.duckdb"
    load_mlmd(warehouse, str(store))
    build(warehouse, target_path=tmp_path / "target")
    out = tmp_path / "tiny-report"
    result = run_cli("--warehouse", str(warehouse), "report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out / "index.html") in result.stderr.replace("\n", "")
    html = (out / "index.html").read_text()
    # lifespan, models per pipeline (0), cost by role and waste have a value to show; run
    # gaps, graphlet sizes and shapes, outcomes and pushes do not
    assert html.count('<svg class="chart"') == 4
    assert html.count('class="placeholder">no data<') == 5
    console, _ = chromium(out / "index.html", tmp_path)
    assert console == []


def test_report_command_needs_a_warehouse(tmp_path: Path) -> None:
    result = run_cli("--warehouse", str(tmp_path / "none.duckdb"), "report", "--out", "x")
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_shape_layers() -> None:
    # a DAG: longest path from a source
    assert _layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")], {}) == {
        "a": 0,
        "b": 1,
        "c": 2,
    }
    # a cycle (corrupt store): the members' median hops order the layers instead
    hint = {"a": -1.0, "b": 0.0, "c": 1.0}
    assert _layers(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c")], hint) == {
        "a": 0,
        "b": 1,
        "c": 2,
    }


# -- the site: pipeline and graphlet pages -------------------------------------------------------
HREF = re.compile(r'href="([^"#]*)(#[^"]*)?"')


def _headless_dom(url: str, profile: Path, flags: list[str]) -> subprocess.CompletedProcess:
    """Headless Chromium on ``url`` with ``--dump-dom``."""
    exe = shutil.which("chromium")
    if exe is None:
        pytest.fail("chromium is not installed: run `make system-deps` (scripts/system-deps.sh)")
    proc = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            *flags,
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def dump_dom(page: Path, tmp: Path, fragment: str = "") -> str:
    """The page's DOM after its scripts ran (headless Chromium, ``#fragment`` in the URL)."""
    flags = ["--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000"]
    return _headless_dom(page.resolve().as_uri() + fragment, tmp / "profile-dom", flags).stdout


def console_after_scripts(page: Path, tmp: Path, fragment: str = "") -> list[str]:
    """The console messages of the page, uncaught exceptions included, until its scripts and
    their timers settle (``--virtual-time-budget``: a screenshot is taken at load and misses
    what a timer or an event handler throws later)."""
    flags = ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000"]
    profile = tmp / f"profile-console-{page.stem}"
    proc = _headless_dom(page.resolve().as_uri() + fragment, profile, flags)
    assert "</html>" in proc.stdout, proc.stderr[-2000:]  # the page was opened and ran
    return [line for line in proc.stderr.splitlines() if re.search(r":CONSOLE\b", line)]


def test_the_late_console_check_catches_thrown_errors(tmp_path: Path) -> None:
    """A throw in an inline script, in a timer and in a load handler: all three are caught."""
    page = tmp_path / "throws.html"
    page.write_text(
        "<!doctype html><html><body><p>x</p>"
        "<script>throw new Error('thrown-inline');</script>"
        "<script>setTimeout(function () { throw new Error('thrown-later'); }, 500);</script>"
        "<script>addEventListener('load', function () { undefinedCall(); });</script>"
        "</body></html>"
    )
    console = console_after_scripts(page, tmp_path)
    for message in ("Uncaught Error: thrown-inline", "Uncaught Error: thrown-later"):
        assert any(message in line for line in console), (message, console)
    assert any("undefinedCall is not defined" in line for line in console), console
    clean = tmp_path / "clean.html"
    clean.write_text("<!doctype html><html><body><p>x</p><script>1 + 1;</script></body></html>")
    assert console_after_scripts(clean, tmp_path) == []


def test_site_pages_have_no_console_errors(warehouse: Path, tmp_path: Path) -> None:
    """The index, a pipeline page and a graphlet page, opened plain and with the address
    form that sorts and filters their tables: not one console message."""
    from graphlets.readers.site_names import graphlet_page, pipeline_page

    out = tmp_path / "site"
    index = write_report(warehouse, out)
    pipeline = rows(warehouse, "select min(pipeline_id) as id from marts.dim_pipelines")[0]["id"]
    # a graphlet with a page (the default pages are each pipeline's latest and most wasteful)
    graphlet = rows(warehouse, "select max(graphlet_id) as id from marts.fct_graphlets")[0]["id"]
    pages = [index, out / "pipelines.html", out / pipeline_page(pipeline)]
    pages.append(out / graphlet_page(graphlet))
    for page in pages:
        assert page.is_file(), page
        assert console_after_scripts(page, tmp_path) == [], page
    for fragment in ("#sort=pipelines:2:desc&filter=pipelines:a", "#sort=nowhere:9&filter=x:y"):
        assert console_after_scripts(index, tmp_path, fragment) == [], fragment


def body_rows(html: str, table_id: str) -> list[list[str]]:
    """The visible rows of table ``table_id``: cell texts, tags stripped."""
    table = re.search(rf'<table id="{table_id}"[^>]*>.*?</table>', html, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    out = []
    for row in re.findall(r"<tr( hidden=\"\")?>(.*?)</tr>", body, re.S):
        if row[0]:
            continue
        out.append([re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])])
    return out


def test_site_pages_link_to_files_that_exist(warehouse: Path, tmp_path: Path) -> None:
    from graphlets.readers.site import SiteOptions
    from graphlets.readers.site_names import graphlet_page, pipeline_page

    out = tmp_path / "site"
    index = write_report(warehouse, out, SiteOptions(latest=10, most_wasteful=10))
    pipelines = rows(warehouse, "select pipeline_id, pipeline_name from marts.dim_pipelines")
    graphlets = rows(warehouse, "select graphlet_id, n_executions from marts.fct_graphlets")
    assert len(pipelines) == 2 and len(graphlets) == 7
    html = index.read_text()
    wasteful = body_rows(html, "pipelines")
    assert sorted(r[0] for r in wasteful) == sorted(p["pipeline_name"] for p in pipelines)
    for p in pipelines:
        page = out / pipeline_page(p["pipeline_id"])
        assert page.is_file()
        assert f'href="{pipeline_page(p["pipeline_id"])}"' in html
        text = page.read_text()
        assert f'<h1 class="pipeline-name">{p["pipeline_name"]}</h1>' in text
    # 7 graphlets, under 10 latest per pipeline: every graphlet has a page
    for g in graphlets:
        page = out / graphlet_page(g["graphlet_id"])
        text = page.read_text()
        members = re.findall(r'<g class="member" data-execution="([^"]+)"', text)
        expected = rows(
            warehouse,
            "select execution_id from marts.fct_graphlet_executions where graphlet_id = ?",
            [g["graphlet_id"]],
        )
        assert sorted(members) == sorted(str(r["execution_id"]) for r in expected)
        # dotted type names may wrap, so the members table stays in its card
        assert text.count('<td class="wrap">tfx.') == len(members)
        assert len(members) == g["n_executions"]
    # every link of every page resolves to a file of the site
    pages = [index, out / "pipelines.html", *out.glob("pipelines/*.html"), *out.glob("graphlets/*")]
    assert len(pages) == 2 + 2 + 7
    for page in pages:
        text = page.read_text()
        assert not external(text), (page, external(text))
        for href, _ in HREF.findall(text):
            if href:
                assert (page.parent / href).resolve().is_file(), (page, href)
    for page in (index, out / pipeline_page(pipelines[0]["pipeline_id"]), pages[-1]):
        (tmp_path / page.stem).mkdir(exist_ok=True)
        console, shot = chromium(page, tmp_path / page.stem)
        assert console == []
        stddev, inked = ink(shot)  # a 4000 px window: short pages have less ink
        assert stddev > 10 and inked > 0.02, (page, stddev, inked)


def test_pipeline_table_sorts_and_filters_in_a_browser(warehouse: Path, tmp_path: Path) -> None:
    """The vendored tablesort is inlined and works: the page opened with
    ``#sort=pipelines:<column>`` is sorted by the browser, ``#filter=`` hides rows."""
    from graphlets.readers.report import TEMPLATES_DIR

    out = tmp_path / "site"
    write_report(warehouse, out)
    page = out / "pipelines.html"
    html = page.read_text()
    vendored = (TEMPLATES_DIR / "vendor" / "tablesort.min.js").read_text()
    assert vendored in html and (TEMPLATES_DIR / "vendor" / "tablesort.LICENCE").is_file()
    assert '<table id="pipelines" class="sortable">' in html
    assert html.count('data-sort-method="number"') == 5
    names = sorted(r["pipeline_name"] for r in rows(warehouse, "select * from marts.dim_pipelines"))
    served = body_rows(html, "pipelines")  # as written: most wasted cost first
    for column, reverse in ((0, False), (0, True), (2, False), (4, True)):
        fragment = f"#sort=pipelines:{column}:{'desc' if reverse else 'asc'}"
        dom = body_rows(dump_dom(page, tmp_path, fragment), "pipelines")
        if column == 0:
            assert [r[0] for r in dom] == sorted(names, reverse=reverse)
        else:
            key = [float(r[column].replace(",", "")) for r in dom]
            assert key == sorted(key, reverse=reverse), (fragment, dom)
        assert sorted(map(tuple, dom)) == sorted(map(tuple, served))
    target = names[0]
    dom = body_rows(dump_dom(page, tmp_path, f"#filter=pipelines:{target[3:]}"), "pipelines")
    assert [r[0] for r in dom] == [target]


HOSTILE_NAME = "<script>alert('x')</script> & \"quoted\" <b>bold</b>"


def test_a_hostile_pipeline_name_is_escaped(warehouse: Path, tmp_path: Path) -> None:
    from graphlets.readers.site_names import pipeline_page

    copy = tmp_path / "hostile.duckdb"
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        pid = con.execute("select min(pipeline_id) from marts.dim_pipelines").fetchone()[0]
        for table in ("dim_pipelines", "rpt_waste_by_pipeline"):
            con.execute(
                f"update marts.{table} set pipeline_name = ? where pipeline_id = ?",
                [HOSTILE_NAME, pid],
            )
    finally:
        con.close()
    out = tmp_path / "site"
    index = write_report(copy, out)
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quoted&#34; &lt;b&gt;"
    page = out / pipeline_page(pid)
    graphlet = next(out.glob("graphlets/*.html"))
    for path in (index, out / "pipelines.html", page):
        text = path.read_text()
        assert HOSTILE_NAME not in text and "<b>bold</b>" not in text, path
        assert escaped in text, path
    assert "alert(" not in graphlet.read_text().replace("alert(&#39;", "")
    dom = dump_dom(page, tmp_path)
    h1 = re.search(r'<h1 class="pipeline-name">(.*?)</h1>', dom, re.S).group(1)
    assert "<" not in h1 and "&lt;script&gt;" in h1  # text, not markup, after the scripts ran


def test_safe_page_names() -> None:
    from graphlets.readers.site_names import graphlet_page, pipeline_page, safe_name

    hostile = [
        "mlmd/pipe",
        "mlmd\\pipe",
        "../../etc/passwd",
        ".hidden",
        "a" * 300,
        "<script>&\"'",
        "Pipe",
        "pipe",
        "",
        "名前/パイプ",
        "con",
        "x\x00y",
    ]
    names = [safe_name(h) for h in hostile]
    assert len(set(names)) == len(hostile)  # case or slug alike: still different files
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}", name), name
    assert safe_name("mlmd/pipe") == safe_name("mlmd/pipe")  # stable
    assert graphlet_page(1000000000815) == "graphlets/1000000000815.html"
    assert pipeline_page("mlmd/pipe").startswith("pipelines/mlmd-pipe-")


def test_graphlet_pages_are_the_latest_and_most_wasteful(warehouse: Path, tmp_path: Path) -> None:
    """--latest 1 --most-wasteful 1: per pipeline its newest graphlet and its most wasteful
    one get a page; the pipeline page links those and no other."""
    from graphlets.readers.site_names import graphlet_page, pipeline_page

    out = tmp_path / "capped"
    result = run_cli(
        "--warehouse",
        str(warehouse),
        "report",
        "--out",
        str(out),
        "--latest",
        "1",
        "--most-wasteful",
        "1",
    )
    assert result.returncode == 0, result.stderr
    expected = set()
    for p in rows(warehouse, "select pipeline_id from marts.dim_pipelines"):
        graphlets = rows(
            warehouse,
            "select graphlet_id, trained_at, wasted_cost from marts.fct_graphlets "
            "where pipeline_id = ? order by trained_at, graphlet_id",
            [p["pipeline_id"]],
        )
        chosen = {graphlets[-1]["graphlet_id"]}
        wasteful = [g for g in graphlets if g["wasted_cost"] > 0]
        if wasteful:
            chosen.add(max(wasteful, key=lambda g: g["wasted_cost"])["graphlet_id"])
        expected |= chosen
        text = (out / pipeline_page(p["pipeline_id"])).read_text()
        linked = set(re.findall(r'href="\.\./graphlets/(\d+)\.html"', text))
        assert linked == {str(g) for g in chosen}
    written = {int(p.stem) for p in (out / "graphlets").glob("*.html")}
    assert written == expected
    assert all((out / graphlet_page(g)).is_file() for g in expected)
