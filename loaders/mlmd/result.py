"""What an MLMD load did: the counts are the loaders' shared ones (:mod:`loaders.result`)."""

from loaders.result import MODES, LoadResult, TableCounts

__all__ = ["MODES", "LoadResult", "TableCounts"]
