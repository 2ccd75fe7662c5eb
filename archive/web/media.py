"""Images and clips of an archive on a bucket, for the permission-checked image route.

The route (:mod:`archive.web.images`) checks who asks and finds the catalog's key;
this module answers with the object's bytes: a ranged read of the store
(:meth:`archive.store_s3.S3Store.stream`) for a ``Range`` request (206, Content-Range),
the whole object streamed otherwise, never held in memory. Thumbnails are kept in a
small local cache (:mod:`archive.web.thumb_cache`), so a page of 100 of them costs
no round trip to the bucket once seen.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response

from archive.storage import AnyStore, parse_store_url
from archive.store import NotStored
from archive.web.thumb_cache import ThumbCache

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CACHE_DIR_ENV, CACHE_MB_ENV = "ARCHIVE_THUMB_CACHE", "ARCHIVE_THUMB_CACHE_MB"
DEFAULT_CACHE_MB = 256
_stores: dict[tuple[str, str | None, str | None], AnyStore] = {}
_caches: dict[str, ThumbCache] = {}


class Unsatisfiable(ValueError):
    """A Range no byte of the object is in (416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(offset, length) a ``Range: bytes=…`` header asks of an object of size; None: all.

    One range only (what players and browsers send); a header of another form is
    ignored, as RFC 9110 allows, and the whole object is sent.
    """
    if not header:
        return None
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = min(int(last), size)
        if length == 0:
            raise Unsatisfiable(header)
        return size - length, length
    start = int(first)
    if start >= size:
        raise Unsatisfiable(header)
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end - start + 1


async def bucket_of(db: Any, root: Path) -> AnyStore | None:
    """The archive's bucket, or None when its files are in its folder (read each request:
    a migration may switch it while the server runs)."""
    rows = await db.execute(
        "SELECT key, value FROM settings WHERE key IN ('store', 'store_endpoint')"
    )
    found = {row["key"]: row["value"] for row in rows}
    url = found.get("store")
    if not url:
        return None
    key = (str(root), url, found.get("store_endpoint"))
    if key not in _stores:
        _stores[key] = parse_store_url(root, url, found.get("store_endpoint"))
    return _stores[key]


def thumb_cache(root: Path) -> ThumbCache:
    """The cache of this server: $ARCHIVE_THUMB_CACHE (default: .thumb-cache in the
    archive folder) holding at most $ARCHIVE_THUMB_CACHE_MB megabytes (default 256)."""
    folder = os.environ.get(CACHE_DIR_ENV) or str(root / ".thumb-cache")
    if folder not in _caches:
        megabytes = float(os.environ.get(CACHE_MB_ENV) or DEFAULT_CACHE_MB)
        _caches[folder] = ThumbCache(Path(folder), int(megabytes * 1024 * 1024))
    return _caches[folder]


async def bucket_response(
    store: AnyStore,
    relpath: str,
    request: Any,
    headers: dict[str, str],
    content_type: str,
) -> Any:
    """The object at relpath as the route's answer: 200, 206 for a Range, 404, 416 or 502."""
    headers = {**headers, "accept-ranges": "bytes"}
    try:
        if relpath.startswith("thumbs/"):
            data = await asyncio.to_thread(thumb_cache(store.root).get, store, relpath)
            return _ranged_bytes(data, request, headers, content_type)
        size = await asyncio.to_thread(store.size, relpath)
    except NotStored:
        size = None
    except OSError:
        return Response.text("502: không đọc được ảnh từ kho lưu trữ", status=502)
    if size is None:
        return Response.text("404: không có ảnh này", status=404)
    try:
        wanted = byte_range(request.headers.get("range"), size)
    except Unsatisfiable:
        return _unsatisfiable(size, headers)
    offset, length = wanted or (0, size)
    headers["content-length"] = str(length)
    status = 200
    if wanted is not None:
        status = 206
        headers["content-range"] = f"bytes {offset}-{offset + length - 1}/{size}"

    return ObjectStream(
        store, relpath, offset, length, status, {**headers, "content-type": content_type}
    )


class ObjectStream:
    """An ASGI answer that sends the object's chunks as the bucket gives them.

    Datasette's own AsgiStream writes text only; a clip must not be held in memory.
    """

    def __init__(
        self,
        store: AnyStore,
        relpath: str,
        offset: int,
        length: int,
        status: int,
        headers: dict[str, str],
    ) -> None:
        self.store, self.relpath, self.offset, self.length = store, relpath, offset, length
        self.status, self.headers = status, headers

    async def asgi_send(self, send: Any) -> None:
        chunks = self.store.stream(self.relpath, self.offset, self.length)
        first = await asyncio.to_thread(next, chunks, b"")  # a failure now is still a 502
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [[k.encode(), v.encode()] for k, v in self.headers.items()],
            }
        )
        chunk = first
        while chunk:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            chunk = await asyncio.to_thread(next, chunks, b"")
        await send({"type": "http.response.body", "body": b""})


def _ranged_bytes(data: bytes, request: Any, headers: dict[str, str], content_type: str) -> Any:
    try:
        wanted = byte_range(request.headers.get("range"), len(data))
    except Unsatisfiable:
        return _unsatisfiable(len(data), headers)
    if wanted is None:
        return Response(data, status=200, headers=headers, content_type=content_type)
    offset, length = wanted
    headers["content-range"] = f"bytes {offset}-{offset + length - 1}/{len(data)}"
    return Response(
        data[offset : offset + length], status=206, headers=headers, content_type=content_type
    )


def _unsatisfiable(size: int, headers: dict[str, str]) -> Any:
    return Response.text(
        "416: ngoài phạm vi tệp",
        status=416,
        headers={**headers, "content-range": f"bytes */{size}"},
    )
