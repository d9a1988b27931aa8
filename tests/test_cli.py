"""The `graphlets` command behaves like tools people trust: documented exit codes, no colour
in files and pipes, --quiet, a selection that matches nothing fails, data shown escaped, a
demo that never deletes what it did not write, two builds at once without tracebacks."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openlineage.client.transport.file import FileConfig, FileTransport

from graphlets.build import dbt
from graphlets.build.dbt import unfinished_build_marker
from graphlets.cli import main
from graphlets.core.snapshot import publish, snapshot_path
from graphlets.core.text import printable
from loaders.mlmd import load_mlmd
from tests.bi import directory_state, make_warehouse
from tests.conftest import REPO, fingerprint, query, run_cli
from tests.openlineage_events import new_run_id, run_event
from tests.stores import handwritten_store

ESC = "\x1b"
# An SGR sequence that sets a colour (30-37, 90-97, 38;..): bold alone is not colour.
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-8]|9[0-7])(?:;[0-9]+)*m")


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("cli") / "warehouse.duckdb"
    make_warehouse(warehouse)
    publish(warehouse)
    return warehouse


# 1. exit codes


@pytest.mark.parametrize(
    "args",
    [
        ("--no-such-option",),
        ("build", "--no-such-option"),
        ("load", "mlmd"),  # missing argument
        ("query", "--format", "xml", "select 1"),  # bad choice
        ("generate", "--pipelines", "0", "--out", "x.sqlite"),  # out of range
        ("no-such-command",),
        ("query",),  # neither SQL nor --file
    ],
)
def test_usage_errors_exit_1_not_2(args: tuple[str, ...]) -> None:
    done = invoke(*args)
    assert done.exit_code == 1, done.output
    assert "Error:" in done.output and "Traceback" not in done.output


def test_the_readme_lists_the_exit_codes() -> None:
    table = (REPO / "README.md").read_text()
    for code, meaning in (("1", "bad usage"), ("2", "source"), ("3", "locked"), ("5", "refused")):
        assert re.search(rf"^\| {code} \| [^\n]*{meaning}", table, re.M), code


# 2. a selection that matches nothing


def test_a_selection_matching_nothing_fails_and_publishes_nothing(published: Path) -> None:
    snapshot = snapshot_path(published)
    before = fingerprint(published), _files(published.parent)
    done = run_cli("--warehouse", str(published), "--quiet", "build", "--select", "no_such_model")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "'no_such_model' matched no dbt node" in lines[0], done.stderr
    assert "nothing was built or published" in lines[0] and "dbt ls" in lines[0]
    assert done.stdout == ""  # --quiet: not even dbt's "Nothing to do"
    assert fingerprint(published) == before[0]
    assert _files(published.parent) == before[1]
    assert snapshot.exists() and not unfinished_build_marker(published).exists()


def test_a_selection_runs_only_the_tests_of_what_it_builds(tmp_path: Path) -> None:
    """`--select +int_executions` on a new warehouse: the relationship tests of models it
    leaves out (which read a model it builds) are not run, so they cannot fail on a
    missing table."""
    warehouse = tmp_path / "warehouse.duckdb"
    store = tmp_path / "store.sqlite"
    handwritten_store(store)
    load_mlmd(warehouse, str(store))
    args = ["--warehouse", str(warehouse), "--quiet", "build", "--select", "+int_executions"]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr[-2000:]
    built = {name for (name,) in _tables(warehouse)}
    assert "int_executions" in built and "int_execution_repeats" not in built


def _tables(warehouse: Path) -> list[tuple]:
    return query(warehouse, "select table_name from information_schema.tables")


def _files(directory: Path) -> dict[str, tuple[int, int]]:
    """The directory's files but dbt's work files and the build lock (both dbt's or ours)."""
    return {
        name: state
        for name, state in directory_state(directory).items()
        if ".dbt/" not in name and not name.endswith(".lock")
    }


# 3. colour only on a terminal, NO_COLOR, --quiet


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What `graphlets ARGS` writes to a terminal (stdout and stderr both on a pty)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphlets.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        cwd=REPO,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", **env},
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


def test_colour_on_a_terminal_only_and_never_with_no_color(published: Path, tmp_path) -> None:
    args = ["--warehouse", str(published), "query", "select * from no_such_table"]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    piped = subprocess.run(
        [sys.executable, "-m", "graphlets.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert piped.returncode == 1 and ESC not in piped.stdout + piped.stderr
    assert COLOUR.search(_on_a_terminal(args, {"NO_COLOR": ""}))
    assert not COLOUR.search(_on_a_terminal(args, {"NO_COLOR": "1"}))


def test_dbt_colours_only_a_terminal(monkeypatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not dbt.use_colors()  # pytest's captured stdout is no terminal
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert dbt.use_colors()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not dbt.use_colors()


def _events(path: Path, job: str = "train") -> Path:
    transport = FileTransport(FileConfig(log_file_path=str(path), append=True))
    run = new_run_id()
    transport.emit(run_event("START", run, job))
    transport.emit(run_event("COMPLETE", run, job, minutes=3))
    return path


def test_quiet_prints_errors_only(tmp_path: Path) -> None:
    events = _events(tmp_path / "events.ndjson")
    warehouse = str(tmp_path / "w.duckdb")
    loud = run_cli("--warehouse", warehouse, "load", "openlineage", str(events))
    assert loud.returncode == 0 and "loaded" in loud.stderr
    quiet = run_cli("--warehouse", warehouse, "--quiet", "load", "openlineage", str(events))
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    failed = run_cli("--warehouse", warehouse, "-q", "load", "openlineage", str(tmp_path / "no"))
    assert failed.returncode == 2 and failed.stderr.startswith("error: ")


# 4. query: --file, stdin, markdown, syntax errors


def test_query_reads_a_file_or_stdin(published: Path, tmp_path: Path) -> None:
    sql = "select count(*) as n from dim_pipelines"
    (tmp_path / "q.sql").write_text(sql + ";\n")
    w = ("--warehouse", str(published), "query", "--format", "json")
    for args, stdin in (
        (("--file", str(tmp_path / "q.sql")), None),
        (("-f", "-"), sql),
        (("-",), sql),
    ):
        done = invoke(*w, *args, input=stdin)
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout) == [{"n": 10}]
    both = invoke(*w, "--file", str(tmp_path / "q.sql"), "select 1")
    assert both.exit_code == 1 and "not both" in both.output
    missing = invoke(*w, "--file", str(tmp_path / "none.sql"))
    assert missing.exit_code == 1 and "none.sql" in missing.output


def test_query_markdown(published: Path) -> None:
    done = invoke(
        "--warehouse",
        str(published),
        "query",
        "--format",
        "markdown",
        "select 'a|b' as \"x|y\", null as n, 2 as k union all select 'c', 1, 3 order by k",
    )
    assert done.exit_code == 0, done.output
    assert (
        done.stdout == "| x\\|y | n | k |\n| --- | --- | --- |\n| a\\|b |  | 2 |\n| c | 1 | 3 |\n"
    )


@pytest.mark.parametrize("sql", ["selec 1", "select (1", "select * from where", "select 'open"])
def test_a_syntax_error_is_named_so_not_refused(published: Path, sql: str) -> None:
    done = invoke("--warehouse", str(published), "query", sql)
    lines = done.output.strip().splitlines()
    assert done.exit_code == 1 and len(lines) == 1, done.output
    assert lines[0].startswith("error: syntax error: ") and "refused" not in lines[0]


def test_a_parsable_write_is_still_refused(published: Path) -> None:
    done = invoke("--warehouse", str(published), "query", "drop table marts.dim_pipelines")
    assert done.exit_code == 5 and "refused" in done.output


# 5. generate


def test_generate_prints_a_table_of_what_it_wrote(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    done = invoke("generate", "--pipelines", "2", "--days", "3", "--out", str(store))
    assert done.exit_code == 0, done.output
    assert "GenerateStats(" not in done.output and "=" not in done.output
    rows = dict(
        re.findall(r"^\s*([a-z][a-z ]*[a-z])\s+([\d,]+)\s*$", done.stderr, re.M),
    )
    assert rows["pipelines"] == "2" and int(rows["executions"].replace(",", "")) > 0


# 6. demo never deletes what it did not write


def test_demo_refuses_a_directory_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "warehouse.duckdb").write_text("not a demo's")
    before = directory_state(tmp_path)
    for directory, cwd in ((".", tmp_path), (str(tmp_path / "sub"), REPO)):
        done = run_cli("demo", "--dir", directory, "--pipelines", "1", "--days", "2", cwd=cwd)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 1, done.stderr
        assert "not empty and was not made by graphlets demo" in lines[0]
    assert directory_state(tmp_path) == before
    not_a_dir = run_cli("demo", "--dir", str(tmp_path / "notes.txt"))
    assert not_a_dir.returncode == 1 and (tmp_path / "notes.txt").read_text() == "mine"


def test_demo_reuses_its_own_directory_and_keeps_other_files(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / ".graphlets-demo").write_text("made by graphlets demo\n")
    (demo / "mlmd.sqlite").write_text("an earlier demo's store")
    (demo / "notes.txt").write_text("mine")
    done = run_cli("demo", "--dir", str(demo), "--pipelines", "2", "--days", "3")
    assert done.returncode == 0, done.stderr
    assert (demo / "notes.txt").read_text() == "mine"
    assert (demo / "warehouse.serving.duckdb").exists()
    assert "GenerateStats(" not in done.stderr


# 7. names and data shown escaped


def test_a_source_named_like_markup_loads_and_prints(tmp_path: Path) -> None:
    events = _events(tmp_path / "events.ndjson")
    warehouse = str(tmp_path / "w.duckdb")
    for name in ("[/x]", "[bold]b", "a\x1b[31mred"):
        done = run_cli(
            "--warehouse", warehouse, "load", "openlineage", str(events), "--source", name
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and ESC not in done.stderr
        assert f"as source {printable(name)} " in done.stderr, done.stderr
    # In an error message too: a path that looks like markup.
    (tmp_path / "[").mkdir()
    (tmp_path / "[" / "x][red]y").write_text("")
    exists = invoke("generate", "--out", str(tmp_path / "[" / "x][red]y"))
    assert exists.exit_code == 1 and "[/x][red]y already exists" in exists.output


def test_control_characters_in_data_are_shown_escaped(published: Path) -> None:
    sql = "select 'pipe' || chr(27) || '[31mline' || chr(10) || 'two\\*' as \"name[/x]\""
    for fmt in ("table", "markdown"):
        done = invoke("--warehouse", str(published), "query", "--format", fmt, sql)
        assert done.exit_code == 0, done.output
        assert ESC not in done.output and "pipe\\x1b[31mline\\ntwo" in done.output
        assert ("two\\\\*" if fmt == "markdown" else "two\\*") in done.output
        assert "name[/x]" in done.output


def test_printable() -> None:
    assert printable("a\x1b[31mb\x00\x9b\u202e\tc") == "a\\x1b[31mb\\x00\\x9b\\u202e\\tc"
    assert printable("héllo [/x]") == "héllo [/x]"


# 8. two builds at once


def test_two_builds_a_second_apart_both_finish_without_tracebacks(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    handwritten_store(store)
    warehouse = tmp_path / "w.duckdb"
    load_mlmd(warehouse, str(store))
    env = {**os.environ, "GRAPHLETS_LOCK_TIMEOUT": "600"}
    env.pop("NO_COLOR", None)
    # A small selection: the lock is the same for any build, and the first still holds it
    # when the second starts (dbt alone takes seconds to parse).
    command = [sys.executable, "-m", "graphlets.cli", "--warehouse", str(warehouse), "build"]
    command += ["--select", "+int_executions"]
    procs = []
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
            )
        )
        time.sleep(1)
    outputs = [p.communicate(timeout=900) for p in procs]
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]
    for rc, out, err in results:
        assert rc == 0 or (rc == 3 and len(err.strip().splitlines()) == 1), err
        assert "Traceback" not in err + out and len(err.strip().splitlines()) <= 4, err
        assert ESC not in out + err  # pipes: no colour, also not from dbt
    assert [rc for rc, _, _ in results] == [0, 0], results
    assert "is locked by process" in results[1][2] and "waiting" in results[1][2]
    assert snapshot_path(warehouse).exists()
    assert not unfinished_build_marker(warehouse).exists()


def test_the_summary_shows_data_escaped(tmp_path: Path) -> None:
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema audit")
        con.execute(
            "create table audit.dq_quarantine as "
            "select 'model' as stage, '[/x]' || chr(27) || '[31mreason' as reason"
        )
    finally:
        con.close()
    done = invoke("--warehouse", str(warehouse), "show")
    assert done.exit_code == 0, done.output
    assert ESC not in done.output and "[/x]\\x1b[31mreason" in done.output
