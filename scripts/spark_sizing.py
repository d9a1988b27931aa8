"""Size the Spark build (docs/spark.md, "Sizing"): build generated corpora of a few scales on
DuckDB and on the local SparkSession, and print each build's wall time, CPU time (the whole
process tree: the JVM included) and peak resident memory, then a linear fit in the number of
pipelines and its extrapolation to 1x, 10x and 100x the study's 3000 pipelines.

    .venv/bin/python scripts/spark_sizing.py --pipelines 30 300 --days 120 --out /tmp/sizing

Each scale is generated with `graphlets generate` (120 days, as the study) into --out.
GRAPHLETS_SPARK_DRIVER_MEMORY (default 2g) sizes the local session's JVM.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

STUDY_PIPELINES = 3000
CLOCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def _tree(root: int) -> dict[int, tuple[float, float]]:
    """pid -> (CPU seconds, RSS MB) of `root` and every process below it, from /proc."""
    parents: dict[int, int] = {}
    stats: dict[int, tuple[float, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        stats[pid] = ((int(fields[11]) + int(fields[12])) / CLOCK, int(fields[21]) * PAGE / 2**20)
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return {pid: stats[pid] for pid in tree if pid in stats}


def measure(argv: list[str], env: dict[str, str]) -> Measured:
    """Run `argv`; sample its process tree twice a second (CPU of processes that end
    between two samples is counted up to the last sample)."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    cpu: dict[int, float] = {}
    peak = 0.0
    while proc.poll() is None:
        sample = _tree(proc.pid)
        for pid, (seconds, _) in sample.items():
            cpu[pid] = max(cpu.get(pid, 0.0), seconds)
        peak = max(peak, sum(rss for _, rss in sample.values()))
        time.sleep(0.5)
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(argv)} failed (exit {proc.returncode})")
    return Measured(time.monotonic() - started, sum(cpu.values()), peak)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphlets.cli", *args]


def fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares line (fixed, per pipeline) through (pipelines, value)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if len(set(args.pipelines)) < 2:
        sys.exit("error: give at least two different --pipelines to fit a line")
    rows = []
    for pipelines in sorted(args.pipelines):
        folder = args.out / f"p{pipelines}"
        folder.mkdir(parents=True, exist_ok=True)
        store, warehouse = folder / "mlmd.sqlite", folder / "warehouse.duckdb"
        if not store.exists():
            measure(cli("generate", "--pipelines", str(pipelines), "--days", str(args.days),
                        "--out", str(store)), {})  # fmt: skip
        if not warehouse.exists():
            measure(cli("--warehouse", str(warehouse), "load", "mlmd", str(store)), {})
        duck = measure(cli("--warehouse", str(warehouse), "--quiet", "build", "--full-refresh"), {})
        spark = measure(cli("--warehouse", str(warehouse), "--quiet", "build", "--target", "spark"),
                        {})  # fmt: skip
        rows.append((pipelines, duck, spark))
        print(
            f"{pipelines} pipelines x {args.days} days: DuckDB {duck.seconds:.0f} s "
            f"({duck.cpu_seconds:.0f} CPU s, {duck.peak_rss_mb:,.0f} MB); Spark "
            f"{spark.seconds:.0f} s ({spark.cpu_seconds:.0f} CPU s, {spark.peak_rss_mb:,.0f} MB)",
            flush=True,
        )
    print("\n| scale | pipelines | Spark wall (s) | Spark CPU (s) | DuckDB CPU (s) |")
    print("|---|---:|---:|---:|---:|")
    for pipelines, duck, spark in rows:
        print(
            f"| measured | {pipelines:,} | {spark.seconds:,.0f} | {spark.cpu_seconds:,.0f} | "
            f"{duck.cpu_seconds:,.0f} |"
        )
    wall = fit([(p, s.seconds) for p, _, s in rows])
    cpu = fit([(p, s.cpu_seconds) for p, _, s in rows])
    duck_cpu = fit([(p, d.cpu_seconds) for p, d, _ in rows])
    for factor in (1, 10, 100):
        p = STUDY_PIPELINES * factor
        print(
            f"| {factor}x (extrapolated) | {p:,} | {wall[0] + wall[1] * p:,.0f} | "
            f"{cpu[0] + cpu[1] * p:,.0f} | {duck_cpu[0] + duck_cpu[1] * p:,.0f} |"
        )
    print(
        f"\nfit: Spark wall = {wall[0]:.0f} s + {wall[1]:.3f} s per pipeline; "
        f"CPU = {cpu[0]:.0f} s + {cpu[1]:.3f} s per pipeline"
    )


if __name__ == "__main__":
    main()
