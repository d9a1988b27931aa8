"""A small-scale run of the benchmark end to end (the full scale is `make bench`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    result = run_cli(
        "bench", "--out", str(out), "--pipelines", "6", "--days", "6", "--seed", "3", timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / "results.json").read_text())
    steps = {s["name"]: s for s in report["steps"]}
    for name in (
        "generate",
        "load (all but the last day, empty warehouse)",
        "dbt build (full)",
        "load (one more day)",
        "dbt build (incremental, one more day)",
        "peer: naive recursive CTE (no stop rules)",
        "peer: ml-metadata get_lineage_subgraph",
    ):
        assert steps[name]["ok"], (name, steps[name]["note"])
        assert steps[name]["seconds"] > 0 and steps[name]["peak_rss_mb"] > 10
    assert any(
        s.startswith("dbt build (full, memory_limit=") and s_["ok"] for s, s_ in steps.items()
    )
    mlmd = steps["peer: ml-metadata get_lineage_subgraph"]["extra"]
    assert mlmd["models"] > 0 and mlmd["extrapolated_seconds_all_trainers"] > 0
    assert report["rows"]["marts.fct_graphlets"] > 0
    markdown = (out / "results.md").read_text()
    assert "| dbt build (full) |" in markdown and report["machine"] in markdown
