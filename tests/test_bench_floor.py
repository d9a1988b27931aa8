"""The benchmark's floor computes the same core as the warehouse: a floor that computed less
would make every ratio the benchmark reports look better than it is."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from graphlets.bench.floor import run_floor
from graphlets.build import dbt
from graphlets.synth.generate import generate
from loaders.mlmd.load import load_mlmd
from tests.bi import BUILD_MODELS_ONLY, dbt_target
from tests.conftest import query


def test_the_floor_matches_the_warehouse_on_a_generated_corpus(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = tmp_path / "mlmd.sqlite"
    generate(store, pipelines=6, days=12, seed=3)
    warehouse = tmp_path / "warehouse.duckdb"
    load_mlmd(warehouse, str(store))
    dbt.build(warehouse, BUILD_MODELS_ONLY, target_path=dbt_target(tmp_path_factory))

    floor = run_floor(store)
    [(graphlets, pushed)] = query(
        warehouse,
        "select count(*), count(*) filter (where outcome = 'pushed') from marts.fct_graphlets",
    )
    members = dict(
        query(warehouse, "select relation, count(*) from marts.fct_graphlet_executions group by 1")
    )
    [(attributed,)] = query(
        warehouse, "select sum(attributed_cost) from marts.fct_graphlet_executions"
    )
    assert graphlets > 0 and pushed > 0 and members["upstream"] > graphlets
    assert floor["graphlets"] == graphlets
    assert floor["pushed"] == pushed
    assert floor["upstream_memberships"] == members["upstream"]
    assert floor["downstream_owned"] == members["downstream"]
    assert math.isclose(floor["attributed_cost"], attributed, rel_tol=1e-9)
