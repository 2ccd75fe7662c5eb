"""Datasette's questions about the catalog's schema, asked once per request.

Building one photos table page, Datasette 0.65 asks the catalog for the same
table's columns, primary keys, foreign keys, label column and definition 19
times (the table view, its facets, filters, cells and template each ask),
each a trip to a read thread: 6.7 ms of a rare word's page at a million
photos, whose SQL takes 11 ms (bench/bench_search.py). Within one request
each question is asked once and its answer shared (concurrent askers await
the same one). Answers are also kept across requests under the catalog's
``PRAGMA schema_version``, which SQLite changes with every change of schema:
a request reads that number once (one trip) and reuses what was answered
for it, so a migration is seen by the next request as before.

Permission checks are shared the same way (:mod:`archive.web.permission_memo`).
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

# The schema questions of datasette.database.Database that the table view repeats.
METHODS = (
    "table_columns",
    "table_column_details",
    "primary_keys",
    "foreign_keys_for_table",
    "label_column_for_table",
    "get_table_definition",
    "get_view_definition",
    "table_exists",
)
_MEMO: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "archive_request_memo", default=None
)


def memo_wrapper(app: Any) -> Any:
    """ASGI middleware: each HTTP request gets its own, empty, memo."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        token = _MEMO.set({})
        try:
            await app(scope, receive, send)
        finally:
            _MEMO.reset(token)

    return wrapped


def install(database: Any) -> None:
    """Memoize the schema questions on this database (once per database)."""
    if getattr(database, "_archive_request_memo", False):
        return
    for name in METHODS:
        setattr(database, name, _memoized(database, name))
    database._archive_request_memo = True


KEPT_SCHEMA_ANSWERS = 2048  # answers kept across requests at most (then all forgotten)


def _memoized(database: Any, name: str) -> Any:
    kept: dict[Any, Any] = {}

    async def ask(*args: Any, **kwargs: Any) -> Any:
        method = getattr(type(database), name)
        memo = _MEMO.get()
        if memo is None:  # outside a request (startup, a test calling it directly)
            return await method(database, *args, **kwargs)
        key = (id(database), name, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # an argument that cannot be a key: asked as it is
            return await method(database, *args, **kwargs)
        version = await _schema_version(database)
        if (version, key) in kept:
            return _fresh(kept[version, key])
        if key not in memo:
            memo[key] = asyncio.ensure_future(method(database, *args, **kwargs))
        answer = await memo[key]
        if len(kept) >= KEPT_SCHEMA_ANSWERS:
            kept.clear()
        kept[version, key] = answer
        return _fresh(answer)

    return ask


async def _schema_version(database: Any) -> int:
    """The database's ``PRAGMA schema_version`` as this request first read it."""
    # The key Datasette's own read of it gets (archive.web.searched_table): read once for both.
    key = read_key(database, SCHEMA_VERSION, None)
    return (await once(key, type(database).execute, database, SCHEMA_VERSION, None)).first()[0]


SCHEMA_VERSION = "PRAGMA schema_version"


async def once(key: Any, ask: Any, *args: Any) -> Any:
    """``await ask(*args)`` once per request under ``key`` (every time outside a request).

    For reads a request makes twice: Datasette's own schema check and this module's
    both read the schema version; a search's count is read to choose its plan and
    again as the table's total (:mod:`archive.web.searched_table`).
    """
    memo = _MEMO.get()
    if memo is None:
        return await ask(*args)
    if key not in memo:
        memo[key] = asyncio.ensure_future(ask(*args))
    return await memo[key]


def peek(key: Any) -> Any:
    """What :func:`once` read under ``key`` in this request, when it has; else None."""
    memo = _MEMO.get()
    found = memo.get(key) if memo is not None and key is not None else None
    if found is None or not found.done() or found.cancelled() or found.exception() is not None:
        return None
    return found.result()


def read_key(database: Any, sql: str, params: Any) -> Any:
    """The key of a read for :func:`once`, or None when its parameters cannot be one."""
    if isinstance(params, dict):
        params = tuple(sorted(params.items()))
    elif params is not None:
        params = tuple(params)
    key = ("read", id(database), sql, params)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _fresh(answer: Any) -> Any:
    """A shared answer as a caller may change it: its lists and their dicts copied."""
    if isinstance(answer, list):
        return [dict(item) if isinstance(item, dict) else item for item in answer]
    return answer
