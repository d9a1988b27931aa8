"""An independent reading of docs/semantics.md (sections 1-5) in plain Python.

Reads an ML Metadata SQLite store with sqlite3 (no DuckDB, no dbt, nothing of the models) and
computes what the marts must say about it: every execution's pipeline, node, role, cost and
waste class; every graphlet's members with relation and hops, its outcome and its costs; its
model lineage (section 4: parents, every ancestor at any depth with the fewest generations,
and whether the lineage runs into a cycle). The
property tests (tests/test_properties.py) compare the built marts with it on random stores.

Where docs/semantics.md leaves a choice to the models and they document it, this file follows the
documented choice and says so:
- a downstream walk, like the upstream one, does not follow history edges (same node)
  (models/intermediate/graphlets/int_graphlet_downstream_edges.sql);
- an execution that is both upstream and an owned downstream member of one graphlet is listed
  once, as downstream (int_graphlet_members.sql);
- the as-of time counts every row of the Event table, even one whose execution or artifact
  does not exist (the property tests never give such events a time, so this does not matter).
"""

from __future__ import annotations

import csv
import math
import re
import sqlite3
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

STATES = {1: "NEW", 2: "RUNNING", 3: "COMPLETE", 4: "FAILED", 5: "CACHED", 6: "CANCELED"}
INPUT_TYPES = {2, 3}  # DECLARED_INPUT, INPUT
OUTPUT_TYPES = {1, 4}  # DECLARED_OUTPUT, OUTPUT
PIPELINE_CONTEXT_TYPES = {"pipeline", "system.Pipeline"}
DONE = {"COMPLETE", "CACHED"}


@dataclass(frozen=True)
class Vars:
    """The dbt vars of dbt_project.yml that the rules read."""

    max_hops: int = 32
    baseline_keys: tuple[str, ...] = ("baseline_model", "baseline")
    cost_property: str = "cost"
    downstream_roles: tuple[str, ...] = ("evaluate", "infra_validate", "push")
    pending_grace_hours: float = 24


@dataclass(frozen=True)
class Execution:
    id: int
    type_name: str
    role: str
    state: str
    start: int | None  # ms, None when unknown
    end: int | None
    pipeline_id: str
    node_id: str
    cost: float


@dataclass(frozen=True)
class Member:
    relation: str  # trainer | upstream | downstream
    hops: int
    n_sharing: int
    attributed_cost: float
    wasted_cost: float


@dataclass(frozen=True)
class Graphlet:
    anchor: int
    pipeline_id: str
    outcome: str
    pushed_at: int | None  # ms
    n_upstream: int
    n_downstream: int
    total_cost: float
    attributed_cost: float
    wasted_cost: float


@dataclass
class Expected:
    """What the marts must hold for one source, keyed by MLMD (source) ids."""

    executions: dict[int, Execution]
    graphlets: dict[int, Graphlet]
    members: dict[tuple[int, int], Member]  # (anchor, execution) -> member
    waste_class: dict[int, str]
    n_graphlets: dict[int, int]
    downstream_owner: dict[int, int]  # execution -> anchor owning it downstream
    as_of: int | None
    upstream_edges: dict[int, set[int]] = field(default_factory=dict)
    downstream_edges: dict[int, set[int]] = field(default_factory=dict)
    # (graphlet, ancestor) -> fewest generations, at any depth (section 4.2)
    lineage: dict[tuple[int, int], int] = field(default_factory=dict)
    # graphlets that are, or descend from, their own ancestor (fct_graphlets.has_truncated_lineage)
    cyclic_lineage: set[int] = field(default_factory=set)


