"""The CPU work on one file, run in worker processes.

A worker reads the file once, hashes it, reads its EXIF, makes the
thumbnails and puts the original and the thumbnails into the store. It never
touches the catalog: it hands back a plain :class:`Outcome`, and the main
process commits rows. Files land in the store before any row names them, so
a crash leaves at most an orphan file, which the next run adopts.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image

from archive import i18n
from archive.fields import FROM_METADATA
from archive.i18n import N_, _
from archive.records import PhotoFacts, SourceFile
from archive.store import THUMB_SIZES, Store
from ingest.exif import ExifRecord, read_exif
from ingest.fingerprint import Fingerprint, fingerprint, from_thumbnails
from ingest.thumbs import ImageError, ImageInfo, make_thumbnails, probe

# Whole sentences per stage, so a translation can order its words freely.
CANNOT = {
    "read": N_("cannot read the file: {reason}"),
    "decode": N_("cannot decode the file: {reason}"),
    "thumbnail": N_("cannot thumbnail the file: {reason}"),
    "store": N_("cannot store the file: {reason}"),
}


@dataclass(frozen=True)
class Job:
    path: str  # as on disk
    key: str  # the catalog's (NFC) name for it
    root: str
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
    the reasons a worker writes into the report are in that language too.
    """
    i18n.activate(language)
    watch_parent()


def stat_source(path: str, key: str) -> SourceFile:
    st = os.stat(path)
    return SourceFile(path=key, size=st.st_size, mtime_ns=st.st_mtime_ns)


def process(job: Job) -> Outcome:
    """Everything about one file that needs its bytes; errors come back as reasons."""
    stage = "read"
    source = None
    try:
        source = stat_source(job.path, job.key)
        data = Path(job.path).read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        stage = "decode"
        info = probe(data)
        exif = read_exif(data)
        store = Store(Path(job.root))
        original = store.original_relpath(sha256, info.ext)
        thumbs = {size: store.thumb_relpath(sha256, size) for size in THUMB_SIZES}
        stage = "thumbnail"
        # All sizes or none: the 320 is made from the 1280, so rendering one size
        # alone would give different bytes than an uninterrupted run. A dry run
        # renders them too, in memory, so a file the real run would refuse (a
        # truncated JPEG decodes its header but not its pixels) fails here alike.
        missing = any(not store.has(rel) for rel in thumbs.values())
        pictures: dict[int, Image.Image] = {}  # each size's picture, for the fingerprint
        rendered = make_thumbnails(data, THUMB_SIZES, pictures.__setitem__) if missing else {}
        prints = _fingerprint(pictures, store, thumbs)
        if not job.dry_run:
            stage = "store"
            store.put(original, data)
            for size, jpeg in rendered.items():
                store.put(thumbs[size], jpeg)
        facts = _facts(sha256, len(data), info, exif, original, thumbs, job, source, prints)
        return Outcome(job.key, source, facts, warnings=exif.warnings)
    except ImageError as error:
        return Outcome(job.key, source, error=str(error), stage=stage)
    except OSError as error:
        reason = error.strerror or str(error)
        return Outcome(job.key, source, error=_(CANNOT[stage]).format(reason=reason), stage=stage)
    except Exception as error:  # a bug or a library failure must not stop the batch
        detail = traceback.format_exc() if job.debug else f"{type(error).__name__}: {error}"
        return Outcome(
            job.key,
            source,
            error=_("unexpected error: {detail}").format(detail=detail),
            stage=stage,
        )


def _fingerprint(
    pictures: dict[int, Image.Image], store: Store, thumbs: dict[int, str]
) -> Fingerprint | None:
    """The near-duplicate fingerprint from the pictures just made, else the stored thumbnails.

    Stored ones are read when the thumbnails were already there (an orphan adopted
    after a crash): two small JPEGs, never the original decoded again. A stored
    thumbnail that cannot be read costs the fingerprint only (None: the photo is
    archived, in no group; `archive verify` reports the thumbnail).
    """
    small, preview = min(thumbs), max(thumbs)
    if small in pictures and preview in pictures:
        return fingerprint(pictures[small], pictures[preview])
    try:
        return from_thumbnails(store.read(thumbs[small]), store.read(thumbs[preview]))
    except Exception:  # a damaged derivative must not cost the photo
        return None


def _facts(
    sha256: str,
    size: int,
    info: ImageInfo,
    exif: ExifRecord,
    original: str,
    thumbs: dict[int, str],
    job: Job,
    source: SourceFile,
    prints: Fingerprint | None,
) -> PhotoFacts:
    taken_at, taken_source = exif.taken_at, exif.taken_at_source
    if not taken_at:
        # The file's own time is a guess, and is marked as one.
        taken_at = datetime.fromtimestamp(source.mtime_ns / 1e9).isoformat(timespec="seconds")
        taken_source = "file_mtime"
    said = {name: getattr(exif, name) for name in FROM_METADATA}
    said.update(taken_at=taken_at, taken_at_source=taken_source)
    return PhotoFacts(
        sha256=sha256,
        ext=info.ext,
        format=info.format,
        mime=info.mime,
        bytes=size,
        width=info.width,
        height=info.height,
        original_path=original,
        thumb_path=None if job.dry_run else thumbs[min(thumbs)],
        preview_path=None if job.dry_run else thumbs[max(thumbs)],
        exif=exif.tags,
        phash=prints.phash if prints else None,
        dhash=prints.dhash if prints else None,
        sharpness=prints.sharpness if prints else None,
        **said,
    )
