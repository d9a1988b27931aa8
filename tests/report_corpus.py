"""A hand-made MLMD store whose report numbers are worked out by hand (tests/test_reports.py).

Times are hours after T0 (2026-01-01T00:00Z); every execution carries an explicit `cost`
property so that costs are round numbers. One source, two pipelines:

Pipeline `cadence` (A):

    hour  0- 1  ExampleGen E1 (10)     2- 4 Trainer T1 (100)  4- 5 Evaluator V1 (5, blessed)
                                                              6- 6 Pusher P1 (1, pushed)
    hour  1- 2  StatisticsGen S1 (3) reads E1; nothing reads its statistics (orphan)
    hour 11-11  StatisticsGen S2 CACHED, re-emits S1's statistics (cost 0, orphan)
    hour 10-11  ExampleGen E2 (10)    12-14 Trainer T2 (100) 14-15 Evaluator V2 (5, not blessed)
    hour 30-31  ExampleGen E3 (10)    32-34 Trainer T3 (100) 34-35 Evaluator V3 (5, blessed)
                                                             36-36 Pusher P3 (1, pushed)
    hour 36-37  ExampleGen E4 (10)    40-42 Trainer T4 (100) 42-43 Evaluator V4 (5, blessed)
                                                             46-46 Pusher P4 (1, pushed)
    hour 50-51  Trainer T5 FAILED (50), reads E4's examples

Pipeline `transformed` (B):

    hour 20-21  ExampleGen (20)  21-22 Transform (30)  22-24 Trainer (200) reads both
                24-25 Evaluator (10, blessed)  26-26 Pusher (2, pushed)
    hour 48-49  ExampleGen (20)  50-52 Trainer (200): no evaluation yet -> pending
    hour 59-60  ExampleGen (20): nothing reads it (orphan); its end is the source's as-of time
"""

from __future__ import annotations

from pathlib import Path

from graphlets.synth.mlmd_store import StoreWriter
from tests.stores import EVALUATOR, EXAMPLE_GEN, HOUR, PUSHER, T0, TRAINER

STATISTICS_GEN = "tfx.components.statistics_gen.component.StatisticsGen"
TRANSFORM = "tfx.components.transform.component.Transform"


def h(hours: float) -> int:
    """T0 + hours, in ms."""
    return T0 + int(hours * HOUR)


class _Pipeline:
    def __init__(self, w: StoreWriter, name: str) -> None:
        self.w = w
        self.name = name
        self.context = w.context("pipeline", name, T0)
        self.nodes: dict[str, int] = {}

    def run(self, node: str, type_name: str, start: float, end: float, cost: float, **kw) -> int:
        if node not in self.nodes:
            self.nodes[node] = self.w.context("node", f"{self.name}.{node}", T0)
        state = kw.pop("state", "COMPLETE")
        return self.w.execution(
            type_name,
            state,
            h(start),
            h(end),
            custom_properties={"cost": cost},
            contexts=(self.context, self.nodes[node]),
        )

    def output(self, execution: int, type_name: str, at: float, key: str, **props) -> int:
        artifact = self.w.artifact(
            type_name, f"/{self.name}/{type_name}/{execution}", h(at), custom_properties=props
        )
        self.w.event(execution, artifact, "OUTPUT", h(at), key)
        return artifact

    def read(self, execution: int, artifact: int, at: float, key: str) -> None:
        self.w.event(execution, artifact, "INPUT", h(at), key)

    def graphlet(
        self,
        examples: list[int],
        train: tuple[float, float, float],
        evaluate: tuple[float, float, float, bool] | None,
        push: tuple[float, float] | None,
        extra_inputs: tuple[int, ...] = (),
    ) -> dict[str, int]:
        """Trainer (start, end, cost) reading `examples`, then Evaluator, then Pusher."""
        ids: dict[str, int] = {}
        start, end, cost = train
        trainer = ids["trainer"] = self.run("Trainer", TRAINER, start, end, cost)
        for artifact in examples:
            self.read(trainer, artifact, start, "examples")
        for artifact in extra_inputs:
            self.read(trainer, artifact, start, "transform_graph")
        model = self.output(trainer, "Model", end, "model")
        if evaluate is not None:
            e_start, e_end, e_cost, blessed = evaluate
            evaluator = ids["evaluator"] = self.run("Evaluator", EVALUATOR, e_start, e_end, e_cost)
            self.read(evaluator, model, e_start, "model")
            blessing = self.output(
                evaluator, "ModelBlessing", e_end, "blessing", blessed=int(blessed)
            )
            if push is not None:
                at, p_cost = push
                pusher = ids["pusher"] = self.run("Pusher", PUSHER, at, at, p_cost)
                self.read(pusher, model, at, "model")
                self.read(pusher, blessing, at, "model_blessing")
                self.output(pusher, "PushedModel", at, "pushed_model", pushed=1)
        return ids


