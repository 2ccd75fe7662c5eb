"""A stored file sent as an ASGI response: whole (200), one range (206) or none (416).

Datasette's own file response reads no ``Range`` header, so a video player
could neither seek nor start in the middle. This one streams the asked span in
chunks and stops as soon as the client goes away: a player drops its first
request whenever it seeks, and a 2 GB clip must not be read to the end for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from archive.web.byte_range import Span, Unsatisfiable, requested_span
from archive.web.media_file import Media


class MediaResponse:
    """What Datasette sends for a media request (an object with ``asgi_send``)."""

    def __init__(
        self, media: Media, request: Any, content_type: str, headers: dict[str, str]
    ) -> None:
        self.media, self.receive = media, request.receive
        self.head = request.method == "HEAD"  # headers only: no byte of the file is read
        self.content_type = content_type
        self.headers = {**headers, "accept-ranges": "bytes"}
        self.status, self.span = 200, Span(0, media.size, media.size)
        if_range = request.headers.get("if-range")
        if if_range and if_range != headers.get("etag"):
            return  # the file changed since the client's first part: send it whole
        try:
            span = requested_span(request.headers.get("range"), media.size)
        except Unsatisfiable as refusal:
            self.status, self.span = 416, None
            self.headers["content-range"] = refusal.content_range
            return
        if span is not None:
            self.status, self.span = 206, span
            self.headers["content-range"] = span.content_range

    async def asgi_send(self, send: Any) -> None:
        length = self.span.length if self.span else 0
        headers = {**self.headers, "content-length": str(length)}
        if self.span is None:
            headers["content-type"] = "text/plain; charset=utf-8"
        else:
            headers["content-type"] = self.content_type
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [[k.encode("latin-1"), v.encode("latin-1")] for k, v in headers.items()],
            }
        )
        if self.span is None or length == 0 or self.head:
            await send({"type": "http.response.body", "body": b""})
            return
        gone = asyncio.ensure_future(_disconnected(self.receive))
        try:
            async for chunk in self.media.stream(self.span.start, length):
                if gone.done():
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            gone.cancel()


async def _disconnected(receive: Any) -> None:
    """Return once the client has gone (the request body, if any, is read and dropped)."""
    while (await receive())["type"] != "http.disconnect":
        pass
