"""The learned pruning policy: P(pushed) of every graphlet from its decision features.

One row per graphlet of fct_graphlet_features. A gradient-boosted tree classifier
(scikit-learn's HistGradientBoostingClassifier) is trained per source on the graphlets of its
training range (anchor started before the source's `split_at`) whose outcome was already
final at `split_at`, labelled with that outcome as it was known then (pushed or not). It is
then applied to every graphlet of the source; fct_pruning_decisions prunes evaluation-range
graphlets whose probability is below a swept threshold.

Why gradient-boosted trees rather than a logistic regression (docs/pruning.md): the signals
interact (no new data matters only in a pipeline that pushes at all; a long un-pushed streak
means nothing in a new pipeline), several are missing by nature (no push yet, no previous
graphlet) and are handled natively as missing values, and the features need no scaling.
`early_stopping` is off and `random_state` fixed, so the same training rows give the same
model: a rebuild from a store cut after the split scores every graphlet identically.

Nothing here reads the future of a scored graphlet: the model sees only rows and labels
known before `split_at`, and evaluation-range graphlets decide at or after it.

The same code runs on DuckDB and on Spark (docs/spark.md, "The Python model"): the refs are
read as pandas (`_frame`), the rows ordered by source and graphlet, and the result returned
as each engine takes it (`_table`), chosen by the objects dbt passes, not by the target.
"""

import numpy as np
import pandas as pd

FEATURES = (
    "n_prior_graphlets",
    "n_graphlets_prior_24h",
    "pipeline_age_hours",
    "n_known_outcomes",
    "n_known_pushed",
    "known_push_rate",
    "n_known_training_failed",
    "recent_push_rate",
    "n_unpushed_since_last_push",
    "hours_since_last_push",
    "n_pushes_trailing_window",
    "recent_bless_rate",
    "hours_since_last_blessed",
    "hours_since_previous_graphlet",
    "previous_was_pushed",
    "previous_was_rejected",
    "previous_was_failed",
    "previous_is_pending",
    "span_advance_since_previous",
    "span_advance_since_last_push",
    "span_advance_since_last_blessed",
    "n_new_anchor_inputs",
    "is_schema_changed_since_previous",
    "is_schema_changed_since_last_push",
    "is_transform_graph_changed_since_previous",
    "n_upstream_members",
    "n_upstream_cached",
    "n_new_upstream_members",
    "new_upstream_cost",
    "is_upstream_node_set_changed",
    "latest_validation_anomalies",
    "n_validation_problems_since_previous",
    "n_upstream_failures_since_previous",
    "is_warm_start",
    "n_anchor_inputs",
)

# Fewer training rows (or a single class) than this: no model; the policy prunes nothing.
MIN_TRAINING_ROWS = 50

# The columns the model writes, as Spark declares them (DuckDB reads the pandas types).
SCHEMA = (
    "graphlet_id bigint, source_id string, is_training_row boolean, n_training_rows bigint, "
    "pushed_probability double"
)


def _frame(relation) -> pd.DataFrame:
    """A ref as pandas, on either engine (docs/spark.md, "The Python model"): a Spark
    DataFrame has `toPandas`, a DuckDB relation `df`."""
    to_pandas = getattr(relation, "toPandas", None)
    return to_pandas() if callable(to_pandas) else relation.df()


def _table(session, frame: pd.DataFrame):
    """The model's result: pandas for DuckDB (NaN is read as NULL); for Spark a DataFrame
    with the declared schema and NaN as NULL (Spark would keep NaN, and cannot type a
    column that is NULL throughout)."""
    if not callable(getattr(session, "createDataFrame", None)):
        return frame
    rows = frame.astype(object).where(frame.notna(), None)
    return session.createDataFrame(list(rows.itertuples(index=False, name=None)), SCHEMA)


def _numbers(values: pd.Series) -> np.ndarray:
    """A column as float64, NULL as NaN (nullable integers, booleans, decimals alike)."""
    return values.astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _training_set(features: pd.DataFrame, transitions: pd.DataFrame) -> pd.DataFrame:
    """The features ordered by source and graphlet, with the derived features and the label:
    the graphlet's outcome as last known strictly before its `split_at` (none: pending)."""
    data = features.sort_values(["source_id", "graphlet_id"], kind="stable")
    data = data.reset_index(drop=True)
    labels = transitions[["graphlet_id", "known_at", "outcome"]].merge(
        data[["graphlet_id", "split_at"]], on="graphlet_id"
    )
    labels = labels[labels["known_at"] < labels["split_at"]]
    labels = labels.sort_values(["graphlet_id", "known_at"], kind="stable")
    labels = labels.drop_duplicates("graphlet_id", keep="last").set_index("graphlet_id")
    data["label_outcome"] = data["graphlet_id"].map(labels["outcome"])
    n_known = _numbers(data["n_known_outcomes"])
    n_pushed = _numbers(data["n_known_pushed"])
    data["known_push_rate"] = np.divide(
        n_pushed, n_known, out=np.full(len(data), np.nan), where=n_known > 0
    )
    previous = data["previous_known_outcome"]
    known = previous.notna().to_numpy()
    for name, outcomes in (
        ("previous_was_pushed", ("pushed",)),
        ("previous_was_rejected", ("not_blessed", "infra_rejected", "not_pushed")),
        ("previous_was_failed", ("training_failed",)),
        ("previous_is_pending", ("pending",)),
    ):
        data[name] = np.where(known, previous.isin(outcomes).to_numpy(dtype=np.float64), np.nan)
    return data


def _matrix(data: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    out = np.empty((int(rows.sum()), len(FEATURES)), dtype=np.float64)
    for j, name in enumerate(FEATURES):
        out[:, j] = _numbers(data[name])[rows]
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    from sklearn.ensemble import HistGradientBoostingClassifier

    data = _training_set(
        _frame(dbt.ref("fct_graphlet_features")),
        _frame(dbt.ref("int_pruning_outcome_transitions")),
    )

    graphlet_id = data["graphlet_id"].to_numpy(dtype=np.int64)
    source_id = data["source_id"].to_numpy(dtype=object)
    in_evaluation = _numbers(data["is_evaluation_range"]) == 1
    outcome = data["label_outcome"].astype(object).where(data["label_outcome"].notna(), "pending")
    outcome = outcome.to_numpy(dtype=object)
    is_labelled = (~in_evaluation) & (outcome != "pending")
    is_positive = outcome == "pushed"

    probability = np.full(len(graphlet_id), np.nan)
    n_training_rows = np.zeros(len(graphlet_id), dtype=np.int64)
    for source in sorted(set(source_id.tolist())):
        of_source = source_id == source
        train = of_source & is_labelled
        n_train = int(train.sum())
        n_training_rows[of_source] = n_train
        if n_train < MIN_TRAINING_ROWS or len(set(is_positive[train].tolist())) < 2:
            continue
        classifier = HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.1,
            max_leaf_nodes=31,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=0,
        )
        classifier.fit(_matrix(data, train), is_positive[train].astype(np.int64))
        probability[of_source] = classifier.predict_proba(_matrix(data, of_source))[:, 1]

    scores = pd.DataFrame(
        {
            "graphlet_id": graphlet_id,
            "source_id": source_id.astype(str),
            "is_training_row": is_labelled,
            "n_training_rows": n_training_rows,
            "pushed_probability": probability,
        }
    )
    return _table(session, scores)
