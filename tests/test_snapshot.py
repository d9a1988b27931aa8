"""The published snapshot: what it holds, atomic replacement, and when it is (not) published."""

from __future__ import annotations

import stat
import warnings
from pathlib import Path

import duckdb
import pytest

from graphlets.build import dbt
from graphlets.core import snapshot
from graphlets.core.errors import BuildError, GraphletsError
from graphlets.core.snapshot import identity, open_snapshot, publish, snapshot_path
from graphlets.readers.query import run_query
from tests.bi import BUILD_MODELS_ONLY, MART_TABLES, dbt_target, directory_state, make_warehouse
from tests.conftest import fingerprint, run_cli

REPO = Path(__file__).resolve().parent.parent


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def _marts(path: Path) -> dict[str, tuple[int, int | None]]:
    """(row count, content hash) of every table and view in schema marts.

    A view's hash is left out: it is recomputed on each read, and a floating-point sum may
    differ in its last bits from the copy taken at publish time.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select table_name, table_type = 'VIEW' from information_schema.tables "
            "where table_schema = 'marts'"
        ).fetchall()
        marts = {}
        for name, is_view in names:
            rows, content = con.execute(
                f'select count(*), coalesce(sum(hash(x)), 0) from marts."{name}" as x'
            ).fetchone()
            marts[name] = (rows, None if is_view else content)
        return marts
    finally:
        con.close()


def test_snapshot_name() -> None:
    assert snapshot_path(Path("/w/warehouse.duckdb")) == Path("/w/warehouse.serving.duckdb")
    assert snapshot_path(Path("/w/prod.db")) == Path("/w/prod.serving.duckdb")
    with pytest.raises(GraphletsError, match="named like a snapshot"):
        snapshot_path(Path("/w/x.serving.duckdb"))


def test_publish_copies_the_marts_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    result = publish(warehouse)
    assert result.path == tmp_path / "warehouse.serving.duckdb"
    assert [t.name for t in result.tables] == list(MART_TABLES)
    assert directory_state(tmp_path).keys() == {"warehouse.duckdb", "warehouse.serving.duckdb"}
    assert not stat.S_IMODE(result.path.stat().st_mode) & 0o222, "snapshot must be read-only"

    source, copy = fingerprint(warehouse), fingerprint(result.path)
    assert {k: v for k, v in source.items() if k.startswith("marts.")} == {
        k: v for k, v in copy.items() if k.startswith("marts.")
    }
    assert {k.split(".")[0] for k in copy} == {"marts", "meta"}  # no raw, staging, seeds

    con = open_snapshot(result.path)
    try:
        assert con.execute(
            "select table_count, warehouse_file, duckdb_version from meta.snapshot"
        ).fetchone() == (len(MART_TABLES), "warehouse.duckdb", duckdb.__version__)
        assert dict(
            con.execute("select table_name, row_count from meta.snapshot_tables").fetchall()
        ) == {t.name: t.rows for t in result.tables}
        assert con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_executions'"
        ).fetchone() == ("One row per execution.",)
    finally:
        con.close()


def test_views_are_published_as_tables(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create view marts.rpt_waste as select pipeline_id, sum(cost) as cost "
        "from marts.fct_executions where waste_class = 'wasted' group by all"
    )
    rows = _count(con, "marts.rpt_waste")
    con.close()
    publish(warehouse)
    (result,) = run_query(
        snapshot_path(warehouse),
        "select table_type, (select count(*) from marts.rpt_waste) from information_schema.tables"
        " where table_name = 'rpt_waste'",
    )
    assert result.rows == (("BASE TABLE", rows),)


def test_readers_keep_their_snapshot_across_a_publish(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse, generation=1)
    first = publish(warehouse)
    old_reader = open_snapshot(first.path)
    try:
        make_warehouse(warehouse, generation=2)
        second = publish(warehouse)
        assert identity(second.path) != identity(tmp_path / "gone")
        # The reader that opened the old file still reads it, whole; a new reader sees the new.
        assert _count(old_reader, "marts.dim_pipelines") == 10
        new_reader = open_snapshot(second.path)
        assert _count(new_reader, "marts.dim_pipelines") == 20
        new_reader.close()
    finally:
        old_reader.close()
    assert directory_state(tmp_path).keys() == {"warehouse.duckdb", "warehouse.serving.duckdb"}


def test_a_failed_publish_leaves_the_previous_snapshot(tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    before = (identity(snapshot_path(warehouse)), directory_state(tmp_path))

    def broken(con, tmp, *args):
        con.execute(f"attach '{tmp}' as half_written")
        con.execute("create table half_written.t as select 1")
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(snapshot, "_write", broken)
    with pytest.raises(GraphletsError, match="previous snapshot is unchanged"):
        publish(warehouse)
    assert (identity(snapshot_path(warehouse)), directory_state(tmp_path)) == before


def test_build_publishes_only_on_success(tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    before = identity(snapshot_path(warehouse))

    def failing(*args, **kwargs):
        raise BuildError("dbt build failed: fct_graphlets (error)", "see logs/dbt.log")

    monkeypatch.setattr(dbt, "run_dbt", failing)
    make_warehouse(warehouse, generation=2)  # what a half-finished build might leave
    with pytest.raises(BuildError):
        dbt.build(warehouse)
    assert identity(snapshot_path(warehouse)) == before
    # Nor can a hand-run publish put the half-rebuilt tables in front of readers.
    refused = run_cli("--warehouse", str(warehouse), "publish")
    assert refused.returncode == 1
    assert "did not finish" in refused.stderr and "Traceback" not in refused.stderr
    assert identity(snapshot_path(warehouse)) == before

    monkeypatch.setattr(dbt, "run_dbt", lambda *a, **k: dbt.BuildSummary(1, 0, 0, ()))
    summary = dbt.build(warehouse)
    assert summary.snapshot is not None and summary.snapshot.path == snapshot_path(warehouse)
    assert identity(snapshot_path(warehouse)) != before
    assert not dbt.unfinished_build_marker(warehouse).exists()
    assert run_cli("--warehouse", str(warehouse), "publish").returncode == 0


def test_end_to_end_load_build_publish_query(tmp_path: Path, tmp_path_factory) -> None:
    """The real path: an MLMD store, the loader, dbt build (which publishes), then a query."""
    from loaders.mlmd import load_mlmd

    store = tmp_path / "mlmd.sqlite"
    try:
        from graphlets.synth.generate import generate

        generate(store, pipelines=4, days=5, seed=1)
    except ImportError:
        from tests.stores import handwritten_store

        handwritten_store(store)
    warehouse = tmp_path / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    summary = dbt.build(warehouse, BUILD_MODELS_ONLY, target_path=dbt_target(tmp_path_factory))
    assert summary.snapshot is not None

    # The snapshot holds exactly the warehouse's marts (tables and views), row for row.
    marts = _marts(warehouse)
    published = _marts(summary.snapshot.path)
    assert published.keys() == marts.keys()
    for name, (rows, content) in published.items():
        assert (rows, content if marts[name][1] is not None else None) == marts[name], name
    (tables,) = run_query(
        summary.snapshot.path, "select schema_name || '.' || table_name from meta.snapshot_tables"
    )
    # Schema audit is published too: the load history and the data-quality findings.
    audit = {"audit.dq_quarantine", "audit.load_history"}
    assert {r[0] for r in tables.rows} == {f"marts.{name}" for name in marts} | audit
    (history,) = run_query(summary.snapshot.path, "select count(*) from audit.load_history")
    assert history.rows[0][0] == 1  # the one load of this warehouse
    # Every mart and report model of the project is published (materialised as a table or
    # a view); the reports layer's unpublished building blocks (int_*) are not.
    reports = {p.stem for p in (REPO / "models" / "reports").rglob("rpt_*.sql")}
    assert {p.stem for p in (REPO / "models" / "marts").rglob("*.sql")} | reports <= set(marts)
    if "fct_executions" in marts:
        (result,) = run_query(summary.snapshot.path, "select count(*) from fct_executions")
        assert result.rows[0][0] == marts["fct_executions"][0] > 0

    # SQLAlchemy (duckdb-engine, as Superset uses it) reflects every published mart.
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(
        f"duckdb:///{summary.snapshot.path}?access_mode=read_only"
        "&enable_external_access=false&lock_configuration=true",
        poolclass=NullPool,
    )
    try:
        reflected = sa.MetaData()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duckdb-engine: "no reflection on indices"
            reflected.reflect(engine, schema="marts")
    finally:
        engine.dispose()
    assert {t.name for t in reflected.tables.values()} == set(marts)
    assert all(t.columns for t in reflected.tables.values())
