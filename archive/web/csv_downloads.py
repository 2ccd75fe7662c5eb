"""Every CSV the server sends is spreadsheet-safe (archive.csv_safe), streamed as it is made.

Datasette 0.65 writes its CSV (tables, canned queries, SQL results, rows,
``?_stream=on`` and ``?_dl=1``) in ``DataView.as_csv`` with no hook between the
rows and the bytes, and a full stream is written in many chunks. So this is an
``asgi_wrapper``: it watches each response, and for a CSV one passes every body
chunk through a :class:`~archive.csv_safe.CsvNeutraliser` on its way out. It
holds back at most the first two bytes (a possible byte order mark) and never a
row, so a stream stays a stream.

A response is CSV when its type is ``text/csv`` (a ``?_dl=1`` download, or any
plugin's CSV), or when the path ends in ``.csv`` and it is ``text/plain`` (how
Datasette serves CSV to be read in the browser). Datasette names a table with a
dot as ``~2E``, so a ``.csv`` ending is always its CSV format. Left alone: the
HTML of ``?_trace=1`` and error pages, which are no CSV, and a body compressed
by some other middleware, which cannot be read (the archive installs none).
"""

from __future__ import annotations

from typing import Any

from archive.csv_safe import CsvNeutraliser

Message = dict[str, Any]


def is_csv(path: str, headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a response with these headers, for this path, is CSV to make safe."""
    values = {name.lower(): value for name, value in headers}
    encoding = values.get(b"content-encoding", b"identity").strip().lower()
    if encoding != b"identity":
        return False
    media_type = values.get(b"content-type", b"").split(b";")[0].strip().lower()
    return media_type == b"text/csv" or (media_type == b"text/plain" and path.endswith(".csv"))


def csv_wrapper(app: Any) -> Any:
    """ASGI middleware: CSV responses pass through a CsvNeutraliser, others untouched."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        path = scope.get("path") or ""
        neutraliser: CsvNeutraliser | None = None

        async def safe_send(message: Message) -> None:
            nonlocal neutraliser
            if message["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers") or []]
                if is_csv(path, headers):
                    neutraliser = CsvNeutraliser()
                    # The body grows by one byte per neutralised cell.
                    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    message = {**message, "headers": kept}
            elif message["type"] == "http.response.body" and neutraliser is not None:
                body = neutraliser.feed(message.get("body", b""))
                if not message.get("more_body", False):
                    body += neutraliser.close()
                message = {**message, "body": body}
            await send(message)

        await app(scope, receive, safe_send)

    return wrapped
