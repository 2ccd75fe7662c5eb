"""Datasette's ``absolute_url`` without ``urljoin`` for the paths it is given.

Every facet value on a table page carries an absolute toggle address, made by
``Datasette.absolute_url(request, path)``: ``urljoin`` of the request's whole
address (rebuilt by ``urlunparse`` on each call) and the path. A searched
photos table shows about a hundred facet values, so that was 2 ms of the page.
The paths it is handed are the server's own absolute paths (``/catalog/photos?…``),
for which ``urljoin`` gives the scheme and host followed by the path unchanged;
those are joined here directly, and anything else (a relative path, ``//host``,
dot segments ``urljoin`` would resolve) still goes through Datasette's own method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A Host header that urljoin reads back as itself: a name or address, maybe a port.
# (The header is the client's: "evil/x" would be read as host "evil" and path "/x".)
PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


ORIGIN_KEY = "archive.origin"  # the request's scope keeps its origin (or None) once read

# Control characters, spaces and backslashes: urljoin strips or reads them in its own way.
_ODD_CHARACTER = re.compile(r"[\x00-\x20\x7f\\]")


def is_plain_absolute_path(path: str) -> bool:
    """Whether ``urljoin(base, path)`` is the base's scheme and host followed by ``path``.

    ASCII only (Datasette's own paths are percent-encoded), no odd character, not
    ``//host``, and no ``.`` segment for urljoin to resolve before the query.
    """
    if not path.startswith("/") or path.startswith("//") or not path.isascii():
        return False
    if _ODD_CHARACTER.search(path):
        return False
    return "/." not in path.split("?", 1)[0].split("#", 1)[0]


# What quote_plus and urlencode write: a tail of these after a query's "?" joins as it is.
_ENCODED_TAIL = re.compile(r"[A-Za-z0-9_.~%+=&-]*")


def tail_joiner(datasette: Any, request: Any, prefix: str) -> Callable[[str], str]:
    """``lambda tail: datasette.absolute_url(request, prefix + tail)``, the join made once.

    For a facet's values, whose links differ only in the value's encoded text at
    the end: when the prefix is a plain absolute path with a query, the address of
    ``prefix + tail`` is the prefix's address followed by the tail, for any tail of
    URL-encoded text. Any other prefix or tail is joined whole, as before.
    """

    def each(tail: str) -> str:
        return datasette.absolute_url(request, prefix + tail)

    if _origin(request) is None or "?" not in prefix or not is_plain_absolute_path(prefix):
        return each
    whole = datasette.absolute_url(request, prefix)
    return lambda tail: whole + tail if _ENCODED_TAIL.fullmatch(tail) else each(tail)


def _origin(request: Any) -> str | None:
    """``scheme://host`` when urljoin reads the request's address back as itself, else None;
    kept in the request's scope, since ``request.host`` reads through every header."""
    scope = request.scope
    if ORIGIN_KEY not in scope:
        scheme, host = request.scheme, request.host
        plain = scheme in ("http", "https") and PLAIN_HOST.fullmatch(host) is not None
        scope[ORIGIN_KEY] = f"{scheme}://{host}" if plain else None
    return scope[ORIGIN_KEY]


def install(datasette: Any) -> None:
    """Replace ``datasette.absolute_url`` by the direct join where it gives the same address."""
    if getattr(datasette, "_archive_absolute_urls", False):
        return
    joined = datasette.absolute_url

    def absolute_url(request: Any, path: str) -> str:
        # A plain str: Datasette's PrefixedUrlString looks each method up in dir(str).
        path = str(path)
        origin = _origin(request)
        if origin is None or not is_plain_absolute_path(path):
            return joined(request, path)
        url = origin + path
        if url.startswith("http://") and datasette.setting("force_https_urls"):
            url = "https://" + url[len("http://") :]
        return url

    datasette.absolute_url = absolute_url
    datasette._archive_absolute_urls = True
