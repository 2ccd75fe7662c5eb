"""A bounded local cache of thumbnails of an archive on a bucket, least recently used out.

A page of 100 thumbnails would otherwise cost 100 round trips to the bucket each time it
is shown. Thumbnails are derivatives (rebuilt from originals), so losing the cache loses
nothing: it is a plain folder, any file of which may be deleted at any time. Each file's
modification time is its last use, so the order survives a restart of the server.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from archive.durable import TEMP_PREFIX, write_atomically


class ThumbCache:
    """At most max_bytes of thumbnails under folder, keyed by the store's relpath."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder, self.max_bytes = folder, max_bytes
        self.lock = threading.Lock()
        self.sizes: OrderedDict[str, int] = OrderedDict()  # least recently used first
        self.total = 0
        self.hits = self.misses = 0
        self._load()

    def _load(self) -> None:
        """What an earlier run left, oldest use first."""
        found = []
        for path in self.folder.rglob("*.jpg") if self.folder.is_dir() else ():
            if path.name.startswith(TEMP_PREFIX):
                continue
            stat = path.stat()
            found.append((stat.st_mtime_ns, path.relative_to(self.folder).as_posix(), stat.st_size))
        for _mtime, relpath, size in sorted(found):
            self.sizes[relpath] = size
            self.total += size
        self._evict()

    def get(self, store: Any, relpath: str) -> bytes:
        """The thumbnail's bytes: from the cache (marked used), else fetched and kept."""
        path = self.folder / relpath
        with self.lock:
            cached = relpath in self.sizes
            if cached:
                self.sizes.move_to_end(relpath)
        if cached:
            try:
                data = path.read_bytes()
                os.utime(path)  # its last use, for the order after a restart
                self.hits += 1
                return data
            except OSError:  # deleted by hand: fetch it again
                with self.lock:
                    self.total -= self.sizes.pop(relpath, 0)
        data = store.read(relpath)
        self.misses += 1
        if len(data) <= self.max_bytes:
            write_atomically(path, data, sync=False)  # a derivative: a crash costs a fetch
            with self.lock:
                if relpath not in self.sizes:
                    self.sizes[relpath] = len(data)
                    self.total += len(data)
                self._evict()
        return data

    def _evict(self) -> None:
        """Drop the least recently used until the cache fits (called holding the lock)."""
        while self.total > self.max_bytes and self.sizes:
            relpath, size = self.sizes.popitem(last=False)
            self.total -= size
            (self.folder / relpath).unlink(missing_ok=True)
