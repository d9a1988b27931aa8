"""The raw tables of MLflow stores (docs/mlflow.md section 2) and the store revisions read.

Mirrored tables (:data:`MIRRORED`) hold each source's rows as the store has them now, with
the columns the models read: a load compares them by key with what is stored and applies
only the difference, so loading an unchanged store changes nothing. Two tables only grow:
``raw.mlflow_keys`` (the integer id the loader gives each run, dataset, logged model and
model version the first time it sees it: the warehouse keys are built from it and never
change) and ``raw.mlflow_registry_sightings`` (each alias or stage a model version was seen
holding, with the first load that saw it: MLflow keeps only the current holder).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mirrored:
    """A raw table copied from one store table: ``columns`` are (name, type, expression
    over the store table ``s``); ``key`` names the columns that identify a row."""

    name: str
    store_table: str
    key: tuple[str, ...]
    columns: tuple[tuple[str, str, str], ...]
    since_logged_models: bool = False  # the table exists from MLflow 3's revision on

    @property
    def table(self) -> str:
        return f"mlflow_{self.name}"

    @property
    def ddl(self) -> str:
        cols = ",\n    ".join(f"{name} {kind}" for name, kind, _ in self.columns)
        return (
            f"create table if not exists raw.{self.table} (\n    source_id varchar not null,"
            f"\n    {cols}\n)"
        )

    @property
    def select(self) -> str:
        return ", ".join(f"cast({expr} as {kind}) as {name}" for name, kind, expr in self.columns)


def _same(*columns: tuple[str, str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((name, kind, f"s.{name}") for name, kind in columns)


MIRRORED = (
    Mirrored(
        "experiments",
        "experiments",
        ("experiment_id",),
        _same(
            ("experiment_id", "bigint"),
            ("name", "varchar"),
            ("lifecycle_stage", "varchar"),
            ("creation_time", "bigint"),
        ),
    ),
    Mirrored(
        "runs",
        "runs",
        ("run_uuid",),
        _same(
            ("run_uuid", "varchar"),
            ("name", "varchar"),
            ("status", "varchar"),
            ("start_time", "bigint"),
            ("end_time", "bigint"),
            ("experiment_id", "bigint"),
            ("lifecycle_stage", "varchar"),
            ("user_id", "varchar"),
            ("source_type", "varchar"),
            ("source_name", "varchar"),
            ("entry_point_name", "varchar"),
        ),
    ),
    Mirrored(
        "tags",
        "tags",
        ("run_uuid", "key"),
        _same(("run_uuid", "varchar"), ("key", "varchar"), ("value", "varchar")),
    ),
    Mirrored(
        "latest_metrics",
        "latest_metrics",
        ("run_uuid", "key"),
        _same(
            ("run_uuid", "varchar"),
            ("key", "varchar"),
            ("value", "double"),
            ("timestamp", "bigint"),
            ("step", "bigint"),
            ("is_nan", "boolean"),
        ),
    ),
    Mirrored(
        "datasets",
        "datasets",
        ("dataset_uuid",),
        _same(
            ("dataset_uuid", "varchar"),
            ("experiment_id", "bigint"),
            ("name", "varchar"),
            ("digest", "varchar"),
            ("dataset_source_type", "varchar"),
            ("dataset_source", "varchar"),
        ),
    ),
    Mirrored(
        "inputs",
        "inputs",
        ("input_uuid",),
        # MLflow's source_* / destination_* columns, renamed: source_id is the source's.
        (
            ("input_uuid", "varchar", "s.input_uuid"),
            ("from_type", "varchar", "s.source_type"),
            ("from_id", "varchar", "s.source_id"),
            ("to_type", "varchar", "s.destination_type"),
            ("to_id", "varchar", "s.destination_id"),
        ),
    ),
    Mirrored(
        "input_tags",
        "input_tags",
        ("input_uuid", "name"),
        _same(("input_uuid", "varchar"), ("name", "varchar"), ("value", "varchar")),
    ),
    Mirrored(
        "logged_models",
        "logged_models",
        ("model_id",),
        _same(
            ("model_id", "varchar"),
            ("experiment_id", "bigint"),
            ("name", "varchar"),
            ("artifact_location", "varchar"),
            ("creation_timestamp_ms", "bigint"),
            ("status", "bigint"),
            ("lifecycle_stage", "varchar"),
            ("source_run_id", "varchar"),
        ),
        since_logged_models=True,
    ),
    Mirrored(
        "model_versions",
        "model_versions",
        ("name", "version"),
        _same(
            ("name", "varchar"),
            ("version", "bigint"),
            ("creation_time", "bigint"),
            ("current_stage", "varchar"),
            ("source", "varchar"),
            ("run_id", "varchar"),
            ("status", "varchar"),
        ),
    ),
)

BY_NAME = {t.name: t for t in MIRRORED}

KEYS_DDL = """create table if not exists raw.mlflow_keys (
    source_id varchar not null,
    entity varchar not null,
    entity_key varchar not null,
    key_id bigint not null,
    first_load_id bigint not null,
    primary key (source_id, entity, entity_key)
)"""

SIGHTINGS_DDL = """create table if not exists raw.mlflow_registry_sightings (
    source_id varchar not null,
    model_name varchar not null,
    version bigint not null,
    holder_kind varchar not null,
    holder varchar not null,
    first_load_id bigint not null,
    first_seen_at timestamp not null,
    primary key (source_id, model_name, version, holder_kind, holder)
)"""

DDL = (*(t.ddl for t in MIRRORED), KEYS_DDL, SIGHTINGS_DDL)

# The alembic revisions of MLflow's tracking schema the loader reads, oldest first: the
# migration chain from the revision that adds dataset inputs (`datasets`, `inputs`,
# `input_tags`: MLflow 2.4) to the head that MLflow 3.17 writes. From `400f98739977`
# (MLflow 3.0) on, the store has logged models. A store at any other revision is refused.
REVISIONS = (
    "7f2a7d5fae7d", "2d6e25af4d3e", "acf3f17fdcc7", "867495a8f9d4", "5b0e9adcef9c",
    "4465047574b1", "f5a4f2784254", "0584bdc529eb", "400f98739977", "6953534de441",
    "bda7b8c39065", "cbc13b556ace", "770bee3ae1dd", "a1b2c3d4e5f6", "de4033877273",
    "1a0cddfcaa16", "534353b11cbc", "71994744cf8e", "3da73c924c2f", "bf29a5ff90ea",
    "1bd49d398cd23", "b7c8d9e0f1a2", "5d2d30f0abce", "c9d4e5f6a7b8", "2c33131f4dae",
    "d3e4f5a6b7c8", "d0e1f2a3b4c5", "c8d9e0f1a2b3", "1b5f0d9ad7c1", "e1f2a3b4c5d6",
    "76601a5f987d", "c3d6457b6d8a", "a5b4c3d2e1f0", "ae8bbe7743c9", "7d34483879f0",
    "da6fb0208061", "89d3d66ed43f", "b7e4c1a90f23", "a8b9c0d1e2f3", "c1d2e3f4a5b6",
    "c3d9e7f1a2b4", "6f8d9c3b2a1e", "1971f2d9a75b", "17e22815139b", "b7e2c1a4d9f3",
    "75868b020152", "dc11669786a5",
)  # fmt: skip
LOGGED_MODELS_REVISION = "400f98739977"


def has_logged_models(revision: str) -> bool:
    """Whether a store at ``revision`` (one of REVISIONS) has MLflow 3's logged models."""
    return REVISIONS.index(revision) >= REVISIONS.index(LOGGED_MODELS_REVISION)
