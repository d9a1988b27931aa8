"""ML Metadata (what TFX and Kubeflow Pipelines v1 write), from SQLite or MySQL."""

from loaders.mlmd.load import (
    _CHILDREN,
    _DELTA,
    TABLES,
    LoadResult,
    StoreLocation,
    Table,
    TableCounts,
    load_mlmd,
)

__all__ = [
    "TABLES",
    "_CHILDREN",
    "_DELTA",
    "LoadResult",
    "StoreLocation",
    "Table",
    "TableCounts",
    "load_mlmd",
]
