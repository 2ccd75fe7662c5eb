"""Moving an archive's files between its folder and a bucket, without losing one.

Copy every stored file, then read each back from the new place and compare its
SHA-256 with the bytes copied; only when all match is the archive's store setting
switched, so a failure half-way leaves the archive working where it was. The old
copies stay until the caller asks for them to be deleted, after that verification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from archive.catalog import Catalog
from archive.db import write_transaction
from archive.durable import TEMP_PREFIX
from archive.i18n import _
from archive.storage import AnyStore, store_setting
from archive.store import KEY_PREFIXES

PARALLEL = 8  # copies at once
T = TypeVar("T")


@dataclass
class Moved:
    """What a migration did: files copied or already there, and what failed (path, reason)."""

    files: int = 0
    copied: int = 0
    bytes: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    switched: bool = False
    deleted: int = 0


def stored_files(store: AnyStore) -> list[str]:
    """Every file of the store under its key prefixes, crash leftovers left out."""
    found = []
    for prefix in KEY_PREFIXES:
        for relpath, _size in store.keys(prefix):
            if not relpath.rsplit("/", 1)[-1].startswith(TEMP_PREFIX):
                found.append(relpath)
    return found


def copy_one(source: AnyStore, target: AnyStore, relpath: str) -> tuple[bool, int]:
    """Copy relpath, then read it back from target: (sent, bytes); raises on a mismatch."""
    if not source.remote and target.remote:
        sent = target.put_file(relpath, source.path(relpath))  # a clip is never read whole
        size, want = source.size(relpath) or 0, source.sha256(relpath)
    else:
        data = source.read(relpath)
        sent = target.put(relpath, data)
        size, want = len(data), hashlib.sha256(data).hexdigest()
    got = target.sha256(relpath)
    if got != want:
        raise OSError(
            _("{location}: read back with SHA-256 {got}, the copy was {want}").format(
                location=target.location(relpath), got=got[:12], want=want[:12]
            )
        )
    return sent, size


def _in_parallel(work: Callable[[str], T], files: list[str]) -> Iterator[T]:
    """work on each file, a few at once: a bucket's round trips, not its bandwidth, are
    what a migration of small files waits on. Results come in the files' order."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        yield from pool.map(work, files)


def migrate(
    catalog: Catalog,
    source: AnyStore,
    target: AnyStore,
    *,
    delete_local: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Moved:
    """Copy and verify every file, then switch the setting (caller holds the writer lock)."""
    moved = Moved()
    files = stored_files(source)
    moved.files = len(files)
    if on_plan:
        on_plan(len(files))

    def one(relpath: str) -> tuple[str, tuple[bool, int] | str]:
        try:
            return relpath, copy_one(source, target, relpath)
        except (OSError, ValueError) as error:
            return relpath, getattr(error, "strerror", None) or str(error)

    for relpath, done in _in_parallel(one, files):
        if isinstance(done, str):
            moved.failed.append((relpath, done))
        else:
            moved.copied += int(done[0])
            moved.bytes += done[1]
        if progress:
            progress(1)
    if moved.failed:
        return moved
    with write_transaction(catalog.db):
        catalog.set_store(
            store_setting(getattr(target, "url", None)), getattr(target, "endpoint", None)
        )
    moved.switched = True
    if delete_local and not source.remote:
        for relpath in files:
            source.path(relpath).unlink(missing_ok=True)
            moved.deleted += 1
    return moved


def delete_local_copies(
    local: AnyStore,
    bucket: AnyStore,
    *,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Moved:
    """After a migration to bucket: delete each local file whose object reads back the same.

    A file the bucket lacks, or holds other bytes for, is kept and named.
    """
    moved = Moved(switched=True)
    files = stored_files(local)
    moved.files = len(files)
    if on_plan:
        on_plan(len(files))

    def one(relpath: str) -> tuple[str, str | None]:
        try:
            if bucket.sha256(relpath) != local.sha256(relpath):
                raise OSError(
                    _("{location} differs from the local file: kept").format(
                        location=bucket.location(relpath)
                    )
                )
            local.path(relpath).unlink()
            return relpath, None
        except (OSError, ValueError) as error:
            return relpath, getattr(error, "strerror", None) or str(error)

    for relpath, reason in _in_parallel(one, files):
        if reason is None:
            moved.deleted += 1
        else:
            moved.failed.append((relpath, reason))
        if progress:
            progress(1)
    return moved