def report_corpus(path: Path) -> dict[str, int]:
    """Write the store; returns MLMD execution ids the tests refer to."""
    ids: dict[str, int] = {}
    with StoreWriter(path) as w:
        a = _Pipeline(w, "cadence")
        e1 = a.run("CsvExampleGen", EXAMPLE_GEN, 0, 1, 10)
        x1 = a.output(e1, "Examples", 1, "examples", span=1)
        s1 = a.run("StatisticsGen", STATISTICS_GEN, 1, 2, 3)
        a.read(s1, x1, 1, "examples")
        stats = a.output(s1, "ExampleStatistics", 2, "statistics")
        s2 = a.run("StatisticsGen", STATISTICS_GEN, 11, 11, 3, state="CACHED")
        a.read(s2, x1, 11, "examples")
        w.event(s2, stats, "OUTPUT", h(11), "statistics")
        g1 = a.graphlet([x1], (2, 4, 100), (4, 5, 5, True), (6, 1))
        e2 = a.run("CsvExampleGen", EXAMPLE_GEN, 10, 11, 10)
        x2 = a.output(e2, "Examples", 11, "examples", span=2)
        g2 = a.graphlet([x2], (12, 14, 100), (14, 15, 5, False), None)
        e3 = a.run("CsvExampleGen", EXAMPLE_GEN, 30, 31, 10)
        x3 = a.output(e3, "Examples", 31, "examples", span=3)
        g3 = a.graphlet([x3], (32, 34, 100), (34, 35, 5, True), (36, 1))
        e4 = a.run("CsvExampleGen", EXAMPLE_GEN, 36, 37, 10)
        x4 = a.output(e4, "Examples", 37, "examples", span=4)
        g4 = a.graphlet([x4], (40, 42, 100), (42, 43, 5, True), (46, 1))
        t5 = a.run("Trainer", TRAINER, 50, 51, 50, state="FAILED")
        a.read(t5, x4, 50, "examples")

        b = _Pipeline(w, "transformed")
        eb1 = b.run("CsvExampleGen", EXAMPLE_GEN, 20, 21, 20)
        xb1 = b.output(eb1, "Examples", 21, "examples", span=1)
        tx = b.run("Transform", TRANSFORM, 21, 22, 30)
        b.read(tx, xb1, 21, "examples")
        graph = b.output(tx, "TransformGraph", 22, "transform_graph")
        gb1 = b.graphlet([xb1], (22, 24, 200), (24, 25, 10, True), (26, 2), extra_inputs=(graph,))
        eb2 = b.run("CsvExampleGen", EXAMPLE_GEN, 48, 49, 20)
        xb2 = b.output(eb2, "Examples", 49, "examples", span=2)
        gb2 = b.graphlet([xb2], (50, 52, 200), None, None)
        eb3 = b.run("CsvExampleGen", EXAMPLE_GEN, 59, 60, 20)
        b.output(eb3, "Examples", 60, "examples", span=3)
        ids.update(
            t1=g1["trainer"],
            t2=g2["trainer"],
            t3=g3["trainer"],
            t4=g4["trainer"],
            t5=t5,
            tb1=gb1["trainer"],
            tb2=gb2["trainer"],
            s1=s1,
            s2=s2,
        )
    return ids
