"""The benchmark: generate, load, build, refresh one more day, report, the peers, end to end.

Every step runs as its own process (the real `graphlets` commands where there is one), so
its wall time and peak resident memory (``os.wait4``'s ``ru_maxrss``) are its own. Results
go to ``OUT/results.json`` and ``OUT/results.md``; the README quotes the latest full-scale
run. The machine is shared and noisy: compare ratios within one run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from graphlets.core.errors import GraphletsError
from graphlets.core.project import CHECKOUT, dbt_work_dir
from graphlets.core.warehouse import one_row
from graphlets.synth.timetravel import cut_store, time_range

DAY_MS = 86_400_000
HERE = Path(__file__).resolve().parent
# The benchmark is a developer tool: it runs from a checkout (its .venv-mlmd peer too).
REPO = CHECKOUT
MLMD_VENV = REPO / ".venv-mlmd"
LOAD_STEP = "load (all but the last day, empty warehouse)"
FULL_STEP = "dbt build (full)"
CORE_STEP = "dbt build (core: +fct_graphlets +fct_executions, full refresh)"
FLOOR_STEP = "floor: the core as plain SQL from the store (graph, walks, outcomes, costs)"


@dataclass(frozen=True)
class BenchConfig:
    out: Path
    pipelines: int = 3000
    days: int = 120
    seed: int = 0
    store: Path | None = None  # reuse an existing generated store
    memory_limit: str = "3GB"
    peers: bool = True
    mlmd_sample: int = 200
    naive_timeout_s: float = 600.0


@dataclass
class Step:
    name: str
    seconds: float
    peak_rss_mb: float
    ok: bool
    note: str = ""
    extra: dict = field(default_factory=dict)
    # CPU time (user + system) of the step's process: on a shared machine it moves far
    # less than wall time with what else runs, so its ratio to the floor is the steadier.
    cpu_seconds: float = 0.0
    # The 1-minute load average when the step started: how busy the machine was.
    load_average: float = 0.0


def _run(
    name: str,
    argv: list[str],
    env: dict | None = None,
    timeout: float | None = None,
    cwd: Path = REPO,
) -> Step:
    """Run one step as a child process; its own wall time, CPU time and peak RSS."""
    load = os.getloadavg()[0]
    started = time.monotonic()
    log = subprocess.DEVNULL
    proc = subprocess.Popen(
        argv, cwd=cwd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.PIPE
    )
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return Step(
                name,
                time.monotonic() - started,
                usage.ru_maxrss / 1024,
                False,
                f"stopped after the {timeout:.0f}s limit",
                cpu_seconds=usage.ru_utime + usage.ru_stime,
                load_average=load,
            )
        time.sleep(0.05)
    seconds = time.monotonic() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    ok = os.waitstatus_to_exitcode(status) == 0
    note = "" if ok else _error_line(err)
    cpu = usage.ru_utime + usage.ru_stime
    return Step(name, seconds, usage.ru_maxrss / 1024, ok, note, cpu_seconds=cpu, load_average=load)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphlets.cli", *args]


def _row_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'marts') and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
        return {t: one_row(con, f"select count(*) from {t}")[0] for (t,) in tables}
    finally:
        con.close()


def run(config: BenchConfig, say: Callable[[str], None] = print) -> dict:
    out = config.out
    out.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []

    def record(step: Step) -> Step:
        steps.append(step)
        mark = "ok" if step.ok else f"FAILED: {step.note}"
        say(f"{step.name}: {step.seconds:.1f}s, peak {step.peak_rss_mb:,.0f} MB ({mark})")
        return step

    store = config.store or out / "mlmd.sqlite"
    if config.store is None:
        store.unlink(missing_ok=True)
        record(
            _run(
                "generate",
                _cli(
                    "generate",
                    "--pipelines",
                    str(config.pipelines),
                    "--days",
                    str(config.days),
                    "--seed",
                    str(config.seed),
                    "--out",
                    str(store),
                ),
            )
        )
    if not store.exists():
        raise GraphletsError(f"no store at {store}", "the generate step failed; see above")

    # The store one day earlier: the full load and build run on it, then the last day lands
    # as an incremental refresh.
    _, last = time_range(store)
    previous = out / "mlmd-previous-day.sqlite"
    previous.unlink(missing_ok=True)
    cut_store(store, previous, last - DAY_MS)

    warehouse = out / "warehouse.duckdb"
    for path in (warehouse, out / "warehouse.serving.duckdb"):
        path.unlink(missing_ok=True)
    env = {"GRAPHLETS_WAREHOUSE": str(warehouse)}
    record(
        _run(
            LOAD_STEP,
            _cli("load", "mlmd", str(previous), "--source", "bench"),
            env,
        )
    )
    # The floor: the same core as plain SQL on the same store, in the same run (floor.py).
    record(
        _run(
            FLOOR_STEP,
            [sys.executable, "-m", "graphlets.bench.floor", str(previous)],
        )
    )
    # The core alone (graph, walks, outcomes, costs): what the floor computes.
    record(
        _run(
            CORE_STEP,
            _cli("build", "--full-refresh", "--select", "+fct_graphlets +fct_executions"),
            env,
        )
    )
    full = record(_run(FULL_STEP, _cli("build", "--full-refresh"), env))
    _note_slowest_models(full, warehouse)
    record(_run("load (one more day)", _cli("load", "mlmd", str(store), "--source", "bench"), env))
    record(_run("dbt build (incremental, one more day)", _cli("build"), env))
    # The capped full rebuild runs on the same warehouse (a full refresh rebuilds every
    # model from raw): a copy of a paper-scale warehouse plus DuckDB's spill files once
    # filled the disk.
    record(
        _run(
            f"dbt build (full, memory_limit={config.memory_limit})",
            _cli("build", "--full-refresh"),
            {**env, "GRAPHLETS_MEMORY_LIMIT": config.memory_limit},
        )
    )

    record(_report(out / "report", env))

    counts = _row_counts(warehouse)
    trainers = counts.get("marts.fct_graphlets", 0)

    if config.peers:
        record(_naive_cte(warehouse, config))
        record(_mlmd_client(store, out, config, trainers))

    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "config": {k: str(v) for k, v in asdict(config).items()},
        "steps": [asdict(s) for s in steps],
        "rows": counts,
    }
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "results.md").write_text(to_markdown(result))
    return result


def _note_slowest_models(step: Step, warehouse: Path, n: int = 10) -> None:
    """The build's slowest dbt nodes, from dbt's run_results.json, so the next one to make
    faster is always visible."""
    results = dbt_work_dir(warehouse) / "target" / "run_results.json"
    if not results.exists():
        return
    timings = sorted(
        (
            (r.get("execution_time") or 0.0, r["unique_id"].split(".")[-1])
            for r in json.loads(results.read_text()).get("results", [])
        ),
        reverse=True,
    )[:n]
    step.extra["slowest_nodes"] = [{"node": name, "seconds": t} for t, name in timings]
    slowest = ", ".join(f"{name} {t:.1f}s" for t, name in timings[:5])
    step.note = f"{step.note}; slowest: {slowest}" if step.note else f"slowest: {slowest}"


def _error_line(stderr: str) -> str:
    """The line of a failed step's stderr that says what went wrong (not a trailing hint)."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()] or ["failed"]
    errors = [line for line in lines if "Error" in line or line.startswith("error:")]
    return (errors or lines)[-1][:300]


