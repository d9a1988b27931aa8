"""The daily job: load every source of the project file, then build and publish.

Each load is all or nothing on its own (the loaders' contract), so a source that fails
leaves its raw tables as they were and the others still load. When any load failed the
build is skipped: readers keep the previous snapshot rather than one where a source is
silently a day behind, and the loads that succeeded are built by the next refresh. A failed
build publishes nothing either (:func:`graphlets.build.dbt.build`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graphlets.build.dbt import BuildSummary, build, outdated_incremental_tables
from graphlets.core.errors import GraphletsError
from graphlets.refresh.config import Project, SourceEntry
from loaders.result import LoadResult


@dataclass(frozen=True)
class SourceOutcome:
    """One source's load: its result, or the one-line error that stopped it."""

    source: SourceEntry
    seconds: float
    result: LoadResult | None = None
    error: str | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did: every source's load, then the build (None when skipped)."""

    warehouse: Path
    sources: tuple[SourceOutcome, ...] = field(default_factory=tuple)
    build: BuildSummary | None = None

    @property
    def failed(self) -> tuple[SourceOutcome, ...]:
        return tuple(s for s in self.sources if not s.ok)


def refresh(
    project: Project,
    warehouse: Path,
    *,
    full_refresh: bool = False,
    on_source: Callable[[SourceOutcome], None] | None = None,
    on_build_start: Callable[[list[str]], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> RefreshReport:
    """Load each source in file order, then build and publish when every load succeeded.

    Returns the report; raises only for a failed build (:class:`BuildError`), after the
    loads, so the caller has already seen every source's outcome through ``on_source``.
    """
    outcomes = []
    for source in project.spec.sources:
        outcome = _load_one(project, source, warehouse, on_wait)
        outcomes.append(outcome)
        if on_source is not None:
            on_source(outcome)
    report = RefreshReport(warehouse, tuple(outcomes))
    if report.failed:
        return report
    outdated = [] if full_refresh else outdated_incremental_tables(warehouse)
    if on_build_start is not None:
        on_build_start(outdated)
    args = ["--full-refresh"] if full_refresh or outdated else []
    summary = build(warehouse, args, vars=dict(project.spec.vars) or None)
    return RefreshReport(warehouse, report.sources, summary)


def _load_one(
    project: Project,
    source: SourceEntry,
    warehouse: Path,
    on_wait: Callable[[str], None] | None,
) -> SourceOutcome:
    """Load one source; a :class:`GraphletsError` becomes the outcome's error line."""
    started = time.monotonic()
    try:
        result = _loader(source.kind)(project, source, warehouse, on_wait)
    except GraphletsError as exc:
        return SourceOutcome(
            source, time.monotonic() - started, error=exc.message, exit_code=exc.exit_code
        )
    return SourceOutcome(source, time.monotonic() - started, result=result)


Loader = Callable[[Project, SourceEntry, Path, Callable[[str], None] | None], LoadResult]


def _loader(kind: str) -> Loader:
    return {"mlmd": _load_mlmd, "openlineage": _load_openlineage, "mlflow": _load_mlflow}[kind]


def _load_mlmd(project: Project, source: SourceEntry, warehouse: Path, on_wait) -> LoadResult:
    from loaders.mlmd import load_mlmd

    return load_mlmd(warehouse, project.location(source) or "", source.name, on_wait=on_wait)


def _load_openlineage(
    project: Project, source: SourceEntry, warehouse: Path, on_wait
) -> LoadResult:
    from loaders.openlineage import load_openlineage

    location = project.location(source)
    path = Path(location) if location is not None else None
    return load_openlineage(warehouse, path, source.name, on_wait=on_wait)


def _load_mlflow(project: Project, source: SourceEntry, warehouse: Path, on_wait) -> LoadResult:
    from loaders.mlflow import load_mlflow

    return load_mlflow(warehouse, project.location(source) or "", source.name, on_wait=on_wait)
