"""The `graphlets` command: a thin shell over the loaders, the generator and dbt.

It parses arguments, shows progress, maps errors to one-line messages and exit codes, and
calls typed functions. Nothing here knows SQL beyond the summary it prints.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphlets.core.errors import GraphletsError
from graphlets.core.text import printable
from graphlets.core.warehouse import WAREHOUSE_ENV, resolve_warehouse
from graphlets.readers import summary
from graphlets.readers.site_names import DEFAULT_LATEST, DEFAULT_MOST_WASTEFUL

if TYPE_CHECKING:
    from graphlets.refresh import SourceOutcome
    from graphlets.synth.generate import GenerateStats
    from loaders.result import LoadResult

# Progress and info lines (silenced by --quiet), errors and warnings (never silenced), and
# results. rich writes colour only to a terminal, and none when $NO_COLOR is set.
err = Console(stderr=True, highlight=False)
alert = Console(stderr=True, highlight=False)
out = Console(highlight=False)

USAGE_EXIT = 1  # README: 1 is bad usage; click's own 2 means a bad source here


def shown(value: object) -> str:
    """A name, path or message as rich prints it literally: markup and controls escaped."""
    return escape(printable(value))


def _usage_exit(exc: click.UsageError) -> None:
    # click declares exit_code on the class (2); this error, and only it, exits 1.
    setattr(exc, "exit_code", USAGE_EXIT)  # noqa: B010


class GraphletsGroup(click.Group):
    """Turns every error into one line on stderr and a non-zero exit, never a traceback;
    usage errors (unknown option, missing argument, bad choice) exit 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: object,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            _usage_exit(exc)
            raise

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GraphletsError as exc:
            alert.print(f"[bold red]error:[/] {shown(exc.message)}", soft_wrap=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            alert.print("[bold red]interrupted[/]: nothing was committed by the interrupted step")
            sys.exit(130)
        except click.UsageError as exc:  # a subcommand's arguments, or raised by a command
            _usage_exit(exc)
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("GRAPHLETS_DEBUG"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            alert.print(
                f"[bold red]error:[/] internal error ({shown(type(exc).__name__)}: "
                f"{shown(first)}); rerun with GRAPHLETS_DEBUG=1 for a traceback and report it",
                soft_wrap=True,
            )
            sys.exit(70)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _warehouse(ctx: click.Context) -> Path:
    return resolve_warehouse(ctx.obj["warehouse"])


@contextmanager
def _progress(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, fed as update(label, done, total)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[label]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal or err.quiet,
    ) as bar:
        task = bar.add_task(description, total=None, label="")

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, label=shown(label))

        yield update


def _wait_notice(message: str) -> None:
    err.print(f"[yellow]{shown(message)}[/]", soft_wrap=True)


def _quiet(ctx: click.Context) -> bool:
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("quiet"))


@click.group(cls=GraphletsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse DuckDB file [default: $GRAPHLETS_WAREHOUSE, else ./warehouse.duckdb].",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress or info lines (nor dbt's); errors and results still print.",
)
@click.version_option(package_name="graphlets")
@click.pass_context
def main(ctx: click.Context, warehouse: Path | None, quiet: bool) -> None:
    """graphlets: model graphlets, compute waste and pruning for ML pipeline provenance."""
    ctx.ensure_object(dict)
    ctx.obj["warehouse"] = warehouse
    ctx.obj["quiet"] = quiet
    err.quiet = quiet


@main.group()
def load() -> None:
    """Load provenance from a source into the warehouse's raw tables."""


@load.command("mlmd")
@click.argument("store")
@click.option(
    "--source",
    "source_name",
    default=None,
    help="Name of the source in the warehouse [default: file stem / database].",
)
@click.option(
    "--full",
    is_flag=True,
    help="Compare every row of every table instead of re-reading only the rows that can "
    "have changed since the last load.",
)
@click.pass_context
def load_mlmd_cmd(ctx: click.Context, store: str, source_name: str | None, full: bool) -> None:
    """Load an ML Metadata STORE: a SQLite file or mysql://user:pass@host:port/db.

    Idempotent and incremental: rows new or changed since the last load of the same
    source are written, nothing else. Tables that grow (executions, artifacts, events, ...)
    are re-read from where the last load stopped, and the rest of each is verified by a
    fingerprint; any difference there means a full compare of that table. The load is all
    or nothing. Rows the warehouse cannot store faithfully are quarantined with the reason
    (raw._quarantine).
    """
    from loaders.mlmd import load_mlmd

    warehouse = _warehouse(ctx)
    with _progress("loading") as update:
        result = load_mlmd(
            warehouse, store, source_name, progress=update, on_wait=_wait_notice, full=full
        )
    _report_load(result)


