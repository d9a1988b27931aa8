"""The spool: where ``graphlets collect`` keeps the events it accepted until they are loaded.

A directory next to the warehouse (``warehouse.duckdb`` -> ``warehouse.openlineage/``) of
NDJSON files, one event per line as canonical JSON. The collector never opens the warehouse
(a build holds it for minutes); ``graphlets load openlineage`` and ``graphlets build`` read
the spool like any directory of event files, and since the load is idempotent the files stay.

Durability: :meth:`SpoolWriter.append` writes a request's events and fsyncs the file before
the collector answers, so an event that got its 2xx survives a kill -9 or a power cut. Each
collector process writes a file of its own (named by its start time and pid), so a line torn
by a crash is never continued by the next process: the loader quarantines it and loads every
other line. A write that fails (disk full) is cut back to the file's last whole line, and the
request is answered with an error.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

SPOOL_SUFFIX = ".openlineage"
MAX_FILE_BYTES = 64 * 2**20  # a spool file this large is closed and a new one begun


def spool_dir(warehouse: Path) -> Path:
    """The warehouse's spool: ``<dir>/<warehouse name without suffix>.openlineage``."""
    return warehouse.with_name(warehouse.stem + SPOOL_SUFFIX)


class SpoolError(OSError):
    """The spool could not take the events (they were not stored)."""


class SpoolWriter:
    """Appends events to this process's current spool file, durably."""

    def __init__(self, directory: Path, max_file_bytes: int = MAX_FILE_BYTES) -> None:
        self.directory = directory
        self.max_file_bytes = max_file_bytes
        self._fd: int | None = None
        self._size = 0
        self._files = 0
        self.path: Path | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpoolError(f"cannot create the spool {directory}: {exc.strerror}") from None

    def _open(self) -> int:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        self._files += 1
        path = self.directory / f"events-{stamp}-{os.getpid()}-{self._files}.ndjson"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        _fsync_dir(self.directory)  # the new file's name survives a crash too
        self._fd, self._size, self.path = fd, 0, path
        return fd

    def append(self, data: bytes) -> None:
        """Write ``data`` (whole lines) and fsync; on failure cut the file back and raise
        :class:`SpoolError`, nothing of ``data`` kept."""
        try:
            if self._fd is None or self._size >= self.max_file_bytes:
                self.close()
                self._open()
            assert self._fd is not None
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            self._cut_back()
            message = f"cannot write to the spool {self.directory}: {exc.strerror}"
            raise SpoolError(message) from None
        self._size += len(data)

    def _cut_back(self) -> None:
        """Drop a partly written request; if even that fails, begin a new file next time
        (the partial line stays and is quarantined by the loader)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, self._size)
            os.fsync(self._fd)
        except OSError:
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
