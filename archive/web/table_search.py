"""The photos table's own search box (Datasette's ``?_search=``): anything typed is safe.

Datasette passes ``_search`` through its ``escape_fts``, which makes each word
an FTS5 string, so ``-``, ``*``, ``(`` or ``AND`` are searched as text. Three
things still reach FTS5 as a broken expression and show the "Invalid SQL" page:

- a search with no word at all: a cleared box submits ``_search=``, and ``"``,
  ``""`` or ``?!`` leave ``escape_fts`` nothing (or an empty phrase) to match;
- a control character: NUL ends FTS5's parse inside a string, a line break
  splits a quoted phrase in two;
- a very long text, which FTS5 parses for seconds, past any time limit.

The first two are repaired before Datasette reads the request
(:func:`search_wrapper`, an ``asgi_wrapper``): control characters become
spaces, and a search without a letter or digit is dropped, so the reader gets
the whole table, as an empty box promises, with a line saying why when they
had typed something. The ``filters_from_request`` hook cannot do that (it can
add conditions, never take Datasette's own away), and an ``asgi_wrapper``
leaves every other request untouched. The length is refused as a 400 by
:func:`refuse_long_search`, a ``filters_from_request`` hook, so it reaches
only table pages and gets Datasette's own error page and JSON.

``_searchmode=raw`` (FTS5 syntax on purpose, typed in the address, never by
the box) is left to Datasette.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.utils.asgi import BadRequest

from archive import search

# Where the wrapper leaves the searches it dropped, for the table template's note.
DROPPED = "archive.dropped_search"
TOO_LONG = "Từ khóa tìm kiếm dài quá ({n} ký tự): chỉ gõ tối đa {max} ký tự."


def is_search_arg(key: str) -> bool:
    """``_search`` and ``_search_COLUMN``: the arguments Datasette hands to escape_fts."""
    return key == "_search" or (key.startswith("_search_") and key != "_searchmode")


def without_controls(text: str) -> str:
    """Control characters (NUL, line breaks, tabs…) as spaces: FTS5 reads them as syntax."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def tidy_query(query_string: bytes) -> tuple[bytes, list[str]] | None:
    """The query string with its searches repaired, and the non-blank ones dropped.

    None when nothing needed repair, so a request is passed on byte for byte.
    Decoded as Datasette decodes it (latin-1, then percent-escapes as UTF-8).
    """
    if b"_search" not in query_string:
        return None
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    kept: list[tuple[str, str]] = []
    dropped: list[str] = []
    changed = False
    for key, value in pairs:
        if not is_search_arg(key):
            kept.append((key, value))
            continue
        tidy = without_controls(value)
        if search.parse(tidy) is None:
            changed = True
            if value.strip():
                dropped.append(value)
            continue
        changed |= tidy != value
        kept.append((key, tidy))
    if not changed:
        return None
    return urlencode(kept).encode("ascii"), dropped


def search_wrapper(app: Any) -> Any:
    """ASGI middleware applying :func:`tidy_query` to every HTTP request."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            tidied = tidy_query(scope.get("query_string") or b"")
            if tidied is not None:
                query_string, dropped = tidied
                scope = {**scope, "query_string": query_string, DROPPED: dropped}
        await app(scope, receive, send)

    return wrapped


def refuse_long_search(request: Any) -> None:
    """A 400 with a Vietnamese line for a search longer than the smart search accepts."""
    for key in request.args:
        if not is_search_arg(key):
            continue
        for value in request.args.getlist(key):
            if len(value) > search.MAX_QUERY_CHARS:
                raise BadRequest(TOO_LONG.format(n=len(value), max=search.MAX_QUERY_CHARS))
