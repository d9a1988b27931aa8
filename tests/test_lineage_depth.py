"""Model lineage at any depth (docs/semantics.md section 4.2) on hand-built MLMD stores.

One store, built once with the default vars (`graphlets_max_hops` 32, the closure between
branch points in 8 slices), holds three pipelines:

- `daily`: a trainer warm-started every day for 120 days from the previous day's model, a
  chain four times longer than the hop bound;
- `forked`: a chain that forks (one model warm-starts two children) and models with a
  second parent (a teacher) at a different depth, so the shortest lineage leaves the
  warm-start chain;
- `cyclic`: two trainers that each read the other's model with unknown times (a corrupt
  store), and a model warm-started from one of them.

The expected closures are computed here by a breadth-first search over the parent links the
scenarios declare (checked against `is_parent` first), and a few are spelled out by hand.
"""

from __future__ import annotations

from collections import deque

import pytest

from tests.test_graphlet_rules import (
    Built,
    Graph,
    Out,
    examples,
    load_and_build,
    model,
    write_store,
)

DAYS = 120
CHAIN_A = 41  # A1..A41 in node Trainer
CHAIN_B = 30  # B1..B30 in node Fork, B1 warm-started from A10


def daily(g: Graph) -> None:
    p = g.pipeline("daily")
    p.run("E", "ingest", 0, 1, writes=[examples("X", 1)])
    for day in range(1, DAYS + 1):
        reads = ["X"] if day == 1 else ["X", (f"M{day - 1}", "base_model")]
        p.run(f"D{day}", "trainer", 24 * day, 24 * day + 1, reads=reads,
              writes=[model(f"M{day}")])  # fmt: skip


def forked(g: Graph) -> None:
    """A1 -> ... -> A41 (warm starts); B1 warm-starts from A10, then B2 ... B30 (node Fork);
    A41 also reads A2 as a teacher; Merge reads A40 (trained last: its primary parent) and
    B5 as a teacher."""
    p = g.pipeline("forked")
    p.run("E", "ingest", 0, 0.5, writes=[examples("X", 1)])
    for i in range(1, CHAIN_A + 1):
        reads: list = ["X"] if i == 1 else ["X", (f"MA{i - 1}", "base_model")]
        if i == CHAIN_A:
            reads.append(("MA2", "teacher_model"))
        p.run(f"A{i}", "trainer", i, i + 0.5, reads=reads, writes=[model(f"MA{i}")])
    for j in range(1, CHAIN_B + 1):
        base = "MA10" if j == 1 else f"MB{j - 1}"
        p.run(f"B{j}", "trainer", 10 + j + 0.25, 10 + j + 0.5, node="Fork",
              reads=["X", (base, "base_model")], writes=[model(f"MB{j}")])  # fmt: skip
    p.run("Merge", "trainer", 100, 101, node="Merge",
          reads=["X", ("MA40", "base_model"), ("MB5", "teacher_model")],
          writes=[model("MM")])  # fmt: skip


def cyclic(g: Graph) -> None:
    """C1 and C2 read each other's model, every output time unknown (so the time rule keeps
    both links): a lineage cycle. C3 warm-starts from C1."""
    p = g.pipeline("cyclic")
    p.run("E", "ingest", 0, 1, writes=[examples("X", 1)])
    p.run("C1", "trainer", 2, 3, reads=["X"], writes=[model_at_unknown("MC1")])
    p.run("C2", "trainer", 4, 5, node="Other", reads=["X", ("MC1", "base_model")],
          writes=[model_at_unknown("MC2")])  # fmt: skip
    g.writer.event(g.executions["cyclic/C1"], g.artifacts["cyclic/MC2"], "INPUT", None,
                   "base_model")  # fmt: skip
    p.run("C3", "trainer", 6, 7, node="Third", reads=["X", ("MC1", "base_model")],
          writes=[model("MC3")])  # fmt: skip


def model_at_unknown(name: str) -> Out:
    """A model whose output event has no time."""
    return Out(name, "Model", "model", at=None)


PARENTS = {
    "daily": {f"D{d}": {f"D{d - 1}"} for d in range(2, DAYS + 1)},
    "forked": {
        **{f"A{i}": {f"A{i - 1}"} for i in range(2, CHAIN_A)},
        f"A{CHAIN_A}": {f"A{CHAIN_A - 1}", "A2"},
        "B1": {"A10"},
        **{f"B{j}": {f"B{j - 1}"} for j in range(2, CHAIN_B + 1)},
        "Merge": {"A40", "B5"},
    },
    "cyclic": {"C1": {"C2"}, "C2": {"C1"}, "C3": {"C1"}},
}


