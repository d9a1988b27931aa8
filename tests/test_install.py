"""The package installs anywhere: a wheel in a fresh venv, used from a directory of its own.

The wheel carries the dbt project (hatch_build.py), graphlets/core/project.py finds it there,
and dbt's target and logs go next to the warehouse: the checkout gains no file, and neither
does the installed package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# Written by tools while the suite runs, not by the code under test.
_TOOL_STATE = (
    ".git",
    ".venv",
    ".venv-mlmd",
    ".venv-mlflow",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


def source_tree(root: Path) -> set[str]:
    files = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts[:1] and rel.parts[0] in _TOOL_STATE:
            dirnames.clear()
            continue
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        files.update(str(rel / name) for name in filenames)
    return files


def _run(cwd: Path, env: dict[str, str], *args: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_runs_demo_and_report_from_any_directory(tmp_path: Path) -> None:
    before = source_tree(REPO)
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    wheels = tmp_path / "wheels"
    pip = (sys.executable, "-m", "pip")
    _run(
        tmp_path, env, *pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", wheels, REPO
    )
    (wheel,) = wheels.glob("graphlets-*.whl")
    venv = tmp_path / "venv"
    _run(tmp_path, env, sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    _run(tmp_path, env, bin_ / "pip", "install", "-q", "-c", REPO / "requirements.lock", wheel)
    where = _run(
        tmp_path, env, bin_ / "python", "-c", "import graphlets; print(graphlets.__file__)"
    )
    installed = Path(where.strip()).parent
    assert installed.is_relative_to(venv), installed
    bundled = installed / "dbt_project"
    assert (bundled / "dbt_project.yml").is_file() and (bundled / "models").is_dir()
    bundled_before = source_tree(bundled)

    work = tmp_path / "elsewhere"
    work.mkdir()
    graphlets = bin_ / "graphlets"
    _run(work, env, graphlets, "demo", "--dir", "demo", "--pipelines", "3", "--days", "6")
    warehouse = work / "demo" / "warehouse.duckdb"
    _run(work, env, graphlets, "--warehouse", warehouse, "report", "--out", "report")

    html = (work / "report" / "index.html").read_text()
    assert "<svg" in html and "graphlets" in html
    # dbt's files sit next to the warehouse, one parse cache per warehouse.
    dbt_dir = work / "demo" / ".warehouse.duckdb.dbt"
    assert (dbt_dir / "target" / "manifest.json").is_file()
    assert (dbt_dir / "logs" / "dbt.log").is_file()
    assert sorted(p.name for p in work.iterdir()) == ["demo", "report"]
    assert source_tree(bundled) == bundled_before
    assert source_tree(REPO) - before == set()
