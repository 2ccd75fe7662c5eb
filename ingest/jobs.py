"""What the ingest hands a worker and what comes back: plain, picklable, and light.

The main process needs these (and the pool's initializer) but none of the
libraries a worker decodes with; keeping them apart from :mod:`ingest.work`
lets the command start without importing Pillow, libvips, PyAV and the EXIF
reader, which only the workers use (the fork server preloads them, see
:mod:`ingest.workers`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive import i18n
from archive.records import PhotoFacts, SourceFile
from archive.store import Staged
from ingest.worker_memory import reuse_large_buffers


@dataclass(frozen=True)
class Job:
    path: str  # as on disk
    key: str  # the catalog's (NFC) name for it
    store: Any  # archive.storage.AnyStore: the local folder or a bucket (picklable)
    dry_run: bool = False
    debug: bool = False


@dataclass(frozen=True)
class Outcome:
    key: str
    source: SourceFile | None
    facts: PhotoFacts | None = None
    error: str | None = None
    stage: str | None = None
    warnings: tuple[str, ...] = ()
    staged: tuple[Staged, ...] = ()  # for the writer to sync before the rows commit


def watch_parent() -> None:
    """Pool initializer: a worker whose ingest was killed stops instead of lingering.

    A killed main process cannot tell its workers; they would wait on the job
    queue forever. Each waits on its parent's sentinel, which every start method
    provides and which fires as soon as the parent is gone, even before anyone
    reaps it: a pipe whose only writer was the parent (spawn and forkserver on
    POSIX) or the parent's process handle (Windows). No signal is sent and no
    process table is read (on Windows, ``os.kill(pid, 0)`` would kill the ingest).
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # run in the ingest itself (one worker): nothing to watch
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="watch-ingest", daemon=True).start()


def start_worker(language: str) -> None:
    """Pool initializer: watch the ingest, and speak its language.

    A worker inherits nothing from the ingest (see :mod:`ingest.workers`), so
    the language the command chose comes with the initializer's arguments, and
    the reasons a worker writes into the report are in that language too. Its
    large buffers are kept for the next photo (:mod:`ingest.worker_memory`).
    """
    i18n.activate(language)
    watch_parent()
    reuse_large_buffers()


def stat_source(path: str, key: str) -> SourceFile:
    st = os.stat(path)
    return SourceFile(path=key, size=st.st_size, mtime_ns=st.st_mtime_ns)


def stored_fields(
    sha256: str, size: int, info: Any, original: str, thumbs: dict[int, str], dry_run: bool
) -> dict[str, Any]:
    """The facts every archived item has, photo or clip: its bytes, kind, size and store keys.

    ``info`` is the decoder's account (:class:`ingest.thumbs.ImageInfo` or a clip's
    :class:`ingest.video_probe.ClipInfo`); a dry run names no thumbnail it did not store.
    """
    return {
        "sha256": sha256,
        "ext": info.ext,
        "format": info.format,
        "mime": info.mime,
        "bytes": size,
        "width": info.width,
        "height": info.height,
        "original_path": original,
        "thumb_path": None if dry_run else thumbs[min(thumbs)],
        "preview_path": None if dry_run else thumbs[max(thumbs)],
    }


def fingerprint_fields(prints: Any) -> dict[str, Any]:
    """An :class:`ingest.fingerprint.Fingerprint` as fields (None: none was taken)."""
    return {
        "phash": prints.phash if prints else None,
        "dhash": prints.dhash if prints else None,
        "sharpness": prints.sharpness if prints else None,
    }


def file_time(source: SourceFile) -> str:
    """The file's own time, for an item that gives none: a guess, marked ``file_mtime``."""
    return datetime.fromtimestamp(source.mtime_ns / 1e9).isoformat(timespec="seconds")
