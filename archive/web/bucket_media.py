"""Images and clips of an archive on a bucket, as the media route reads them.

The route (:mod:`archive.web.images`) checks who asks and finds the catalog's key;
:class:`archive.web.media_response.MediaResponse` answers ranges alike for every
store. This module gives it a bucket's file in the shape of
:class:`archive.web.media_file.MediaFile` (a size and a chunked stream), reading
the object through :meth:`archive.store_s3.S3Store.stream` on a worker thread so
neither memory nor the event loop waits for a whole clip. Thumbnails come through
a small local cache (:mod:`archive.web.thumb_cache`), so a page of 100 of them
costs no round trip to the bucket once seen.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.storage import AnyStore, parse_store_url
from archive.store import NotStored
from archive.web.thumb_cache import ThumbCache

CACHE_DIR_ENV, CACHE_MB_ENV = "ARCHIVE_THUMB_CACHE", "ARCHIVE_THUMB_CACHE_MB"
DEFAULT_CACHE_MB = 256
_stores: dict[tuple[str, str | None, str | None], AnyStore] = {}
_caches: dict[str, ThumbCache] = {}


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


@dataclass(frozen=True)
class CachedMedia:
    """A thumbnail held in memory (it came through the cache): small by construction."""

    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        yield self.data[offset : offset + length]


@dataclass(frozen=True)
class BucketMedia:
    """An object of the bucket, streamed a span at a time as the player asks."""

    store: AnyStore
    relpath: str
    size: int

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        chunks: Iterator[bytes] = self.store.stream(self.relpath, offset, length)
        while chunk := await asyncio.to_thread(next, chunks, b""):
            yield chunk


async def open_bucket_media(store: AnyStore, relpath: str) -> CachedMedia | BucketMedia | None:
    """The object at relpath for the route; None when the bucket has no such object.

    OSError (the bucket did not answer) goes up: the route says 502, not 404.
    """
    try:
        if relpath.startswith("thumbs/"):
            return CachedMedia(await asyncio.to_thread(thumb_cache(store.root).get, store, relpath))
        size = await asyncio.to_thread(store.size, relpath)
    except NotStored:
        return None
    return None if size is None else BucketMedia(store, relpath, size)
