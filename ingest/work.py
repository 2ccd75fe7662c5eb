"""The CPU work on one file, run in worker processes.

A worker reads the file once in chunks, hashing it (:mod:`ingest.reading`),
reads its EXIF from the header, makes the thumbnails from the file, and stages
the original and the thumbnails in the store (written under temporary names,
not yet synced). It never touches the catalog: it hands back a plain
:class:`Outcome` with what it staged, and the main process syncs a batch of
staged files at once, then commits the rows that name them. Files are durable
in the store before any row names them, so a crash leaves at most an orphan
file, which the next run adopts, or a temporary one, which it removes.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from PIL import Image

from archive.fields import FROM_METADATA
from archive.i18n import N_, _
from archive.records import PhotoFacts, SourceFile
from archive.store import THUMB_SIZES, Staged, Store
from ingest.exif import ExifRecord, read_exif
from ingest.fingerprint import Fingerprint, fingerprint
from ingest.jobs import (
    Job,
    Outcome,
    file_time,
    fingerprint_fields,
    stat_source,
    stored_fields,
)
from ingest.reading import read_photo, unchanged_since
from ingest.thumbs import ImageError, ImageInfo, make_thumbnails, probe
from ingest.video_kinds import is_clip

# Whole sentences per stage, so a translation can order its words freely.
CANNOT = {
    "read": N_("cannot read the file: {reason}"),
    "decode": N_("cannot decode the file: {reason}"),
    "thumbnail": N_("cannot thumbnail the file: {reason}"),
    "store": N_("cannot store the file: {reason}"),
}


def process(job: Job) -> Outcome:
    """Everything about one file that needs its bytes; errors come back as reasons."""
    stage = "read"
    source = None
    try:
        source = stat_source(job.path, job.key)
        path = Path(job.path)
        if is_clip(path):  # a video clip: streamed, never read whole (ingest.video)
            return _process_clip(job, source)
        read = read_photo(path)
        sha256 = read.sha256
        stage = "decode"
        info = probe(path)
        exif = read_exif(read.head)
        store = job_store(job)
        original = store.original_relpath(sha256, info.ext)
        thumbs = {size: store.thumb_relpath(sha256, size) for size in THUMB_SIZES}
        # All sizes or none: the 320 is made from the 1280, so rendering one size
        # alone would give different bytes than an uninterrupted run. A dry run
        # renders them too, in memory, so a file the real run would refuse (a
        # truncated JPEG decodes its header but not its pixels) fails here alike.
        # They are rendered even when stored already (an orphan of a killed run, a
        # copy of a known photo): the near-duplicate fingerprint comes from these
        # pictures, and the stored JPEGs would give slightly other values, so a
        # resumed run would not end where an uninterrupted one does.
        stage = "thumbnail"
        pictures: dict[int, Image.Image] = {}  # each size's picture, for the fingerprint
        rendered = make_thumbnails(path, THUMB_SIZES, pictures.__setitem__)
        prints = fingerprint(pictures[min(thumbs)], pictures[max(thumbs)])
        staged: list[Staged | None] = []
        if not job.dry_run:
            stage = "store"
            staged = _stage(
                store, path, original, {thumbs[s]: jpeg for s, jpeg in rendered.items()}
            )
        if read.size != source.size or not unchanged_since(path, source.size, source.mtime_ns):
            _discard(store, staged)
            stage = "read"
            raise OSError(0, _("the file changed while it was being archived; run again"))
        facts = _facts(sha256, read.size, info, exif, original, thumbs, job, source, prints)
        kept = tuple(item for item in staged if item is not None)
        return Outcome(job.key, source, facts, warnings=exif.warnings, staged=kept)
    except ImageError as error:
        return Outcome(job.key, source, error=str(error), stage=stage)
    except Exception as error:  # a bug or a library failure must not stop the batch
        return Outcome(job.key, source, error=failure_text(job, stage, error), stage=stage)


def failure_text(job: Job, stage: str, error: Exception) -> str:
    """What the report says of a file that failed at stage: the system's reason, or the bug."""
    if isinstance(error, OSError):
        return _(CANNOT[stage]).format(reason=error.strerror or str(error))
    detail = traceback.format_exc() if job.debug else f"{type(error).__name__}: {error}"
    return _("unexpected error: {detail}").format(detail=detail)


def job_store(job: Job) -> Any:
    """The job's store: a plain folder path stands for the local store there."""
    return Store(Path(job.store)) if isinstance(job.store, str | Path) else job.store


def _process_clip(job: Job, source: SourceFile) -> Outcome:
    """:func:`process` for a clip: the same outcome, its errors worded the same way.

    PyAV is imported here, on a worker's first clip: a run of photos never loads it
    (about 16 MB of FFmpeg per worker).
    """
    from ingest.video import clip_facts, with_file_time
    from ingest.video_probe import VideoError

    where = {"stage": "read"}
    try:
        facts, warnings = clip_facts(Path(job.path), job_store(job), where, dry_run=job.dry_run)
        return Outcome(job.key, source, with_file_time(facts, source), warnings=tuple(warnings))
    except VideoError as error:
        return Outcome(job.key, source, error=str(error), stage=where["stage"])
    except Exception as error:  # a bug or a library failure must not stop the batch
        stage = where["stage"]
        return Outcome(job.key, source, error=failure_text(job, stage, error), stage=stage)


def _stage(
    store: Store, path: Path, original: str, thumbs: dict[str, bytes]
) -> list[Staged | None]:
    """The original and the thumbnails, staged; none of them left behind if one fails."""
    staged: list[Staged | None] = []
    try:
        staged.append(store.stage_file(original, path))
        staged.extend(store.stage(relpath, jpeg) for relpath, jpeg in thumbs.items())
    except BaseException:
        _discard(store, staged)
        raise
    return staged


def _discard(store: Store, staged: list[Staged | None]) -> None:
    for item in staged:
        if item is not None:
            store.path(item.temp).unlink(missing_ok=True)


def _facts(
    sha256: str,
    size: int,
    info: ImageInfo,
    exif: ExifRecord,
    original: str,
    thumbs: dict[int, str],
    job: Job,
    source: SourceFile,
    prints: Fingerprint | None,  # None: left out (bench/bench_similar.py's reference)
) -> PhotoFacts:
    taken_at, taken_source = exif.taken_at, exif.taken_at_source
    if not taken_at:
        # The file's own time is a guess, and is marked as one.
        taken_at, taken_source = file_time(source), "file_mtime"
    said = {name: getattr(exif, name) for name in FROM_METADATA}
    said.update(taken_at=taken_at, taken_at_source=taken_source)
    return PhotoFacts(
        **stored_fields(sha256, size, info, original, thumbs, job.dry_run),
        exif=exif.tags,
        **fingerprint_fields(prints),
        **said,
    )
