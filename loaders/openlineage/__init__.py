"""OpenLineage (docs/openlineage.md): event files and the events ``graphlets collect`` took.

Modules, bottom up (each imports only those above it, and ``graphlets.core``): ``events``
(what an event is, its canonical JSON and hash), ``schema`` (``raw.openlineage_events``),
``read`` (event files and their records), ``spool`` (where the collector keeps events),
``load`` (:func:`load_openlineage`), ``collector`` (the HTTP endpoint; imported on its own,
it needs starlette and uvicorn).
"""

from loaders.openlineage.load import COLLECTED_SOURCE, EventsLocation, load_openlineage
from loaders.openlineage.read import event_files
from loaders.openlineage.spool import spool_dir

__all__ = [
    "COLLECTED_SOURCE",
    "EventsLocation",
    "event_files",
    "load_openlineage",
    "spool_dir",
]
