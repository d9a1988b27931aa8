"""The graphlet rules of docs/semantics.md (sections 1-5) on hand-built provenance graphs.

Every scenario is a small pipeline written with StoreWriter into a real MLMD SQLite store,
loaded and built through the same API as `graphlets load` / `graphlets build`, and checked
row by row: membership with relation and hops, outcome, costs, attributed and wasted
cost, waste class. Costs are given explicitly (the `cost` execution property, used as
is), so every number below can be checked by hand.

To keep the file fast, one store holds most scenarios, one pipeline each (pipelines share
no artifacts, so they do not interact; they share only the source's as-of time), and is
built once per module; a second build follows a later event that moves the as-of time;
a separate store is built with a small `graphlets_max_hops`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import build
from graphlets.synth.mlmd_store import StoreWriter
from loaders.mlmd import load_mlmd
from tests.stores import HOUR, STRUCT_VALUE, T0

TFX = "tfx.components"
TYPES = {
    "ingest": f"{TFX}.example_gen.csv_example_gen.component.CsvExampleGen",
    "stats": f"{TFX}.statistics_gen.component.StatisticsGen",
    "schema": f"{TFX}.schema_gen.component.SchemaGen",
    "validator": f"{TFX}.example_validator.component.ExampleValidator",
    "transform": f"{TFX}.transform.component.Transform",
    "trainer": f"{TFX}.trainer.component.Trainer",
    "evaluator": f"{TFX}.evaluator.component.Evaluator",
    "infra": f"{TFX}.infra_validator.component.InfraValidator",
    "pusher": f"{TFX}.pusher.component.Pusher",
    "resolver": "tfx.dsl.components.common.resolver.Resolver",
    "bulk": f"{TFX}.bulk_inferrer.component.BulkInferrer",
    "step": "acme.components.Step",
}
NODES = {
    "ingest": "CsvExampleGen",
    "stats": "StatisticsGen",
    "schema": "SchemaGen",
    "validator": "ExampleValidator",
    "transform": "Transform",
    "trainer": "Trainer",
    "evaluator": "Evaluator",
    "infra": "InfraValidator",
    "pusher": "Pusher",
    "resolver": "latest_model_resolver",
    "bulk": "BulkInferrer",
    "step": "Step",
}
UNSET = object()


def at(hours: float | None) -> int | None:
    """Milliseconds since the epoch, `hours` after T0 (None: an unknown time)."""
    return None if hours is None else T0 + int(hours * HOUR)


@dataclass(frozen=True)
class Out:
    """An artifact an execution creates (OUTPUT event at its end)."""

    name: str
    type_name: str
    key: str
    props: dict = field(default_factory=dict)
    at: object = UNSET  # event time in hours; UNSET: the execution's end


@dataclass
class Graph:
    """A provenance graph under construction: names -> MLMD ids."""

    writer: StoreWriter
    executions: dict[str, int] = field(default_factory=dict)
    artifacts: dict[str, int] = field(default_factory=dict)

    def pipeline(self, name: str) -> Pipeline:
        return Pipeline(self, name, self.writer.context("pipeline", name, T0))


@dataclass
class Pipeline:
    graph: Graph
    name: str
    context: int
    nodes: dict[str, int] = field(default_factory=dict)

    def run(
        self,
        name: str,
        kind: str,
        start: float,
        end: float,
        *,
        state: str = "COMPLETE",
        node: str | None = None,
        cost: float | None = None,
        reads: Iterable = (),
        writes: Iterable[Out] = (),
        reemits: Iterable = (),
        internal: Iterable[str] = (),
    ) -> int:
        """One execution. `reads`: artifact names or (name, key[, event type[, hours]]);
        `reemits`: (name, key) re-emitted with OUTPUT events at the end (a cached run)."""
        w = self.graph.writer
        node = node or NODES[kind]
        if node not in self.nodes:
            self.nodes[node] = w.context("node", f"{self.name}.{node}", T0)
        x = w.execution(
            TYPES[kind],
            state,
            at(start),
            at(end),
            custom_properties={"cost": cost} if cost is not None else None,
            contexts=[self.context, self.nodes[node]],
        )
        self.graph.executions[f"{self.name}/{name}"] = x
        for read in reads:
            art, key, *rest = (read, "input") if isinstance(read, str) else read
            event_type = rest[0] if rest else "INPUT"
            hours = rest[1] if len(rest) > 1 else start
            w.event(x, self.graph.artifacts[f"{self.name}/{art}"], event_type, at(hours), key)
        for out in writes:
            hours = end if out.at is UNSET else out.at
            a = w.artifact(
                out.type_name,
                f"/{self.name}/{out.name}",
                at(end),
                custom_properties=out.props or None,
            )
            self.graph.artifacts[f"{self.name}/{out.name}"] = a
            w.event(x, a, "OUTPUT", at(hours), out.key)
        for art, key in reemits:
            w.event(x, self.graph.artifacts[f"{self.name}/{art}"], "OUTPUT", at(end), key)
        for art in internal:
            w.event(x, self.graph.artifacts[f"{self.name}/{art}"], "INTERNAL_OUTPUT", at(end))
        return x


def examples(name: str, span: int | None = None) -> Out:
    return Out(name, "Examples", "examples", {"span": span} if span is not None else {})


def model(name: str) -> Out:
    return Out(name, "Model", "model")


def blessing(name: str, blessed: object) -> Out:
    return Out(name, "ModelBlessing", "blessing", {"blessed": blessed})


def pushed_model(name: str, pushed: object = UNSET) -> Out:
    return Out(name, "PushedModel", "pushed_model", {} if pushed is UNSET else {"pushed": pushed})


# -- the scenarios ----------------------------------------------------------------------------
# Hours after T0. Everything but `grace` happens within the first 20 hours; the source's
# as-of time is 50 h (the RUNNING trainer of `grace`), so every other COMPLETE anchor
# without a push decision is older than the 24 h grace window and judged `not_pushed`.


def rolling_windows(g: Graph) -> None:
    """Windows of two daily spans: ingestion runs E2 and E3 each belong to two graphlets."""
    p = g.pipeline("rolling")
    for i in range(1, 5):
        p.run(f"E{i}", "ingest", i - 1, i - 0.5, cost=6, writes=[examples(f"X{i}", i)])
    p.run("Ta", "trainer", 4, 5, cost=10, reads=["X1", "X2"], writes=[model("Ma")])
    p.run("EVa", "evaluator", 5, 6, cost=4, reads=[("Ma", "model")], writes=[blessing("Ba", 1)])
    p.run(
        "Pa", "pusher", 6, 7, cost=2,
        reads=[("Ma", "model"), ("Ba", "model_blessing")], writes=[pushed_model("PMa", 1)],
    )  # fmt: skip
    p.run("Tb", "trainer", 5, 6, cost=10, reads=["X2", "X3"], writes=[model("Mb")])
    p.run("EVb", "evaluator", 6, 7, cost=4, reads=[("Mb", "model")], writes=[blessing("Bb", 0)])
    p.run("Tc", "trainer", 6, 7, cost=10, reads=["X3", "X4"], writes=[model("Mc")])


def warm_start_and_teacher(g: Graph) -> None:
    """T2 warm-starts from T1; the Student reads T1 (base) and T2 (teacher); a Labeler
    upstream of the Distilled model reads T2's model. A resolver re-emits M1 with an
    ordinary OUTPUT event (a non-TFX recorder) besides INTERNAL_OUTPUT: still no member."""
    p = g.pipeline("warm")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("T1", "trainer", 1, 2, cost=10, reads=["X"], writes=[model("M1")])
    p.run("P1", "pusher", 2, 3, cost=2, reads=[("M1", "model")], writes=[pushed_model("PM1", 1)])
    p.run("R", "resolver", 3, 3.1, cost=1, reemits=[("M1", "model")], internal=["M1"])
    p.run("T2", "trainer", 3.5, 4.5, cost=10, reads=["X", ("M1", "base_model")],
          writes=[model("M2")])  # fmt: skip
    p.run(
        "T3", "trainer", 5, 6, node="Student", cost=10,
        reads=["X", ("M1", "base_model"), ("M2", "teacher_model")], writes=[model("M3")],
    )  # fmt: skip
    p.run("L", "bulk", 5, 5.5, node="Labeler", cost=3, reads=["X", ("M2", "model")],
          writes=[examples("LX")])  # fmt: skip
    p.run("T4", "trainer", 6, 7, node="Distilled", cost=10, reads=["LX"], writes=[model("M4")])


def analyzer_cache(g: Graph) -> None:
    """Transform TF2 reads the analyzer cache of TF1 (same node): a history edge."""
    p = g.pipeline("cache")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X1", 1)])
    p.run(
        "TF1", "transform", 1, 2, cost=8, reads=["X1"],
        writes=[Out("G1", "TransformGraph", "transform_graph"),
                Out("C1", "TransformCache", "updated_analyzer_cache")],
    )  # fmt: skip
    p.run("T1", "trainer", 2, 3, cost=10, reads=[("G1", "transform_graph")], writes=[model("M1")])
    p.run("E2", "ingest", 3, 4, cost=6, writes=[examples("X2", 2)])
    p.run(
        "TF2", "transform", 4, 5, cost=8, reads=["X2", ("C1", "analyzer_cache")],
        writes=[Out("G2", "TransformGraph", "transform_graph"),
                Out("C2", "TransformCache", "updated_analyzer_cache")],
    )  # fmt: skip
    p.run("T2", "trainer", 5, 6, cost=10, reads=[("G2", "transform_graph")], writes=[model("M2")])


def resolver_baseline(g: Graph) -> None:
    """EV2 reads the previous model M1 as its baseline, resolved by a Resolver as real TFX
    records it (INTERNAL_OUTPUT): EV2 and P2 belong to T2 only, the resolver to none."""
    p = g.pipeline("baseline")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("T1", "trainer", 1, 2, cost=10, reads=["X"], writes=[model("M1")])
    p.run("EV1", "evaluator", 2, 3, cost=4, reads=["X", ("M1", "model")],
          writes=[blessing("B1", 1)])  # fmt: skip
    p.run(
        "P1", "pusher", 3, 4, cost=2, reads=[("M1", "model"), ("B1", "model_blessing")],
        writes=[pushed_model("PM1", 1)],
    )  # fmt: skip
    p.run("T2", "trainer", 4, 5, cost=10, reads=["X"], writes=[model("M2")])
    p.run("R", "resolver", 5, 5.2, node="baseline_resolver", cost=1, internal=["M1", "B1"])
    p.run(
        "EV2", "evaluator", 6, 7, cost=4,
        reads=["X", ("M2", "model"), ("M1", "baseline_model")], writes=[blessing("B2", 1)],
    )  # fmt: skip
    p.run(
        "P2", "pusher", 7, 8, cost=2, reads=[("M2", "model"), ("B2", "model_blessing")],
        writes=[pushed_model("PM2", 1)],
    )  # fmt: skip


def late_baseline(g: Graph, name: str, old_model_reads: list) -> None:
    """Told is trained last (ends at 6 h), Tnew ends at 4 h; EV evaluates Mnew and reads
    Mold through `old_model_reads`."""
    p = g.pipeline(name)
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("Told", "trainer", 1, 6, cost=10, reads=["X"], writes=[model("Mold")])
    p.run("Tnew", "trainer", 2, 4, cost=10, reads=["X"], writes=[model("Mnew")])
    mnew = ("Mnew", "model") if name != "nokeys" else ("Mnew", None)
    p.run("EV", "evaluator", 7, 8, cost=4, reads=[mnew, *old_model_reads],
          writes=[blessing("B", 0)])  # fmt: skip


def failures(g: Graph) -> None:
    """FAILED, CANCELED (no events, as MLMD records it) and COMPLETE-without-output
    trainers are `training_failed`; a RUNNING trainer is `pending` whatever its age."""
    p = g.pipeline("failures")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("Tf", "trainer", 1, 2, state="FAILED", cost=5, reads=["X"])
    p.run("Tx", "trainer", 1, 1.5, state="CANCELED", cost=5)
    p.run("Tn", "trainer", 1, 2, cost=5, reads=["X"])
    p.run("Tr", "trainer", 1, 1, state="RUNNING", reads=["X"])


def blessed_not_pushed(g: Graph) -> None:
    """Blessed by the Evaluator and the InfraValidator, the Pusher records pushed = 0."""
    p = g.pipeline("blessed")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("T", "trainer", 1, 2, cost=10, reads=["X"], writes=[model("M")])
    p.run("EV", "evaluator", 2, 3, cost=4, reads=[("M", "model")], writes=[blessing("B", 1)])
    p.run("IV", "infra", 2, 3, cost=3, reads=[("M", "model")],
          writes=[Out("IB", "InfraBlessing", "blessing", {"blessed": 1})])  # fmt: skip
    p.run(
        "P", "pusher", 3, 4, cost=2,
        reads=[("M", "model"), ("B", "model_blessing"), ("IB", "infra_blessing")],
        writes=[pushed_model("PM", 0)],
    )  # fmt: skip


def infra_rejected(g: Graph) -> None:
    """Rejected by both validators: `infra_rejected` comes before `not_blessed`."""
    p = g.pipeline("infra")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("T", "trainer", 1, 2, cost=10, reads=["X"], writes=[model("M")])
    p.run("EV", "evaluator", 2, 3, cost=4, reads=[("M", "model")], writes=[blessing("B", 0)])
    p.run("IV", "infra", 2, 3, cost=3, reads=[("M", "model")],
          writes=[Out("IB", "InfraBlessing", "blessing", {"blessed": "0"})])  # fmt: skip
    p.run(
        "P", "pusher", 3, 4, cost=2,
        reads=[("M", "model"), ("B", "model_blessing"), ("IB", "infra_blessing")],
        writes=[pushed_model("PM", 0)],
    )  # fmt: skip


def pushes_without_flag(g: Graph) -> None:
    """A COMPLETE or CACHED push counts when it outputs no `pushed` flag at all: no
    property (T1), a value that is not a flag (T2), no output (T3), a cached re-emission
    of a flagless artifact (T5). A FAILED push (T4) does not count."""
    p = g.pipeline("noflag")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    for i, (state, writes, reemits) in enumerate(
        [
            ("COMPLETE", [pushed_model("PM1")], []),
            ("COMPLETE", [pushed_model("PM2", STRUCT_VALUE)], []),
            ("COMPLETE", [], []),
            ("FAILED", [], []),
            ("CACHED", [], [("PM1", "pushed_model")]),
        ],
        start=1,
    ):
        t = 2 * i - 1
        p.run(f"T{i}", "trainer", t, t + 1, cost=10, reads=["X"], writes=[model(f"M{i}")])
        p.run(f"P{i}", "pusher", t + 1, t + 2, state=state, cost=2,
              reads=[(f"M{i}", "model")], writes=writes, reemits=reemits)  # fmt: skip


def grace(g: Graph) -> None:
    """Tlate ends 2 h before the as-of time (50 h, set by the RUNNING Trun), Texact exactly
    24 h before it: both `pending` (the grace is strictly more than 24 h)."""
    p = g.pipeline("grace")
    p.run("E1", "ingest", 20, 21, cost=6, writes=[examples("X", 1)])
    p.run("Texact", "trainer", 25, 26, cost=10, reads=["X"], writes=[model("Me")])
    p.run("Tlate", "trainer", 47, 48, cost=10, reads=["X"], writes=[model("Ml")])
    p.run("Trun", "trainer", 50, 50, state="RUNNING", reads=["X"])


def orphans(g: Graph) -> None:
    """The ExampleValidator's anomalies are read by nothing; E2's examples neither."""
    p = g.pipeline("orphan")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("S", "stats", 1, 2, cost=2, reads=[("X", "examples")],
          writes=[Out("ST", "ExampleStatistics", "statistics")])  # fmt: skip
    p.run("SG", "schema", 2, 3, cost=1, reads=[("ST", "statistics")],
          writes=[Out("SC", "Schema", "schema")])  # fmt: skip
    p.run(
        "EV", "validator", 3, 4, cost=1, reads=[("ST", "statistics"), ("SC", "schema")],
        writes=[Out("AN", "ExampleAnomalies", "anomalies", {"blessed": STRUCT_VALUE})],
    )  # fmt: skip
    p.run("T", "trainer", 3, 4, cost=10, reads=["X", ("SC", "schema")], writes=[model("M")])
    p.run("P", "pusher", 4, 5, cost=2, reads=[("M", "model")], writes=[pushed_model("PM", 1)])
    p.run("E2", "ingest", 5, 6, cost=6, writes=[examples("X2", 2)])


def cached_rerun(g: Graph) -> None:
    """Run 2 (from 10 h) is fully cached and re-emits run 1's artifacts. Its re-emissions
    are later than run 1's consumers started, so they feed only run 2."""
    p = g.pipeline("cached")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("TF1", "transform", 1, 2, cost=8, reads=["X"],
          writes=[Out("G", "TransformGraph", "transform_graph")])  # fmt: skip
    p.run("T1", "trainer", 3, 4, cost=10, reads=["X", ("G", "transform_graph")],
          writes=[model("M")])  # fmt: skip
    p.run("EV1", "evaluator", 5, 6, cost=4, reads=[("M", "model")], writes=[blessing("B", 1)])
    p.run("P1", "pusher", 6, 7, cost=2, reads=[("M", "model"), ("B", "model_blessing")],
          writes=[pushed_model("PM", 1)])  # fmt: skip
    cached = {"state": "CACHED", "cost": 99}  # the property is ignored: CACHED costs 0
    p.run("E1c", "ingest", 10, 10, reemits=[("X", "examples")], **cached)
    p.run("TF1c", "transform", 10, 10.5, reads=["X"], reemits=[("G", "transform_graph")],
          **cached)  # fmt: skip
    p.run("T1c", "trainer", 11, 11.5, reads=["X", ("G", "transform_graph")],
          reemits=[("M", "model")], **cached)  # fmt: skip
    p.run("EV1c", "evaluator", 12, 12, reads=[("M", "model")], reemits=[("B", "blessing")],
          **cached)  # fmt: skip
    p.run("P1c", "pusher", 13, 13, reads=[("M", "model"), ("B", "model_blessing")],
          reemits=[("PM", "pushed_model")], **cached)  # fmt: skip