def _report_load(result: LoadResult) -> None:
    """One line of counts for a store load, a table of the tables that changed, and the
    quarantined rows per table and reason."""
    seconds = (result.finished_at - result.started_at).total_seconds()
    changed = [t for t in result.tables if t.rows_new or t.rows_updated or t.rows_deleted]
    err.print(
        f"loaded [bold]{shown(result.location)}[/] as source [bold]{shown(result.source_id)}[/] "
        f"(load {result.load_id}) in {seconds:.1f}s: {result.rows_read:,} rows read, "
        f"{result.rows_accepted:,} accepted, {result.rows_quarantined:,} quarantined; "
        f"{result.rows_changed:,} changed",
        soft_wrap=True,
    )
    if changed:
        table = Table("table", "read", "new", "updated", "deleted", box=None)
        for t in changed:
            table.add_row(
                shown(t.table),
                f"{t.rows_read:,}",
                f"{t.rows_new:,}",
                f"{t.rows_updated:,}",
                f"{t.rows_deleted:,}",
            )
        err.print(table)
    fallback = [t.table for t in result.tables if t.mode == "fallback"]
    if fallback:
        err.print(
            "compared in full because rows behind the last load changed: "
            + shown(", ".join(fallback)),
            soft_wrap=True,
        )
    quarantined = [t for t in result.tables if t.rows_quarantined]
    if quarantined:
        err.print(
            f"[yellow]quarantined {result.rows_quarantined:,} rows the warehouse cannot "
            "store faithfully (listed with the reason in raw._quarantine):[/]",
            soft_wrap=True,
        )
        for t in quarantined:
            reasons = shown(", ".join(f"{reason}: {n:,}" for reason, n in t.reasons))
            err.print(
                f"  {shown(t.table)}: {t.rows_read:,} read = {t.rows_accepted:,} accepted + "
                f"{t.rows_quarantined:,} quarantined ({reasons})",
                soft_wrap=True,
                highlight=False,
            )


@load.command("mlflow")
@click.argument("store")
@click.option(
    "--source",
    "source_name",
    default=None,
    help="Name of the source in the warehouse [default: the store file's name / database].",
)
@click.pass_context
def load_mlflow_cmd(ctx: click.Context, store: str, source_name: str | None) -> None:
    """Load an MLflow tracking STORE, given as its tracking URI: sqlite:///PATH (or a path to
    the SQLite file), postgresql://user:pass@host:port/db or mysql://user:pass@host:port/db
    (also postgresql+psycopg2://, mysql+pymysql://); see docs/mlflow.md.

    Idempotent: each table is compared with what the source holds and only the difference
    is written; the aliases and stages model versions hold are recorded with the first load
    that saw them (MLflow forgets where an alias was). All or nothing. Runs without an
    experiment and model versions naming a missing run are quarantined with the reason
    (raw._quarantine).
    """
    from loaders.mlflow import load_mlflow

    result = load_mlflow(_warehouse(ctx), store, source_name, on_wait=_wait_notice)
    _report_load(result)


@load.command("openlineage")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--source",
    "source_name",
    default=None,
    help="Name of the source in the warehouse [default: the file or directory name; "
    "collected events: openlineage].",
)
@click.option(
    "--collected",
    is_flag=True,
    help="Load the events graphlets collect spooled for this warehouse (the default without PATH).",
)
@click.pass_context
def load_openlineage_cmd(
    ctx: click.Context, path: Path | None, source_name: str | None, collected: bool
) -> None:
    """Load OpenLineage events: PATH is a .json, .ndjson or .jsonl file (optionally .gz) or a
    directory of them, as the client's FileTransport writes; without PATH, the events
    graphlets collect took (see docs/openlineage.md).

    Append-only and idempotent: an event already loaded for the source (same canonical
    JSON) is counted as a duplicate, not stored again. All or nothing. Records that are not
    OpenLineage events are quarantined with the reason (raw._quarantine).
    """
    from loaders.openlineage import load_openlineage

    if path is not None and collected:
        raise click.UsageError("pass PATH or --collected, not both")
    with _progress("loading") as update:
        result = load_openlineage(
            _warehouse(ctx), path, source_name, progress=update, on_wait=_wait_notice
        )
    _report_openlineage(result)


