"""Recomputations, cache hits, rolling windows and the opportunities (docs/semantics.md section 9).

One hand-written MLMD store holds one pipeline per rule (pipelines share no artifacts), built
once with every graphlet in the pruning simulation's evaluation range and a pruning policy
set that leaves `stale_data` at 0 the only one saving anything. Costs are the `cost`
execution property, so every number below is checked by hand.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from graphlets.readers.report import write_report
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import load_mlmd
from tests.stores import HOUR, T0

SOURCE = "recompute"
TFX = "tfx.components"
TYPES = {
    "ingest": (f"{TFX}.example_gen.csv_example_gen.component.CsvExampleGen", "CsvExampleGen"),
    "transform": (f"{TFX}.transform.component.Transform", "Transform"),
    "trainer": (f"{TFX}.trainer.component.Trainer", "Trainer"),
    "evaluator": (f"{TFX}.evaluator.component.Evaluator", "Evaluator"),
    "pusher": (f"{TFX}.pusher.component.Pusher", "Pusher"),
}
VARS = {
    "pruning_split_at": "2025-12-31 00:00:00",
    "pruning_thresholds": {
        "stale_data": [0],
        "unpushed_streak": [1000],
        "stale_or_unpushed": [1000],
        "validation_anomalies": [1000],
        "learned": [0.0],
        "learned_value": [0.0],
    },
    "opportunities_max_staleness_increase": 1000,
}


def at(hours: float) -> int:
    return T0 + int(hours * HOUR)


@dataclass
class Pipeline:
    """One pipeline of the store; `names` maps execution and artifact names to MLMD ids."""

    w: StoreWriter
    name: str
    executions: dict[str, int]
    artifacts: dict[str, int]
    nodes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context = self.w.context("pipeline", self.name, T0)

    def artifact(
        self, name: str, type_name: str = "Examples", uri: str | None = None, **props
    ) -> int:
        """An artifact no execution of the graph wrote (an imported file)."""
        a = self.w.artifact(
            type_name, uri or f"/{self.name}/{name}", T0, custom_properties=props or None
        )
        self.artifacts[name] = a
        return a

    def run(
        self,
        name: str,
        kind: str,
        start: float,
        end: float,
        cost: float,
        reads: tuple[str | tuple[str, str], ...] = (),
        writes: tuple[tuple[str, str, str, dict], ...] = (),
        reemits: tuple[str, ...] = (),
        state: str = "COMPLETE",
    ) -> int:
        type_name, node = TYPES[kind]
        if node not in self.nodes:
            self.nodes[node] = self.w.context("node", f"{self.name}.{node}", T0)
        x = self.w.execution(
            type_name,
            state,
            at(start),
            at(end),
            custom_properties={"cost": cost},
            contexts=[self.context, self.nodes[node]],
        )
        self.executions[name] = x
        for read in reads:
            art, key = (read, "examples") if isinstance(read, str) else read
            self.w.event(x, self.artifacts[art], "INPUT", at(start), key)
        for art, type_name, key, props in writes:
            a = self.w.artifact(
                type_name, f"/{self.name}/{art}", at(end), custom_properties=props or None
            )
            self.artifacts[art] = a
            self.w.event(x, a, "OUTPUT", at(end), key)
        for art in reemits:
            self.w.event(x, self.artifacts[art], "OUTPUT", at(end), "transform_graph")
        return x


def graph_out(name: str) -> tuple[str, str, str, dict]:
    return (name, "TransformGraph", "transform_graph", {})


# -- the scenarios ------------------------------------------------------------------------------
def identical(p: Pipeline) -> None:
    """TF2 reads what TF1 read: a recomputation of TF1. TF3 too, repeating the earliest
    (TF1), not TF2. TFx starts before TF1 ended: TF1's result did not exist yet."""
    p.artifact("X", span=1)
    p.artifact("S", "Schema")
    reads = ("X", ("S", "schema"))
    p.run("TF1", "transform", 1, 2, 8, reads, (graph_out("G1"),))
    p.run("TFx", "transform", 1.5, 2.5, 7, reads, (graph_out("Gx"),))
    p.run("TF2", "transform", 3, 4, 9, reads, (graph_out("G2"),))
    p.run("TF3", "transform", 5, 6, 11, reads, (graph_out("G3"),), state="FAILED")


def reordered(p: Pipeline) -> None:
    """TF2 reads TF1's inputs in the other order; TF3 reads fresh artifacts with the same
    type, URI, span and fingerprint (a re-import): both recompute TF1."""
    for i, name in enumerate("abcd", start=1):
        p.artifact(name.upper(), uri=f"/data/{name}", span=i, fingerprint=f"f{name}")
        p.artifact(f"{name.upper()}2", uri=f"/data/{name}", span=i, fingerprint=f"f{name}")
    p.run("TF1", "transform", 1, 2, 8, ("A", "B", "C", "D"), (graph_out("G1"),))
    p.run("TF2", "transform", 3, 4, 8, ("D", "C", "B", "A"), (graph_out("G2"),))
    p.run("TF3", "transform", 5, 6, 8, ("C2", "A2", "D2", "B2"), (graph_out("G3"),))