def corrupt_cycle(g: Graph) -> None:
    """TF reads SG's output and SG reads TF's, with unknown event times (so the edges
    count): the walk must terminate and flag it."""
    p = g.pipeline("cycle")
    p.run("E1", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("SG", "schema", 2, 3, cost=1, writes=[Out("Y", "Schema", "schema", at=None)])
    p.run(
        "TF", "transform", 1, 2, cost=8, reads=["X", ("Y", "schema", "INPUT", None)],
        writes=[Out("G", "TransformGraph", "transform_graph", at=None)],
    )  # fmt: skip
    g.writer.event(g.executions["cycle/SG"], g.artifacts["cycle/G"], "INPUT", None, "graph")
    p.run("T", "trainer", 4, 5, cost=10, reads=[("G", "transform_graph")], writes=[model("M")])


def two_complete_producers(g: Graph) -> None:
    """Two COMPLETE executions output the same artifact (a data-quality warning)."""
    p = g.pipeline("dup")
    p.run("Ea", "ingest", 0, 1, cost=6, writes=[examples("X", 1)])
    p.run("Eb", "ingest", 0, 1, cost=6, node="OtherExampleGen", reemits=[("X", "examples")])
    p.run("T", "trainer", 2, 3, cost=10, reads=["X"], writes=[model("M")])


SCENARIOS = (
    rolling_windows,
    warm_start_and_teacher,
    analyzer_cache,
    resolver_baseline,
    lambda g: late_baseline(g, "late", [("Mold", "baseline_model")]),
    lambda g: late_baseline(g, "nokeys", [("Mold", None)]),
    lambda g: late_baseline(
        g, "mixed", [("Mold", "baseline_model"), ("Mold", "model", "DECLARED_INPUT")]
    ),
    failures,
    blessed_not_pushed,
    infra_rejected,
    pushes_without_flag,
    grace,
    orphans,
    cached_rerun,
    corrupt_cycle,
    two_complete_producers,
)


# -- building and reading warehouses ---------------------------------------------------------
@dataclass
class Built:
    """A built warehouse and the names of what the test wrote into it."""

    warehouse: Path
    graph: Graph
    warnings: tuple[str, ...]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def names(self) -> dict[int, str]:
        """Source execution id -> name."""
        return {v: k for k, v in self.graph.executions.items()}

    def graphlets(self, pipeline: str) -> dict[str, dict]:
        """Graphlets of a pipeline by trainer name, with their fct_graphlets columns."""
        cols = (
            "outcome, is_pushed, pushed_at, n_executions, n_upstream, n_downstream, "
            "total_cost, attributed_cost, wasted_cost, parent_graphlet_id, "
            "input_span_min, input_span_max, is_walk_truncated, has_cycle, "
            "has_truncated_lineage, model_artifact_id, graphlet_id, as_of_at"
        )
        rows = self.query(
            f"select source_trainer_execution_id, {cols} from marts.fct_graphlets "
            "where pipeline_id = ?",
            [f"{SOURCE}/{pipeline}"],
        )
        names = self.names()
        keys = [c.strip() for c in cols.split(",")]
        return {names[r[0]].split("/")[1]: dict(zip(keys, r[1:], strict=True)) for r in rows}

    def members(self, pipeline: str) -> dict[str, dict[str, tuple]]:
        """trainer -> {member: (relation, hops, n_graphlets_sharing, attributed, wasted)}."""
        rows = self.query(
            """
            select g.source_trainer_execution_id, e.source_execution_id, m.relation, m.hops,
                m.n_graphlets_sharing, m.attributed_cost, m.wasted_cost
            from marts.fct_graphlet_executions as m
            inner join marts.fct_graphlets as g on m.graphlet_id = g.graphlet_id
            inner join marts.fct_executions as e on m.execution_id = e.execution_id
            where g.pipeline_id = ?
            """,
            [f"{SOURCE}/{pipeline}"],
        )
        names = self.names()
        out: dict[str, dict[str, tuple]] = {}
        for trainer, member, *rest in rows:
            out.setdefault(names[trainer].split("/")[1], {})[names[member].split("/")[1]] = (
                *rest[:3],
                round(rest[3], 9),
                round(rest[4], 9),
            )
        return out

    def waste(self, pipeline: str) -> dict[str, tuple[str, float]]:
        """execution -> (waste_class, cost) for every execution of the pipeline."""
        rows = self.query(
            "select source_execution_id, waste_class, cost, n_graphlets "
            "from marts.fct_executions where pipeline_id = ?",
            [f"{SOURCE}/{pipeline}"],
        )
        names = self.names()
        return {names[x].split("/")[1]: (cls, cost) for x, cls, cost, _ in rows}

    def graphlet_name(self, graphlet_id: int | None) -> str | None:
        if graphlet_id is None:
            return None
        (source_id,) = self.query(
            "select source_execution_id from marts.fct_executions where execution_id = ?",
            [graphlet_id],
        )[0]
        return self.names()[source_id].split("/")[1]

    def lineage(self, pipeline: str) -> set[tuple[str, str, int]]:
        rows = self.query(
            "select g.source_execution_id, a.source_execution_id, l.generations "
            "from marts.fct_model_lineage as l "
            "inner join marts.fct_executions as g on l.graphlet_id = g.execution_id "
            "inner join marts.fct_executions as a on l.ancestor_graphlet_id = a.execution_id "
            "where l.pipeline_id = ?",
            [f"{SOURCE}/{pipeline}"],
        )
        names = self.names()
        return {(names[g].split("/")[1], names[a].split("/")[1], n) for g, a, n in rows}


SOURCE = "rules"


def write_store(path: Path, scenarios: Iterable) -> Graph:
    with StoreWriter(path) as writer:
        graph = Graph(writer)
        for scenario in scenarios:
            scenario(graph)
    return graph


def load_and_build(store: Path, warehouse: Path, graph: Graph, vars: dict | None = None):
    load_mlmd(warehouse, str(store), SOURCE)
    summary = build(warehouse, vars=vars, publish=False)  # raises on any error
    return Built(warehouse, graph, summary.warnings)


@pytest.fixture(scope="module")
def main_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Graph]:
    root = tmp_path_factory.mktemp("graphlet_rules")
    store = root / "rules.sqlite"
    return store, root / "warehouse.duckdb", write_store(store, SCENARIOS)