def closure(parents: dict[str, set[str]]) -> set[tuple[str, str, int]]:
    """(graphlet, ancestor, fewest parent links), a graphlet never its own ancestor."""
    rows = set()
    for g in parents:
        seen = {g: 0}
        queue = deque([g])
        while queue:
            x = queue.popleft()
            for p in parents.get(x, ()):
                if p not in seen:
                    seen[p] = seen[x] + 1
                    queue.append(p)
        rows |= {(g, a, n) for a, n in seen.items() if a != g}
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("lineage_depth")
    store = root / "lineage.sqlite"
    graph = write_store(store, [daily, forked, cyclic])
    return load_and_build(store, root / "warehouse.duckdb", graph)


def parent_links(built: Built, pipeline: str) -> dict[str, set[str]]:
    rows = built.query(
        "select g.source_execution_id, a.source_execution_id "
        "from marts.fct_model_lineage as l "
        "inner join marts.fct_executions as g on l.graphlet_id = g.execution_id "
        "inner join marts.fct_executions as a on l.ancestor_graphlet_id = a.execution_id "
        "where l.pipeline_id = ? and l.is_parent",
        [f"rules/{pipeline}"],
    )
    names = built.names()
    out: dict[str, set[str]] = {}
    for g, a in rows:
        out.setdefault(names[g].split("/")[1], set()).add(names[a].split("/")[1])
    return out


def n_ancestors(built: Built, pipeline: str) -> dict[str, int]:
    return {
        name: built.query(
            "select n_ancestors from marts.fct_graphlets where graphlet_id = ?",
            [g["graphlet_id"]],
        )[0][0]
        for name, g in built.graphlets(pipeline).items()
    }


@pytest.mark.parametrize("pipeline", sorted(PARENTS))
def test_lineage_is_the_exact_closure_of_the_parent_links(built: Built, pipeline: str) -> None:
    assert parent_links(built, pipeline) == PARENTS[pipeline]
    want = closure(PARENTS[pipeline])
    assert built.lineage(pipeline) == want
    counts = n_ancestors(built, pipeline)
    assert counts == {g: sum(1 for r in want if r[0] == g) for g in counts}


def test_a_120_day_warm_start_chain_lists_every_ancestor(built: Built) -> None:
    last = {(a, n) for g, a, n in built.lineage("daily") if g == f"D{DAYS}"}
    assert last == {(f"D{d}", DAYS - d) for d in range(1, DAYS)}
    assert sorted(n for _, n in last) == list(range(1, DAYS))
    graphlets = built.graphlets("daily")
    assert len(graphlets) == DAYS
    assert not any(g["has_truncated_lineage"] for g in graphlets.values())


def test_several_parents_at_different_depths_give_the_shortest_generations(
    built: Built,
) -> None:
    lineage = {(g, a): n for g, a, n in built.lineage("forked")}
    # Merge: A40 is a parent (A1 is 40 links up that chain), B5 a teacher; through B5 and
    # the fork at A10, A1 is 1 + 4 (B5 -> B1) + 1 (B1 -> A10) + 9 = 15 generations away.
    assert lineage[("Merge", "A40")] == 1
    assert lineage[("Merge", "B1")] == 5
    assert lineage[("Merge", "A10")] == 6
    assert lineage[("Merge", "A1")] == 15
    assert lineage[("Merge", "A11")] == 30  # only along the A chain
    # A41 reads A2 directly: A1 is 2 away, A3 only through A40 (38)
    assert (lineage[("A41", "A1")], lineage[("A41", "A2")], lineage[("A41", "A3")]) == (2, 1, 38)
    assert ("Merge", "B6") not in lineage
    assert not any(g["has_truncated_lineage"] for g in built.graphlets("forked").values())


def test_a_lineage_cycle_is_listed_and_flagged(built: Built) -> None:
    assert built.lineage("cyclic") == {
        ("C1", "C2", 1),
        ("C2", "C1", 1),
        ("C3", "C1", 1),
        ("C3", "C2", 2),
    }
    graphlets = built.graphlets("cyclic")
    assert {n: g["has_truncated_lineage"] for n, g in graphlets.items()} == {
        "C1": True,
        "C2": True,
        "C3": True,  # its ancestry runs into the cycle
    }
    [(n_cycles,)] = built.query("select count(*) from intermediate.int_graphlet_lineage_cycles")
    assert n_cycles >= 1