def changed(p: Pipeline) -> None:
    """Same location, another fingerprint; another location, same fingerprint; another
    span: no recomputation. An ExampleGen with no inputs is never one either."""
    p.artifact("A", uri="/data/a", span=1, fingerprint="f1")
    p.artifact("A_fp", uri="/data/a", span=1, fingerprint="f2")
    p.artifact("A_uri", uri="/data/other", span=1, fingerprint="f1")
    p.artifact("A_span", uri="/data/a", span=2, fingerprint="f1")
    for i, art in enumerate(("A", "A_fp", "A_uri", "A_span")):
        p.run(f"TF_{art}", "transform", 2 * i + 1, 2 * i + 2, 8, (art,), (graph_out(f"G{i}"),))
    p.run("E1", "ingest", 0, 0.5, 3, writes=(("X1", "Examples", "examples", {"span": 1}),))
    p.run("E2", "ingest", 1, 1.5, 3, writes=(("X2", "Examples", "examples", {"span": 1}),))


def cached(p: Pipeline) -> None:
    """TFc is CACHED on TF1's inputs: it avoided TF1's cost (8) and is no recomputation.
    TFo is CACHED with no inputs, re-emitting TF1's output: found by its outputs."""
    p.artifact("X", span=1)
    p.run("TF1", "transform", 1, 2, 8, ("X",), (graph_out("G1"),))
    p.run("TFc", "transform", 3, 3.1, 5, ("X",), reemits=("G1",), state="CACHED")
    p.run("TFo", "transform", 4, 4.1, 5, reemits=("G1",), state="CACHED")


def windows(p: Pipeline) -> None:
    """Transform over rolling windows of spans: slides by one (2/3 already processed),
    shrinks inside the previous window (all), jumps past it (none); a FAILED run is no
    previous run. An Evaluator's spans are not counted (its model changes)."""
    for s in range(1, 11):
        p.artifact(f"S{s}", span=s)
    spans = {"W1": (1, 2, 3), "W2": (2, 3, 4), "W3": (3, 4), "W4": (7, 8)}
    for i, (name, window) in enumerate(spans.items()):
        p.run(
            name, "transform", 2 * i + 1, 2 * i + 2, 30,
            tuple(f"S{s}" for s in window), (graph_out(f"G{name}"),),
        )  # fmt: skip
    p.run("W5", "transform", 9, 10, 30, ("S8", "S9"), state="FAILED")
    p.run("W6", "transform", 11, 12, 30, ("S8", "S9", "S10"), (graph_out("GW6"),))
    p.run("EV1", "evaluator", 13, 14, 4, ("S9", "S10"))
    p.run("EV2", "evaluator", 15, 16, 4, ("S9", "S10", ("GW6", "transform_graph")))


def priority(p: Pipeline) -> None:
    """T2 retrains on T1's data after T1's model was blessed and pushed: `stale_data` at 0
    skips it, so T2 (a recomputation of T1 over the same span) and its evaluation count
    under pruning only. TFb recomputes TFa over a window TFa processed: caching only."""
    p.run("E1", "ingest", 0, 1, 6, writes=(("X", "Examples", "examples", {"span": 1}),))
    p.run("T1", "trainer", 1, 2, 10, ("X",), (("M1", "Model", "model", {}),))
    p.run(
        "EV1", "evaluator", 2, 3, 4, (("M1", "model"),),
        (("B1", "ModelBlessing", "blessing", {"blessed": 1}),),
    )  # fmt: skip
    p.run(
        "P1", "pusher", 3, 4, 2, (("M1", "model"), ("B1", "model_blessing")),
        (("PM1", "PushedModel", "pushed_model", {"pushed": 1}),),
    )  # fmt: skip
    p.run("T2", "trainer", 5, 6, 10, ("X",), (("M2", "Model", "model", {}),))
    p.run(
        "EV2", "evaluator", 6, 7, 4, (("M2", "model"),),
        (("B2", "ModelBlessing", "blessing", {"blessed": 0}),),
    )  # fmt: skip
    p.artifact("Y1", span=1)
    p.artifact("Y2", span=2)
    p.run("TFa", "transform", 1, 2, 8, ("Y1", "Y2"), (graph_out("Ga"),))
    p.run("TFb", "transform", 3, 4, 8, ("Y2", "Y1"), (graph_out("Gb"),))