def _report(site: Path, env: dict) -> Step:
    """`graphlets report` on the published snapshot: its time, and the site's pages and size."""
    shutil.rmtree(site, ignore_errors=True)
    step = _run("report (graphlets report, default pages)", _cli("report", "--out", str(site)), env)
    index = site / "index.html"
    if step.ok and index.is_file():
        files = [p for p in site.rglob("*") if p.is_file()]
        step.extra = {
            "pages": sum(1 for p in files if p.suffix == ".html"),
            "site_bytes": sum(p.stat().st_size for p in files),
            "index_bytes": index.stat().st_size,
        }
        step.note = (
            f"{step.extra['pages']:,} pages, {step.extra['site_bytes'] / 1e6:,.1f} MB "
            f"(index.html {step.extra['index_bytes'] / 1e3:,.0f} kB)"
        )
    return step


def _naive_cte(warehouse: Path, config: BenchConfig) -> Step:
    """The peer a user would write first: every trainer's upstream closure, no stop rules."""
    script = HERE / "naive_cte.py"
    step = _run(
        "peer: naive recursive CTE (no stop rules)",
        [sys.executable, str(script), str(warehouse), config.memory_limit],
        timeout=config.naive_timeout_s,
    )
    return step


def _mlmd_client(store: Path, out: Path, config: BenchConfig, trainers: int) -> Step:
    """Google's ML Metadata client library (its own venv: it needs protobuf<5)."""
    python = MLMD_VENV / "bin" / "python"
    if not python.exists():
        setup = _run("peer: ml-metadata venv setup", [sys.executable, "-m", "venv", str(MLMD_VENV)])
        if setup.ok:
            setup = _run(
                "peer: ml-metadata install",
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                    str(REPO / "requirements-mlmd.txt"),
                ],
            )
        if not setup.ok:
            return Step("peer: ml-metadata get_lineage_subgraph", 0, 0, False, setup.note)
    report = out / "mlmd-lineage.json"
    report.unlink(missing_ok=True)
    step = _run(
        "peer: ml-metadata get_lineage_subgraph",
        [
            str(python),
            str(HERE / "mlmd_lineage.py"),
            str(store),
            str(config.mlmd_sample),
            str(report),
        ],
        timeout=config.naive_timeout_s,
    )
    # The script rewrites its report after every model, so a run stopped at the time limit
    # still tells how far it got.
    if report.exists():
        sample = json.loads(report.read_text())
        if sample["models"]:
            per_model = sample["seconds"] / sample["models"]
            step.extra = {
                **sample,
                "seconds_per_model": per_model,
                "extrapolated_seconds_all_trainers": per_model * trainers,
            }
            stopped = "" if step.ok else f"{step.note}; "
            step.note = (
                f"{stopped}{sample['models']} models in {sample['seconds']:.0f}s after "
                f"{sample['setup_seconds']:.0f}s to open the store, "
                f"{per_model * 1000:.1f} ms each; "
                f"extrapolated to {trainers:,} trainers: {per_model * trainers:,.0f}s"
            )
    return step


