"""Make the browser previews of clips, one at a time, after their rows are committed.

A transcode takes minutes where the rest of an ingest takes a fraction of a
second per file, so it runs after the run's rows are in the catalog (a clip
is archived, findable and shown by its poster before its preview exists), one
clip at a time with its own progress bar, each recorded in its own short
transaction. The same function serves ``archive thumbs --videos`` for clips
ingested with ``--no-video-previews``.

What becomes of each clip is said in the report: ``made`` (the preview's
format and size), ``original`` (the original already plays in browsers at
that size and carries no place, so players use it), ``copied`` (it plays but
holds a place: its streams copied into a new MP4 without its tags, nothing
re-encoded), ``too_long`` (over the
archive's limit: poster and facts only, with a warning), ``failed`` (why).
A preview made or copied also says what it was read from (``read_from``): on a bucket
the clip's own source file when it is still there with the archived bytes (a local
read instead of downloading the object just uploaded), else the stored object.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from archive.catalog import Catalog
from archive.db import write_transaction
from archive.errors import FileFailed
from archive.i18n import _
from archive.store import Store, file_chunks, sha256_of

DEFAULT_MAX_MINUTES = 30.0
STEPS = 100  # a clip's progress bar counts per cent
MAX_MINUTES_SETTING = "video_preview_max_minutes"
# The columns a decision needs, for the query of every caller.
COLUMNS = (
    "id, sha256, original_path, source_path, original_name, mime, video_codec, audio_codec,"
    " width, height, duration, gps_lat, playback_path, bytes"
)


class Bar(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, steps: int) -> None: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class PreviewOptions:
    make: bool = True  # False: --no-video-previews (left for `archive thumbs --videos`)
    max_minutes: float | None = None  # None: the archive's setting, else 30
    max_seconds: float = DEFAULT_MAX_MINUTES * 60
    dry_run: bool = False


def max_minutes(catalog: Catalog, given: float | None) -> float:
    """The length past which a clip gets no preview: the flag, else the setting, else 30."""
    if given is not None:
        return given
    raw = catalog.setting(MAX_MINUTES_SETTING)
    try:
        return float(raw) if raw else DEFAULT_MAX_MINUTES
    except ValueError:
        return DEFAULT_MAX_MINUTES


def decide(row: dict[str, Any], options: PreviewOptions) -> dict[str, Any] | None:
    """What is to be done for a clip without transcoding it; None means "transcode"."""
    from ingest.video_transcode import plays_as_is  # PyAV only for a run that has clips

    said = {"id": row["id"], "path": row["source_path"] or row["original_name"]}
    if row["duration"] and row["duration"] > options.max_seconds:
        minutes = options.max_seconds / 60
        return {**said, "result": "too_long", "minutes": minutes}
    args = (row["mime"], row["video_codec"], row["audio_codec"], row["width"], row["height"])
    if plays_as_is(*args) and row["gps_lat"] is None:
        return {**said, "result": "original"}
    if plays_as_is(*args) and row["mime"] == "video/mp4":
        return {**said, "result": "copy"}  # plays, but holds a place: copied without tags
    return None


def make_previews(
    store: Store,
    catalog: Catalog,
    rows: Iterable[dict[str, Any]],
    options: PreviewOptions,
    bar: Callable[[str], Bar] | None = None,
) -> list[dict[str, Any]]:
    """Each clip's preview made (or why not), recorded in the catalog; one dict per clip."""
    from archive.verify import playback_problem  # imported only by a run that has clips

    out = []
    for row in rows:
        if row["playback_path"] and not playback_problem(store, row["playback_path"]):
            continue  # made by an earlier run, and sound
        decided = decide(row, options)
        if decided is not None and decided["result"] != "copy":
            out.append(decided)
            continue
        said: dict[str, Any] = {"id": row["id"], "path": row["source_path"] or row["original_name"]}
        progress = bar(row["original_name"] or row["sha256"][:12]) if bar else None
        try:
            if progress:
                progress.start(STEPS)
            copy = decided is not None
            made = _transcode_into_store(store, row, progress, options.dry_run, copy=copy)
        except (FileFailed, OSError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            out.append({**said, "result": "failed", "reason": reason})
            continue
        except Exception as error:  # a library failure on one clip must not stop the others
            reason = _("unexpected error: {detail}").format(
                detail=f"{type(error).__name__}: {error}"
            )
            out.append({**said, "result": "failed", "reason": reason})
            continue
        finally:
            if progress:
                progress.finish()
        path, mime, size, read_from = made
        if not options.dry_run:
            with write_transaction(catalog.db):
                catalog.set_playback(row["id"], path, mime, size)
        result = "copied" if decided is not None else "made"
        out.append(
            {
                **said,
                "result": result,
                "format": mime,
                "width": size[0],
                "height": size[1],
                "read_from": read_from,
            }
        )
    return out


def unchanged_source(store: Store, row: dict[str, Any]) -> Path | None:
    """The clip's source file, if reading it beats reading the store and it holds the
    archived bytes (same size, same SHA-256); None otherwise.

    Only a bucket gains: a folder archive's own file is already local. Re-hashing is a
    local read, where the stored copy would be a download of the whole object.
    """
    if not store.remote or not row.get("source_path"):
        return None
    source = Path(row["source_path"])
    try:
        if not source.is_file() or source.stat().st_size != row.get("bytes"):
            return None
        found = sha256_of(file_chunks(source))
    except OSError:
        return None  # gone or unreadable since the ingest: the store's copy it is
    return source if found == row["sha256"] else None


@contextmanager
def _original(store: Store, row: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """A local path holding the clip's archived bytes, and which it is (source or store)."""
    source = unchanged_source(store, row)
    if source is not None:
        yield source, "source"
        return
    with store.local_copy(row["original_path"]) as copy:
        yield copy, "store"


def _transcode_into_store(
    store: Store, row: dict[str, Any], progress: Bar | None, dry: bool, *, copy: bool = False
) -> tuple[str, str, tuple[int, int], str]:
    """Transcode (or, copy=True, copy without tags) to a temporary file, then store it."""
    from ingest.video_transcode import copy_without_tags, encoders, transcode

    done = [0]

    def told(fraction: float) -> None:
        steps = int(fraction * STEPS) - done[0]
        if progress and steps > 0:
            progress.advance(steps)
            done[0] += steps

    with tempfile.TemporaryDirectory(prefix="archive-preview-") as work:
        ext = "mp4" if copy else encoders().container
        temp = Path(work) / f"preview.{ext}"
        with _original(store, row) as (original, read_from):
            if copy:
                copy_without_tags(original, temp)
                mime, width, height = "video/mp4", row["width"], row["height"]
                told(1.0)
            else:
                mime, width, height = transcode(
                    original, temp, duration=row["duration"], progress=told
                )
        rel = store.playback_relpath(row["sha256"], ext)
        if not dry and not store.put_file(rel, temp):  # a damaged one is there: replaced
            store.replace_derivative_file(rel, temp)
    return rel, mime, (width, height), read_from


def problems(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(path, reason) of each clip left without a preview it should have had: warnings."""
    out = []
    for said in results:
        if said["result"] == "too_long":
            reason = _(
                "longer than {minutes:g} minutes: poster and facts kept, no preview made"
            ).format(minutes=said["minutes"])
            out.append((said["path"], reason))
        elif said["result"] == "failed":
            out.append((said["path"], _("no preview made: {reason}").format(reason=said["reason"])))
    return out


def after_ingest(
    store: Store,
    catalog: Catalog,
    clips: list[str],
    options: PreviewOptions,
    bar: Callable[[str], Bar] | None = None,
) -> list[dict[str, Any]]:
    """The previews of the clips a run archived (by SHA-256), unless the run said not to."""
    rows = [row for sha in dict.fromkeys(clips) if (row := catalog.photo_by_sha(sha))]
    if not options.make:
        return [
            {"id": r["id"], "path": r["source_path"] or r["original_name"], "result": "off"}
            for r in rows
            if not r["playback_path"]
        ]
    seconds = max_minutes(catalog, options.max_minutes) * 60
    chosen = PreviewOptions(True, options.max_minutes, seconds, options.dry_run)
    return make_previews(store, catalog, rows, chosen, bar)