@pytest.fixture(scope="module")
def built(main_store) -> Built:
    store, warehouse, graph = main_store
    return load_and_build(store, warehouse, graph)


@pytest.fixture(scope="module")
def rebuilt(main_store, built: Built) -> Built:
    """The same store after a later event: a resolver ending at 60 h records an
    INTERNAL_OUTPUT event at 80 h (an ignored event type still moves the as-of time)."""
    store, warehouse, graph = main_store
    with StoreWriter(store) as writer:
        graph.writer = writer
        x = graph.pipeline("clock").run("Rclock", "resolver", 55, 60, cost=1)
        writer.event(x, graph.artifacts["grace/Ml"], "INTERNAL_OUTPUT", at(80))
    return load_and_build(store, warehouse, graph)


# -- section 2: membership -------------------------------------------------------------------
def test_rolling_windows_share_ingestion_runs(built: Built) -> None:
    assert built.members("rolling") == {
        "Ta": {
            "Ta": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 1, 6, 0),
            "E2": ("upstream", 1, 2, 3, 0),
            "EVa": ("downstream", 1, 1, 4, 0),
            "Pa": ("downstream", 1, 1, 2, 0),
        },
        "Tb": {
            "Tb": ("trainer", 0, 1, 10, 10),
            "E2": ("upstream", 1, 2, 3, 0),  # productive: also in the pushed Ta
            "E3": ("upstream", 1, 2, 3, 3),  # wasted, split between Tb and Tc
            "EVb": ("downstream", 1, 1, 4, 4),
        },
        "Tc": {
            "Tc": ("trainer", 0, 1, 10, 10),
            "E3": ("upstream", 1, 2, 3, 3),
            "E4": ("upstream", 1, 1, 6, 6),
        },
    }
    graphlets = built.graphlets("rolling")
    expected = {
        # outcome, total, attributed, wasted, span min, span max
        "Ta": ("pushed", 28, 25, 0, 1, 2),
        "Tb": ("not_blessed", 26, 20, 17, 2, 3),
        "Tc": ("not_pushed", 22, 19, 19, 3, 4),
    }
    for name, (outcome, total, attributed, wasted, lo, hi) in expected.items():
        g = graphlets[name]
        assert (g["outcome"], g["total_cost"], g["attributed_cost"], g["wasted_cost"]) == (
            outcome,
            total,
            attributed,
            wasted,
        ), name
        assert (g["input_span_min"], g["input_span_max"]) == (lo, hi), name
    assert graphlets["Ta"]["pushed_at"].isoformat() == "2026-01-01T07:00:00"
    assert graphlets["Tb"]["pushed_at"] is None
    assert (graphlets["Ta"]["n_executions"], graphlets["Ta"]["n_upstream"]) == (5, 2)
    assert graphlets["Ta"]["n_downstream"] == 2
    assert built.waste("rolling") == {
        "E1": ("productive", 6),
        "E2": ("productive", 6),
        "E3": ("wasted", 6),
        "E4": ("wasted", 6),
        "Ta": ("productive", 10),
        "EVa": ("productive", 4),
        "Pa": ("productive", 2),
        "Tb": ("wasted", 10),
        "EVb": ("wasted", 4),
        "Tc": ("wasted", 10),
    }


