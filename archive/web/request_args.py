"""A request's query arguments parsed once, not each time a view asks for them.

Datasette 0.65's ``Request.args`` parses the query string afresh on every
access: building one photos table page asks for it some fifty times (the
table view, its filters, each facet, the template), each a ``parse_qs`` with
its unquoting. The parse is kept on the request, next to the query string it
was made from, so a request whose scope is changed is parsed again; each
caller still gets its own lists, as before, so no caller can change what
another sees.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

_KEPT = "_archive_parsed_args"


def install() -> None:
    """Put the kept parse behind ``Request.args`` (once per process)."""
    from datasette.utils import MultiParams
    from datasette.utils.asgi import Request

    if getattr(Request.args.fget, "_archive_kept", False):
        return

    def args(request: Any) -> Any:
        query = request.query_string
        kept = request.__dict__.get(_KEPT)
        if kept is None or kept[0] != query:
            kept = (query, parse_qs(qs=query, keep_blank_values=True))
            request.__dict__[_KEPT] = kept
        return MultiParams({key: list(values) for key, values in kept[1].items()})

    args._archive_kept = True  # type: ignore[attr-defined]
    Request.args = property(args)  # type: ignore[method-assign]
