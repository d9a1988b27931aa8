"""MLflow tracking stores (docs/mlflow.md): runs, dataset inputs, logged models and the
model registry, read from the store's SQL database.

Modules, bottom up (each imports only those above it, and ``graphlets.core``): ``schema``
(the ``raw.mlflow_*`` tables and the alembic revisions read), ``location`` (where the store
is), ``read`` (attaching the store and checking its revision), ``load``
(:func:`load_mlflow`).
"""

from loaders.mlflow.load import load_mlflow
from loaders.mlflow.location import MlflowLocation

__all__ = ["MlflowLocation", "load_mlflow"]
