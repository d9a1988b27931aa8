"""File names of the report's pages: safe on any file system for any pipeline or graphlet id.

A pipeline id is free text (``source/name``, with slashes, spaces, quotes, markup or
non-ASCII). Its page is ``pipelines/<slug>-<hash>.html``: the slug keeps the id's ASCII
letters, digits, ``.``, ``_`` and ``-`` (runs of anything else become one ``-``, at most 48
characters, never a leading dot), the hash is the first 12 hex digits of the SHA-256 of
the id, so two ids that share a slug (or differ only in case, on a case-insensitive file
system) still get two files. A graphlet id is a number; a non-numeric id gets the same
treatment as a pipeline id.
"""

from __future__ import annotations

import hashlib
import re

# Graphlet pages per pipeline by default (docs/report.md, "Which graphlet pages are
# written"): at the study's scale 3 + 3 keeps the site near 18k pages.
DEFAULT_LATEST = 3
DEFAULT_MOST_WASTEFUL = 3

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NUMERIC = re.compile(r"[0-9]{1,40}")
SLUG_LENGTH = 48


def safe_name(identifier: object) -> str:
    """A file name stem for ``identifier`` (no directory, no extension)."""
    text = str(identifier)
    if _NUMERIC.fullmatch(text):
        return text
    slug = _UNSAFE.sub("-", text).strip("-.")[:SLUG_LENGTH].rstrip("-.") or "id"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}"


def pipeline_page(pipeline_id: object) -> str:
    """The pipeline's page, relative to the report's root."""
    return f"pipelines/{safe_name(pipeline_id)}.html"


def graphlet_page(graphlet_id: object) -> str:
    """The graphlet's page, relative to the report's root."""
    return f"graphlets/{safe_name(graphlet_id)}.html"