def test_model_artifact_is_the_trainers_model(built: Built) -> None:
    g = built.graphlets("rolling")["Ta"]
    (source_artifact_id,) = built.query(
        "select source_artifact_id from intermediate.int_artifacts where artifact_id = ?",
        [g["model_artifact_id"]],
    )[0]
    assert source_artifact_id == built.graph.artifacts["rolling/Ma"]


def test_warm_start_and_teacher_are_lineage_not_membership(built: Built) -> None:
    assert built.members("warm") == {
        "T1": {
            "T1": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 4, 1.5, 0),
            "P1": ("downstream", 1, 1, 2, 0),
        },
        "T2": {"T2": ("trainer", 0, 1, 10, 10), "E1": ("upstream", 1, 4, 1.5, 0)},
        "T3": {"T3": ("trainer", 0, 1, 10, 10), "E1": ("upstream", 1, 4, 1.5, 0)},
        "T4": {
            "T4": ("trainer", 0, 1, 10, 10),
            "L": ("upstream", 1, 1, 3, 3),
            "E1": ("upstream", 2, 4, 1.5, 0),
        },
    }
    assert built.lineage("warm") == {
        ("T2", "T1", 1),
        ("T3", "T2", 1),
        ("T3", "T1", 1),
        ("T4", "T2", 1),  # through its upstream Labeler
        ("T4", "T1", 2),
    }
    graphlets = built.graphlets("warm")
    parents = {n: built.graphlet_name(g["parent_graphlet_id"]) for n, g in graphlets.items()}
    # T3 read both T1 and T2: the parent is the one trained last; T4's anchor read no model.
    assert parents == {"T1": None, "T2": "T1", "T3": "T2", "T4": None}
    assert {n: g["outcome"] for n, g in graphlets.items()} == {
        "T1": "pushed",
        "T2": "not_pushed",
        "T3": "not_pushed",
        "T4": "not_pushed",
    }
    waste = built.waste("warm")
    assert waste["R"] == ("orphan", 1), "a resolver is never a member"
    assert waste["E1"] == ("productive", 6)
    assert {waste[n][0] for n in ("T2", "T3", "T4", "L")} == {"wasted"}


