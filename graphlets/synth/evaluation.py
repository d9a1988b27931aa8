"""After a new model: the baseline Resolver, the Evaluator (the push mechanism), the
InfraValidator beside it, and the Pusher after both.

Whether the Evaluator blesses a model is a Bernoulli draw whose log-odds (``bless_log_odds``)
add documented terms, each but the schema content, the drift and the draw itself leaving a trace
in the store before the Trainer starts. ``docs/generator.md`` ("Why a model is or is not
pushed") gives the table.
"""

from __future__ import annotations

from typing import NamedTuple

from graphlets.synth.ingestion import IngestRecord
from graphlets.synth.steps import Env, latest, resolve
from graphlets.synth.tfx import (
    COMPLETE,
    EVALUATOR,
    FAILED,
    INFRA_VALIDATOR,
    INPUT,
    OUTPUT,
    PUSHER,
    RUNNING,
)

# -- the push mechanism (docs/generator.md, "Why a model is or is not pushed") ---------------
# (the per-pipeline base rate and the drift are drawn in graphlets.synth.profile)
#: Log-odds change when the model saw no span newer than its baseline's newest span.
NO_NEW_DATA = -2.8
#: Log-odds gained per new span beyond the first (at most NEW_SPAN_CAP of them).
NEW_SPAN_BONUS, NEW_SPAN_CAP = 0.2, 4
#: Log-odds change when the newest span has validation anomalies: BASE + PER * min(n, 10).
ANOMALY_BASE, ANOMALY_PER = -0.9, -0.1
#: Log-odds change when the model's schema content (version) differs from its baseline's.
SCHEMA_CHANGE = -1.2
#: Log-odds change when there is no baseline (the first model is judged on absolute thresholds).
NO_BASELINE = 1.5


class Blessed(NamedTuple):
    """A blessed model, as the baseline Resolver finds it."""

    end: int  #: the Evaluator's end
    model: int
    blessing: int  #: its ModelBlessing
    newest_span: int  #: newest span of the model's window
    schema_version: int  #: the content of the Schema its Trainer read


class _Evaluated(NamedTuple):
    blessing: int | None  #: ModelBlessing id, None unless the Evaluator completed
    blessed: bool
    end: int


def bless_log_odds(
    base: float, drift: float, baseline: Blessed | None, ing: IngestRecord, n_anom: int
) -> float:
    """Log-odds that the Evaluator blesses the model trained on ``ing`` against ``baseline``."""
    z = base + drift
    if baseline is None:
        z += NO_BASELINE
    else:
        new_spans = sum(1 for s in ing.spans if s > baseline.newest_span)
        if new_spans == 0:
            z += NO_NEW_DATA
        else:
            z += NEW_SPAN_BONUS * (min(new_spans, NEW_SPAN_CAP) - 1)
        if ing.schema_version != baseline.schema_version:
            z += SCHEMA_CHANGE
    if n_anom:
        z += ANOMALY_BASE + ANOMALY_PER * min(n_anom, 10)
    return z


def evaluate(
    env: Env,
    run: int,
    model: int,
    t_trained: int,
    ing: IngestRecord,
    drift: float,
    n_anom: int,
    blessings: list[Blessed],
) -> None:
    """Baseline Resolver and Evaluator, InfraValidator beside them, then the Pusher.

    ``drift`` is the day's hidden drift, ``n_anom`` the anomalies found in the window's newest
    span; ``blessings`` (the pipeline's blessed models so far) grows when the model is blessed.
    """
    start = t_trained + env.gap()
    if start >= env.horizon:
        return
    baseline = latest(blessings, start)
    found = [(baseline.model, "model"), (baseline.blessing, "model_blessing")] if baseline else None
    end = resolve(env, "base", start, run, found)
    if end is None:
        return
    start_eval = end + env.gap()
    if start_eval >= env.horizon:
        return
    evaluated = _evaluator(env, run, model, start_eval, ing, baseline, drift, n_anom, blessings)
    infra, infra_ok, end_infra = _infra_validator(env, run, model, t_trained, ing)
    p = env.profile
    if not p.has_pusher or evaluated.blessing is None or (p.has_infra and infra is None):
        return
    _pusher(env, run, model, max(evaluated.end, end_infra), evaluated, infra, infra_ok)