SCENARIOS = (identical, reordered, changed, cached, windows, priority)


@dataclass
class Built:
    warehouse: Path
    pipelines: dict[str, Pipeline]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def name(self, execution_id: int | None) -> str | None:
        """`pipeline/execution` of a warehouse execution id."""
        if execution_id is None:
            return None
        ((pipeline, source_id),) = self.query(
            "select pipeline_name, source_execution_id from marts.fct_executions "
            "where execution_id = ?",
            [execution_id],
        )
        names = {v: k for k, v in self.pipelines[pipeline].executions.items()}
        return names[source_id]

    def by_name(self, sql: str, pipeline: str) -> dict[str, tuple]:
        """Rows of `sql` (execution id first, pipeline_id as its one parameter) by name."""
        rows = self.query(sql, [f"{SOURCE}/{pipeline}"])
        return {self.name(r[0]): r[1:] for r in rows}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("recompute")
    store, warehouse = root / "store.sqlite", root / "warehouse.duckdb"
    pipelines: dict[str, Pipeline] = {}
    with StoreWriter(store) as w:
        for scenario in SCENARIOS:
            p = Pipeline(w, scenario.__name__, {}, {})
            scenario(p)
            pipelines[p.name] = p
    load_mlmd(warehouse, str(store), SOURCE)
    build(warehouse, vars=VARS, publish=False)  # raises on any error, tests included
    return Built(warehouse, pipelines)


def recomputations(built: Built, pipeline: str) -> dict[str, tuple]:
    rows = built.by_name(
        "select execution_id, repeats_execution_id, cost, component "
        "from marts.fct_recomputations where pipeline_id = ?",
        pipeline,
    )
    return {k: (built.name(v[0]), v[1], v[2]) for k, v in rows.items()}


def test_identical_inputs_are_a_recomputation_of_the_earliest_completed_run(built) -> None:
    # TFx overlaps TF1 in time; TF3 failed but still recomputed (and paid for) the work
    assert recomputations(built, "identical") == {
        "TF2": ("TF1", 9.0, "Transform"),
        "TF3": ("TF1", 11.0, "Transform"),
    }


def test_input_order_and_reimported_artifacts_do_not_matter(built) -> None:
    assert recomputations(built, "reordered") == {
        "TF2": ("TF1", 8.0, "Transform"),
        "TF3": ("TF1", 8.0, "Transform"),
    }
    # the signature is the XOR of the md5s of the content keys' md5s (type, URI, span,
    # fingerprint), whatever their order: DuckDB reads each md5 as two little-endian
    # 64-bit halves (md5_number_upper / _lower), printed in hex
    upper = lower = 0
    for i, name in enumerate("abcd", start=1):
        key = hashlib.md5(f'content:["Examples","/data/{name}","{i}","f{name}"]'.encode())
        digest = hashlib.md5(key.hexdigest().encode()).digest()
        upper ^= int.from_bytes(digest[:8], "little")
        lower ^= int.from_bytes(digest[8:], "little")
    expected = f"{upper:016x}{lower:016x}"
    signatures = built.by_name(
        "select execution_id, input_signature from intermediate.int_execution_input_signatures "
        "where pipeline_id = ?",
        "reordered",
    )
    assert signatures == {"TF1": (expected,), "TF2": (expected,), "TF3": (expected,)}


def test_a_changed_artifact_is_no_recomputation(built) -> None:
    assert recomputations(built, "changed") == {}
    (signatures,) = built.query(
        "select count(distinct input_signature), count(*) "
        "from intermediate.int_execution_input_signatures where pipeline_id = ?",
        [f"{SOURCE}/changed"],
    )
    assert signatures == (4, 4)  # four different inputs; the ExampleGens have none


def test_a_cached_run_avoids_the_cost_of_the_run_it_reuses(built) -> None:
    assert recomputations(built, "cached") == {}
    hits = built.by_name(
        "select execution_id, reused_execution_id, match_rule, avoided_cost "
        "from marts.fct_cache_hits where pipeline_id = ?",
        "cached",
    )
    assert {k: (built.name(v[0]), *v[1:]) for k, v in hits.items()} == {
        "TFc": ("TF1", "signature", 8.0),
        "TFo": ("TF1", "outputs", 8.0),
    }
    ((row),) = built.query(
        "select n_recomputations, recomputed_cost, n_cache_hits, cache_avoided_cost, "
        "repeated_cost, n_executions_involved from marts.rpt_recomputation_by_pipeline "
        "where pipeline_id = ?",
        [f"{SOURCE}/cached"],
    )
    assert row == (0, 0.0, 2, 16.0, 16.0, 3)