def test_analyzer_cache_is_a_history_edge(built: Built) -> None:
    assert built.members("cache") == {
        "T1": {
            "T1": ("trainer", 0, 1, 10, 10),
            "TF1": ("upstream", 1, 1, 8, 8),
            "E1": ("upstream", 2, 1, 6, 6),
        },
        "T2": {
            "T2": ("trainer", 0, 1, 10, 10),
            "TF2": ("upstream", 1, 1, 8, 8),
            "E2": ("upstream", 2, 1, 6, 6),
        },
    }
    graphlets = built.graphlets("cache")
    assert [
        (graphlets[n]["input_span_min"], graphlets[n]["wasted_cost"]) for n in ("T1", "T2")
    ] == [
        (1, 24),
        (2, 24),
    ]


def test_resolver_feeding_the_baseline(built: Built) -> None:
    assert built.members("baseline") == {
        "T1": {
            "T1": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 2, 3, 0),
            "EV1": ("downstream", 1, 1, 4, 0),
            "P1": ("downstream", 1, 1, 2, 0),
        },
        "T2": {
            "T2": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 2, 3, 0),
            "EV2": ("downstream", 1, 1, 4, 0),
            "P2": ("downstream", 1, 1, 2, 0),
        },
    }
    graphlets = built.graphlets("baseline")
    assert [graphlets[n]["outcome"] for n in ("T1", "T2")] == ["pushed", "pushed"]
    assert graphlets["T2"]["pushed_at"].isoformat() == "2026-01-01T08:00:00"
    assert built.waste("baseline")["R"] == ("orphan", 1)
    assert built.lineage("baseline") == set(), "a baseline read downstream is no lineage"


