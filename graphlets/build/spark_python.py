"""dbt Python models on a local SparkSession (docs/spark.md, "The Python model").

dbt-spark submits a Python model's compiled code only to Databricks (its submission methods
``job_cluster`` and ``all_purpose_cluster``). `graphlets build --target spark` runs dbt in this
process, next to dbt-spark's ``method: session`` SparkSession, so :func:`session_python_models`
adds a submission method ``session`` that executes the compiled code in that session, and
makes it the default while the profile's method is ``session``. The compiled code is
dbt-spark's own: the model's ``model(dbt, session)``, then a wrapper that writes the DataFrame
it returns with ``saveAsTable``. A plain ``dbt build --target spark`` has no such method and
cannot build the Python models.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The submission method this module adds to dbt-spark.
SESSION = "session"


class SessionPythonJobHelper:
    """Runs a Python model's compiled code in the active SparkSession of this process."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.identifier = str(parsed_model.get("alias") or parsed_model.get("name") or "model")

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        # dbt-spark's session connection created the session: getOrCreate returns it.
        spark = SparkSession.builder.getOrCreate()
        code = compile(compiled_code, f"<dbt python model {self.identifier}>", "exec")
        exec(code, {"__name__": f"dbt_python_model_{self.identifier}", "spark": spark})


@contextmanager
def session_python_models() -> Iterator[None]:
    """dbt-spark with the submission method ``session``, the default for ``method: session``
    profiles, for the duration of the block (the adapter class is restored after)."""
    from dbt.adapters.spark.impl import SparkAdapter

    helpers = SparkAdapter.__dict__["python_submission_helpers"]
    default = SparkAdapter.__dict__["default_python_submission_method"]

    def with_session(self: SparkAdapter) -> dict:
        return {**helpers.fget(self), SESSION: SessionPythonJobHelper}

    def session_by_default(self: SparkAdapter) -> str:
        if getattr(self.config.credentials, "method", None) == SESSION:  # a StrEnum
            return SESSION
        return default.fget(self)

    _set_properties(
        SparkAdapter,
        {
            "python_submission_helpers": property(with_session),
            "default_python_submission_method": property(session_by_default),
        },
    )
    try:
        yield
    finally:
        _set_properties(
            SparkAdapter,
            {"python_submission_helpers": helpers, "default_python_submission_method": default},
        )


def _set_properties(cls: type, properties: dict[str, property]) -> None:
    """Replace properties of a class (not values of its instances)."""
    for name, value in properties.items():
        setattr(cls, name, value)
