"""What a load of any source did: per raw table (:class:`TableCounts`) and in all
(:class:`LoadResult`).

The same numbers go to ``raw._load_tables`` and ``raw._loads`` (:mod:`loaders.bookkeeping`);
the CLI prints them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# How a table was read (raw._load_tables.mode): `first` copied into an empty table, `full`
# compared row by row, `delta` only the rows that can have changed re-read and compared and
# the rest verified by a fingerprint, `fallback` a delta read whose fingerprint differed and
# that was then compared in full; `append` (OpenLineage, an append-only event log) the
# events read added where their hash was not stored yet.
MODES = ("first", "full", "delta", "fallback", "append")


@dataclass(frozen=True)
class TableCounts:
    """What one load did to one raw table: rows read = rows accepted + rows quarantined;
    new, updated and deleted count the accepted rows' changes to the warehouse's copy
    (an accepted OpenLineage event already stored is accepted, not new)."""

    table: str
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_deleted: int
    rows_accepted: int = 0
    rows_quarantined: int = 0
    reasons: tuple[tuple[str, int], ...] = ()  # (reason, rows) of the quarantined rows
    mode: str = "full"  # how the table was read: one of MODES


@dataclass(frozen=True)
class LoadResult:
    """One load of one source: its id, when it ran, and the counts of every table."""

    load_id: int
    source_id: str
    location: str
    started_at: dt.datetime
    finished_at: dt.datetime
    tables: tuple[TableCounts, ...] = field(default_factory=tuple)

    @property
    def rows_read(self) -> int:
        return sum(t.rows_read for t in self.tables)

    @property
    def rows_changed(self) -> int:
        return sum(t.rows_new + t.rows_updated + t.rows_deleted for t in self.tables)

    @property
    def rows_accepted(self) -> int:
        return sum(t.rows_accepted for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)