def _report_openlineage(result: LoadResult, prefix: str = "") -> None:
    """One line of counts for an OpenLineage load, and one per quarantine reason."""
    (t,) = result.tables
    err.print(
        f"{prefix}loaded [bold]{shown(result.location)}[/] "
        f"as source [bold]{shown(result.source_id)}[/] "
        f"(load {result.load_id}): {t.rows_read:,} records read = {t.rows_new:,} new events + "
        f"{t.rows_accepted - t.rows_new:,} duplicates + {t.rows_quarantined:,} quarantined",
        soft_wrap=True,
    )
    if t.rows_quarantined:
        reasons = shown(", ".join(f"{reason}: {n:,}" for reason, n in t.reasons))
        err.print(
            f"[yellow]quarantined (listed with the reason in raw._quarantine): {reasons}[/]",
            soft_wrap=True,
            highlight=False,
        )


@main.command()
@click.option("--pipelines", type=click.IntRange(min=1), default=3000, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=120, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The SQLite MLMD store to write (must not exist).",
)
def generate(pipelines: int, days: int, seed: int, out: Path) -> None:
    """Write a synthetic, realistic TFX-style ML Metadata store (real MLMD schema)."""
    from graphlets.synth.generate import generate as run_generate

    if out.exists():
        raise GraphletsError(f"{out} already exists", "remove it or choose another --out")
    # A kill (SIGTERM) takes the Ctrl-C path: the workers stop and the half-written store
    # and its scratch parts next to --out are removed.
    signal.signal(signal.SIGTERM, _interrupt)
    with _progress("generating") as update:
        stats = run_generate(
            out,
            pipelines=pipelines,
            days=days,
            seed=seed,
            progress=lambda done, total: update("pipelines", done, total),
        )
    err.print(f"wrote [bold]{shown(out)}[/]:", soft_wrap=True)
    err.print(_stats_table(stats))


def _stats_table(stats: GenerateStats) -> Table:
    """What a generated store holds, one count per line."""
    from dataclasses import asdict

    table = Table("generated", "count", box=None)
    table.columns[1].justify = "right"
    for name, value in asdict(stats).items():
        table.add_row(name.replace("_", " "), f"{value:,}")
    return table


@main.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@click.option("--select", "-s", "select", default=None, help="dbt node selection.")
@click.option(
    "--target",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Where dbt builds: the warehouse file, or Apache Spark (docs/spark.md).",
)
@click.pass_context
def build(ctx: click.Context, full_refresh: bool, select: str | None, target: str) -> None:
    """Run `dbt build` (seeds, models, tests) on the warehouse and print a summary."""
    from graphlets.build.dbt import build as dbt_build
    from graphlets.build.dbt import outdated_incremental_tables
    from graphlets.core.warehouse import exclusive

    warehouse = _warehouse(ctx)
    if target == "spark":
        _build_spark(ctx, warehouse, full_refresh, select)
        return
    # Held from before anything opens the warehouse until the summary has read it: a
    # second build waits here, not half-way through dbt.
    with exclusive(warehouse, on_wait=_wait_notice):
        _load_collected(warehouse)
        if not warehouse.exists():
            raise GraphletsError(
                f"warehouse {warehouse} does not exist", "load a source first: graphlets load mlmd"
            )
        outdated = [] if full_refresh else outdated_incremental_tables(warehouse)
        if outdated:
            err.print(
                f"{shown(', '.join(outdated))} built by an older version of graphlets: "
                "rebuilding from scratch (--full-refresh)"
            )
            full_refresh = True
        result = dbt_build(warehouse, _build_args(full_refresh, select), quiet=_quiet(ctx))
        err.print(f"dbt build: {result.passed} ok, {result.warned} warnings")
        if result.snapshot is not None:
            err.print(
                f"published the read-only snapshot [bold]{shown(result.snapshot.path)}[/]",
                soft_wrap=True,
            )
        summary.print_summary(warehouse, out)