def _evaluator(
    env: Env,
    run: int,
    model: int,
    start: int,
    ing: IngestRecord,
    baseline: Blessed | None,
    drift: float,
    n_anom: int,
    blessings: list[Blessed],
) -> _Evaluated:
    """The Evaluator: compares the model with its baseline and writes ModelBlessing."""
    rec, p, r = env.rec, env.profile, env.rng.random
    end = start + int(p.medians.evaluator * env.rng.lognormvariate(0, 0.25))
    fail = r() < 0.005
    if fail:
        end = start + int((end - start) * 0.3 * r())
    state = FAILED if fail else COMPLETE
    if end >= env.horizon:
        state, end = RUNNING, start
    x = rec.execution(rec.tid[EVALUATOR], state, start, end, run, "evaluator")
    rec.event(ing.newest_raw, x, INPUT, start, "examples", 0)
    rec.event(model, x, INPUT, start, "model", 0)
    if baseline:
        rec.event(baseline.model, x, INPUT, start, "baseline_model", 0)
    if state != COMPLETE:
        return _Evaluated(None, False, end)
    # the push mechanism: noisy, and every term leaves a trace in the store
    z = bless_log_odds(p.bless_base, drift, baseline, ing, n_anom)
    blessed = r() * (1 + pow(2.718281828459045, -z)) < 1  # Bernoulli(sigmoid(z))
    rec.stats["evaluations"] += 1
    rec.stats["blessed" if blessed else "not_blessed"] += 1
    evaluation = rec.artifact(rec.tid["ModelEvaluation"], "evaluator", "evaluation", x, end, run)
    blessing = rec.artifact(rec.tid["ModelBlessing"], "evaluator", "blessing", x, end, run)
    rec.event(evaluation, x, OUTPUT, end, "evaluation", 0)
    rec.event(blessing, x, OUTPUT, end, "blessing", 0)
    rec.prop(blessing, "blessed", 1, int(blessed))
    rec.prop(blessing, "current_model_id", 1, model)
    if baseline:
        rec.prop(blessing, "baseline_model_id", 1, baseline.model)
    if blessed:
        blessings.append(Blessed(end, model, blessing, max(ing.spans), ing.schema_version))
    return _Evaluated(blessing, blessed, end)


def _infra_validator(
    env: Env, run: int, model: int, t_trained: int, ing: IngestRecord
) -> tuple[int | None, bool, int]:
    """The InfraValidator beside the Evaluator, where present: (InfraBlessing?, ok, end)."""
    p = env.profile
    if not p.has_infra:
        return None, True, t_trained
    rec = env.rec
    start = t_trained + env.gap()
    end = start + int(p.medians.infra * env.rng.lognormvariate(0, 0.25))
    state = COMPLETE if end < env.horizon else RUNNING
    if state == RUNNING:
        end = start
    x = rec.execution(rec.tid[INFRA_VALIDATOR], state, start, end, run, "infra")
    rec.event(model, x, INPUT, start, "model", 0)
    rec.event(ing.newest_raw, x, INPUT, start, "examples", 0)
    if state != COMPLETE:
        return None, True, end
    infra_ok = env.rng.random() >= p.p_infra_reject
    rec.stats["infra_rejected"] += not infra_ok
    infra = rec.artifact(rec.tid["InfraBlessing"], "infra", "blessing", x, end, run)
    rec.event(infra, x, OUTPUT, end, "blessing", 0)
    rec.prop(infra, "blessed", 1, int(infra_ok))
    return infra, infra_ok, end


def _pusher(
    env: Env,
    run: int,
    model: int,
    ready: int,
    evaluated: _Evaluated,
    infra: int | None,
    infra_ok: bool,
) -> None:
    """The Pusher, whether or not the model was blessed: PushedModel ``pushed`` = 1 / 0."""
    rec, r = env.rec, env.rng.random
    start = ready + env.gap()
    if start >= env.horizon:
        return
    end = start + int(env.profile.medians.pusher * env.rng.lognormvariate(0, 0.3))
    fail = r() < 0.004
    if fail:
        end = start + int((end - start) * 0.5 * r())
    state = FAILED if fail else COMPLETE
    if end >= env.horizon:
        state, end = RUNNING, start
    x = rec.execution(rec.tid[PUSHER], state, start, end, run, "pusher")
    rec.event(model, x, INPUT, start, "model", 0)
    assert evaluated.blessing is not None  # the caller pushes only blessed models
    rec.event(evaluated.blessing, x, INPUT, start, "model_blessing", 0)
    if infra is not None:
        rec.event(infra, x, INPUT, start, "infra_blessing", 0)
    if state != COMPLETE:
        return
    pushed = evaluated.blessed and infra_ok
    rec.stats["pushes" if pushed else "not_pushed"] += 1
    a = rec.artifact(rec.tid["PushedModel"], "pusher", "pushed_model", x, end, run)
    rec.event(a, x, OUTPUT, end, "pushed_model", 0)
    rec.prop(a, "pushed", 1, int(pushed))
