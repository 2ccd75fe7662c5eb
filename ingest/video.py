"""The worker's job for one clip: hash, probe, poster thumbnails, store the original.

A clip goes through the pipeline as a photo does (:func:`ingest.work.process`
hands it here): the same :class:`~ingest.work.Outcome`, the same facts, so
captions, units, tags, events and search treat it exactly as a photo. What
differs is size: a clip may be gigabytes, so it is hashed and copied into the
store a chunk at a time and never read whole. The browser preview is not made
here but after the run's rows are committed (:mod:`ingest.video_previews`), one
clip at a time with a progress bar, because a transcode takes minutes where
everything else takes a fraction of a second.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from PIL import Image

from archive.durable import COPY_CHUNK
from archive.records import PhotoFacts, SourceFile
from archive.storage import AnyStore
from archive.store import THUMB_SIZES
from ingest.fingerprint import Fingerprint, fingerprint
from ingest.jobs import file_time, fingerprint_fields, stored_fields
from ingest.thumbs import thumbnails_of_image
from ingest.video_probe import ClipInfo, probe_clip

# What a clip has in place of a photo's EXIF: its container's tags, under these names.
TAG_PREFIX = "Container "


def sha256_of_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read a chunk at a time (flat memory for any size)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def clip_facts(
    path: Path, store: AnyStore, stage: dict[str, str], *, dry_run: bool
) -> tuple[PhotoFacts, list[str]]:
    """Store a clip (unless dry_run) and return its facts and warnings.

    ``stage["stage"]`` follows the work (read, decode, thumbnail, store), so
    the caller can say where a failure happened, as it does for photos.
    """
    stage["stage"] = "read"
    sha256, size = sha256_of_file(path)
    stage["stage"] = "decode"
    info = probe_clip(path)
    original = store.original_relpath(sha256, info.ext)
    thumbs = {edge: store.thumb_relpath(sha256, edge) for edge in THUMB_SIZES}
    stage["stage"] = "thumbnail"
    # Rendered even when stored, as for photos: the poster's fingerprint (its group of
    # near-duplicates) comes from these pictures, the same on a resumed run.
    pictures: dict[int, Image.Image] = {}
    rendered = thumbnails_of_image(info.poster, THUMB_SIZES, pictures.__setitem__)
    prints = fingerprint(pictures[min(thumbs)], pictures[max(thumbs)])
    if not dry_run:
        stage["stage"] = "store"
        store.put_file(original, path)
        for edge, jpeg in rendered.items():
            store.put(thumbs[edge], jpeg)
    facts = _facts(sha256, size, info, original, thumbs, dry_run, prints)
    return facts, info.warnings


def _facts(
    sha256: str,
    size: int,
    info: ClipInfo,
    original: str,
    thumbs: dict[int, str],
    dry_run: bool,
    prints: Fingerprint,
) -> PhotoFacts:
    meta = info.meta
    return PhotoFacts(
        **stored_fields(sha256, size, info, original, thumbs, dry_run),
        **fingerprint_fields(prints),
        exif={TAG_PREFIX + key: value for key, value in info.tags.items()},
        media_type="video",
        duration=info.duration,
        frame_rate=info.frame_rate,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        bitrate=info.bitrate,
        taken_at=meta.taken_at,
        taken_at_source=meta.taken_at_source,
        gps_lat=meta.gps_lat,
        gps_lon=meta.gps_lon,
        gps_alt=meta.gps_alt,
        make=meta.make,
        model=meta.model,
        orientation=None,
    )


def with_file_time(facts: PhotoFacts, source: SourceFile) -> PhotoFacts:
    """A clip with no date of its own is dated by its file's time, marked as a guess."""
    if facts.taken_at:
        return facts
    return replace(facts, taken_at=file_time(source), taken_at_source="file_mtime")