def _build_args(full_refresh: bool, select: str | None) -> list[str]:
    """dbt's arguments for `graphlets build` on either target. With a selection, a test runs
    only when every model it reads is selected: a relationship test to a model left out
    would fail on a missing table."""
    args = ["--full-refresh"] if full_refresh else []
    if select is not None:
        args += ["--select", select, "--indirect-selection", "cautious"]
    return args


def _build_spark(
    ctx: click.Context, warehouse: Path, full_refresh: bool, select: str | None
) -> None:
    """`graphlets build --target spark`: the raw tables to Parquet, then dbt on Spark."""
    from graphlets.build.spark import build_spark
    from graphlets.core.warehouse import exclusive

    with exclusive(warehouse, on_wait=_wait_notice):
        result = build_spark(warehouse, _build_args(full_refresh, select), quiet=_quiet(ctx))
    err.print(
        f"exported {len(result.raw_tables)} raw tables to [bold]{shown(result.raw_dir)}[/]",
        soft_wrap=True,
    )
    err.print(f"dbt build on spark: {result.summary.passed} ok, {result.summary.warned} warnings")
    err.print(f"Spark tables in [bold]{shown(result.spark_dir / 'tables')}[/]", soft_wrap=True)


@main.command()
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The project file [default: ./graphlets.yml].",
)
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@click.pass_context
def refresh(ctx: click.Context, config: Path | None, full_refresh: bool) -> None:
    """The daily job: load every source graphlets.yml lists, build, publish the snapshot.

    One line per source, then the build. A source that fails to load keeps its previous
    rows, the others still load, and nothing is built: the snapshot stays as it was and
    the exit status is non-zero (see docs/refresh.md).
    """
    from graphlets.refresh import find_project_file, read_project_file
    from graphlets.refresh import refresh as run_refresh

    project = read_project_file(find_project_file(config))
    warehouse = _refresh_warehouse(ctx, project.warehouse())
    started = time.monotonic()
    err.print(
        f"refreshing [bold]{shown(warehouse)}[/] from {shown(project.path)}: "
        f"{_plural(len(project.spec.sources), 'source')}",
        soft_wrap=True,
    )
    report = run_refresh(
        project,
        warehouse,
        full_refresh=full_refresh,
        on_source=_report_source,
        on_build_start=_report_build_start,
        on_wait=_wait_notice,
    )
    if report.failed:
        names = ", ".join(printable(s.source.name) for s in report.failed)
        failure = GraphletsError(
            f"refresh: {len(report.failed)} of {len(report.sources)} sources failed to load "
            f"({names}); nothing was built and the snapshot is as it was",
            "the other sources' loads are kept; fix the failed ones and rerun graphlets refresh",
        )
        failure.exit_code = report.failed[0].exit_code or 1  # 2: a source, 3: locked
        raise failure
    assert report.build is not None
    for warning in report.build.warnings:
        alert.print(f"  [yellow]warning[/] {shown(warning)}", soft_wrap=True)
    rows = sum(s.result.rows_changed for s in report.sources if s.result is not None)
    published = report.build.snapshot.path if report.build.snapshot else None
    err.print(
        f"refresh done in {time.monotonic() - started:.1f}s: "
        f"{_plural(len(report.sources), 'source')} "
        f"loaded ({rows:,} rows changed), dbt build {report.build.passed} ok, "
        f"{report.build.warned} warnings; published {shown(published)}",
        soft_wrap=True,
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _refresh_warehouse(ctx: click.Context, from_file: Path | None) -> Path:
    """--warehouse, else $GRAPHLETS_WAREHOUSE, else the file's warehouse, else the default."""
    if ctx.obj["warehouse"] is not None or os.environ.get(WAREHOUSE_ENV) or from_file is None:
        return _warehouse(ctx)
    from_file.parent.mkdir(parents=True, exist_ok=True)
    return from_file


def _report_source(outcome: SourceOutcome) -> None:
    """One line per source of a refresh: what it loaded, or why it failed."""
    name = f"{shown(outcome.source.name)} ({shown(outcome.source.kind)})"
    if outcome.result is None:
        alert.print(f"  [bold red]failed[/] {name}: {shown(outcome.error or '')}", soft_wrap=True)
        return
    r = outcome.result
    err.print(
        f"  [green]ok[/]     {name}: {r.rows_read:,} rows read, {r.rows_changed:,} changed, "
        f"{r.rows_quarantined:,} quarantined in {outcome.seconds:.1f}s (load {r.load_id})",
        soft_wrap=True,
    )


def _report_build_start(outdated: list[str]) -> None:
    if outdated:
        err.print(
            f"{shown(', '.join(outdated))} built by an older version: rebuilding from scratch"
        )
    err.print("building (dbt build) ...")


def _load_collected(warehouse: Path) -> None:
    """Before a build: load the events graphlets collect spooled for the warehouse, if any."""
    from loaders.openlineage import event_files, load_openlineage, spool_dir

    try:
        event_files(spool_dir(warehouse))
    except GraphletsError:
        return  # no spool, or no events in it
    with _progress("loading collected events") as update:
        result = load_openlineage(warehouse, None, progress=update, on_wait=_wait_notice)
    _report_openlineage(result, prefix="collected OpenLineage events: ")


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench/out"),
    show_default=True,
)
@click.option("--pipelines", type=click.IntRange(min=1), default=3000, show_default=True)
@click.option("--days", type=click.IntRange(min=2), default=120, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Reuse a generated store instead of generating one.",
)
@click.option("--memory-limit", default="3GB", show_default=True)
@click.option("--no-peers", is_flag=True, help="Skip the ML Metadata client and naive CTE.")
def bench(
    out: Path,
    pipelines: int,
    days: int,
    seed: int,
    store: Path | None,
    memory_limit: str,
    no_peers: bool,
) -> None:
    """Benchmark generate, load, build, one more day, and the peers; write OUT/results.*"""
    from graphlets.bench.run import BenchConfig, run

    config = BenchConfig(
        out=out,
        pipelines=pipelines,
        days=days,
        seed=seed,
        store=store,
        memory_limit=memory_limit,
        peers=not no_peers,
    )
    run(config, say=lambda line: err.print(shown(line), soft_wrap=True))
    err.print(f"wrote {shown(out / 'results.md')} and {shown(out / 'results.json')}")


