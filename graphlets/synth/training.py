"""Training runs of one pipeline: the Tuner now and then, the warm-start Resolver, the Trainer,
then evaluation and push (``graphlets.synth.evaluation``).

Runs are scheduled ``per_day`` times a day from the pipeline's training offset; a run reads the
newest ``IngestRecord`` (Transform output) that ended before it starts, and there is no run
before the first one. ``docs/generator.md`` ("Training runs") describes the model.
"""

from __future__ import annotations

from bisect import bisect_right

from graphlets.synth.evaluation import Blessed, evaluate
from graphlets.synth.ingestion import Ingestion, IngestRecord
from graphlets.synth.sink import Ref
from graphlets.synth.steps import Env, latest, resolve
from graphlets.synth.tfx import (
    CACHED,
    CANCELED,
    COMPLETE,
    DAY,
    EPOCH_START_MS,
    FAILED,
    HOUR,
    INPUT,
    MIN,
    OUTPUT,
    RUNNING,
    SEC,
    TRAINER,
    TUNER,
)


class Training:
    """One pipeline's training runs, with the state carried from run to run."""

    def __init__(self, env: Env, ingestion: Ingestion, drift: list[float]) -> None:
        self.env = env
        self.ingestion = ingestion
        self.drift = drift
        self.models: list[tuple[int, int]] = []  # (end, Model id) of trainers that completed
        self.blessings: list[Blessed] = []
        self.hp: tuple[int, int] | None = None  # (tuner end, HyperParameters id)
        self.last_tune = -(10**15)
        self.last_trainer: tuple[tuple, list[Ref]] | None = None  # (signature, outputs)

    def run(self) -> None:
        """Every scheduled training run of the pipeline's life, until the horizon."""
        p = self.env.profile
        for d in range(p.first_day, p.last_day):
            self.day(d)

    def day(self, d: int) -> None:
        """Day ``d``'s training runs."""
        env, p = self.env, self.env.profile
        day_t = EPOCH_START_MS + d * DAY + p.train_offset
        for j in range(p.per_day):
            t = day_t + j * (DAY // p.per_day) + int((env.rng.random() - 0.5) * 30 * MIN)
            if t >= env.horizon:
                break
            i = bisect_right(self.ingestion.ends, t) - 1
            if i < 0:
                continue  # no transformed data yet
            self.training_run(d, t, i)

    def training_run(self, d: int, t: int, i: int) -> None:
        """One training run at ``t`` on ingestion record ``i``: Tuner?, Resolver?, Trainer, ..."""
        env, p = self.env, self.env.profile
        ing = self.ingestion.records[i]
        run = env.rec.run(t)
        start = t
        # Tuner, now and then; its hyperparameters are reused by later trainers
        if p.has_tuner and (self.hp is None or start - self.last_tune >= p.tune_every):
            ready = self.tuner(start, run, ing)
            if ready is None:
                return
            start = ready
        # warm start through a Resolver
        base = None
        if p.warm_start:
            if start >= env.horizon:
                return
            found = latest(self.models, start)
            base = found[1] if found else None
            end = resolve(env, "warm", start, run, [(base, "model")] if base else None)
            if end is None:
                return
            start = end + env.gap()
        if start >= env.horizon:
            return
        trained = self.trainer(start, run, i, ing, base)
        if trained is not None:
            model, t_trained = trained
            n_anom = self.ingestion.anomalies_by_span.get(ing.newest_span, 0)
            evaluate(env, run, model, t_trained, ing, self.drift[d], n_anom, self.blessings)

    def tuner(self, start: int, run: int, ing: IngestRecord) -> int | None:
        """A Tuner execution; returns when the next step may start, None if still RUNNING."""
        env, rec, p = self.env, self.env.rec, self.env.profile
        r = env.rng.random
        self.last_tune = start
        dur = min(24 * HOUR, p.medians.tuner * env.rng.lognormvariate(0, 0.3))
        fail = r() < p.p_train_fail
        if fail:
            dur *= 0.05 + 0.5 * r()
        end = start + int(dur)
        state = FAILED if fail else COMPLETE
        if end >= env.horizon:
            state, end = RUNNING, start
        x = rec.execution(rec.tid[TUNER], state, start, end, run, "tuner")
        for k, a in enumerate(ing.train_examples):
            rec.event(a, x, INPUT, start, "examples", k)
        rec.event(ing.schema, x, INPUT, start, "schema", 0)
        rec.event(ing.graph, x, INPUT, start, "transform_graph", 0)
        if state == RUNNING:
            return None
        if not fail:
            a = rec.artifact(
                rec.tid["HyperParameters"], "tuner", "best_hyperparameters", x, end, run
            )
            rec.event(a, x, OUTPUT, end, "best_hyperparameters", 0)
            b = rec.artifact(rec.tid["TunerResults"], "tuner", "tuner_results", x, end, run)
            rec.event(b, x, OUTPUT, end, "tuner_results", 0)
            self.hp = (end, a)
        return end + env.gap()

    def trainer(
        self, start: int, run: int, i: int, ing: IngestRecord, base: int | None
    ) -> tuple[int, int] | None:
        """The Trainer; returns (Model id, end) of a new model, or None (no new model)."""
        rec = self.env.rec
        rec.stats["trainer_runs"] += 1
        hp = self.hp
        hp_aid = hp[1] if hp is not None and hp[0] <= start else None
        sig = (i, hp_aid, base)
        inputs = [(a, "examples", k) for k, a in enumerate(ing.train_examples)]
        inputs.append((ing.graph, "transform_graph", 0))
        inputs.append((ing.schema, "schema", 0))
        if base:
            inputs.append((base, "base_model", 0))
        if hp_aid:
            inputs.append((hp_aid, "hyperparameters", 0))
        last = self.last_trainer
        if self.env.profile.trainer_cache and last is not None and last[0] == sig:
            self._cached_trainer(start, run, inputs, last[1])
            return None  # no new model: nothing downstream is triggered
        if self.env.rng.random() < self.env.profile.p_cancel:
            self._canceled_trainer(start, run)
            return None
        return self._trainer_run(start, run, sig, inputs)

    def _cached_trainer(self, start: int, run: int, inputs: list[Ref], outputs: list[Ref]) -> None:
        """A CACHED Trainer: same inputs as the last one, re-emits its Model and ModelRun."""
        env, rec = self.env, self.env.rec
        t_trainer = rec.tid[TRAINER]
        end = start + SEC + int(3 * SEC * env.rng.random())
        if end >= env.horizon:
            x = rec.execution(t_trainer, RUNNING, start, start, run, "trainer")
            rec.stats["trainers_running"] += 1
            rec.events(inputs, x, INPUT, start)
            return
        x = rec.execution(t_trainer, CACHED, start, end, run, "trainer")
        rec.stats["trainers_cached"] += 1
        rec.events(inputs, x, INPUT, start)
        rec.events(outputs, x, OUTPUT, end)

    def _canceled_trainer(self, start: int, run: int) -> None:
        """A CANCELED Trainer (no events), RUNNING if the horizon comes first."""
        env, rec = self.env, self.env.rec
        t_trainer = rec.tid[TRAINER]
        end = start + int(env.profile.medians.trainer * 0.5 * env.rng.random())
        if end >= env.horizon:
            rec.execution(t_trainer, RUNNING, start, start, run, "trainer")
            rec.stats["trainers_running"] += 1
        else:
            rec.execution(t_trainer, CANCELED, start, end, run, "trainer")
            rec.stats["trainers_canceled"] += 1

    def _trainer_run(
        self, start: int, run: int, sig: tuple, inputs: list[Ref]
    ) -> tuple[int, int] | None:
        """A Trainer that does the work: FAILED, RUNNING or COMPLETE with a new Model."""
        env, rec, p = self.env, self.env.rec, self.env.profile
        r = env.rng.random
        dur = p.medians.trainer * env.rng.lognormvariate(0, 0.25)
        fail = r() < p.p_train_fail
        if fail:
            dur *= 0.05 + 0.6 * r()
        end = start + int(dur)
        state = FAILED if fail else COMPLETE
        if end >= env.horizon:
            state, end = RUNNING, start
        x = rec.execution(rec.tid[TRAINER], state, start, end, run, "trainer")
        rec.events(inputs, x, INPUT, start)
        if state == RUNNING:
            rec.stats["trainers_running"] += 1
            return None
        if fail:
            rec.stats["trainers_failed"] += 1
            return None
        rec.stats["trainers_complete"] += 1
        model = rec.artifact(rec.tid["Model"], "trainer", "model", x, end, run)
        model_run = rec.artifact(rec.tid["ModelRun"], "trainer", "model_run", x, end, run)
        rec.event(model, x, OUTPUT, end, "model", 0)
        rec.event(model_run, x, OUTPUT, end, "model_run", 0)
        self.last_trainer = (sig, [(model, "model", 0), (model_run, "model_run", 0)])
        self.models.append((end, model))
        return model, end
