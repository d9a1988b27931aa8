"""Pruning (docs/semantics.md section 7): leakage-free features and the simulator's accounting.

1. No leakage: a generated corpus is built three times, from the full store, from the store
   cut at a graphlet's decision time (``graphlets.synth.timetravel.cut_store``) and from a
   store whose rows after another decision time are perturbed (states, flags, anomaly counts, times,
   deleted events). Every graphlet that decided by then has the same features, score and
   decisions in all three.
2. Accounting: a hand-written two-pipeline corpus small enough to follow on paper; which
   graphlets the `stale_data` policy skips, the cost and waste saved, the pushes lost, their
   delays and the time-averaged staleness are asserted against numbers computed by hand.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import duckdb
import pytest

from graphlets.build.dbt import run_dbt
from graphlets.synth.generate import generate
from graphlets.synth.mlmd_store import EXECUTION_STATES, StoreWriter
from graphlets.synth.timetravel import cut_store
from loaders.mlmd import load_mlmd
from tests.stores import EVALUATOR, EXAMPLE_GEN, HOUR, PUSHER, T0, TRAINER

DAY = 24 * HOUR
VALIDATOR = "tfx.components.example_validator.component.ExampleValidator"
SOURCE = "corpus"
PRUNING_MODELS = "+rpt_pruning_tradeoff +rpt_pruning_tradeoff_by_group"


def build_pruning(
    store: Path, warehouse: Path, vars: dict, target: Path
) -> duckdb.DuckDBPyConnection:
    """Load ``store`` into a new warehouse, build the pruning marts, open it read-only."""
    load_mlmd(warehouse, str(store), SOURCE)
    run_dbt(warehouse, "seed", target_path=target)
    run_dbt(warehouse, "run", ["--select", PRUNING_MODELS], vars=vars, target_path=target)
    return duckdb.connect(str(warehouse), read_only=True)


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


# ---- 1. no leakage ------------------------------------------------------------------------

FEATURES_BY_TIME = (
    "select * from marts.fct_graphlet_features where decided_at <= ? order by graphlet_id"
)
SCORES_BY_TIME = """
    select scores.graphlet_id, scores.is_training_row, scores.n_training_rows,
        round(scores.pushed_probability, 12)
    from marts.fct_pruning_scores as scores
    inner join marts.fct_graphlet_features as features using (graphlet_id)
    where features.decided_at <= ? order by 1"""
DECISIONS_BY_TIME = """
    select graphlet_id, policy, threshold, is_pruned
    from marts.fct_pruning_decisions where decided_at <= ? order by all"""


def perturb_after(source: Path, target: Path, after_ms: int) -> None:
    """Copy ``source`` to ``target`` and scramble every row timestamped after ``after_ms``."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    complete, failed = EXECUTION_STATES["COMPLETE"], EXECUTION_STATES["FAILED"]
    with sqlite3.connect(target) as db:
        t = {"t": after_ms}
        # executions that ended after: flip COMPLETE <-> FAILED, end an hour later
        db.execute(
            f"UPDATE Execution SET last_known_state = CASE last_known_state "
            f"WHEN {complete} THEN {failed} ELSE {complete} END, "
            "last_update_time_since_epoch = last_update_time_since_epoch + 3600000 "
            "WHERE last_update_time_since_epoch > :t",
            t,
        )
        # artifacts created after: flip every flag, report anomalies everywhere
        db.execute(
            "UPDATE ArtifactProperty SET int_value = 1 - int_value "
            "WHERE name IN ('pushed', 'blessed') AND int_value IN (0, 1) "
            "AND artifact_id IN (SELECT id FROM Artifact WHERE create_time_since_epoch > :t)",
            t,
        )
        db.execute(
            "UPDATE ArtifactProperty SET int_value = 7 WHERE name = 'num_anomalies' "
            "AND artifact_id IN (SELECT id FROM Artifact WHERE create_time_since_epoch > :t)",
            t,
        )
        # every other event after: gone
        db.execute(
            "DELETE FROM EventPath WHERE event_id IN "
            "(SELECT id FROM Event WHERE milliseconds_since_epoch > :t AND id % 2 = 0)",
            t,
        )
        db.execute("DELETE FROM Event WHERE milliseconds_since_epoch > :t AND id % 2 = 0", t)
    db.close()