@main.command()
@click.pass_context
def show(ctx: click.Context) -> None:
    """Print the warehouse summary: pipelines, executions, models, outcomes, waste."""
    summary.print_summary(_warehouse(ctx), out)


@main.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
)
@click.option("--pipelines", type=click.IntRange(min=1), default=24, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=21, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.pass_context
def demo(ctx: click.Context, directory: Path, pipelines: int, days: int, seed: int) -> None:
    """Generate a small corpus, load it, build the warehouse and print a summary.

    Everything goes in DIR: DIR/mlmd.sqlite and DIR/warehouse.duckdb. DIR must be new or
    empty, or one an earlier demo made (it replaces that demo's files, nothing else).
    """
    from graphlets.build.dbt import build as dbt_build
    from graphlets.synth.generate import generate as run_generate
    from loaders.mlmd import load_mlmd

    _demo_dir(directory)
    store = directory / "mlmd.sqlite"
    warehouse = (directory / "warehouse.duckdb").resolve()
    with _progress("generating") as update:
        stats = run_generate(
            store,
            pipelines=pipelines,
            days=days,
            seed=seed,
            progress=lambda done, total: update("pipelines", done, total),
        )
    err.print(
        f"1/3 generated [bold]{shown(store)}[/]: {stats.pipelines:,} pipelines, "
        f"{stats.executions:,} executions, {stats.artifacts:,} artifacts, "
        f"{stats.events:,} events",
        soft_wrap=True,
    )
    with _progress("loading") as update:
        result = load_mlmd(warehouse, str(store), progress=update)
    err.print(
        f"2/3 loaded {result.rows_read:,} rows into [bold]{shown(warehouse)}[/] "
        f"({result.rows_quarantined:,} quarantined)",
        soft_wrap=True,
    )
    built = dbt_build(warehouse)
    err.print(f"3/3 dbt build: {built.passed} ok, {built.warned} warnings")
    if built.snapshot is not None:
        err.print(
            f"published the read-only snapshot [bold]{shown(built.snapshot.path)}[/]",
            soft_wrap=True,
        )
    summary.print_summary(warehouse, out)
    if not _quiet(ctx):
        out.print(
            f"\nQuery it: [bold]graphlets --warehouse {shown(warehouse)} query "
            f'"select outcome, count(*) from marts.fct_graphlets group by 1"[/]; '
            f"rebuild it: [bold]graphlets --warehouse {shown(warehouse)} build[/]."
        )


# Marks a directory `graphlets demo` created (or found empty): only such a directory is
# reused, and only the files below are replaced in it.
DEMO_MARKER = ".graphlets-demo"
DEMO_FILES = (
    "mlmd.sqlite",
    "mlmd.sqlite-journal",
    "warehouse.duckdb",
    "warehouse.duckdb.wal",
    "warehouse.serving.duckdb",
    ".warehouse.duckdb.building",
)
DEMO_DIRS = (".warehouse.duckdb.dbt",)


def _demo_dir(directory: Path) -> None:
    """Make ``directory`` ready for a demo, or refuse: never delete what demo did not write."""
    if directory.exists() and not directory.is_dir():
        raise GraphletsError(f"{directory} is not a directory", "choose another --dir")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / DEMO_MARKER).is_file():
            raise GraphletsError(
                f"{directory} is not empty and was not made by graphlets demo; nothing was deleted",
                "choose a new or empty --dir",
            )
        for name in DEMO_FILES:
            (directory / name).unlink(missing_ok=True)
        for name in DEMO_DIRS:
            if (directory / name).is_dir():
                shutil.rmtree(directory / name)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARKER).write_text(
        "made by graphlets demo: a later demo may replace its files here\n"
    )


