"""The `graphlets` command: a thin shell over the loaders, the generator and dbt.

It parses arguments, shows progress, maps errors to one-line messages and exit codes, and
calls typed functions. Nothing here knows SQL beyond the summary it prints.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loaders import summary
from loaders.errors import GraphletsError
from loaders.warehouse import resolve_warehouse

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


class GraphletsGroup(click.Group):
    """Turns every error into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GraphletsError as exc:
            err.print(f"[bold red]error:[/] {exc.message}", soft_wrap=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            err.print("[bold red]interrupted[/]: nothing was committed by the interrupted step")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("GRAPHLETS_DEBUG"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            err.print(
                f"[bold red]error:[/] internal error ({type(exc).__name__}: {first}); "
                "rerun with GRAPHLETS_DEBUG=1 for a traceback and report it",
                soft_wrap=True,
            )
            sys.exit(70)


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
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=None, label="")

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, label=label)

        yield update


def _wait_notice(message: str) -> None:
    err.print(f"[yellow]{message}[/]")


@click.group(cls=GraphletsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Warehouse DuckDB file [default: $GRAPHLETS_WAREHOUSE, else ./warehouse.duckdb].",
)
@click.version_option(package_name="graphlets")
@click.pass_context
def main(ctx: click.Context, warehouse: Path | None) -> None:
    """graphlets: model graphlets, compute waste and pruning for ML pipeline provenance."""
    ctx.ensure_object(dict)
    ctx.obj["warehouse"] = warehouse


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
@click.pass_context
def load_mlmd_cmd(ctx: click.Context, store: str, source_name: str | None) -> None:
    """Load an ML Metadata STORE: a SQLite file or mysql://user:pass@host:port/db.

    Idempotent and incremental: rows new or changed since the last load of the same
    source are written, nothing else. The load is all or nothing.
    """
    from loaders.mlmd import load_mlmd

    warehouse = _warehouse(ctx)
    with _progress("loading") as update:
        result = load_mlmd(warehouse, store, source_name, progress=update, on_wait=_wait_notice)
    seconds = (result.finished_at - result.started_at).total_seconds()
    changed = [t for t in result.tables if t.rows_new or t.rows_updated or t.rows_deleted]
    err.print(
        f"loaded [bold]{result.location}[/] as source [bold]{result.source_id}[/] "
        f"(load {result.load_id}) in {seconds:.1f}s: {result.rows_read:,} rows read, "
        f"{result.rows_changed:,} changed"
    )
    if changed:
        table = Table("table", "read", "new", "updated", "deleted", box=None)
        for t in changed:
            table.add_row(
                t.table,
                f"{t.rows_read:,}",
                f"{t.rows_new:,}",
                f"{t.rows_updated:,}",
                f"{t.rows_deleted:,}",
            )
        err.print(table)


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
    from loaders.generate import generate as run_generate

    if out.exists():
        raise GraphletsError(f"{out} already exists", "remove it or choose another --out")
    with _progress("generating") as update:
        stats = run_generate(
            out,
            pipelines=pipelines,
            days=days,
            seed=seed,
            progress=lambda done, total: update("pipelines", done, total),
        )
    err.print(f"wrote [bold]{out}[/]: {stats}")


@main.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@click.option("--select", "-s", "select", default=None, help="dbt node selection.")
@click.pass_context
def build(ctx: click.Context, full_refresh: bool, select: str | None) -> None:
    """Run `dbt build` (seeds, models, tests) on the warehouse and print a summary."""
    from loaders.dbt import build as dbt_build

    warehouse = _warehouse(ctx)
    if not warehouse.exists():
        raise GraphletsError(
            f"warehouse {warehouse} does not exist", "load a source first: graphlets load mlmd"
        )
    args = (["--full-refresh"] if full_refresh else []) + (["--select", select] if select else [])
    result = dbt_build(warehouse, args, quiet=False)
    err.print(f"dbt build: {result.passed} ok, {result.warned} warnings")
    summary.print_summary(warehouse, out)


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
def demo(directory: Path, pipelines: int, days: int, seed: int) -> None:
    """Generate a small corpus, load it, build the warehouse and print a summary.

    Everything goes in DIR (recreated): DIR/mlmd.sqlite and DIR/warehouse.duckdb.
    """
    from loaders.dbt import build as dbt_build
    from loaders.generate import generate as run_generate
    from loaders.mlmd import load_mlmd

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
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
    err.print(f"1/3 generated [bold]{store}[/]: {stats}")
    with _progress("loading") as update:
        result = load_mlmd(warehouse, str(store), progress=update)
    err.print(f"2/3 loaded {result.rows_read:,} rows into [bold]{warehouse}[/]")
    built = dbt_build(warehouse)
    err.print(f"3/3 dbt build: {built.passed} ok, {built.warned} warnings")
    summary.print_summary(warehouse, out)
    out.print(
        f"\nQuery it: [bold]GRAPHLETS_WAREHOUSE={warehouse} .venv/bin/dbt build[/] or "
        f"[bold]duckdb {warehouse}[/] (schema marts)."
    )


if __name__ == "__main__":
    main()
