"""The table page's links (its facets' values, its headers), from its arguments parsed once.

Datasette's column facet makes each value's link with ``path_with_added_args``,
which parses the request's query string and encodes every argument again on
each call: a searched photos table shows about fifty values in its column
facets (event, year, type, camera), so the same address was parsed fifty
times, 3 ms of the page. Here the page's own arguments (less those the call
removes) are encoded once per query string and the added ones joined after
them: ``urlencode`` joins its pairs with ``&``, so the address is the same to
the byte. Removing or replacing arguments (each facet value's "remove" link, each
column header's sort link) reads the pairs parsed once per query string too.
tests/test_facet_paths.py holds each equal to Datasette's.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

__all__ = [
    "encoded",
    "encoded_pair",
    "install",
    "kept_arguments",
    "path_with_added_args",
    "path_with_removed_args",
    "path_with_replaced_args",
    "quoted",
]


@lru_cache(maxsize=256)
def kept_arguments(query_string: str, removed: frozenset[str] = frozenset()) -> str:
    """The query string's arguments re-encoded as Datasette does, less the ``removed`` names."""
    return encoded((k, v) for k, v in pairs_of(query_string) if k not in removed)


def path_with_added_args(
    request: Any, args: dict[str, Any] | Iterable[tuple[str, Any]], path: str | None = None
) -> str:
    """Datasette's ``path_with_added_args``: the page's address with ``args`` added
    (an argument given None is removed)."""
    pairs = list(args.items() if isinstance(args, dict) else args)
    removed = frozenset(k for k, v in pairs if v is None)
    kept = kept_arguments(request.query_string, removed)
    added = encoded((k, v) for k, v in pairs if v is not None)
    query = f"{kept}&{added}" if kept and added else kept or added
    return (path or request.path) + (f"?{query}" if query else "")


def path_with_removed_args(request: Any, args: Any, path: str | None = None) -> str:
    """Datasette's ``path_with_removed_args``: the address less the arguments named in
    ``args`` (a set), or less those with exactly its values (a dict); ``path`` may bring
    its own query string. Each value of a facet gives one, so the page's arguments are
    parsed once (:func:`pairs_of`)."""
    query_string = request.query_string
    if path is None:
        path = request.path
    elif "?" in path:
        path, query_string = path.split("?", 1)
    if isinstance(args, set):
        kept = [(k, v) for k, v in pairs_of(query_string) if k not in args]
    elif isinstance(args, dict):
        kept = [(k, v) for k, v in pairs_of(query_string) if args.get(k) != v]
    else:
        raise TypeError(f"arguments to remove must be a set or a dict, not {type(args).__name__}")
    return path + _query(kept)


def path_with_replaced_args(request: Any, args: Any, path: str | None = None) -> str:
    """Datasette's ``path_with_replaced_args``: the address with each argument of ``args``
    set to its value (None removes it), after those kept. The table's headers and its
    facets' "all values" links each make one."""
    path = path or request.path
    replacing = list(args.items() if isinstance(args, dict) else args)
    names = {pair[0] for pair in replacing}
    kept = [pair for pair in pairs_of(request.query_string) if pair[0] not in names]
    return path + _query([*kept, *(pair for pair in replacing if pair[1] is not None)])


@lru_cache(maxsize=256)
def pairs_of(query_string: str) -> tuple[tuple[str, str], ...]:
    """The query string's ``(name, value)`` pairs as ``parse_qsl`` reads them."""
    return tuple(parse_qsl(query_string))


def encoded(pairs: Iterable[tuple[Any, Any]]) -> str:
    """The pairs as ``urlencode`` writes them (each :func:`encoded_pair`, joined by ``&``)."""
    return "&".join(encoded_pair(k, v) for k, v in pairs)


def _query(pairs: Iterable[tuple[Any, Any]]) -> str:
    """``?`` and the :func:`encoded` pairs; nothing for no pairs."""
    query = encoded(pairs)
    return f"?{query}" if query else ""


def encoded_pair(key: Any, value: Any) -> str:
    """One ``key=value`` as ``urlencode`` writes it (its quote_plus of each text)."""
    if isinstance(key, bytes) or isinstance(value, bytes):
        return urlencode([(key, value)])
    return f"{quoted(str(key))}={quoted(str(value))}"


@lru_cache(maxsize=4096)
def quoted(text: str) -> str:
    """``quote_plus`` of a text: the same few names and values (years, events, units,
    cameras) are encoded on every page, each a few Python calls per character."""
    return quote_plus(text)


def install() -> None:
    """The facets' links, and the table's (its headers, its next page), made here (once
    per process): Datasette's modules look these names up when they call them."""
    from datasette import facets, filters
    from datasette.views import table

    facets.path_with_added_args = path_with_added_args
    facets.path_with_removed_args = path_with_removed_args
    filters.path_with_removed_args = path_with_removed_args
    table.path_with_removed_args = path_with_removed_args
    table.path_with_replaced_args = path_with_replaced_args