def _snapshot(ctx: click.Context, snapshot: Path | None) -> Path:
    from graphlets.core.snapshot import snapshot_path

    return snapshot.resolve() if snapshot else snapshot_path(_warehouse(ctx))


_snapshot_option = click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Published snapshot file [default: the warehouse's, e.g. warehouse.serving.duckdb].",
)


@main.command()
@click.pass_context
def publish(ctx: click.Context) -> None:
    """Publish the warehouse's marts to the read-only snapshot (done after every build)."""
    from graphlets.build.dbt import unfinished_build_marker
    from graphlets.core.snapshot import publish as publish_snapshot

    warehouse = _warehouse(ctx)
    if not warehouse.exists():
        raise GraphletsError(
            f"warehouse {warehouse} does not exist", "load a source and build it first"
        )
    if unfinished_build_marker(warehouse).exists():
        raise GraphletsError(
            f"the last build of {warehouse} did not finish (it failed or was killed), "
            "so its tables may be half rebuilt",
            "run graphlets build; it publishes the snapshot when it succeeds",
        )
    result = publish_snapshot(warehouse, on_wait=_wait_notice)
    err.print(
        f"published [bold]{shown(result.path)}[/]: {len(result.tables)} tables "
        f"in {result.seconds:.1f}s",
        soft_wrap=True,
    )


