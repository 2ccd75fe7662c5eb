"""Whether SQLite has its JSON functions, asked once per process.

Datasette 0.65 asks each time it lists its facet classes and its filters (both
on every table page) by opening a new in-memory database and running
``json('{}')``: a connection's setup for an answer that is the same for as
long as the process runs, since it depends only on the SQLite library loaded.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from datasette.utils import detect_json1

__all__ = ["install", "json1_available"]


def json1_available(conn: Any = None) -> bool:
    """Datasette's ``detect_json1``: asked of ``conn`` when given, else answered once."""
    return detect_json1(conn) if conn is not None else _in_this_process()


@cache
def _in_this_process() -> bool:
    return detect_json1()


def install() -> None:
    """Datasette's facets and filters ask here (once per process)."""
    from datasette import facets, filters

    facets.detect_json1 = json1_available
    filters.detect_json1 = json1_available
