"""Write an MLflow tracking store with the mlflow library itself (run in ``.venv-mlflow``:
mlflow's pins conflict with dbt's), for tests/test_mlflow.py.

``python tests/mlflow_store.py build STORE [ARTIFACTS]`` writes four days of a training
pipeline into the store STORE (experiment ``churn``, registered model ``churn-model``): a
SQLite file, or a tracking URI (``postgresql+psycopg2://...``, ``mysql+pymysql://...``) whose
database exists and is empty; artifacts go to ARTIFACTS (default: ``mlartifacts`` next to a
SQLite file):

- every day a ``prepare-data-<day>`` run reads the raw table and logs the features it wrote
  as a dataset input with context ``output`` (docs/mlflow.md: an output dataset);
- ``train-<day>`` runs read the features and log a model (MLflow 3 logged model, a run
  output); day 1 has a first training run that FAILED and logged nothing;
- ``evaluate-<day>`` runs read the candidate's logged model and the eval set and tag the
  verdict ``graphlets.blessed`` (day 2's candidate is rejected: ``false``);
- blessed candidates are registered: day 0 -> version 1, day 1 -> 2, day 3 -> 3. Version 1
  is moved to stage Production; the ``champion`` alias is set on version 1, then moved to
  version 2. Version 3 is registered and holds no alias.

``python tests/mlflow_store.py alias STORE MODEL ALIAS VERSION`` moves an alias (the daily
load test moves ``champion`` between loads).

``python tests/mlflow_store.py cross STORE`` writes the MLflow half of tests/test_cross_source.py:
on day 0, ``train-daily`` (08:00-08:30) reads the dataset with source
``s3://lake/features/daily`` and ``train-hourly`` (08:00-08:20) the one with source
``s3://lake/features/hourly/``; each logs a model that is registered.

MLflow stamps registry rows and logged models with the wall clock; the scenario's times are
written back into the store afterwards (``_backdate``) so that every time lies on its day.
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
from mlflow.entities import (  # noqa: E402
    Dataset,
    DatasetInput,
    InputTag,
    LoggedModelInput,
    LoggedModelOutput,
)
from mlflow.tracking import MlflowClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

DAY0 = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
MODEL = "churn-model"


def _ms(day: int, minutes: float) -> int:
    return int((DAY0 + dt.timedelta(days=day, minutes=minutes)).timestamp() * 1000)


def _dataset(name: str, digest: str, context: str) -> DatasetInput:
    source = '{"uri": "s3://lake/' + name + '"}'
    return DatasetInput(
        Dataset(name=name, digest=digest, source_type="s3", source=source),
        tags=[InputTag(key="mlflow.data.context", value=context)],
    )


class Pipeline:
    """One experiment's runs, written through an MlflowClient."""

    def __init__(self, uri: str, artifacts: str) -> None:
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        self.client = MlflowClient(uri, uri)
        self.experiment_id = self.client.create_experiment("churn", artifact_location=artifacts)
        self.times: dict[str, int] = {}  # logged model id or "name/version" -> created, ms

    def run(self, name: str, day: int, start: float, end: float, status: str, **kw) -> str:
        tags = {"graphlets.pipeline": "churn-daily", **kw.get("tags", {})}
        run = self.client.create_run(
            self.experiment_id, start_time=_ms(day, start), tags=tags, run_name=name
        )
        run_id = run.info.run_id
        for key, value in kw.get("params", {}).items():
            self.client.log_param(run_id, key, value)
        for key, value in kw.get("metrics", {}).items():
            self.client.log_metric(run_id, key, value, timestamp=_ms(day, end))
        datasets = kw.get("datasets", [])
        models = [LoggedModelInput(m) for m in kw.get("reads_models", [])]
        if datasets or models:
            self.client.log_inputs(run_id, datasets=datasets or None, models=models or None)
        if kw.get("logs_model"):
            model = self.client.create_logged_model(
                self.experiment_id, name=f"{name}-model", source_run_id=run_id
            )
            self.client.log_outputs(run_id, [LoggedModelOutput(model.model_id, 0)])
            self.times[model.model_id] = _ms(day, end - 1)
            self.last_model = model.model_id
        self.client.set_terminated(run_id, status, end_time=_ms(day, end))
        return run_id

    def register(self, model_id: str, run_id: str, day: int, minutes: float) -> str:
        version = self.client.create_model_version(
            MODEL, f"models:/{model_id}", run_id=run_id, model_id=model_id
        )
        self.times[f"{MODEL}/{version.version}"] = _ms(day, minutes)
        return str(version.version)

    def day(self, day: int, *, failed_first: bool = False, blessed: bool = True) -> str | None:
        """One day of the pipeline; returns the registered version, if any."""
        features = f"features-{day}"
        self.run(
            f"prepare-data-{day}",
            day,
            0,
            10,
            "FINISHED",
            datasets=[
                _dataset("raw-events", f"raw{day}", "source"),
                _dataset(features, f"f{day}", "output"),
            ],
        )
        if failed_first:
            self.run(
                f"train-{day}-first",
                day,
                15,
                20,
                "FAILED",
                datasets=[_dataset(features, f"f{day}", "training")],
            )
        train = self.run(
            f"train-{day}",
            day,
            20,
            50,
            "FINISHED",
            logs_model=True,
            params={"lr": "0.1"},
            datasets=[_dataset(features, f"f{day}", "training")],
        )
        model_id = self.last_model
        self.run(
            f"evaluate-{day}",
            day,
            55,
            60,
            "FINISHED",
            reads_models=[model_id],
            datasets=[_dataset("eval-set", "e1", "evaluation")],
            metrics={"auc": 0.9 if blessed else 0.6},
            tags={"graphlets.blessed": "true" if blessed else "false"},
        )
        return self.register(model_id, train, day, 65) if blessed else None


