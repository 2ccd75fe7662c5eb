"""The one place the media route touches a stored file: its size and a stream of its bytes.

The route asks for ``size`` and ``stream(offset, length)`` and nothing else, so
a store that is not a folder (a bucket) answers the route by giving this
module another implementation. Reads go in chunks on a worker thread: a clip
may be gigabytes, and neither memory nor the event loop may wait for all of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 256 * 1024  # big enough for few thread hops, small enough to stop soon after a seek


class Media(Protocol):
    """What the media route needs of a stored file, wherever the store keeps it."""

    @property
    def size(self) -> int: ...

    def stream(self, offset: int, length: int) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class MediaFile:
    """A stored file under the archive root, as the media route reads it."""

    path: Path
    size: int

    async def stream(self, offset: int, length: int) -> AsyncIterator[bytes]:
        """``length`` bytes from ``offset``, chunk by chunk (fewer if the file shrank).

        A span of one chunk (a thumbnail, a player's small range) is opened, read and
        closed in one trip to a worker thread instead of four: on a busy server each
        trip waits its turn, as a bucket's cached thumbnail waits for one.
        """
        if length <= CHUNK:
            chunk = await asyncio.to_thread(_read_span, self.path, offset, length)
            if chunk:
                yield chunk
            return
        handle = await asyncio.to_thread(self.path.open, "rb")
        try:
            await asyncio.to_thread(handle.seek, offset)
            left = length
            while left > 0:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


def _read_span(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def open_media(root: Path, relative: str) -> MediaFile | None:
    """The catalog's relative path as a file under root, or None (missing or escaping)."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return MediaFile(path, path.stat().st_size)
