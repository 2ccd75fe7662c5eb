"""The catalog's text decoded by SQLite's reader in C, not by a Python call per value.

Datasette reads every text value of every database through a Python
``text_factory`` (``str(x, "utf-8", "replace")``), so that a file holding bytes
that are not UTF-8 still shows. That is one Python call per text value read:
1,500 for the 38 rows of a rare word's table page (its first page's statement
took 0.75 ms on Datasette's connection against 0.46 ms on a plain one), 2,000
for an event page's cards, some 200,000 for a gallery's JSON.

The archive's one writer stores only Python text, which is valid UTF-8, so on
the catalog's read connections the factory is ``str``, which the ``sqlite3``
module decodes in C. Should a read still meet bytes that are not UTF-8 (a
catalog changed by another tool), ``sqlite3`` refuses the row; the read then
runs once more with Datasette's replacing factory, so the page shows what it
showed before (tests/test_web_text_decoding.py). Every read of the catalog goes
through ``execute_fn``, and only connections of a database with that fallback
installed get the fast factory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from datasette.utils.asgi import NotFound

from archive.web.site import archive_database

INSTALLED = "_archive_text_fallback"
# sqlite3's words (CPython 3.11 and later) when a text value is not valid UTF-8.
NOT_UTF8 = "Could not decode to UTF-8"


def replacing(data: bytes) -> str:
    """Datasette's own factory: bytes that are not UTF-8 become U+FFFD."""
    return str(data, "utf-8", "replace")


def prepare(conn: Any, database: str, datasette: Any) -> None:
    """The catalog's connections decode text in C once the fallback is installed."""
    try:
        catalog = archive_database(datasette)
    except NotFound:
        return
    if database == catalog.name and getattr(catalog, INSTALLED, False):
        conn.text_factory = str


def install(database: Any) -> None:
    """Run a read again with the replacing factory when it meets text that is not UTF-8."""
    if getattr(database, INSTALLED, False):
        return
    own = database.execute_fn

    async def execute_fn(fn: Callable[[Any], Any]) -> Any:
        return await own(lambda conn: _tolerant(fn, conn))

    database.execute_fn = execute_fn
    setattr(database, INSTALLED, True)


def _tolerant(fn: Callable[[Any], Any], conn: Any) -> Any:
    """fn(conn); on text that is not UTF-8, fn(conn) again reading it as Datasette does."""
    try:
        return fn(conn)
    except sqlite3.OperationalError as error:
        if conn.text_factory is not str or NOT_UTF8 not in str(error):
            raise
    conn.text_factory = replacing
    try:
        return fn(conn)
    finally:
        conn.text_factory = str