@pytest.mark.parametrize(
    ("pipeline", "owner", "other", "other_outcome"),
    [
        # the baseline model finished training later, but a baseline is no reason to join
        ("late", "Tnew", "Told", "not_pushed"),
        # no event keys: "trained last" alone decides
        ("nokeys", "Told", "Tnew", "not_pushed"),
        # Mold read through a baseline event and a `model` event: not a baseline input
        ("mixed", "Told", "Tnew", "not_pushed"),
    ],
)
def test_evaluator_belongs_to_one_graphlet(
    built: Built, pipeline: str, owner: str, other: str, other_outcome: str
) -> None:
    members = built.members(pipeline)
    assert members[owner] == {
        owner: ("trainer", 0, 1, 10, 10),
        "E1": ("upstream", 1, 2, 3, 3),
        "EV": ("downstream", 1, 1, 4, 4),
    }
    assert members[other] == {other: ("trainer", 0, 1, 10, 10), "E1": ("upstream", 1, 2, 3, 3)}
    graphlets = built.graphlets(pipeline)
    assert graphlets[owner]["outcome"] == "not_blessed"
    assert graphlets[other]["outcome"] == other_outcome
    (owner_id,) = built.query(
        "select downstream_graphlet_id from marts.fct_executions where source_execution_id = ?"
        " and source_id = ?",
        [built.graph.executions[f"{pipeline}/EV"], SOURCE],
    )[0]
    assert built.graphlet_name(owner_id) == owner