def _machine() -> str:
    cpus = os.cpu_count()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return (
        f"{platform.system()} {platform.machine()}, {cpus} cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}"
    )


def _combined_ratios(steps: list[dict], floor: dict | None) -> list[str]:
    """Load + build against the floor: the floor reads the store itself, so the load counts."""
    done = {s["name"]: s for s in steps if s["ok"]}
    load = done.get(LOAD_STEP)
    if not floor or load is None:
        return []
    lines = [""]
    for label, name in (("core", CORE_STEP), ("full", FULL_STEP)):
        if name in done:
            wall = load["seconds"] + done[name]["seconds"]
            cpu = load.get("cpu_seconds", 0.0) + done[name].get("cpu_seconds", 0.0)
            lines.append(
                f"load + {label} build: {wall:.1f} s = {wall / floor['seconds']:.1f}x the "
                f"floor's wall time; {cpu:.1f} CPU s = {_ratio(cpu, floor)}x its CPU time."
            )
    return lines


def _ratio(cpu: float, floor: dict) -> str:
    return f"{cpu / floor['cpu_seconds']:.1f}" if floor.get("cpu_seconds") else ""


def to_markdown(result: dict) -> str:
    lines = [
        f"Benchmark of {result['date']} on {result['machine']}; "
        f"corpus: {result['config']['pipelines']} pipelines x {result['config']['days']} days "
        f"(seed {result['config']['seed']}).",
        "",
        "| step | wall time (s) | x floor | CPU time (s) | x floor | peak RSS (MB) "
        "| load avg | ok | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    floor = next((s for s in result["steps"] if s["name"] == FLOOR_STEP and s["ok"]), None)
    for s in result["steps"]:
        note = s["note"].replace("|", "/")
        cpu = s.get("cpu_seconds", 0.0)
        ratio = f"{s['seconds'] / floor['seconds']:.1f}" if floor else ""
        cpu_ratio = _ratio(cpu, floor) if floor else ""
        lines.append(
            f"| {s['name']} | {s['seconds']:.1f} | {ratio} | {cpu:.1f} | {cpu_ratio} | "
            f"{s['peak_rss_mb']:,.0f} | {s.get('load_average', 0.0):.1f} | "
            f"{'yes' if s['ok'] else 'no'} | {note} |"
        )
    lines += _combined_ratios(result["steps"], floor)
    lines += ["", "| table | rows |", "|---|---:|"]
    lines += [f"| {t} | {n:,} |" for t, n in result["rows"].items()]
    return "\n".join(lines) + "\n"
