"""Daily ingestion of one pipeline: ExampleGen, StatisticsGen, SchemaGen, ExampleValidator and
Transform, one ``pipeline_run`` a day.

A component is CACHED, as in TFX, only when it would read exactly the input artifacts (and, for
ExampleGen, resolve the same span) of its last execution that did the work; it then records
those inputs and re-emits that execution's outputs (``Ingestion.node_run``). Otherwise it runs
and writes new outputs. A FAILED component stops the day's remaining ingestion. Every Transform
that did the work leaves an ``IngestRecord``: what training runs starting after its end read.
``docs/generator.md`` ("Daily ingestion") describes the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from graphlets.synth.sink import Ref
from graphlets.synth.steps import Env
from graphlets.synth.tfx import (
    ANOMALIES_BLESSED,
    CACHED,
    COMPLETE,
    DAY,
    EPOCH_START_MS,
    EXAMPLE_VALIDATOR,
    FAILED,
    INPUT,
    MIN,
    OUTPUT,
    RUNNING,
    SCHEMA_GEN,
    SEC,
    SPLIT_NAMES,
    STATISTICS_GEN,
    TRANSFORM,
)

#: Builds an execution's outputs from (execution id, end): records the artifacts, returns refs.
MakeOutputs = Callable[[int, int], list[Ref]]


@dataclass(frozen=True)
class IngestRecord:
    """One Transform that did the work, as the training runs after its end read it."""

    end: int
    train_examples: tuple[int, ...]  #: (transformed) Examples of the window, oldest first
    spans: tuple[int, ...]  #: the window's spans
    newest_raw: int  #: the raw Examples of the newest span
    graph: int  #: TransformGraph
    schema: int  #: the Schema the Transform read
    schema_version: int  #: that Schema's content (hidden: not in the metadata)
    newest_span: int


@dataclass(frozen=True)
class _Component:
    """The fixed part of an ingestion component's executions."""

    node: str  #: node key
    type_id: int
    p_fail: float


class _Done(NamedTuple):
    """The last execution of a node that did the work: what a CACHED one re-emits."""

    sig: object  #: what it resolved besides its input artifacts (ExampleGen: the span)
    inputs: tuple[Ref, ...]
    outputs: list[Ref]


