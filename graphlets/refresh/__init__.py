"""`graphlets refresh`: the daily job. Load every source a project file (``graphlets.yml``)
lists, build, publish (docs/refresh.md)."""

from graphlets.refresh.config import ProjectFile, SourceEntry, find_project_file, read_project_file
from graphlets.refresh.run import RefreshReport, SourceOutcome, refresh

__all__ = [
    "ProjectFile",
    "RefreshReport",
    "SourceEntry",
    "SourceOutcome",
    "find_project_file",
    "read_project_file",
    "refresh",
]
