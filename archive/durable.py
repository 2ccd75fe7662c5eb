"""Files written whole and durably: the archive's one way to put bytes on disk.

A file goes to a temporary name in its own folder (:data:`TEMP_PREFIX`, which verify
and backup know as a crash's leftover), is flushed, renamed into place, and its folder
synced, so a crash leaves the old file or the new, never half. The store
(:mod:`archive.store`) stages originals and thumbnails this way and syncs a batch at
once; bag manifests, export bundles and the thumbnail cache write through here too.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".incoming-"


def write_atomically(
    target: Path, data: bytes, *, mode: int | None = None, sync: bool = True
) -> None:
    """Replace target with data whole: a crash leaves the old file or the new, never half.

    The archive's one atomic file writer (originals, thumbnails, bag manifests,
    export bundles). The temporary file sits in the same folder (a rename
    never crosses disks) under :data:`TEMP_PREFIX`, which verify and backup
    know as a crash's leftover. ``mode`` None keeps the mode of the file it
    replaces (a new file gets 0o666 less the umask). ``sync`` makes the bytes
    and the rename durable, for files whose loss would cost more than a rewrite.
    """
    if mode is None and target.is_file():
        mode = stat.S_IMODE(target.stat().st_mode)
    temp = stage_bytes(target, data, create_mode=0o666 if mode is None else 0o600, sync=sync)
    _install(temp, target, mode)
    if sync:
        fsync_dir(target.parent)


COPY_CHUNK = 1 << 20  # 1 MiB: a clip of gigabytes is copied in flat memory
SYNC_THREADS = 16


def _temp_for(target: Path, create_mode: int = 0o600) -> tuple[Path, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(4)}")
    return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_mode)


def stage_bytes(target: Path, data: bytes, *, create_mode: int = 0o600, sync: bool = False) -> Path:
    """data in a temporary file beside target (flushed to disk with ``sync``), its path."""
    temp, fd = _temp_for(target, create_mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def stage_copy(target: Path, source: Path) -> Path:
    """Copy source beside target in the kernel where it can (copy_file_range), else by chunks."""
    temp, fd = _temp_for(target)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            _copy(src.fileno(), dst)
            _start_writeback(dst.fileno())
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def copy_atomically(target: Path, source: Path, *, mode: int) -> None:
    """:func:`write_atomically` from a file, copied a chunk at a time (a clip, a bag)."""
    temp = stage_copy(target, source)
    try:
        fsync_path(temp)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    _install(temp, target, mode)
    fsync_dir(target.parent)


def _install(temp: Path, target: Path, mode: int | None) -> None:
    """A staged file renamed into place, its mode set first; never left behind on failure."""
    try:
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def _copy(src: int, dst: BinaryIO) -> None:
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while copy_range(src, dst.fileno(), COPY_CHUNK * 8):
                pass
            return
        except OSError as error:  # not across these file systems: copy by chunks instead
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
            os.lseek(src, 0, os.SEEK_SET)
            os.lseek(dst.fileno(), 0, os.SEEK_SET)
            os.ftruncate(dst.fileno(), 0)
    while chunk := os.read(src, COPY_CHUNK):
        dst.write(chunk)


def _start_writeback(fd: int) -> None:
    """Have the kernel begin writing a staged copy now, without waiting for it (Linux).

    The writer fsyncs every staged file before a row names it; a copy whose pages are
    already on their way to the disk is synced in a fraction of the time, which the
    run's last photos wait for. Durability is still the fsync's: this only starts it.
    """
    _drop_cached(fd)  # on dirty pages DONTNEED only starts their writeback


def fsync_all(paths: list[Path], fsync: Callable[[Path], None]) -> None:
    if len(paths) <= 1:
        for path in paths:
            fsync(path)
        return
    with ThreadPoolExecutor(min(SYNC_THREADS, len(paths))) as pool:
        list(pool.map(fsync, paths))  # list(): the first error is raised here


def fsync_path(path: Path) -> None:
    """fsync a staged file by name (still writable: Windows flushes only a writable handle).

    Once its bytes are on the disk, its pages are dropped from the page cache
    (:func:`_drop_cached`): an ingest writes gigabytes of originals nobody reads soon.
    """
    fd = os.open(path, os.O_WRONLY)
    try:
        os.fsync(fd)
        _drop_cached(fd)
    finally:
        os.close(fd)


def _drop_cached(fd: int) -> None:
    """Give a synced file's pages back to the system (Linux; elsewhere nothing happens).

    Left cached, the originals an ingest wrote push out of memory what the archive
    does read again (the catalog, thumbnails being served), and every new copy
    takes fresh pages: on a virtual machine each first touch of a page costs the
    host a fault, some 12 ms of CPU for a 4.5 MB photo, against 2 ms when the
    pages of the last synced files are reused. Only clean pages go (the fsync
    just wrote them), so nothing written is lost; a later read comes from disk.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with suppress(OSError):
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def fsync_dir(folder: Path, *, best_effort: bool = False) -> None:
    """Make the rename itself durable, so a power cut cannot undo it.

    A no-op where folders cannot be opened (Windows); ``best_effort`` also lets a
    file system that refuses to sync a folder pass (a bag written to a USB disk).
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        if not best_effort:
            raise
    finally:
        os.close(fd)