class Ingestion:
    """One pipeline's daily ingestion, with the state carried from day to day."""

    def __init__(self, env: Env) -> None:
        self.env = env
        p, tid = env.profile, env.rec.tid
        self._example_gen = _Component("example_gen", tid[p.example_gen_type], p.p_ingest_fail)
        self._stats = _Component("stats", tid[STATISTICS_GEN], p.p_ingest_fail / 2)
        self._transform = _Component("transform", tid[TRANSFORM], p.p_ingest_fail)
        self._validator = _Component("ev", tid[EXAMPLE_VALIDATOR], p.p_ingest_fail / 2)
        # by node: the last execution that did the work; a new execution that would read the
        # same inputs (and resolve the same span) is CACHED and re-emits its outputs.
        self.io: dict[str, _Done] = {}
        self.latest_span = -1  # newest span that has arrived
        self.last_span = -1  # newest span ingested
        self.examples_by_span: list[tuple[int, int]] = []  # (span, Examples artifact id)
        self.anomalies_by_span: dict[int, int] = {}
        self.schema_aid = 0
        self.schema_version = 0  # the current schema's content: +1 at every schema change
        self.ends: list[int] = []  # end time of every Transform that did the work
        self.records: list[IngestRecord] = []

    def run(self) -> None:
        """Ingest every day of the pipeline's life, until the horizon."""
        p = self.env.profile
        for d in range(p.first_day, p.last_day):
            if not self.day(d):
                break

    def day(self, d: int) -> bool:
        """Day ``d``'s ingestion run; False when it would start after the horizon."""
        env, p = self.env, self.env.profile
        r = env.rng.random
        t = EPOCH_START_MS + d * DAY + p.ingest_offset + int(20 * MIN * r())
        if t >= env.horizon:
            return False
        if self.latest_span < 0 or r() >= p.p_delay:
            self.latest_span = d
        run = env.rec.run(t)
        span = self.latest_span
        res = self.example_gen(t, run, span)
        if res is None:
            return True
        t_end, ex_aid = res
        if span != self.last_span:
            self.last_span = span
            self.examples_by_span.append((span, ex_aid))
        res = self.statistics_gen(t_end, run, span, ex_aid)
        if res is None:
            return True
        t_end, stats_aid = res
        t_schema = self.schema_gen(t_end, run, stats_aid)
        if t_schema is None:
            return True
        win, res_tf = self.transform(t_schema, run)
        self.example_validator(t_schema, run, span, stats_aid, res_tf)
        self._record(win, res_tf)
        return True

    def node_run(
        self,
        comp: _Component,
        sig: object,
        inputs: list[Ref] | tuple[Ref, ...],
        start: int,
        dur: float,
        run: int,
        make_outputs: MakeOutputs,
    ) -> tuple[int, list[Ref]] | None:
        """One ingestion execution; returns (end, outputs) or None when it did not finish.

        A cache hit needs the same ``sig`` and exactly the same input artifacts as the last
        execution that did the work: TFX's cache key includes the inputs.
        """
        env, rec = self.env, self.env.rec
        r = env.rng.random
        node, type_id = comp.node, comp.type_id
        prev = self.io.get(node)
        if start >= env.horizon:
            return None
        inputs = tuple(inputs)
        if prev is not None and prev.sig == sig and prev.inputs == inputs:
            end = start + SEC + int(3 * SEC * r())
            if end >= env.horizon:
                x = rec.execution(type_id, RUNNING, start, start, run, node)
                rec.events(prev.inputs, x, INPUT, start)
                return None
            x = rec.execution(type_id, CACHED, start, end, run, node)
            rec.events(prev.inputs, x, INPUT, start)
            rec.events(prev.outputs, x, OUTPUT, end)
            return end, prev.outputs
        fail = r() < comp.p_fail
        if fail:
            dur = int(dur * (0.05 + 0.5 * r()))
        end = start + int(dur)
        state = FAILED if fail else COMPLETE
        if end >= env.horizon:
            state, end = RUNNING, start
        x = rec.execution(type_id, state, start, end, run, node)
        rec.events(inputs, x, INPUT, start)
        if state == RUNNING or fail:
            return None
        outputs = make_outputs(x, end)
        rec.events(outputs, x, OUTPUT, end)
        self.io[node] = _Done(sig, inputs, outputs)
        return end, outputs

    def _span_artifact(
        self,
        type_name: str,
        node: str,
        out: str,
        x: int,
        end: int,
        run: int,
        span: int,
        idx: int | None = None,
    ) -> int:
        """An artifact with the declared ``span`` and ``split_names`` properties."""
        rec = self.env.rec
        a = rec.artifact(rec.tid[type_name], node, out, x, end, run, idx)
        rec.prop(a, "span", 0, span)
        rec.prop(a, "split_names", 0, None, SPLIT_NAMES)
        return a

    def example_gen(self, t: int, run: int, span: int) -> tuple[int, int] | None:
        """ExampleGen: resolves the newest arrived span; CACHED when it was already ingested.

        Returns (end, Examples id) or None when it did not finish.
        """

        def outputs(x: int, end: int) -> list[Ref]:
            a = self._span_artifact("Examples", "example_gen", "examples", x, end, run, span)
            return [(a, "examples", 0)]

        dur = self.env.profile.medians.example_gen * self.env.rng.lognormvariate(0, 0.25)
        res = self.node_run(self._example_gen, span, (), t, dur, run, outputs)
        return None if res is None else (res[0], res[1][0][0])

    def statistics_gen(
        self, t_end: int, run: int, span: int, ex_aid: int
    ) -> tuple[int, int] | None:
        """StatisticsGen on the day's Examples; returns (end, ExampleStatistics id) or None."""

        def outputs(x: int, end: int) -> list[Ref]:
            a = self._span_artifact("ExampleStatistics", "stats", "statistics", x, end, run, span)
            return [(a, "statistics", 0)]

        env = self.env
        start = t_end + env.gap()
        dur = env.profile.medians.stats * env.rng.lognormvariate(0, 0.25)
        res = self.node_run(self._stats, None, [(ex_aid, "examples", 0)], start, dur, run, outputs)
        return None if res is None else (res[0], res[1][0][0])

    def schema_gen(self, t_end: int, run: int, stats_aid: int) -> int | None:
        """SchemaGen on the day's statistics (and, with schema_history, its previous Schema).

        CACHED only when it would read the inputs of its last run (a delay day re-emits the
        same statistics; with schema_history never, its previous Schema is always new);
        otherwise COMPLETE with a new Schema artifact, whose content changes (a new schema
        version) with the pipeline's schema-change probability when the statistics are new.
        Returns its end, or None when it did not finish.
        """
        env, rec, p = self.env, self.env.rec, self.env.profile
        t_schema_gen = rec.tid[SCHEMA_GEN]
        start = t_end + env.gap()
        if start >= env.horizon:
            return None
        prev = self.io.get("schema")
        inputs: tuple[Ref, ...] = ((stats_aid, "statistics", 0),)
        if p.schema_history and self.schema_aid:
            inputs += ((self.schema_aid, "schema", 0),)
        if prev is not None and prev.inputs == inputs:
            end = start + SEC + int(3 * SEC * env.rng.random())
            if end >= env.horizon:
                x = rec.execution(t_schema_gen, RUNNING, start, start, run, "schema")
                rec.events(inputs, x, INPUT, start)
                return None
            x = rec.execution(t_schema_gen, CACHED, start, end, run, "schema")
            rec.events(inputs, x, INPUT, start)
            rec.events(prev.outputs, x, OUTPUT, end)
            return end
        new_stats = prev is None or prev.inputs[0][0] != stats_aid
        changed = prev is not None and new_stats and env.rng.random() < p.p_schema_change
        end = start + int(p.medians.schema * env.rng.lognormvariate(0, 0.25))
        state = COMPLETE if end < env.horizon else RUNNING
        if state == RUNNING:
            end = start
        x = rec.execution(t_schema_gen, state, start, end, run, "schema")
        rec.events(inputs, x, INPUT, start)
        if state == RUNNING:
            return None
        self.schema_version += changed
        self.schema_aid = rec.artifact(rec.tid["Schema"], "schema", "schema", x, end, run)
        rec.event(self.schema_aid, x, OUTPUT, end, "schema", 0)
        self.io["schema"] = _Done(None, inputs, [(self.schema_aid, "schema", 0)])
        return end

    def transform(
        self, t_schema: int, run: int
    ) -> tuple[list[tuple[int, int]], tuple[int, list[Ref]] | None]:
        """Transform over the rolling window, the schema and its previous analyzer cache.

        Never CACHED after its first run: the analyzer cache it reads is always the newest
        one, the last run's output, so its inputs never equal those of the run before.
        Returns the window ((span, Examples id), oldest first) and Transform's node_run result.
        """
        env, rec, p = self.env, self.env.rec, self.env.profile
        win = [(s, a) for s, a in self.examples_by_span if s > self.last_span - p.window]
        schema_aid = self.schema_aid
        start = t_schema + env.gap()
        inputs = [(a, "examples", i) for i, (_, a) in enumerate(win)]
        inputs.append((schema_aid, "schema", 0))
        prev = self.io.get("transform")
        if prev is not None:
            inputs.append((prev.outputs[1][0], "analyzer_cache", 0))  # updated_analyzer_cache

        def outputs(x: int, end: int) -> list[Ref]:
            graph = rec.artifact(
                rec.tid["TransformGraph"], "transform", "transform_graph", x, end, run
            )
            cache = rec.artifact(
                rec.tid["TransformCache"], "transform", "updated_analyzer_cache", x, end, run
            )
            outs = [(graph, "transform_graph", 0), (cache, "updated_analyzer_cache", 0)]
            if p.materialize:
                for i, (s, _) in enumerate(win):
                    a = self._span_artifact(
                        "Examples", "transform", "transformed_examples", x, end, run, s, i
                    )
                    outs.append((a, "transformed_examples", i))
            return outs

        dur = p.medians.transform * env.rng.lognormvariate(0, 0.25)
        return win, self.node_run(self._transform, None, inputs, start, dur, run, outputs)

    def example_validator(
        self,
        t_schema: int,
        run: int,
        span: int,
        stats_aid: int,
        res_tf: tuple[int, list[Ref]] | None,
    ) -> None:
        """ExampleValidator: a side branch beside Transform; nothing reads its anomalies."""
        env, rec, p = self.env, self.env.rec, self.env.profile
        start = t_schema + env.gap()
        n_anom = 0
        if env.rng.random() < p.p_anomaly:
            n_anom = 1 + min(int(env.rng.expovariate(0.35)), 40)

        def outputs(x: int, end: int) -> list[Ref]:
            a = self._span_artifact("ExampleAnomalies", "ev", "anomalies", x, end, run, span)
            rec.prop(a, "blessed", 1, None, ANOMALIES_BLESSED[n_anom == 0])
            rec.prop(a, "num_anomalies", 1, n_anom)
            return [(a, "anomalies", 0)]

        dur = p.medians.validator * env.rng.lognormvariate(0, 0.25)
        if res_tf is not None:  # the validator finishes before the Transform it runs beside
            dur = min(dur, max(SEC, res_tf[0] - start - SEC))
        schema_aid = self.schema_aid
        inputs = [(stats_aid, "statistics", 0), (schema_aid, "schema", 0)]
        res = self.node_run(self._validator, None, inputs, start, dur, run, outputs)
        if res is not None and span not in self.anomalies_by_span:
            self.anomalies_by_span[span] = n_anom

    def _record(self, win: list[tuple[int, int]], res_tf: tuple[int, list[Ref]] | None) -> None:
        """Record a Transform that did the work (not a cached re-emission) for the trainers."""
        if res_tf is None or (self.records and res_tf[1][0][0] == self.records[-1].graph):
            return
        end, outs = res_tf
        p = self.env.profile
        train_examples = [a for a, _, _ in outs[2:]] if p.materialize else [a for _, a in win]
        newest_span, newest_raw = win[-1]
        self.ends.append(end)
        self.records.append(
            IngestRecord(
                end=end,
                train_examples=tuple(train_examples),
                spans=tuple(s for s, _ in win),
                newest_raw=newest_raw,
                graph=outs[0][0],
                schema=self.schema_aid,
                schema_version=self.schema_version,
                newest_span=newest_span,
            )
        )
