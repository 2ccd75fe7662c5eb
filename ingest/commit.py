"""Turn the outcomes of one run into catalog rows and the report's counts.

Each file is counted once: added (new content), duplicates (a known photo at a
path not seen before), unchanged, or updated (a known photo whose captions,
units, tags or event this run changed). Everything said about one photo in the
run is applied together, so a photo kept in two event folders settles to the
same rows on every run instead of each folder undoing the other.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from archive.catalog import Catalog
from archive.dates import CAMERA_SOURCES, show_day, show_moment
from archive.fields import CURATED
from archive.i18n import _
from archive.records import EventSpec, PhotoMeta, SourceFile
from ingest.describe import NOTHING_SAID, Description
from ingest.jobs import Outcome, stat_source
from ingest.report import Report


def exists_as_named(key: str) -> bool:
    """Whether a file the catalog names (NFC) is still on disk, whatever its normalisation.

    Names copied from a Mac are NFD on disk while the catalog keeps NFC, so
    each part of the path is looked up by its composed form.
    """
    if os.path.exists(key):
        return True
    path = Path(key)
    current = Path(path.anchor or ".")
    for part in path.parts[1:] if path.anchor else path.parts:
        wanted = unicodedata.normalize("NFC", part)
        try:
            match = next(
                (e for e in os.listdir(current) if unicodedata.normalize("NFC", e) == wanted), None
            )
        except OSError:
            return False
        if match is None:
            return False
        current = current / match
    return True


def undated_warning(photo: dict) -> str | None:
    """What a clerk is told about a photo that carries no date: what the archive used instead."""
    source, when = photo.get("taken_at_source"), photo.get("taken_at")
    if not when:
        return None
    clip = photo.get("media_type") == "video"  # a clerk is told of a clip as a clip
    if source == "event":
        said = (
            _("no date in the clip: dated by the event, {day}")
            if clip
            else _("no date in the photo: dated by the event, {day}")
        )
        return said.format(day=show_day(when))
    if source == "file_mtime":
        if photo.get("event_id"):
            said = (
                _("no date in the clip or its event: dated by the file's time, {moment}")
                if clip
                else _("no date in the photo or its event: dated by the file's time, {moment}")
            )
        elif clip:
            said = _(
                "no date in the clip and it is in no event: dated by the file's time, {moment}"
            )
        else:
            said = _(
                "no date in the photo and it is in no event: dated by the file's time, {moment}"
            )
        return said.format(moment=show_moment(when))
    return None


def redated_warning(before: dict, after: dict) -> str | None:
    """What a clerk is told when a sheet's date alone replaced a camera date of another day.

    Said only on the run that makes the change: a re-run finds the sheet's date already
    there, and a photo reached again through another copy is past the change, so neither
    repeats it.
    """
    camera, sheet = before.get("taken_at"), after.get("taken_at")
    if before.get("taken_at_source") not in CAMERA_SOURCES or not camera or not sheet:
        return None
    if after.get("taken_at_source") != "sheet" or len(sheet) != 10 or sheet == camera[:10]:
        return None
    return _(
        "date from the sheet ({sheet}) differs from the camera ({camera}): the sheet's date is kept"
    ).format(sheet=show_day(sheet), camera=show_day(camera))


class Committer:
    def __init__(self, catalog: Catalog, description: Description, report: Report, run_id: int):
        self.catalog, self.description, self.report, self.run_id = (
            catalog,
            description,
            report,
            run_id,
        )
        self.event_ids: dict[str, int] = {}
        self.said: dict[int, list[tuple[PhotoMeta, bool]]] = {}
        self.before: dict[int, tuple] = {}  # curated fields of known photos, at first sight
        self.files: list[tuple[int, str, bool]] = []  # (photo id, category, primary) per file
        self.added: set[int] = set()
        self.known: dict[str, dict[str, tuple[int, int, int, bool]]] = {}  # by folder
        self.seen: list[str] = []  # unchanged sources nothing was said of: one update at the end

    def problem(self, path: str, reason: str, level: str, stage: str) -> None:
        self.report.problem(path, reason, level, stage)
        self.catalog.add_problem(self.run_id, path, level, stage, reason)

    def plan_events(self) -> None:
        # Every moved folder claims its event before any folder renames one by its path.
        for spec in self.description.events:
            self._claim_folder(spec)
        for spec in self.description.events:
            self._say_if_joining(spec)
            self._note_new_units([*spec.units, *([spec.organizer] if spec.organizer else [])])
            event_id, _created = self.catalog.upsert_event(spec)
            self.event_ids[spec.key] = event_id
            slug = self.catalog.event_slug(event_id)
            if slug not in self.report.events:
                self.report.events.append(slug)

    def _claim_folder(self, spec: EventSpec) -> None:
        """A moved event folder takes its event along.

        The old folder counts as gone when it is no longer there, or when it
        now holds another event (its title in this run names another slug).
        """
        row, _found = self.catalog.find_event(spec)
        if row is None or not spec.source_ref or row["source_ref"] in (None, spec.source_ref):
            return
        now_there = next(
            (s for s in self.description.events if s.source_ref == row["source_ref"]), None
        )
        if not exists_as_named(row["source_ref"]) or (
            now_there is not None and now_there.slug != row["slug"]
        ):
            self.catalog.adopt_event_folder(row["id"], spec.source_ref)

    def _say_if_joining(self, spec: EventSpec) -> None:
        """Another folder that is still there holds this event: say so, it may be a mistake."""
        row, _found = self.catalog.find_event(spec)
        if row is None or not spec.source_ref or row["source_ref"] in (None, spec.source_ref):
            return
        if spec.date and spec.date == row["date"]:
            said = _(
                "joins the event {title} of {source} (same title and day);"
                " give it a date or its own title in event.yml to keep it apart"
            )
        else:
            said = _(
                "joins the event {title} of {source} (same title);"
                " give it a date or its own title in event.yml to keep it apart"
            )
        self.problem(
            spec.source_ref,
            said.format(title=repr(row["title"]), source=row["source_ref"]),
            "warning",
            "manifest",
        )

    def quietly_unchanged(self, path: str, key: str) -> bool:
        """An unchanged file that cannot change its photo: counted and noted, nothing written.

        That is a file seen before with the same size and mtime, at its photo's own
        place, that nothing in this run says anything about (no sheet, article, event
        or command-line statement). Its folder's sources are read in one query; the
        photo's rows are not read at all, and no transaction is needed, so an
        unchanged re-run costs a stat and a look-up per file.
        """
        try:
            st = os.stat(path)
        except OSError:
            return False  # known_unchanged reports it
        known = self._known(key)
        if known is None or not known[3] or (known[0], known[1]) != (st.st_size, st.st_mtime_ns):
            return False
        said = self.description.meta.get(key, NOTHING_SAID)
        if said is not NOTHING_SAID and said != NOTHING_SAID:
            return False
        self.seen.append(key)
        self.files.append((known[2], "unchanged", True))
        return True

    def known_unchanged(self, path: str, key: str) -> bool:
        """A file seen before with the same size and mtime: describe it, never re-read it."""
        try:
            source = stat_source(path, key)
        except OSError as error:
            reason = _("cannot read the file: {reason}").format(reason=error.strerror)
            self.problem(key, reason, "error", "read")
            return True
        known = self._known(key)
        if known is None or known[:2] != (source.size, source.mtime_ns):
            return False
        self._describe(known[2], source, new_path=False)
        return True

    def _known(self, key: str) -> tuple[int, int, int, bool] | None:
        """(size, mtime_ns, photo id, primary) of a source, its folder read in one query."""
        folder = os.path.dirname(key)
        if folder not in self.known:
            self.known[folder] = self.catalog.sources_under(folder, os.sep)
        return self.known[folder].get(key)

    def commit(self, outcome: Outcome) -> None:
        if outcome.error or outcome.facts is None:
            stage = outcome.stage or "read"
            self.problem(outcome.key, outcome.error or _("unknown error"), "error", stage)
            return
        for warning in outcome.warnings:
            self.problem(outcome.key, warning, "warning", "exif")
        source = outcome.source
        existing = self.catalog.photo_by_sha(outcome.facts.sha256)
        if existing is not None:
            new_path = not self.catalog.knows_source(source.path)
            self._describe(existing["id"], source, new_path=new_path)
            return
        replaced = self.catalog.photo_at_path(source.path)
        if replaced is not None:
            self.problem(
                source.path,
                _(
                    "the file changed since it was archived as photo {photo}; both are kept,"
                    " the new content as a new photo"
                ).format(photo=replaced),
                "warning",
                "read",
            )
        photo_id = self.catalog.add_photo(outcome.facts, source, self.run_id)
        self.added.add(photo_id)
        self._said(photo_id, source.path, primary=True)
        self.files.append((photo_id, "added", True))

    def finish(self) -> None:
        """Count every file once; a known photo that changed counts one of its files updated.

        Run after undated photos took their event's day, so a new photo without a date of its
        own is told how it was dated in the end.
        """
        self.catalog.note_seen(self.seen, self.run_id)
        for photo_id in sorted(self.added):
            photo = self.catalog.photo(photo_id)
            reason = undated_warning(photo) if photo else None
            if reason:
                self.problem(photo["source_path"], reason, "warning", "date")
        changed = {
            photo_id
            for photo_id, before in self.before.items()
            if photo_id not in self.added and self.catalog.curated(photo_id) != before
        }
        for photo_id, category, _primary in sorted(self.files, key=lambda f: not f[2]):
            if photo_id in changed and category != "added":
                changed.discard(photo_id)
                category = "updated"
            self.report.count(category)

    def touched_events(self) -> set[int]:
        """Events whose near-duplicate groups this run may have changed.

        Those of the photos it added, and those a known photo left or joined: a re-run
        that changed nothing touches none, so no group is recomputed for it.
        """
        at = CURATED.index("event_id")
        events: set[int] = set()
        for photo_id in self.added | set(self.before):
            now_in = (self.catalog.photo(photo_id) or {}).get("event_id")
            was_in = self.before[photo_id][at] if photo_id in self.before else None
            if photo_id in self.added or now_in != was_in:
                events.update(e for e in (now_in, was_in) if e is not None)
        return events

    def _describe(self, photo_id: int, source: SourceFile, new_path: bool) -> None:
        photo = self.catalog.photo(photo_id)
        self.before.setdefault(photo_id, self.catalog.curated(photo_id))
        primary = photo["source_path"] == source.path
        moved = not primary and not exists_as_named(photo["source_path"] or "")
        if moved:
            self.catalog.make_primary_source(photo_id, source.path)
            primary = True
        self.catalog.remember_source(photo_id, source, self.run_id)
        self._said(photo_id, source.path, primary)
        category = "duplicates" if new_path and not moved else "unchanged"
        self.files.append((photo_id, category, primary))

    def _said(self, photo_id: int, key: str, primary: bool) -> None:
        meta = self.description.meta.get(key, PhotoMeta())
        self._note_new_units(meta.units or ())
        statements = self.said.setdefault(photo_id, [])
        statements.append((meta, primary))
        before = self.catalog.photo(photo_id) if meta.taken_at else None
        if self.catalog.apply_meta(photo_id, statements, self.event_ids) and before:
            reason = redated_warning(before, self.catalog.photo(photo_id) or {})
            if reason:
                self.problem(key, reason, "warning", "date")

    def _note_new_units(self, names: Iterable[str]) -> None:
        for name in names:
            if self.catalog.find_unit(name):
                continue
            hint = self.catalog.suggest_unit(name)
            self.catalog.ensure_unit(name)
            self.report.new_units.append({"name": name, "did_you_mean": hint})
