"""Synced files leave the page cache: an ingest's originals do not crowd out what is read.

Residency is read from the kernel itself (``mincore`` on a mapping of the file,
which faults nothing in), so the test sees what the system holds, not what the
code asked for. Linux only, and not on tmpfs, where the cache is the storage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import sys
from pathlib import Path

import pytest

from archive.store import Store

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise"),
    reason="page-cache advice and mincore are Linux's",
)

SIZE = 4 << 20  # a photo's worth


def cached_pages(path: Path) -> tuple[int, int]:
    """(pages of path in the page cache, pages of path), by mincore on a private mapping."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    page = mmap.PAGESIZE
    size = path.stat().st_size
    pages = -(-size // page)
    with open(path, "rb") as handle:
        mapping = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_COPY)
    try:
        start = ctypes.addressof(ctypes.c_char.from_buffer(mapping))
        vector = ctypes.create_string_buffer(pages)
        if libc.mincore(ctypes.c_void_p(start), size, vector) != 0:
            pytest.skip(f"mincore failed: {os.strerror(ctypes.get_errno())}")
        resident = sum(byte & 1 for byte in vector.raw)
    finally:
        mapping.close()
    return resident, pages


def file_system_type(path: Path) -> str:
    """The type of the file system path is on, from /proc/self/mounts (longest mount point)."""
    best, kind = "", ""
    resolved = str(path.resolve())
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        for line in mounts:
            _, point, fs_type, *_ = line.split()
            inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
            if inside and len(point) > len(best):
                best, kind = point, fs_type
    return kind


def test_a_synced_original_is_dropped_from_the_page_cache(tmp_path: Path) -> None:
    if file_system_type(tmp_path) in {"tmpfs", "ramfs"}:
        pytest.skip(f"{tmp_path} is in memory: its page cache is its storage")
    store = Store(tmp_path / "archive")
    store.create()
    data = os.urandom(SIZE)
    source = tmp_path / "photo.jpg"
    source.write_bytes(data)
    staged = store.stage("originals/ab/abcd.jpg", data)
    assert staged is not None
    written, pages = cached_pages(store.path(staged.temp))
    assert written == pages  # just written: every page still in memory, dirty
    store.sync_staged([staged])
    kept, _ = cached_pages(store.path("originals/ab/abcd.jpg"))
    assert kept <= pages // 20, f"{kept} of {pages} pages still cached after the sync"
    assert store.path("originals/ab/abcd.jpg").read_bytes() == data  # from the disk, whole
