"""What every simulation step of one pipeline shares, and the steps more than one phase uses.

``Env`` bundles the pipeline's profile, its random stream and its recorder. ``resolve`` is a
Resolver execution (the warm-start and the baseline resolvers); ``latest`` picks what a Resolver
finds. Every step draws from ``env.rng`` in the order of the original single-function
simulation: the stores must not change (the golden test in ``tests/test_generate.py``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TypeVar

from graphlets.synth.profile import PipelineProfile
from graphlets.synth.sink import PipelineRecorder
from graphlets.synth.tfx import (
    COMPLETE,
    FAILED,
    INTERNAL_OUTPUT,
    RESOLVER,
    RESOLVER_ERROR,
    RUNNING,
    SEC,
)

T = TypeVar("T", bound=tuple)


@dataclass(frozen=True)
class Env:
    """One pipeline's simulation context: its profile, random stream and recorder."""

    profile: PipelineProfile
    rng: random.Random
    rec: PipelineRecorder
    horizon: int  #: end of simulated time (ms); nothing starts at or after it

    def gap(self) -> int:
        """Orchestrator latency between dependent executions: 2-30 s."""
        return 2 * SEC + int(28 * SEC * self.rng.random())


def latest(items: list[T], t: int) -> T | None:
    """The item with the latest end (``item[0]``) <= t among the last few (ends nearly sorted)."""
    best = None
    for item in reversed(items[-16:]):
        if item[0] <= t and (best is None or item[0] > best[0]):
            best = item
    return best


def resolve(
    env: Env, node: str, start: int, run: int, found: list[tuple[int, str]] | None
) -> int | None:
    """A Resolver execution: INTERNAL_OUTPUT events on what it found, FAILED if nothing.

    Returns its end, or None when the horizon cuts it (recorded RUNNING).
    """
    rec = env.rec
    t_resolver = rec.tid[RESOLVER]
    end = start + 300 + int(1700 * env.rng.random())
    if end >= env.horizon:
        rec.execution(t_resolver, RUNNING, start, start, run, node)
        return None
    if found is None:
        rec.execution(t_resolver, FAILED, start, end, run, node, RESOLVER_ERROR)
        rec.stats["resolver_misses"] += 1
        return end
    x = rec.execution(t_resolver, COMPLETE, start, end, run, node)
    for a, key in found:
        rec.event(a, x, INTERNAL_OUTPUT, end, key, 0)
    return end
