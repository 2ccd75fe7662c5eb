"""The facet values' narrowing links, from the page's arguments parsed once per page.

Datasette's column facet makes each value's link with ``path_with_added_args``,
which parses the request's query string and encodes every argument again on
each call: a searched photos table shows about fifty values in its column
facets (event, year, type, camera), so the same address was parsed fifty
times, 3 ms of the page. Here the page's own arguments (less those the call
removes) are encoded once per query string and the added ones joined after
them: ``urlencode`` joins its pairs with ``&``, so the address is the same to
the byte. tests/test_facet_paths.py holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

__all__ = ["encoded_pair", "install", "kept_arguments", "path_with_added_args", "quoted"]


@lru_cache(maxsize=256)
def kept_arguments(query_string: str, removed: frozenset[str] = frozenset()) -> str:
    """The query string's arguments re-encoded as Datasette does, less the ``removed`` names."""
    return urlencode([(k, v) for k, v in parse_qsl(query_string) if k not in removed])


def path_with_added_args(
    request: Any, args: dict[str, Any] | Iterable[tuple[str, Any]], path: str | None = None
) -> str:
    """Datasette's ``path_with_added_args``: the page's address with ``args`` added
    (an argument given None is removed)."""
    pairs = list(args.items() if isinstance(args, dict) else args)
    removed = frozenset(k for k, v in pairs if v is None)
    kept = kept_arguments(request.query_string, removed)
    added = "&".join(encoded_pair(k, v) for k, v in pairs if v is not None)
    query = f"{kept}&{added}" if kept and added else kept or added
    return (path or request.path) + (f"?{query}" if query else "")


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
    """The column facets' links made here (once per process)."""
    from datasette import facets

    facets.path_with_added_args = path_with_added_args