@main.command()
@click.argument("sql", required=False)
@click.option(
    "--file",
    "-f",
    "sql_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the SQL from this file ('-': standard input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
)
@_snapshot_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds a statement may run, 0 for no limit [default: $GRAPHLETS_QUERY_TIMEOUT or 60].",
)
@click.option(
    "--memory-limit",
    default=None,
    help="DuckDB memory limit [default: $GRAPHLETS_QUERY_MEMORY or 1GB].",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="DuckDB threads [default: $GRAPHLETS_QUERY_THREADS or 2].",
)
@click.pass_context
def query(
    ctx: click.Context,
    sql: str | None,
    sql_file: IO[str] | None,
    fmt: str,
    snapshot: Path | None,
    timeout: float | None,
    memory_limit: str | None,
    threads: int | None,
) -> None:
    """Run read-only SQL on the published snapshot (never on the warehouse being built).

    Accepted: SELECT, WITH ... SELECT, FROM ..., VALUES, DESCRIBE, SHOW, SUMMARIZE,
    EXPLAIN and catalog PRAGMAs. Tables live in schema marts (searched by default).
    SQL starting with "--" (a comment) goes after a "--" argument. SQL "-" or --file -
    reads the statements from standard input, --file FILE from a file. See docs/bi.md.
    """
    from graphlets.readers.limits import limits_from_env
    from graphlets.readers.query import run_query, write

    if sql is not None and sql_file is not None:
        raise click.UsageError("pass SQL or --file, not both")
    if sql is None and sql_file is None:
        raise click.UsageError("pass SQL, --file FILE, or - to read standard input")
    try:
        if sql_file is not None:
            sql = sql_file.read()
        elif sql == "-":
            sql = sys.stdin.read()
    except UnicodeDecodeError as exc:
        raise GraphletsError(
            f"the SQL is not UTF-8 text ({exc.reason})", "save it as UTF-8"
        ) from None
    assert sql is not None
    limits = limits_from_env(timeout, memory_limit, threads)
    try:
        results = run_query(_snapshot(ctx, snapshot), sql, limits)
    except KeyboardInterrupt:
        # An interrupted DuckDB connection can hang the interpreter's exit: nothing is
        # open for writing, so end the process at once.
        err.print("[bold red]interrupted[/]: the query was stopped")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    write(results, fmt, sys.stdout, out)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=5433, show_default=True)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File holding the password [default: $GRAPHLETS_SERVE_PASSWORD].",
)
@click.option(
    "--auth",
    type=click.Choice(["scram", "md5"]),
    default="scram",
    show_default=True,
    help="Password authentication: SCRAM-SHA-256, or MD5 for old drivers that lack SCRAM.",
)
@_snapshot_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds a statement may run, 0 for no limit [default: $GRAPHLETS_QUERY_TIMEOUT or 60].",
)
@click.option(
    "--memory-limit",
    default=None,
    help="DuckDB memory limit per session [default: $GRAPHLETS_QUERY_MEMORY or 1GB].",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="DuckDB threads per session [default: $GRAPHLETS_QUERY_THREADS or 2].",
)
@click.option("--max-connections", type=click.IntRange(min=1), default=64, show_default=True)
@click.option(
    "--max-active-queries",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Statements running at once (the server's memory is at most this x --memory-limit).",
)
@click.option("--auth-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    default=900.0,
    show_default=True,
    help="Seconds without a message before a connection is closed (0: never).",
)
@click.option(
    "--tls-cert",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PEM certificate (chain): clients may connect with TLS (sslmode=require).",
)
@click.option(
    "--tls-key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PEM private key of --tls-cert (unencrypted).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    password_file: Path | None,
    auth: str,
    snapshot: Path | None,
    timeout: float | None,
    memory_limit: str | None,
    threads: int | None,
    max_connections: int,
    max_active_queries: int,
    auth_timeout: float,
    idle_timeout: float,
    tls_cert: Path | None,
    tls_key: Path | None,
) -> None:
    """Serve the published snapshot over the PostgreSQL protocol, read-only (psql, BI tools).

    A password is required beyond loopback. A newly published snapshot is picked up
    without a restart. See docs/bi.md for client settings.
    """
    from graphlets.readers.limits import limits_from_env
    from graphlets.readers.serve import PASSWORD_ENV, ServeConfig, quiet_buenavista, read_password
    from graphlets.readers.serve import serve as run_server

    config = ServeConfig(
        _snapshot(ctx, snapshot),
        host,
        port,
        read_password(password_file),
        limits=limits_from_env(timeout, memory_limit, threads),
        max_connections=max_connections,
        max_active_queries=max_active_queries,
        auth_timeout=auth_timeout,
        idle_timeout=idle_timeout,
        tls_cert=tls_cert,
        tls_key=tls_key,
        auth=auth,
    )
    quiet_buenavista()

    def ready(url: str) -> None:
        if config.password is None:
            alert.print(
                f"[yellow]no password ({PASSWORD_ENV} or --password-file): "
                "any local user can connect[/]"
            )
        err.print(
            f"serving [bold]{shown(config.snapshot)}[/] read-only at [bold]{shown(url)}[/] "
            "(Ctrl-C stops)",
            soft_wrap=True,
        )

    try:
        run_server(config, on_ready=ready)
    except KeyboardInterrupt:
        err.print("stopped")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True)
