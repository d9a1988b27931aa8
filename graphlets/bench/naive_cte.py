"""Peer: the recursive CTE a user would write first, without the documented stop rules.

For every trainer, its whole upstream closure over the prebuilt execution edge table,
walking past earlier trainers and history edges. Usage: naive_cte.py WAREHOUSE MEMORY_LIMIT
"""

from __future__ import annotations

import sys
import time

import duckdb

NAIVE = """
with recursive walk(anchor_id, execution_id) as (
    select execution_id, execution_id
    from intermediate.int_executions
    where role = 'train'
    union
    select walk.anchor_id, edges.producer_execution_id
    from walk
    inner join intermediate.int_edges as edges
        on edges.consumer_execution_id = walk.execution_id
)
select count(*) from walk
"""


def main() -> None:
    warehouse, memory_limit = sys.argv[1], sys.argv[2]
    con = duckdb.connect(warehouse, read_only=True, config={"memory_limit": memory_limit})
    started = time.monotonic()
    row = con.execute(NAIVE).fetchone()
    assert row is not None
    (rows,) = row
    print(f"{rows} closure rows in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
