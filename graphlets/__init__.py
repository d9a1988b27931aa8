"""graphlets: a warehouse for the provenance of production ML pipelines.

In Python (docs/python.md)::

    import graphlets

    wh = graphlets.open("warehouse.duckdb")
    wh.waste().head()
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphlets.readers.api import Warehouse

__all__ = ["open"]


def open(path: str | os.PathLike[str] | None = None) -> Warehouse:
    """The published snapshot of the warehouse at ``path`` as a :class:`Warehouse`.

    ``path`` is a warehouse file, its ``.serving.duckdb`` snapshot or a directory holding
    ``warehouse.duckdb``; without it, ``$GRAPHLETS_WAREHOUSE`` or ``./warehouse.duckdb``.
    Results are pandas DataFrames; the CLI does not import pandas until this is called.
    """
    from graphlets.readers.api import open_warehouse

    return open_warehouse(path)