# -- section 3: outcomes ---------------------------------------------------------------------
def test_failed_and_cancelled_trainers(built: Built) -> None:
    assert built.members("failures") == {
        "Tf": {"Tf": ("trainer", 0, 1, 5, 5), "E1": ("upstream", 1, 3, 2, 3)},
        "Tx": {"Tx": ("trainer", 0, 1, 5, 5)},
        "Tn": {"Tn": ("trainer", 0, 1, 5, 5), "E1": ("upstream", 1, 3, 2, 3)},
        "Tr": {"Tr": ("trainer", 0, 1, 0, 0), "E1": ("upstream", 1, 3, 2, 0)},
    }
    graphlets = built.graphlets("failures")
    assert {n: g["outcome"] for n, g in graphlets.items()} == {
        "Tf": "training_failed",
        "Tx": "training_failed",
        "Tn": "training_failed",  # COMPLETE without an output event
        "Tr": "pending",  # RUNNING, however old
    }
    assert {n: (g["total_cost"], g["wasted_cost"]) for n, g in graphlets.items()} == {
        "Tf": (11, 8),
        "Tx": (5, 5),
        "Tn": (11, 8),
        "Tr": (6, 0),
    }
    assert built.waste("failures") == {
        "E1": ("wasted", 6),
        "Tf": ("wasted", 5),
        "Tx": ("wasted", 5),
        "Tn": ("wasted", 5),
        "Tr": ("pending", 0),
    }


def test_blessed_but_not_pushed(built: Built) -> None:
    members = built.members("blessed")["T"]
    assert {n: m[:2] for n, m in members.items()} == {
        "T": ("trainer", 0),
        "E1": ("upstream", 1),
        "EV": ("downstream", 1),
        "IV": ("downstream", 1),
        "P": ("downstream", 1),
    }
    g = built.graphlets("blessed")["T"]
    assert (g["outcome"], g["pushed_at"], g["wasted_cost"]) == ("not_pushed", None, 25)
    assert set(built.waste("blessed").values()) == {
        ("wasted", 6),
        ("wasted", 10),
        ("wasted", 4),
        ("wasted", 3),
        ("wasted", 2),
    }


def test_infra_rejection_comes_before_not_blessed(built: Built) -> None:
    assert built.graphlets("infra")["T"]["outcome"] == "infra_rejected"


def test_push_without_pushed_flag_counts(built: Built) -> None:
    graphlets = built.graphlets("noflag")
    assert {n: g["outcome"] for n, g in graphlets.items()} == {
        "T1": "pushed",  # no `pushed` property
        "T2": "pushed",  # `pushed` is an mlmd-struct string: not a flag
        "T3": "pushed",  # no output artifact
        "T4": "not_pushed",  # the push FAILED; judged by age
        "T5": "pushed",  # CACHED, re-emitting a flagless artifact
    }
    assert {n: g["pushed_at"] and g["pushed_at"].hour for n, g in graphlets.items()} == {
        "T1": 3,
        "T2": 5,
        "T3": 7,
        "T4": None,
        "T5": 11,
    }
    members = built.members("noflag")
    assert members["T4"] == {
        "T4": ("trainer", 0, 1, 10, 10),
        "E1": ("upstream", 1, 5, 1.2, 0),
        "P4": ("downstream", 1, 1, 2, 2),
    }
    assert members["T5"]["P5"] == ("downstream", 1, 1, 0, 0)


def test_pending_inside_the_grace_window(built: Built) -> None:
    graphlets = built.graphlets("grace")
    assert {n: g["outcome"] for n, g in graphlets.items()} == {
        "Texact": "pending",  # ended exactly 24 h before the as-of time: not strictly more
        "Tlate": "pending",
        "Trun": "pending",
    }
    assert {str(g["as_of_at"]) for g in graphlets.values()} == {"2026-01-03 02:00:00"}
    assert built.waste("grace")["E1"] == ("pending", 6)
    assert {n: g["wasted_cost"] for n, g in graphlets.items()} == {
        "Texact": 0,
        "Tlate": 0,
        "Trun": 0,
    }


def test_not_pushed_after_the_grace_window(rebuilt: Built) -> None:
    graphlets = rebuilt.graphlets("grace")
    assert {n: g["outcome"] for n, g in graphlets.items()} == {
        "Texact": "not_pushed",
        "Tlate": "not_pushed",  # 32 h old: the clock moved by the INTERNAL_OUTPUT event
        "Trun": "pending",
    }
    assert {str(g["as_of_at"]) for g in graphlets.values()} == {"2026-01-04 08:00:00"}
    waste = rebuilt.waste("grace")
    assert waste["E1"] == ("wasted", 6)
    assert {n: g["wasted_cost"] for n, g in graphlets.items()} == {
        "Texact": 13,
        "Tlate": 13,
        "Trun": 0,
    }
    # nothing else moved: outcomes of the other scenarios were already final
    assert rebuilt.graphlets("rolling")["Tc"]["outcome"] == "not_pushed"
    assert rebuilt.graphlets("failures")["Tr"]["outcome"] == "pending"


# -- section 4: side branches, cached re-runs ------------------------------------------------
def test_orphan_side_branch(built: Built) -> None:
    assert built.members("orphan") == {
        "T": {
            "T": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 1, 6, 0),  # also 3 hops away through S and SG: shortest
            "SG": ("upstream", 1, 1, 1, 0),
            "S": ("upstream", 2, 1, 2, 0),
            "P": ("downstream", 1, 1, 2, 0),
        }
    }
    assert built.waste("orphan") == {
        "E1": ("productive", 6),
        "S": ("productive", 2),
        "SG": ("productive", 1),
        "EV": ("orphan", 1),
        "T": ("productive", 10),
        "P": ("productive", 2),
        "E2": ("orphan", 6),
    }