@pytest.fixture(scope="module")
def leakage(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The generated corpus built in full, cut at one decision and perturbed after another."""
    tmp = tmp_path_factory.mktemp("pruning_leakage")
    store = tmp / "full.sqlite"
    generate(store, pipelines=10, days=16, seed=11)
    with sqlite3.connect(store) as db:
        first, last = db.execute(
            "SELECT min(create_time_since_epoch), max(last_update_time_since_epoch) "
            "FROM Execution WHERE create_time_since_epoch > 0"
        ).fetchone()
    db.close()
    split_ms = first + (last - first) // 2
    split = duckdb.sql(f"select make_timestamp({split_ms} * 1000)::varchar").fetchone()[0]
    vars = {"pruning_split_at": split}
    target = tmp / "target"
    full = build_pruning(store, tmp / "full.duckdb", vars, target)
    # decision times: graphlets of the evaluation range with a final outcome, one pushed
    # and one not, three quarters and seven eighths of the way through
    picks = {}
    for name, outcome, fraction in (("cut", "pushed", 0.75), ("perturbed", "not_blessed", 0.875)):
        picks[name] = rows(
            full,
            """select f.graphlet_id, f.decided_at, epoch_ms(f.decided_at)
               from marts.fct_graphlet_features as f
               inner join marts.fct_graphlets as g using (graphlet_id)
               where g.outcome = ? and f.is_evaluation_range
               order by abs(epoch_ms(f.decided_at) - ?) limit 1""",
            outcome,
            first + int((last - first) * fraction),
        )[0]
    cut_path = tmp / "cut.sqlite"
    cut_store(store, cut_path, picks["cut"][2])
    perturbed_path = tmp / "perturbed.sqlite"
    perturb_after(store, perturbed_path, picks["perturbed"][2])
    result = {
        "full": full,
        "picks": picks,
        "cut": build_pruning(cut_path, tmp / "cut.duckdb", vars, target),
        "perturbed": build_pruning(perturbed_path, tmp / "perturbed.duckdb", vars, target),
    }
    yield result
    for key in ("full", "cut", "perturbed"):
        result[key].close()


@pytest.mark.parametrize("variant", ["cut", "perturbed"])
def test_no_leakage(leakage: dict, variant: str) -> None:
    graphlet_id, decided_at, _ = leakage["picks"][variant]
    full, other = leakage["full"], leakage[variant]
    # the store really changed after the decision: the graphlet's own outcome differs
    outcome = "select outcome from marts.fct_graphlets where graphlet_id = ?"
    assert rows(other, outcome, graphlet_id) != rows(full, outcome, graphlet_id)
    for sql in (FEATURES_BY_TIME, SCORES_BY_TIME, DECISIONS_BY_TIME):
        expected = rows(full, sql, decided_at)
        assert expected, sql
        assert rows(other, sql, decided_at) == expected
    # the graphlet itself, and several others, were compared
    compared = [r[0] for r in rows(full, FEATURES_BY_TIME, decided_at)]
    assert graphlet_id in compared
    assert len(compared) > 100
    # a classifier was trained and scored every graphlet; policies skipped some of them
    assert rows(
        full, "select count(*) from marts.fct_pruning_scores where pushed_probability is null"
    ) == [(0,)]
    pruned = rows(
        full,
        "select count(distinct policy) from marts.fct_pruning_decisions "
        "where is_pruned and decided_at <= ?",
        decided_at,
    )[0][0]
    assert pruned >= 2


def test_outcome_transitions_match_final_outcomes(leakage: dict) -> None:
    """The last known outcome of a graphlet is its outcome in fct_graphlets."""
    mismatches = rows(
        leakage["full"],
        """with last as (
               select * from intermediate.int_pruning_outcome_transitions
               qualify row_number() over (partition by graphlet_id order by known_at desc) = 1
           )
           select g.graphlet_id, g.outcome, last.outcome
           from marts.fct_graphlets as g
           left join last using (graphlet_id)
           where g.outcome <> coalesce(last.outcome, 'pending')""",
    )
    assert mismatches == []


# ---- 2. the simulator's accounting, by hand -----------------------------------------------

SPLIT_DAY = 2
AS_OF_DAY = 7


def at(day: float, hours: float = 0.0) -> int:
    return T0 + int(day * DAY + hours * HOUR)


def hand_store(path: Path) -> None:
    """Two pipelines, one daily training at 12:00 each, costs given as properties.

    Pipeline p: ExampleGen (cost 20) on days 0, 1, 2, 4, 6 writes span = day; Trainer (100)
    12:00-13:00 reads the newest Examples; Evaluator (10) 13:00-13:30; Pusher (1)
    14:00-14:10 when blessed. Graphlets pD for D = 0..6: p3 and p5 read no new span;
    p3 is not blessed, every other one is pushed. A last ExampleValidator (5, an orphan)
    ends at day 7 00:00: the as-of time.
    Pipeline q: ExampleGen on days 2 and 4; q2 blessed but its Pusher writes pushed = 0;
    q3 (same span as q2) and q4 pushed.
    """
    with StoreWriter(path) as w:
        for pipeline in ("p", "q"):
            ctx = w.context("pipeline", pipeline, at(0))
            examples: dict[int, int] = {}

            def run(type_name: str, start: int, end: int, cost: float, ctx: int = ctx) -> int:
                return w.execution(
                    type_name,
                    "COMPLETE",
                    start,
                    end,
                    contexts=(ctx,),
                    custom_properties={"cost": cost},
                )

            ingest_days = (0, 1, 2, 4, 6) if pipeline == "p" else (2, 4)
            train_days = range(7) if pipeline == "p" else (2, 3, 4)
            for day in range(7):
                if day in ingest_days:
                    gen = run(EXAMPLE_GEN, at(day), at(day, 1 / 3), 20)
                    a = w.artifact(
                        "Examples",
                        f"/{pipeline}/examples/{day}",
                        at(day, 1 / 3),
                        properties={"span": day},
                    )
                    w.event(gen, a, "OUTPUT", at(day, 1 / 3), "examples")
                    examples[day] = a
                if day not in train_days:
                    continue
                newest = examples[max(examples)]
                trainer = run(TRAINER, at(day, 12), at(day, 13), 100)
                w.event(trainer, newest, "INPUT", at(day, 12), "examples")
                model = w.artifact("Model", f"/{pipeline}/model/{day}", at(day, 13))
                w.event(trainer, model, "OUTPUT", at(day, 13), "model")
                evaluator = run(EVALUATOR, at(day, 13), at(day, 13.5), 10)
                w.event(evaluator, model, "INPUT", at(day, 13), "model")
                blessed = not (pipeline == "p" and day == 3)
                blessing = w.artifact(
                    "ModelBlessing",
                    f"/{pipeline}/blessing/{day}",
                    at(day, 13.5),
                    custom_properties={"blessed": int(blessed)},
                )
                w.event(evaluator, blessing, "OUTPUT", at(day, 13.5), "blessing")
                if not blessed:
                    continue
                pusher = run(PUSHER, at(day, 14), at(day, 14 + 1 / 6), 1)
                w.event(pusher, model, "INPUT", at(day, 14), "model")
                w.event(pusher, blessing, "INPUT", at(day, 14), "model_blessing")
                pushed = w.artifact(
                    "PushedModel",
                    f"/{pipeline}/pushed/{day}",
                    at(day, 14 + 1 / 6),
                    custom_properties={"pushed": int(not (pipeline == "q" and day == 2))},
                )
                w.event(pusher, pushed, "OUTPUT", at(day, 14 + 1 / 6), "pushed_model")
            if pipeline == "p":
                validator = run(VALIDATOR, at(AS_OF_DAY) - HOUR // 6, at(AS_OF_DAY), 5)
                anomalies = w.artifact("ExampleAnomalies", "/p/anomalies", at(AS_OF_DAY))
                w.event(validator, anomalies, "OUTPUT", at(AS_OF_DAY), "anomalies")


def staleness_integral(pieces: list[tuple[float, float]]) -> float:
    """Integral of staleness over pieces given as (age at start, age at end) in hours."""
    return sum((b * b - a * a) / 2 for a, b in pieces)


@pytest.fixture(scope="module")
def accounting(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("pruning_accounting")
    store = tmp / "hand.sqlite"
    hand_store(store)
    split = duckdb.sql(f"select make_timestamp({at(SPLIT_DAY)} * 1000)::varchar").fetchone()[0]
    vars = {
        "pruning_split_at": split,
        "pruning_thresholds": {
            "stale_data": [0],
            "unpushed_streak": [],
            "stale_or_unpushed": [],
            "validation_anomalies": [],
            "learned": [0.5],
        },
    }
    con = build_pruning(store, tmp / "hand.duckdb", vars, tmp / "target")
    yield con
    con.close()


def graphlet_ids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """{'p3': graphlet_id, ...}: pipeline name + day of the training."""
    found = rows(
        con,
        """select pipeline_id, cast(date_diff('day', ?::timestamp, started_at) as int), graphlet_id
           from marts.fct_graphlets""",
        duckdb.sql(f"select make_timestamp({T0} * 1000)::varchar").fetchone()[0],
    )
    return {f"{p.split('/')[-1]}{day}": g for p, day, g in found}


def test_hand_corpus_outcomes(accounting: duckdb.DuckDBPyConnection) -> None:
    ids = graphlet_ids(accounting)
    outcomes = dict(rows(accounting, "select graphlet_id, outcome from marts.fct_graphlets"))
    assert {name: outcomes[g] for name, g in ids.items()} == {
        "p0": "pushed",
        "p1": "pushed",
        "p2": "pushed",
        "p3": "not_blessed",
        "p4": "pushed",
        "p5": "pushed",
        "p6": "pushed",
        "q2": "not_pushed",
        "q3": "pushed",
        "q4": "pushed",
    }


def test_hand_corpus_decisions(accounting: duckdb.DuckDBPyConnection) -> None:
    ids = graphlet_ids(accounting)
    names = {g: name for name, g in ids.items()}
    decided = rows(
        accounting,
        """select graphlet_id, is_pruned, saved_cost, saved_wasted_cost, is_push_lost,
               push_delay_hours, is_push_delay_censored
           from marts.fct_pruning_decisions where policy = 'stale_data' and threshold = 0""",
    )
    by_name = {names[g]: rest for g, *rest in decided}
    # the evaluation range: graphlets that start on day 2 or later
    assert set(by_name) == {"p2", "p3", "p4", "p5", "p6", "q2", "q3", "q4"}
    # skipped: no span newer than the last blessed model's (p3: p2's span 2; p5: p4's span
    # 4; q3: q2's span 2). q2 is kept: no blessed model was known before it.
    assert {n for n, r in by_name.items() if r[0]} == {"p3", "p5", "q3"}
    # saved: the anchor (100) and the downstream Evaluator (10) and Pusher (1), never the
    # upstream ExampleGen; only p3's was waste. p5 and q3 were pushed: lost, and the next
    # kept push came a day later.
    assert by_name["p3"] == [True, 110.0, 110.0, False, None, None]
    assert by_name["p5"] == [True, 111.0, 0.0, True, pytest.approx(24.0), False]
    assert by_name["q3"] == [True, 111.0, 0.0, True, pytest.approx(24.0), False]
    for name in ("p2", "p4", "p6", "q2", "q4"):
        assert by_name[name] == [False, 0.0, 0.0, False, None, None]
    # the never-prune baseline skips nothing; the learned policy has no model (2 training
    # rows) and skips nothing either
    assert rows(
        accounting,
        "select count(*) from marts.fct_pruning_decisions "
        "where policy in ('never_prune', 'learned', 'learned_value') and is_pruned",
    ) == [(0,)]
    assert rows(accounting, "select count(pushed_probability) from marts.fct_pruning_scores") == [
        (0,)
    ]


def test_hand_corpus_tradeoff(accounting: duckdb.DuckDBPyConnection) -> None:
    (row,) = rows(
        accounting,
        """select n_graphlets, n_pruned, evaluation_cost, evaluation_wasted_cost, saved_cost,
               saved_wasted_cost, waste_saved_fraction, cost_saved_fraction, n_pushes,
               n_pushes_lost, pushes_lost_fraction, mean_push_delay_hours,
               baseline_staleness_hours, staleness_hours, staleness_increase_fraction
           from marts.rpt_pruning_tradeoff where policy = 'stale_data' and threshold = 0""",
    )
    # cost of executions started on day 2 or later. p: ExampleGen days 2, 4, 6 (60),
    # trainers p2-p6 (500), evaluators (50), pushers p2, p4, p5, p6 (4), the validator (5);
    # q: ExampleGen days 2, 4 (40), trainers (300), evaluators (30), pushers (3).
    evaluation_cost = 619 + 373
    # waste: p3's trainer and evaluator (110); q2's trainer, evaluator and pusher (111). The
    # ExampleGen runs are shared with pushed graphlets: productive.
    wasted = 110 + 111
    saved = 110 + 111 + 111
    # staleness, in hours of model age. Window of p: day 2 00:00 (the split) to day 7 00:00.
    # p1 (trained day 1 13:00) serves until p2's push at day 2 14:10, then p2 until day 4
    # 14:10, p4 a day, p5 a day, p6 until day 7. Without p5, p4 serves two days.
    push = 7 / 6  # a model is 1h10 old when pushed
    p_base = staleness_integral(
        [(11, 25 + 1 / 6), (push, 49 + 1 / 6), (push, 25 + 1 / 6), (push, 25 + 1 / 6), (push, 11)]
    )
    p_policy = staleness_integral(
        [(11, 25 + 1 / 6), (push, 49 + 1 / 6), (push, 49 + 1 / 6), (push, 11)]
    )
    # Window of q: its first push (q3, day 3 14:10) to day 7 00:00. q3 serves a day, then q4
    # (trained day 4 13:00) until day 7 00:00 (59 h old). Without q3 nothing is served for a
    # day: staleness counts from q's first execution (day 2 00:00), 38h10 to 62h10.
    q_base = staleness_integral([(push, 25 + 1 / 6), (push, 59)])
    q_policy = staleness_integral([(38 + 1 / 6, 62 + 1 / 6), (push, 59)])
    window = 5 * 24 + (3 * 24 + 24 - 14 - 1 / 6)
    assert row[:6] == (
        8,
        3,
        pytest.approx(evaluation_cost),
        pytest.approx(wasted),
        pytest.approx(saved),
        pytest.approx(110),
    )
    assert row[6] == pytest.approx(110 / wasted)
    assert row[7] == pytest.approx(saved / evaluation_cost)
    assert row[8:11] == (6, 2, pytest.approx(2 / 6))
    assert row[11] == pytest.approx(24.0)
    assert row[12] == pytest.approx((p_base + q_base) / window)
    assert row[13] == pytest.approx((p_policy + q_policy) / window)
    assert row[14] == pytest.approx((p_policy + q_policy) / (p_base + q_base) - 1)
    assert not math.isclose(row[14], 0)
    # the baseline row
    (base,) = rows(
        accounting,
        "select n_pruned, saved_cost, waste_saved_fraction, n_pushes_lost, "
        "staleness_increase_fraction from marts.rpt_pruning_tradeoff where policy = 'never_prune'",
    )
    assert base == (0, 0.0, 0.0, 0, 0.0)


def test_hand_corpus_groups(accounting: duckdb.DuckDBPyConnection) -> None:
    groups = dict(
        rows(
            accounting,
            "select distinct pipeline_id, pipeline_group from marts.rpt_pruning_pipelines",
        )
    )
    # p trained twice in the day and a half before the split; q started after it
    assert groups == {"corpus/p": "daily_or_slower", "corpus/q": "new_in_evaluation"}


def test_never_pushed_is_a_finding_not_a_recommendation() -> None:
    """A group without a push in the evaluation range gets "never pushed: N trainings, cost
    X", not "skipping 32 of 32 trainings"."""
    from graphlets.readers.pruning_report import OperatingPoint, describe

    def point(policy: str, n_pruned: int) -> OperatingPoint:
        return OperatingPoint(
            policy,
            None if policy == "never_prune" else 0.5,
            32,
            n_pruned,
            1.0,
            1.0,
            0,
            0,
            0.0,
            None,
            0.0,
            None,
            None,
            evaluation_cost=1234.0,
        )

    sentence = describe(
        "never_pushed", 3, point("learned", 32), 0.05, baseline=point("never_prune", 0)
    )
    assert sentence.startswith("Pipelines that had never pushed before the split (3 pipelines)")
    assert "never pushed: 32 trainings in the evaluation range, cost 1,234" in sentence
    assert "not a pruning recommendation" in sentence
    assert "skipped" not in sentence and "no pushes to lose" not in sentence


def test_prune_report(accounting: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """`graphlets prune-report`: the chart, the table and the recommendation in words."""
    from graphlets.readers.pruning_report import write_prune_report
    from tests.conftest import run_cli

    warehouse = Path(
        accounting.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
    )
    # within a 5% staleness budget nothing qualifies on this corpus (+35% staleness)
    strict = write_prune_report(warehouse, tmp_path / "strict")
    assert strict.recommendations[0].point is None
    assert "keep running everything" in strict.recommendations[0].sentence
    # with a 50% budget, stale_data at 0 is the best point
    report = write_prune_report(warehouse, tmp_path / "loose", max_staleness_increase=0.5)
    best = report.recommendations[0]
    assert (best.point.policy, best.point.threshold) == ("stale_data", 0.0)
    assert "saved 50% of the waste" in best.sentence
    assert (
        "lost 2 of 6 pushes (33.3%); after a lost push the previous model served 24.0 "
        "hours longer on average" in best.sentence
    )
    assert "delayed" not in best.sentence
    assert report.chart_svg.read_text().startswith("<?xml")
    assert report.chart_png.stat().st_size > 10_000
    text = report.report_path.read_text()
    assert "| stale_data | 0 | 3 | 49.8% |" in text
    # the command is a thin shell over it
    done = run_cli(
        "--warehouse",
        str(warehouse),
        "prune-report",
        "--out",
        str(tmp_path / "cli"),
        "--max-staleness-increase",
        "0.5",
    )
    assert done.returncode == 0, done.stderr
    assert "All pipelines: skipping a training when no data span newer" in done.stdout
    assert (tmp_path / "cli" / "pruning_report.md").exists()