# -- docs/semantics.md section 1: properties, roles, costs -----------------------------------------
def like_to_regex(pattern: str) -> re.Pattern:
    """A SQL ILIKE pattern (no escape character, case-insensitive) as a regex."""
    parts = [".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


# Role rule: (priority, -len(pattern), pattern, field, role, regex), in the order they win.
RoleRule = tuple[int, int, str, str, str, re.Pattern]
ROLE_FIELDS = ("task_name", "display_name", "image")  # MLMD properties matched by the rules
ROLE_MARKER = "graphlets_role"


def component_roles() -> list[RoleRule]:
    """The rules of seeds/role_rules.csv that apply to an MLMD source, best first."""
    with open(REPO / "seeds" / "role_rules.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["source_kind"] in ("mlmd", "*")]
    return sorted(
        (
            int(r["priority"]),
            -len(r["pattern"]),
            r["pattern"],
            r["field"],
            r["role"],
            like_to_regex(r["pattern"]),
        )
        for r in rows
    )


def known_roles() -> set[str]:
    with open(REPO / "seeds" / "component_role_order.csv", newline="") as f:
        return {r["role"] for r in csv.DictReader(f)}


def role_weights() -> dict[str, float]:
    with open(REPO / "seeds" / "role_cost_weights.csv", newline="") as f:
        return {r["role"]: float(r["weight"]) for r in csv.DictReader(f)}


def role_of(fields: dict[str, str], roles: list[RoleRule]) -> str:
    """The explicit marker when it names a known role, else the first rule matching a field."""
    marker = fields.get(ROLE_MARKER)
    if marker is not None and marker.strip().lower() in known_roles():
        return marker.strip().lower()
    for _priority, _length, _pattern, field_name, role, regex in roles:
        value = fields.get(field_name)
        if value is not None and regex.fullmatch(value):
            return role
    return "other"


def flag(row: tuple | None) -> bool | None:
    """A property row (int, double, string, bool) read as a flag; None: not a flag."""
    if row is None:
        return None
    int_value, double_value, string_value, bool_value = row
    if bool_value is not None:
        return bool(bool_value)
    if int_value is not None:
        return {1: True, 0: False}.get(int_value)
    if double_value is not None:
        return {1.0: True, 0.0: False}.get(double_value)
    if string_value is not None:
        text = string_value.strip(" \t\n\r").lower()
        return {"1": True, "true": True, "0": False, "false": False}.get(text)
    return None


def number(row: tuple | None) -> float | None:
    """A finite number held in the int or double column."""
    if row is None:
        return None
    int_value, double_value, _string, _bool = row
    if int_value is not None:
        return float(int_value)
    if double_value is not None and math.isfinite(double_value):
        return float(double_value)
    return None


def known(ms: int | None) -> int | None:
    return ms if ms is not None and ms > 0 else None


def _properties(db: sqlite3.Connection, table: str, owner: str, names: Iterable[str]) -> dict:
    """(owner id, name) -> (int, double, string, bool) of the winning row (declared first)."""
    marks = ", ".join("?" * len(list(names)))
    rows = db.execute(
        f"SELECT {owner}, name, is_custom_property, int_value, double_value, string_value, "
        f"bool_value FROM {table} WHERE name IN ({marks}) ORDER BY is_custom_property DESC",
        list(names),
    ).fetchall()
    out = {}
    for owner_id, name, _custom, *values in rows:  # declared rows come last and win
        out[(owner_id, name)] = tuple(values)
    return out


# -- the whole computation --------------------------------------------------------------------
def expected(store: Path, source_id: str, v: Vars = Vars()) -> Expected:
    db = sqlite3.connect(store)
    try:
        return _expected(db, source_id, v)
    finally:
        db.close()


def _expected(db: sqlite3.Connection, source_id: str, v: Vars) -> Expected:
    roles, weights = component_roles(), role_weights()
    types = dict(db.execute("SELECT id, name FROM Type"))
    contexts = {
        cid: (types.get(tid), name)
        for cid, tid, name in db.execute("SELECT id, type_id, name FROM Context")
    }
    parents = defaultdict(set)
    for child, parent in db.execute("SELECT context_id, parent_context_id FROM ParentContext"):
        parents[child].add(parent)
    associated = defaultdict(set)
    for ctx, x in db.execute("SELECT context_id, execution_id FROM Association"):
        associated[x].add(ctx)
    exec_props = _properties(
        db,
        "ExecutionProperty",
        "execution_id",
        (v.cost_property, "component_id", ROLE_MARKER, *ROLE_FIELDS),
    )
    art_props = _properties(db, "ArtifactProperty", "artifact_id", ("pushed", "blessed"))

    executions: dict[int, Execution] = {}
    for x, tid, state, created, updated in db.execute(
        "SELECT id, type_id, last_known_state, create_time_since_epoch, "
        "last_update_time_since_epoch FROM Execution"
    ):
        type_name = types.get(tid)
        if type_name == "system.DAGExecution":
            continue  # a Kubeflow run or sub-DAG: not a member of the graph
        fields = {"type_name": type_name} if type_name is not None else {}
        for name in (*ROLE_FIELDS, ROLE_MARKER):
            prop = exec_props.get((x, name))
            if prop is not None and prop[2] is not None:
                fields[name] = prop[2]
        role = role_of(fields, roles)
        state_name = STATES.get(state, "UNKNOWN")
        start, end = known(created), known(updated)
        # pipeline: a pipeline context reached directly or as a parent; the lowest id wins
        links = {c for c in associated[x] if contexts.get(c, (None,))[0] in PIPELINE_CONTEXT_TYPES}
        links |= {
            p
            for c in associated[x]
            if c in contexts
            for p in parents[c]
            if contexts.get(p, (None,))[0] in PIPELINE_CONTEXT_TYPES
        }
        pipeline = contexts[min(links)][1] if links else "(none)"
        nodes = [c for c in associated[x] if contexts.get(c, (None,))[0] == "node"]
        if nodes:
            node = contexts[min(nodes)][1]
            if node.startswith(pipeline + "."):
                node = node[len(pipeline) + 1 :]
        else:
            component = exec_props.get((x, "component_id"))
            task = exec_props.get((x, "task_name"))
            node = (
                (component[2] if component else None)
                or (task[2] if task else None)
                or type_name
                or "(unknown type)"
            )
        # cost
        value = number(exec_props.get((x, v.cost_property)))
        if state_name == "CACHED":
            cost = 0.0
        elif value is not None and value >= 0:
            cost = value
        elif start is not None and end is not None and end >= start:
            cost = (end - start) / 1000.0 * weights.get(role, 1.0)
        else:
            cost = 0.0
        executions[x] = Execution(
            x,
            type_name or "(unknown type)",
            role,
            state_name,
            start,
            end,
            f"{source_id}/{pipeline}",
            node,
            cost,
        )

    artifacts = {a for (a,) in db.execute("SELECT id FROM Artifact")}
    keys = defaultdict(list)
    for event_id, key in db.execute(
        "SELECT event_id, step_key FROM EventPath WHERE is_index_step = 0 AND step_key IS NOT NULL"
    ):
        keys[event_id].append(key)
    times = [t for (t,) in db.execute("SELECT milliseconds_since_epoch FROM Event")]
    # every execution's end counts (a Kubeflow DAG execution's too)
    ends = [
        e
        for (u,) in db.execute("SELECT last_update_time_since_epoch FROM Execution")
        if (e := known(u)) is not None
    ]
    seen = [t for t in times if known(t) is not None] + ends
    as_of = max(seen) if seen else None

    # usable events (section 1)
    outputs: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))  # a -> p -> ts
    inputs: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))  # a -> x -> base
    output_artifacts: dict[int, set[int]] = defaultdict(set)  # x -> artifacts it output
    for event_id, a, x, etype, t in db.execute(
        "SELECT id, artifact_id, execution_id, type, milliseconds_since_epoch FROM Event"
    ):
        if x not in executions or a not in artifacts:
            continue
        key = min(keys[event_id]) if keys[event_id] else None
        if etype in OUTPUT_TYPES:
            output_artifacts[x].add(a)
            outputs[a][x].append(known(t))
        elif etype in INPUT_TYPES:
            inputs[a][x].append(key in v.baseline_keys)

    # edges: producer p feeds consumer x through artifact a (resolvers neither)
    edge_artifacts: dict[tuple[int, int], list[bool]] = defaultdict(list)
    for a, producers in outputs.items():
        for p, out_times in producers.items():
            if executions[p].role == "resolve":
                continue
            for x, baselines in inputs.get(a, {}).items():
                if executions[x].role == "resolve":
                    continue
                start = executions[x].start
                if any(t is None for t in out_times) or start is None or min(out_times) <= start:
                    edge_artifacts[(p, x)].append(all(baselines))

    def same_node(p: int, x: int) -> bool:
        ep, ex = executions[p], executions[x]
        return (ep.pipeline_id, ep.node_id) == (ex.pipeline_id, ex.node_id)

    up: dict[int, set[int]] = defaultdict(set)  # consumer -> producers the walk follows
    down: dict[int, set[int]] = defaultdict(set)  # producer -> consumers
    down_roles = set(v.downstream_roles)
    for (p, x), baselines in edge_artifacts.items():
        if same_node(p, x):
            continue
        if executions[p].role != "train":
            up[x].add(p)
        if (
            executions[x].role in down_roles
            and executions[p].role in down_roles | {"train"}
            and not all(baselines)
        ):
            down[p].add(x)

    anchors = sorted(x for x, e in executions.items() if e.role == "train")

    def rank(anchor: int) -> tuple:
        end = executions[anchor].end
        return (end is not None, end or 0, anchor)

    upstream = {g: _walk(g, up, v.max_hops) for g in anchors}
    downstream = {g: _walk(g, down, v.max_hops) for g in anchors}
    owner: dict[int, int] = {}
    for g in anchors:
        for x in downstream[g]:
            if x != g and (x not in owner or rank(g) > rank(owner[x])):
                owner[x] = g

    relations: dict[tuple[int, int], tuple[str, int]] = {}
    for g in anchors:
        relations[(g, g)] = ("trainer", 0)
        for x, hops in upstream[g].items():
            if x != g:
                relations[(g, x)] = ("upstream", hops)
    for x, g in owner.items():
        relations[(g, x)] = ("downstream", downstream[g][x])
    containing: dict[int, list[int]] = defaultdict(list)
    for g, x in relations:
        containing[x].append(g)

    # section 3: outcomes
    art_flags = {
        a: (flag(art_props.get((a, "pushed"))), flag(art_props.get((a, "blessed"))))
        for a in artifacts
    }
    grace_ms = v.pending_grace_hours * 3_600_000
    outcomes: dict[int, tuple[str, int | None]] = {}
    for g in anchors:
        anchor = executions[g]
        owned = [x for (gg, x), (rel, _) in relations.items() if gg == g and rel == "downstream"]
        push_times, declined, infra_no, eval_no = [], False, False, False
        for x in owned:
            e = executions[x]
            pushed = [art_flags[a][0] for a in output_artifacts[x] if art_flags[a][0] is not None]
            blessed_false = any(art_flags[a][1] is False for a in output_artifacts[x])
            if e.role == "push" and e.state in DONE:
                if any(pushed) or not pushed:
                    push_times.append(e.end if e.end is not None else e.start)
                else:
                    declined = True
            infra_no |= e.role == "infra_validate" and blessed_false
            eval_no |= e.role == "evaluate" and blessed_false
        if anchor.state in ("FAILED", "CANCELED") or (
            anchor.state in DONE and not output_artifacts[g]
        ):
            outcome = "training_failed"
        elif push_times:
            outcome = "pushed"
        elif infra_no:
            outcome = "infra_rejected"
        elif eval_no:
            outcome = "not_blessed"
        elif declined or (
            anchor.state in DONE
            and anchor.end is not None
            and as_of is not None
            and anchor.end < as_of - grace_ms
        ):
            outcome = "not_pushed"
        else:
            outcome = "pending"
        known_times = [t for t in push_times if t is not None]
        pushed_at = min(known_times) if outcome == "pushed" and known_times else None
        outcomes[g] = (outcome, pushed_at)

    # section 5: waste classes and cost shares
    waste_class, n_final_unpushed = {}, {}
    for x in executions:
        gs = containing.get(x, [])
        final_unpushed = [g for g in gs if outcomes[g][0] not in ("pushed", "pending")]
        n_final_unpushed[x] = len(final_unpushed)
        if any(outcomes[g][0] == "pushed" for g in gs):
            waste_class[x] = "productive"
        elif final_unpushed:
            waste_class[x] = "wasted"
        elif gs:
            waste_class[x] = "pending"
        else:
            waste_class[x] = "orphan"
    members: dict[tuple[int, int], Member] = {}
    for (g, x), (relation, hops) in relations.items():
        cost, n = executions[x].cost, len(containing[x])
        wasted = (
            cost / n_final_unpushed[x]
            if waste_class[x] == "wasted" and outcomes[g][0] not in ("pushed", "pending")
            else 0.0
        )
        members[(g, x)] = Member(relation, hops, n, cost / n, wasted)
    graphlets = {}
    for g in anchors:
        mine = [(x, m) for (gg, x), m in members.items() if gg == g]
        graphlets[g] = Graphlet(
            g,
            executions[g].pipeline_id,
            outcomes[g][0],
            outcomes[g][1],
            sum(1 for _, m in mine if m.relation == "upstream"),
            sum(1 for _, m in mine if m.relation == "downstream"),
            sum(executions[x].cost for x, _ in mine),
            sum(m.attributed_cost for _, m in mine),
            sum(m.wasted_cost for _, m in mine),
        )
    # section 4: parents (a train producer read by the anchor or an upstream member; history
    # and baseline edges included) and their closure at any depth
    producers_of: dict[int, set[int]] = defaultdict(set)
    for p, x in edge_artifacts:
        if executions[p].role == "train":
            producers_of[x].add(p)
    model_parents = {
        g: {p for x in upstream[g] for p in producers_of.get(x, ()) if p != g} for g in anchors
    }
    ancestry = {g: _walk(g, model_parents, math.inf) for g in anchors}
    lineage = {(g, a): n for g in anchors for a, n in ancestry[g].items() if a != g}
    on_cycle = {g for g in anchors if any(g in model_parents[p] for p in ancestry[g])}
    cyclic_lineage = {g for g in anchors if on_cycle & ancestry[g].keys()}
    return Expected(
        executions,
        graphlets,
        members,
        waste_class,
        {x: len(containing.get(x, [])) for x in executions},
        owner,
        as_of,
        dict(up),
        dict(down),
        lineage,
        cyclic_lineage,
    )


def _walk(seed: int, edges: Mapping[int, set[int]], max_hops: float) -> dict[int, int]:
    """Breadth-first: execution -> shortest distance from the seed, at most max_hops
    (math.inf: no bound, as for model lineage)."""
    hops = {seed: 0}
    queue = deque([seed])
    while queue:
        x = queue.popleft()
        if hops[x] >= max_hops:
            continue
        for y in edges.get(x, ()):
            if y not in hops:
                hops[y] = hops[x] + 1
                queue.append(y)
    return hops
