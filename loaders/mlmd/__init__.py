"""ML Metadata (what TFX and Kubeflow Pipelines v1 write), from SQLite or MySQL.

Modules, bottom up (each imports only those above it, and ``graphlets.core``): ``schema``
(the MLMD tables and the delta maps), ``result`` (the counts), ``quarantine`` (the rules for
rows that cannot be stored), ``location`` (opening and checking the store), ``read``
(reading a table), ``delta`` (delta reads), ``sync`` (one table's sync), ``load``
(:func:`load_mlmd`). The counts (``result``) and the bookkeeping (``raw._sources``,
``raw._loads``, ...) are shared with the other loaders: :mod:`loaders.result`,
:mod:`loaders.bookkeeping`.
"""

from loaders.mlmd.load import load_mlmd
from loaders.mlmd.location import StoreLocation
from loaders.mlmd.result import LoadResult, TableCounts
from loaders.mlmd.schema import TABLES, Table

__all__ = [
    "TABLES",
    "LoadResult",
    "StoreLocation",
    "Table",
    "TableCounts",
    "load_mlmd",
]
