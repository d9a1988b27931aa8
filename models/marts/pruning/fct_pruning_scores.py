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
"""

import numpy as np

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

TRAINING_SET = """
select
    features.*,
    case when features.n_known_outcomes > 0
        then features.n_known_pushed / features.n_known_outcomes end as known_push_rate,
    features.previous_known_outcome = 'pushed' as previous_was_pushed,
    features.previous_known_outcome in ('not_blessed', 'infra_rejected', 'not_pushed')
        as previous_was_rejected,
    features.previous_known_outcome = 'training_failed' as previous_was_failed,
    features.previous_known_outcome = 'pending' as previous_is_pending,
    labels.outcome as label_outcome
from pruning_features as features
asof left join pruning_transitions as labels
    on features.graphlet_id = labels.graphlet_id
    and features.split_at > labels.known_at
order by features.source_id, features.graphlet_id
"""


def _matrix(columns: dict, rows: np.ndarray) -> np.ndarray:
    out = np.empty((int(rows.sum()), len(FEATURES)), dtype=np.float64)
    for j, name in enumerate(FEATURES):
        col = np.ma.masked_invalid(np.ma.asarray(columns[name], dtype=np.float64))
        out[:, j] = col.filled(np.nan)[rows]
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    from sklearn.ensemble import HistGradientBoostingClassifier

    session.register("pruning_features", dbt.ref("fct_graphlet_features"))
    session.register("pruning_transitions", dbt.ref("int_pruning_outcome_transitions"))
    data = session.sql(TRAINING_SET).fetchnumpy()
    session.unregister("pruning_features")
    session.unregister("pruning_transitions")

    graphlet_id = np.asarray(data["graphlet_id"], dtype=np.int64)
    source_id = np.asarray(data["source_id"], dtype=object)
    in_evaluation = np.ma.asarray(data["is_evaluation_range"]).filled(False).astype(bool)
    outcome = np.ma.asarray(data["label_outcome"]).filled("pending").astype(object)
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

    scores = {
        "graphlet_id": graphlet_id,
        "source_id": source_id.astype(str),
        "is_training_row": is_labelled,
        "n_training_rows": n_training_rows,
        "pushed_probability": probability,
    }
    session.register("pruning_scores", scores)
    return session.sql(
        "select graphlet_id, cast(source_id as varchar) as source_id, is_training_row, "
        "n_training_rows, "
        "case when isnan(pushed_probability) then null else pushed_probability end "
        "as pushed_probability from pruning_scores"
    )
