"""The dbt project's layers read downward only, and only staging reads the raw sources.

Order, bottom to top: staging (one model per raw table) > intermediate > marts > reports
(``models/reports``: rollups of the marts); audit reads any layer below it. Checked on the
manifest of ``dbt parse``, i.e. on the edges dbt's graph shows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LAYERS = ("staging", "intermediate", "marts", "reports", "audit")


def test_models_read_only_downward(tmp_path: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt),
            "parse",
            "--project-dir",
            str(REPO),
            "--profiles-dir",
            str(REPO),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        env={"GRAPHLETS_WAREHOUSE": str(tmp_path / "w.duckdb"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    nodes = json.loads((tmp_path / "target" / "manifest.json").read_text())["nodes"]

    def layer(node: dict) -> int:
        return LAYERS.index(node["original_file_path"].split("/")[1])

    upward = []
    for node in nodes.values():
        if node["resource_type"] != "model":
            continue
        for parent_id in node["depends_on"]["nodes"]:
            if parent_id.startswith("source."):
                if layer(node) != 0:
                    upward.append((node["name"], parent_id))
                continue
            parent = nodes[parent_id]
            if parent["resource_type"] != "model":
                continue
            if layer(parent) > layer(node) or layer(node) == 0:
                upward.append((node["name"], parent["name"]))
    assert upward == []