def test_cached_rerun_joins_only_later_walks(built: Built) -> None:
    assert built.members("cached") == {
        "T1": {
            "T1": ("trainer", 0, 1, 10, 0),
            "E1": ("upstream", 1, 2, 3, 0),
            "TF1": ("upstream", 1, 2, 4, 0),
            "EV1": ("downstream", 1, 1, 4, 0),
            "P1": ("downstream", 1, 1, 2, 0),
        },
        "T1c": {
            "T1c": ("trainer", 0, 1, 0, 0),
            "E1": ("upstream", 1, 2, 3, 0),
            "E1c": ("upstream", 1, 1, 0, 0),
            "TF1": ("upstream", 1, 2, 4, 0),
            "TF1c": ("upstream", 1, 1, 0, 0),
            # the cached Evaluator and Pusher descend from T1 and T1c: T1c trained last
            "EV1c": ("downstream", 1, 1, 0, 0),
            "P1c": ("downstream", 1, 1, 0, 0),
        },
    }
    graphlets = built.graphlets("cached")
    assert [(graphlets[n]["outcome"], graphlets[n]["total_cost"]) for n in ("T1", "T1c")] == [
        ("pushed", 30),
        ("pushed", 14),
    ]
    assert graphlets["T1c"]["pushed_at"].hour == 13


# -- section 8: corrupt stores ---------------------------------------------------------------
def test_cycle_terminates_and_is_flagged(built: Built) -> None:
    assert built.members("cycle") == {
        "T": {
            "T": ("trainer", 0, 1, 10, 10),
            "TF": ("upstream", 1, 1, 8, 8),
            "SG": ("upstream", 2, 1, 1, 1),
            "E1": ("upstream", 2, 1, 6, 6),
        }
    }
    g = built.graphlets("cycle")["T"]
    assert (g["is_walk_truncated"], g["has_cycle"], g["outcome"]) == (True, True, "not_pushed")
    on_cycle = built.query("select source_execution_id from marts.fct_executions where is_on_cycle")
    names = built.names()
    assert {names[x] for (x,) in on_cycle} == {"cycle/TF", "cycle/SG"}
    assert not any(g["has_cycle"] for g in built.graphlets("rolling").values())


def test_data_quality_warnings(built: Built) -> None:
    warned = {w.split(":")[0] for w in built.warnings}
    assert warned == {
        "dq_walks_at_hop_bound",
        "dq_walk_cycles",
        "dq_artifacts_with_several_complete_producers",
    }
    (n_dup,) = built.query(
        "select count(*) from marts.fct_graphlet_executions as m "
        "inner join marts.fct_graphlets as g on m.graphlet_id = g.graphlet_id "
        "where g.pipeline_id = ? and m.relation = 'upstream'",
        [f"{SOURCE}/dup"],
    )[0]
    assert n_dup == 2, "both producers are upstream members"


def test_conservation_identities(built: Built) -> None:
    """The dbt tests check them (severity error); here the source totals once more."""
    (total, by_class, members, attributed, wasted_exec, wasted_graphlets) = built.query(
        """
        select
            (select sum(cost) from marts.fct_executions),
            (select sum(s) from (select sum(cost) as s from marts.fct_executions group by
                waste_class)),
            (select sum(cost) from marts.fct_executions where n_graphlets > 0),
            (select sum(attributed_cost) from marts.fct_graphlets),
            (select sum(cost) from marts.fct_executions where waste_class = 'wasted'),
            (select sum(wasted_cost) from marts.fct_graphlets)
        """
    )[0]
    assert by_class == pytest.approx(total)
    assert attributed == pytest.approx(members)
    assert wasted_graphlets == pytest.approx(wasted_exec)


# -- the hop bound ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A chain of five steps before a trainer and five warm-started models, built with
    graphlets_max_hops = 3 (and the walks in one statement: graphlets_walk_batches = 1)."""

    def chain(g: Graph) -> None:
        p = g.pipeline("chain")
        p.run("E", "ingest", 0, 1, cost=6, writes=[examples("X0", 0)])
        for i in range(1, 5):
            p.run(f"A{i}", "step", i, i + 1, node=f"Step{i}", cost=1,
                  reads=[f"X{i - 1}"], writes=[examples(f"X{i}")])  # fmt: skip
        p.run("T", "trainer", 5, 6, cost=10, reads=["X4"], writes=[model("M")])
        for i in range(1, 6):
            reads = ["X0"] if i == 1 else [(f"MW{i - 1}", "base_model")]
            p.run(f"W{i}", "trainer", 6 + i, 7 + i, node="Warm", cost=10, reads=reads,
                  writes=[model(f"MW{i}")])  # fmt: skip

    root = tmp_path_factory.mktemp("graphlet_hops")
    graph = write_store(root / "chain.sqlite", [chain])
    return load_and_build(
        root / "chain.sqlite",
        root / "warehouse.duckdb",
        graph,
        vars={"graphlets_max_hops": 3, "graphlets_walk_batches": 1},
    )


def test_chain_longer_than_the_hop_bound(bounded: Built) -> None:
    members = bounded.members("chain")
    assert {n: m[:2] for n, m in members["T"].items()} == {
        "T": ("trainer", 0),
        "A4": ("upstream", 1),
        "A3": ("upstream", 2),
        "A2": ("upstream", 3),
    }
    graphlets = bounded.graphlets("chain")
    assert graphlets["T"]["is_walk_truncated"] is True
    assert graphlets["T"]["has_cycle"] is False
    waste = bounded.waste("chain")
    # A1 is beyond the bound; E feeds W1, which is recent enough to be pending
    assert (waste["A1"][0], waste["E"][0]) == ("orphan", "pending")
    # model lineage is exact at any depth: the hop bound (3) does not cut it
    assert bounded.lineage("chain") == {
        (f"W{i}", f"W{j}", i - j) for i in range(2, 6) for j in range(1, i)
    }
    assert not any(g["has_truncated_lineage"] for g in graphlets.values())
    assert {w.split(":")[0] for w in bounded.warnings} == {"dq_walks_at_hop_bound"}
