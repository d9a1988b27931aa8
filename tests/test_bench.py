"""A small-scale run of the benchmark end to end (the full scale is `make bench`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphlets.bench.run import CORE_STEP, FLOOR_STEP, LOAD_STEP, to_markdown
from tests.conftest import run_cli


@pytest.mark.slow
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
        "dbt build (core: +fct_graphlets +fct_executions, full refresh)",
        "dbt build (full)",
        "load (one more day)",
        "dbt build (incremental, one more day)",
        "peer: naive recursive CTE (no stop rules)",
        "peer: ml-metadata get_lineage_subgraph",
    ):
        assert steps[name]["ok"], (name, steps[name]["note"])
        assert steps[name]["seconds"] > 0 and steps[name]["peak_rss_mb"] > 10
        assert steps[name]["cpu_seconds"] > 0 and steps[name]["load_average"] >= 0
    assert any(
        s.startswith("dbt build (full, memory_limit=") and s_["ok"] for s, s_ in steps.items()
    )
    site = steps["report (graphlets report, default pages)"]
    assert site["ok"], site["note"]
    assert site["seconds"] > 0 and site["peak_rss_mb"] > 10
    pages = list((out / "report").rglob("*.html"))
    assert site["extra"]["pages"] == len(pages) > 2  # index, pipelines.html, a pipeline...
    assert site["extra"]["index_bytes"] == (out / "report" / "index.html").stat().st_size > 0
    assert site["extra"]["site_bytes"] > site["extra"]["index_bytes"]
    assert f"{len(pages):,} pages" in site["note"]
    mlmd = steps["peer: ml-metadata get_lineage_subgraph"]["extra"]
    assert mlmd["models"] > 0 and mlmd["extrapolated_seconds_all_trainers"] > 0
    assert report["rows"]["marts.fct_graphlets"] > 0
    markdown = (out / "results.md").read_text()
    assert "| report (graphlets report, default pages) |" in markdown
    assert "| dbt build (full) |" in markdown and report["machine"] in markdown
    assert "load + core build: " in markdown and "load + full build: " in markdown


def test_the_table_gives_each_step_and_load_plus_build_against_the_floor() -> None:
    def step(name: str, seconds: float, cpu: float) -> dict:
        return {
            "name": name,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "peak_rss_mb": 100.0,
            "load_average": 1.5,
            "ok": True,
            "note": "a | b",
        }

    result = {
        "date": "2026-12-04",
        "machine": "m",
        "config": {"pipelines": 3, "days": 4, "seed": 0},
        "steps": [
            step(LOAD_STEP, 30.0, 40.0),
            step(FLOOR_STEP, 20.0, 25.0),
            step(CORE_STEP, 50.0, 60.0),
            step("dbt build (full)", 130.0, 210.0),
        ],
        "rows": {"marts.fct_graphlets": 7},
    }
    markdown = to_markdown(result)
    assert f"| {CORE_STEP} | 50.0 | 2.5 | 60.0 | 2.4 | 100 | 1.5 | yes | a / b |" in markdown
    assert "load + core build: 80.0 s = 4.0x the floor's wall time; 100.0 CPU s = 4.0x" in markdown
    assert (
        "load + full build: 160.0 s = 8.0x the floor's wall time; 250.0 CPU s = 10.0x" in markdown
    )
