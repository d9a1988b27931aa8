"""A pipeline's profile: the random draws that fix its shape before its simulation starts.

``draw_profile`` makes the first draws of a pipeline's random stream, in a fixed order (kind,
team, task, ExampleGen flavour, life, window, cadence, nodes, rates, offsets, median durations);
``draw_drift`` then draws its hidden daily drift of model quality. Changing the order or the
number of draws changes every store: the golden test in ``tests/test_generate.py`` guards it.
``docs/generator.md`` ("The simulation") documents the distributions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from graphlets.synth.tfx import (
    CSV_EXAMPLE_GEN,
    DAY,
    EPOCH_START_MS,
    HOUR,
    IMPORT_EXAMPLE_GEN,
    MIN,
)

TEAMS = "abcdefghijklmnopqrstuvwxyz"
TASKS = (
    "ctr",
    "cvr",
    "ranking",
    "churn",
    "fraud",
    "spam",
    "eta",
    "demand",
    "reco",
    "ltv",
    "search",
    "toxicity",
)

#: Per-pipeline base log-odds of a blessing: Normal(mean, sd).
BLESS_BASE_MEAN, BLESS_BASE_SD = 0.9, 0.8
#: Hidden daily drift of model quality: AR(1) with this coefficient and innovation sd.
DRIFT_RHO, DRIFT_SD = 0.85, 0.35


@dataclass(frozen=True)
class Medians:
    """Median durations (ms) of a pipeline's components; each run varies around them."""

    example_gen: float
    stats: float
    schema: float
    validator: float
    transform: float
    trainer: float
    tuner: float
    evaluator: float
    infra: float
    pusher: float


@dataclass(frozen=True)
class PipelineProfile:
    """Everything drawn once per pipeline: identity, life, cadence, nodes, rates, durations."""

    index: int
    days: int  #: the corpus' horizon in days
    name: str
    root: str  #: pipeline root; artifact URIs start with it
    experimental: bool
    example_gen_type: str
    first_day: int
    last_day: int  #: exclusive
    window: int  #: training window, in spans
    per_day: int  #: training runs a day
    warm_start: bool
    has_tuner: bool
    has_infra: bool
    has_pusher: bool
    tune_every: int  #: ms between Tuner runs
    materialize: bool  #: Transform writes transformed examples
    schema_history: bool  #: SchemaGen reads its previous schema
    trainer_cache: bool
    p_delay: float
    p_schema_change: float
    p_anomaly: float
    p_ingest_fail: float
    p_train_fail: float
    p_cancel: float
    p_infra_reject: float
    bless_base: float  #: base log-odds of a blessing
    ingest_offset: int  #: ms after midnight of the daily ingestion
    train_offset: int  #: ms after midnight of the first training run of a day
    medians: Medians

    @property
    def horizon(self) -> int:
        """End of simulated time (ms since the epoch)."""
        return EPOCH_START_MS + self.days * DAY

    @property
    def live(self) -> bool:
        """Whether the pipeline lives inside the horizon at all (else it writes nothing)."""
        return self.first_day < self.days and self.last_day > self.first_day

    def node_ids(self) -> list[tuple[str, str]]:
        """(node key, TFX node id) of the pipeline's nodes, in the order their contexts get."""
        nodes = [
            ("example_gen", self.example_gen_type.rsplit(".", 1)[1]),
            ("stats", "StatisticsGen"),
            ("schema", "SchemaGen"),
            ("ev", "ExampleValidator"),
            ("transform", "Transform"),
        ]
        if self.has_tuner:
            nodes.append(("tuner", "Tuner"))
        if self.warm_start:
            nodes.append(("warm", "latest_model_resolver"))
        nodes += [("trainer", "Trainer"), ("base", "latest_blessed_model_resolver")]
        nodes.append(("evaluator", "Evaluator"))
        if self.has_infra:
            nodes.append(("infra", "InfraValidator"))
        if self.has_pusher:
            nodes.append(("pusher", "Pusher"))
        return nodes


class _Shape(NamedTuple):
    """The draws that differ between production and experimental pipelines."""

    first_day: int
    last_day: int
    window: int
    per_day: int
    warm_start: bool
    has_tuner: bool
    has_infra: bool
    has_pusher: bool


def _experimental_shape(rng: random.Random, days: int) -> _Shape:
    r, randint = rng.random, rng.randint
    first_day = randint(0, max(0, days - 2))
    last_day = min(days, first_day + randint(2, 10))
    window = randint(1, 7)
    per_day = randint(4, 12)
    warm_start = r() < 0.5
    has_tuner = r() < 0.1
    return _Shape(first_day, last_day, window, per_day, warm_start, has_tuner, False, False)