@click.option(
    "--spool",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to keep the events in [default: next to the warehouse, "
    "e.g. warehouse.openlineage/].",
)
@click.option(
    "--api-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File holding the API key clients send as Bearer token "
    "[default: $GRAPHLETS_COLLECT_API_KEY].",
)
@click.pass_context
def collect(
    ctx: click.Context, host: str, port: int, spool: Path | None, api_key_file: Path | None
) -> None:
    """Collect OpenLineage events over HTTP (POST /api/v1/lineage, the HTTP transport's
    default), each fsynced to the spool before the answer; graphlets build loads them.

    An API key is required beyond loopback. See docs/openlineage.md.
    """
    from loaders.openlineage import spool_dir
    from loaders.openlineage.collector import API_KEY_ENV, CollectConfig, read_api_key
    from loaders.openlineage.collector import serve as run_collector

    config = CollectConfig(
        (spool or spool_dir(_warehouse(ctx))).expanduser().resolve(),
        host,
        port,
        read_api_key(api_key_file),
    )

    def ready(url: str, where: Path) -> None:
        if config.api_key is None:
            alert.print(
                f"[yellow]no API key ({API_KEY_ENV} or --api-key-file): "
                "any local user can send events[/]",
                soft_wrap=True,
            )
        err.print(
            f"collecting OpenLineage events at [bold]{shown(url)}[/] into "
            f"[bold]{shown(where)}[/] (Ctrl-C stops)",
            soft_wrap=True,
        )

    try:
        run_collector(config, on_ready=ready)
    except KeyboardInterrupt:
        err.print("stopped")


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory to write the site to: index.html, pipelines.html, pipelines/, graphlets/ "
    "(created if missing; only those are replaced).",
)
@_snapshot_option
@click.option(
    "--latest",
    type=click.IntRange(min=0),
    default=DEFAULT_LATEST,
    show_default=True,
    help="Graphlet pages per pipeline: its latest N graphlets.",
)
@click.option(
    "--most-wasteful",
    type=click.IntRange(min=0),
    default=DEFAULT_MOST_WASTEFUL,
    show_default=True,
    help="Graphlet pages per pipeline: also its N most wasteful graphlets.",
)
@click.pass_context
def report(
    ctx: click.Context, out_dir: Path, snapshot: Path | None, latest: int, most_wasteful: int
) -> None:
    """Write the HTML report: the study's questions, a page per pipeline and per graphlet.

    Reads the published snapshot (no network needed to view it); see docs/report.md.
    """
    from graphlets.readers.report import write_report
    from graphlets.readers.site import SiteOptions

    if snapshot is None and not _warehouse(ctx).exists():
        raise GraphletsError(
            f"warehouse {_warehouse(ctx)} does not exist", "load a source and build it first"
        )
    path = _snapshot(ctx, snapshot)
    if not path.is_file():
        raise GraphletsError(
            f"snapshot {path} does not exist",
            "build the warehouse (graphlets build) or publish it (graphlets publish)",
        )
    index = write_report(path, out_dir, SiteOptions(latest=latest, most_wasteful=most_wasteful))
    err.print(f"wrote [bold]{shown(index)}[/]", soft_wrap=True)


@main.command("prune-report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory to write pruning_report.md and the trade-off chart to (created if missing).",
)
@click.option(
    "--max-staleness-increase",
    type=click.FloatRange(min=0),
    default=0.05,
    show_default=True,
    help="Staleness budget: the most a recommendation may add to the served models' "
    "time-averaged staleness (a fraction).",
)
@click.pass_context
def prune_report(ctx: click.Context, out_dir: Path, max_staleness_increase: float) -> None:
    """Chart the pruning trade-off and recommend an operating point per pipeline group.

    Reads the pruning marts of the warehouse, opened read-only; see docs/pruning.md.
    """
    from graphlets.readers.pruning_report import write_prune_report

    result = write_prune_report(_warehouse(ctx), out_dir, max_staleness_increase)
    for recommendation in result.recommendations:
        out.print(shown(recommendation.sentence), soft_wrap=True)
    err.print(
        f"wrote [bold]{shown(result.report_path)}[/] and [bold]{shown(result.chart_svg)}[/]",
        soft_wrap=True,
    )


if __name__ == "__main__":
    main()
