"""One pipeline's simulation: profile, drift, daily ingestion, then the training runs.

Pipeline *i* draws everything from its own ``random.Random`` stream seeded with ``(seed, i)``,
so it is the same pipeline in a corpus of any size and whatever the number of workers. The
phases run in this order and share the stream: ``draw_profile``, ``draw_drift`` (live pipelines
only), ``Ingestion.run`` (every day), ``Training.run`` (every day).
"""

from __future__ import annotations

import random

from graphlets.synth.ingestion import Ingestion
from graphlets.synth.profile import draw_drift, draw_profile
from graphlets.synth.sink import ChunkSink, PipelineRecorder
from graphlets.synth.steps import Env
from graphlets.synth.training import Training


def simulate_pipeline(
    index: int, seed: int, days: int, tid: dict[str, int], sink: ChunkSink, st: dict[str, int]
) -> None:
    """Simulate pipeline ``index`` over ``days``, appending its rows to ``sink``.

    ``tid`` maps type names to the store's type ids; ``st`` (``GenerateStats`` fields) counts.
    """
    rng = random.Random(f"graphlets-generate/{seed}/{index}")
    profile = draw_profile(rng, index, days)
    if not profile.live:
        return
    st["pipelines"] += 1
    st["experimental_pipelines"] += profile.experimental
    drift = draw_drift(rng, profile)
    env = Env(profile, rng, PipelineRecorder(sink, profile, tid, st), profile.horizon)
    ingestion = Ingestion(env)
    ingestion.run()
    Training(env, ingestion, drift).run()
