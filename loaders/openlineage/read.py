"""Reading OpenLineage event files: which files a path names, and the records in each.

What openlineage-python's ``FileTransport`` writes: one JSON document per file
(``<log_file_path>-<time>.json``, indented in its debug mode) or, with ``append``, one
compact JSON document per line (NDJSON) in one file. Both, gzipped or not, are read the same
way: a file is a sequence of records, each a JSON value on one line, or a document spread
over several lines (its first line starts with ``{`` or ``[`` and does not parse alone; it
ends at the first line starting with ``}`` or ``]`` at which it parses). A top-level array
holds one record per element. Blank lines are no records.

A record that is not JSON (a torn last line from a crash mid-write, a document that never
closes, text that is not UTF-8) is still a record: it is handed on with its reason, to be
quarantined, never dropped. Each record carries the line it starts on.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphlets.core.errors import SourceError, first_line
from loaders.openlineage.events import NOT_JSON, NOT_UTF8, loads

EVENT_SUFFIXES = (".json", ".ndjson", ".jsonl")
MAX_RECORD_CHARS = 64 * 2**20  # a document gathered over more lines than this is quarantined


@dataclass(frozen=True)
class Record:
    """One record of a file: a parsed JSON value, or the reason it is not one."""

    line: int  # the line it starts on (1-based)
    text: str  # as read (undecodable bytes replaced); kept when the record is quarantined
    value: Any = None
    reason: str | None = None  # NOT_JSON or NOT_UTF8 when the text is no JSON value
    detail: str | None = None


def is_event_file(path: Path) -> bool:
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return not path.name.startswith(".") and name.endswith(EVENT_SUFFIXES)


def event_files(path: Path) -> list[Path]:
    """The event files ``path`` names: the file itself, or those under the directory
    (recursively, sorted by their path below it; hidden files skipped)."""
    if not path.exists():
        raise SourceError(f"OpenLineage path {path} does not exist", "check the path")
    if path.is_file():
        if not is_event_file(path):
            raise SourceError(
                f"{path} is not an OpenLineage event file",
                "pass a .json, .ndjson or .jsonl file (optionally .gz) or a directory of them",
            )
        return [path]
    if not path.is_dir():
        raise SourceError(f"{path} is neither a file nor a directory", "pass event files")
    found = sorted(
        (p for p in path.rglob("*") if p.is_file() and is_event_file(p)),
        key=lambda p: p.relative_to(path).as_posix(),
    )
    if not found:
        raise SourceError(
            f"no OpenLineage event files in {path}",
            "expected .json, .ndjson or .jsonl files (optionally .gz), as FileTransport writes",
        )
    return found


class EventFile:
    """One event file opened for reading; :meth:`records` streams it, ``position`` says how
    many bytes of the file (compressed, for gzip) have been read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._raw: io.BufferedReader = path.open("rb")
        except OSError as exc:
            raise SourceError(
                f"cannot read {path}: {exc.strerror or exc}", "check its permissions"
            ) from None
        self._lines: io.BufferedIOBase = self._raw
        if path.name.lower().endswith(".gz"):
            self._lines = gzip.GzipFile(fileobj=self._raw, mode="rb")

    @property
    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        if self._lines is not self._raw:
            self._lines.close()
        self._raw.close()

    def records(self) -> Iterator[Record]:
        """The file's records in order (a gzip that cannot be read is a :class:`SourceError`)."""
        try:
            yield from _records(self._lines)
        except (OSError, EOFError, zlib.error) as exc:
            what = "not a readable gzip file" if self._lines is not self._raw else "read failed"
            raise SourceError(
                f"cannot read {self.path}: {what} ({exc})",
                "the file is truncated or corrupt; restore it or move it away",
            ) from None


def _decode(raw: bytes, first: bool) -> tuple[str, bool]:
    """(text, valid UTF-8) of one line without its line end; a BOM at the start of a file
    is no part of it."""
    if first and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


def _parse(text: str) -> tuple[Any, Exception | None]:
    """(value, None) or (None, the parser's complaint)."""
    try:
        return loads(text), None
    except (ValueError, RecursionError) as exc:
        return None, exc


def _opens_document(text: str, exc: Exception) -> bool:
    """The line may be the first of a document spread over several lines: it starts one
    and the parser ran out of text (rather than meeting something wrong)."""
    return (
        text[:1] in "{[" and isinstance(exc, json.JSONDecodeError) and exc.pos >= len(text.rstrip())
    )


class _Gathering:
    """A document being gathered over several lines."""

    def __init__(self, line: int, text: str, valid: bool) -> None:
        self.line = line
        self.parts = [text]
        self.size = len(text)
        self.valid = valid

    def add(self, text: str, valid: bool) -> None:
        self.parts.append(text)
        self.size += len(text) + 1
        self.valid = self.valid and valid

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    def unfinished(self, detail: str) -> Record:
        return Record(self.line, self.text, reason=NOT_JSON, detail=detail)


def _records(lines: Iterable[bytes]) -> Iterator[Record]:
    doc: _Gathering | None = None
    for number, raw in enumerate(lines, start=1):
        text, valid = _decode(raw, number == 1)
        if doc is not None:
            if text[:1] in "{[":  # a new document starts: the gathered one never closed
                yield doc.unfinished("a document that does not close")
                doc = None
            else:
                doc.add(text, valid)
                if doc.size > MAX_RECORD_CHARS:
                    yield doc.unfinished(f"a document longer than {MAX_RECORD_CHARS} characters")
                    doc = None
                elif text[:1] in "}]":
                    value, error = _parse(doc.text)
                    if error is None:
                        yield _record(doc.line, doc.text, doc.valid, value)
                        doc = None
                continue
        if not text.strip():
            continue
        value, error = _parse(text)
        if error is None:
            yield _record(number, text, valid, value)
        elif _opens_document(text, error):
            doc = _Gathering(number, text, valid)
        else:
            reason = NOT_JSON if valid else NOT_UTF8
            yield Record(number, text, reason=reason, detail=first_line(error))
    if doc is not None:
        yield doc.unfinished("the file ends inside a document")


def _record(line: int, text: str, valid: bool, value: Any) -> Record:
    if not valid:
        return Record(line, text, reason=NOT_UTF8, detail="bytes that are not UTF-8")
    return Record(line, text, value=value)