def tracking_uri(store: str) -> str:
    """The tracking URI of ``store``: itself when it is a URI, else the SQLite file's."""
    return store if "://" in store else f"sqlite:///{store}"


def build(store: str, artifacts: str | None = None) -> None:
    uri = tracking_uri(store)
    pipeline = Pipeline(uri, artifacts or str(Path(store).resolve().parent / "mlartifacts"))
    pipeline.client.create_registered_model(MODEL)
    v1 = pipeline.day(0)
    assert v1 is not None
    pipeline.client.set_registered_model_alias(MODEL, "champion", v1)
    pipeline.client.transition_model_version_stage(MODEL, v1, "Production")
    v2 = pipeline.day(1, failed_first=True)
    assert v2 is not None
    pipeline.client.set_registered_model_alias(MODEL, "champion", v2)
    pipeline.day(2, blessed=False)
    pipeline.day(3)
    _backdate(uri, pipeline.times)


def cross(store: str) -> None:
    uri = tracking_uri(store)
    pipeline = Pipeline(uri, str(Path(store).resolve().parent / "mlartifacts"))
    pipeline.client.create_registered_model(MODEL)
    for name, location, end in (
        ("daily", "s3://lake/features/daily", 150),
        ("hourly", "s3://lake/features/hourly/", 140),
    ):
        source = '{"uri": "' + location + '"}'
        features = DatasetInput(
            Dataset(name=f"features-{name}", digest=name, source_type="s3", source=source),
            tags=[InputTag(key="mlflow.data.context", value="training")],
        )
        run_id = pipeline.run(
            f"train-{name}", 0, 120, end, "FINISHED", logs_model=True, datasets=[features]
        )
        pipeline.register(pipeline.last_model, run_id, 0, end + 5)
    _backdate(uri, pipeline.times)


def _backdate(uri: str, times: dict[str, int]) -> None:
    """Write the scenario's times over the wall-clock stamps MLflow gave registry rows and
    logged models (through SQLAlchemy, as MLflow itself writes the store)."""
    engine = create_engine(uri)
    with engine.begin() as con:
        for key, ms in times.items():
            if "/" in key:
                name, version = key.split("/")
                con.execute(
                    text(
                        "update model_versions set creation_time = :ms, last_updated_time = :ms "
                        "where name = :name and version = :version"
                    ),
                    {"ms": ms, "name": name, "version": int(version)},
                )
            else:
                con.execute(
                    text(
                        "update logged_models set creation_timestamp_ms = :ms, "
                        "last_updated_timestamp_ms = :ms where model_id = :id"
                    ),
                    {"ms": ms, "id": key},
                )
        last = {"ms": max(times.values())}
        con.execute(
            text("update registered_models set creation_time = :ms, last_updated_time = :ms"), last
        )
        con.execute(
            text("update experiments set creation_time = :ms, last_update_time = :ms"), last
        )
    engine.dispose()


def move_alias(store: str, model: str, alias: str, version: str) -> None:
    uri = tracking_uri(store)
    MlflowClient(uri, uri).set_registered_model_alias(model, alias, version)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(*sys.argv[2:4])
    elif sys.argv[1] == "cross":
        cross(sys.argv[2])
    elif sys.argv[1] == "alias":
        move_alias(*sys.argv[2:6])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