def _production_shape(rng: random.Random, days: int) -> _Shape:
    r, randint = rng.random, rng.randint
    first_day = randint(0, 2) if r() < 0.5 else randint(0, max(0, int(days * 0.8)))
    last_day = days
    if r() < 0.08:  # retired before the end of the horizon
        last_day = min(days, first_day + 1 + int((days - first_day) * (0.3 + 0.7 * r())))
    window = rng.choice((1, 2, 3, 3, 5, 7, 7, 7, 10, 14, 14))
    u = r()
    per_day = 1 if u < 0.38 else 2 if u < 0.68 else 3 if u < 0.86 else 4
    warm_start = r() < 0.85
    has_tuner = r() < 0.2
    has_infra = r() < 0.3
    has_pusher = r() < 0.94
    return _Shape(
        first_day, last_day, window, per_day, warm_start, has_tuner, has_infra, has_pusher
    )


def _draw_medians(rng: random.Random, window: int) -> Medians:
    lnv = rng.lognormvariate
    example_gen = 25 * MIN * lnv(0, 0.5)
    stats = 12 * MIN * lnv(0, 0.5)
    schema = 2 * MIN * lnv(0, 0.4)
    validator = 4 * MIN * lnv(0, 0.4)
    transform = 40 * MIN * lnv(0, 0.5) * (1 + 0.08 * window)
    trainer = min(10 * HOUR, max(6 * MIN, 75 * MIN * lnv(0, 0.9))) * (0.8 + 0.04 * window)
    tuner = 4 * trainer
    evaluator = 15 * MIN * lnv(0, 0.5)
    infra = 8 * MIN * lnv(0, 0.4)
    pusher = 1.5 * MIN * lnv(0, 0.4)
    return Medians(
        example_gen, stats, schema, validator, transform, trainer, tuner, evaluator, infra, pusher
    )


def draw_profile(rng: random.Random, index: int, days: int) -> PipelineProfile:
    """Draw pipeline ``index``'s profile from the start of its random stream ``rng``."""
    r = rng.random
    experimental = r() < 0.22
    team = rng.choice(TEAMS)
    task = rng.choice(TASKS)
    name = f"team-{team}-{task}-{'exp' if experimental else 'model'}-{index:04d}"
    example_gen_type = CSV_EXAMPLE_GEN if r() < 0.65 else IMPORT_EXAMPLE_GEN
    shape = _experimental_shape(rng, days) if experimental else _production_shape(rng, days)
    tune_every = rng.randint(7, 30) * DAY
    materialize = r() < 0.5
    schema_history = r() < 0.5
    trainer_cache = r() < 0.5 and not experimental  # experiments change their exec properties
    p_delay = 0.08 * r()
    p_schema_change = 0.01 + 0.05 * r()
    p_anomaly = 0.03 + 0.22 * r()
    p_ingest_fail = 0.002 + 0.018 * r()
    p_train_fail = 0.01 + 0.07 * r()
    p_infra_reject = 0.005 + 0.025 * r()
    bless_base = rng.gauss(BLESS_BASE_MEAN, BLESS_BASE_SD)
    ingest_offset = int(6 * HOUR * r())
    train_offset = ingest_offset + int((2 + 3 * r()) * HOUR)
    medians = _draw_medians(rng, shape.window)  # the last draws of the profile
    return PipelineProfile(
        index=index,
        days=days,
        name=name,
        root=f"gs://team-{team}-tfx/{name}",
        experimental=experimental,
        example_gen_type=example_gen_type,
        **shape._asdict(),
        tune_every=tune_every,
        materialize=materialize,
        schema_history=schema_history,
        trainer_cache=trainer_cache,
        p_delay=p_delay,
        p_schema_change=p_schema_change,
        p_anomaly=p_anomaly,
        p_ingest_fail=p_ingest_fail,
        p_train_fail=p_train_fail,
        p_cancel=0.004,
        p_infra_reject=p_infra_reject,
        bless_base=bless_base,
        ingest_offset=ingest_offset,
        train_offset=train_offset,
        medians=medians,
    )


def draw_drift(rng: random.Random, profile: PipelineProfile) -> list[float]:
    """The hidden drift of model quality, one value per day (AR(1), stationary from its start).

    Only its effects (blessings) are recorded. Index by day; days before the pipeline's first
    day are 0.0.
    """
    drift = [0.0] * (profile.days + 1)
    level = rng.gauss(0, DRIFT_SD / (1 - DRIFT_RHO**2) ** 0.5)
    for d in range(profile.first_day, profile.days + 1):
        level = DRIFT_RHO * level + rng.gauss(0, DRIFT_SD)
        drift[d] = level
    return drift