def test_recomputation_rollups(built) -> None:
    (row,) = built.query(
        "select n_executions, n_recomputations, recomputed_cost, n_cache_hits, "
        "cache_avoided_cost, n_executions_involved from marts.rpt_recomputation_by_pipeline "
        "where pipeline_id = ?",
        [f"{SOURCE}/identical"],
    )
    assert row == (4, 2, 20.0, 0, 0.0, 3)  # TF1, TF2, TF3; TFx is not involved
    by_component = built.query(
        "select node_id, n_recomputations, recomputed_cost "
        "from marts.rpt_recomputation_by_component where pipeline_id = ? order by node_id",
        [f"{SOURCE}/priority"],
    )
    assert by_component == [
        ("CsvExampleGen", 0, 0.0),
        ("Evaluator", 0, 0.0),
        ("Pusher", 0, 0.0),
        ("Trainer", 1, 10.0),
        ("Transform", 1, 8.0),
    ]


def test_windows_that_slide_shrink_and_jump(built) -> None:
    rows = built.by_name(
        "select execution_id, previous_execution_id, n_spans, n_overlap_spans, "
        "overlap_share, incremental_saving from marts.fct_window_overlaps "
        "where pipeline_id = ?",
        "windows",
    )
    got = {k: (built.name(v[0]), *v[1:3], round(v[3], 9), round(v[4], 9)) for k, v in rows.items()}
    assert got == {
        "W1": (None, 3, 0, 0.0, 0.0),
        "W2": ("W1", 3, 2, round(2 / 3, 9), 20.0),  # slides by one span
        "W3": ("W2", 2, 2, 1.0, 30.0),  # shrinks inside W2's window
        "W4": ("W3", 2, 0, 0.0, 0.0),  # jumps past it
        "W5": ("W4", 2, 1, 0.5, 15.0),  # FAILED, still paid: span 8 was processed by W4
        "W6": ("W4", 3, 1, round(1 / 3, 9), 10.0),  # W5 failed: W4 is the previous run
    }  # the Evaluators are not listed


def test_each_saving_is_counted_once_in_priority_order(built) -> None:
    ((policy),) = built.query("select policy, threshold from marts.rpt_pruning_choice")
    assert policy == ("stale_data", 0.0)
    attributed = built.by_name(
        "select execution_id, saving_kind, saving, is_pruned, is_recomputation, "
        "has_window_overlap from marts.rpt_opportunity_executions where pipeline_id = ?",
        "priority",
    )
    assert attributed == {
        "T2": ("pruning", 10.0, True, True, True),  # pruned, though also a recomputation
        "EV2": ("pruning", 4.0, True, False, False),
        "TFb": ("caching", 8.0, False, True, True),  # a recomputation, though overlapping
    }
    (row,) = built.query(
        "select pruning_policy, evaluation_cost, pruning_saving, caching_saving, "
        "incremental_saving, total_saving, n_pruned, n_recomputations, n_incremental "
        "from marts.rpt_opportunities where pipeline_id = ?",
        [f"{SOURCE}/priority"],
    )
    assert row == ("stale_data", 6 + 10 + 4 + 2 + 10 + 4 + 8 + 8, 14.0, 8.0, 0.0, 22.0, 2, 1, 0)
    (windows,) = built.query(
        "select caching_saving, incremental_saving, total_saving from marts.rpt_opportunities "
        "where pipeline_id = ?",
        [f"{SOURCE}/windows"],
    )
    assert windows == (0.0, 20.0 + 30.0 + 15.0 + 10.0, 75.0)


def test_the_report_table_adds_the_pipelines_up(built) -> None:
    rows = built.query(
        "select saving_kind, saving, n_executions from marts.rpt_report_opportunities "
        "order by saving_order"
    )
    parts = {k: (s, n) for k, s, n in rows}
    assert [k for k, *_ in rows] == ["pruning", "caching", "incremental", "total"]
    # pruning: priority's T2 and EV2; caching: the recomputations of every pipeline
    assert parts["pruning"] == (14.0, 2)
    assert parts["caching"] == (9.0 + 11.0 + 8.0 + 8.0 + 8.0, 5)
    total = sum(s for k, (s, _) in parts.items() if k != "total")
    assert parts["total"][0] == pytest.approx(total)


def test_the_report_shows_the_opportunities(built, tmp_path: Path) -> None:
    html = write_report(built.warehouse, tmp_path / "report").read_text()
    body = re.search(r'<section id="opportunities">(.*?)</section>', html, re.S).group(1)
    cells = [re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]
    rows = built.query(
        "select saving_kind, n_executions, saving from marts.rpt_report_opportunities "
        "order by saving_order"
    )
    assert [c[:3] for c in cells if c] == [[k, f"{n:,}", f"{s:,.0f}"] for k, n, s in rows]
    assert "stale_data at threshold 0" in body
