"""The one writer of catalog rows: a facade over small repositories.

Everything that changes a row goes through :class:`Catalog`, in the main
process. It is made of one repository per family of tables, all on the one
connection it was opened with, and a :class:`~archive.reader.Reader` for
what it reads:

=========================  ==============================================
:mod:`.photos`             photos, photo_sources, photo_units, photo_tags
:mod:`.bulk`               the same rows for many new photos at once
:mod:`.units`              units, unit_aliases
:mod:`.events`             events, event_units
:mod:`.tags`               tags
:mod:`.galleries`          galleries, gallery_photos
:mod:`.runs`               ingest_runs, ingest_problems
:mod:`.fixity`             fixity_checks
:mod:`.settings`           settings
:mod:`.similar`            photo_groups, similar_splits, photos' fingerprints and groups
:mod:`archive.search`      the search index (photos_fts, photos_smart_fts)
=========================  ==============================================

A repository that needs another's work (a photo's units must be registered)
is handed the function at construction, so the links between them are
written here, in one place; callers see one object with the methods they
always had. tests/test_architecture.py holds every other module to reading.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from archive.catalog.bulk import Bulk
from archive.catalog.events import Events
from archive.catalog.fixity import Fixity
from archive.catalog.galleries import Galleries
from archive.catalog.photos import Photos
from archive.catalog.rows import CatalogError, camera_name
from archive.catalog.runs import Runs
from archive.catalog.settings import Settings
from archive.catalog.similar import Similar
from archive.catalog.tags import Tags
from archive.catalog.units import Units
from archive.reader import Reader
from archive.sqlitedb import Database

__all__ = ["Catalog", "CatalogError", "camera_name"]


def _via(repository: str, method: Callable[..., Any]) -> Any:
    """A facade method calling ``method`` on one of the facade's repositories (or its reader)."""

    @functools.wraps(method)
    def call(self: Catalog, *args: Any, **kwargs: Any) -> Any:
        return method(getattr(self, repository), *args, **kwargs)

    return call


class Catalog:
    """Photos, units, events, tags, galleries, runs, fixity and settings of one catalog."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.reader = Reader(db)
        self.units = Units(db)
        self.tags = Tags(db)
        self.photos = Photos(db, self.units.ensure_unit, self.tags.ensure_tag)
        self.bulk = Bulk(db, self.units.ensure_unit, self.tags.ensure_tag)
        self.events = Events(db, self.units.ensure_unit)
        self.galleries = Galleries(db)
        self.runs = Runs(db)
        self.fixity = Fixity(db)
        self.setting_rows = Settings(db)
        self.similar = Similar(db)

    def merge_units(self, source: str, target: str) -> int:
        """Fold source into target; its photos' ``units`` columns follow. How many moved."""
        return self.units.merge_units(source, target, self.photos.refresh_lists)

    # -- writing, each through its repository ----------------------------------

    add_photo = _via("photos", Photos.add_photo)
    apply_meta = _via("photos", Photos.apply_meta)
    remember_source = _via("photos", Photos.remember_source)
    make_primary_source = _via("photos", Photos.make_primary_source)
    note_seen = _via("photos", Photos.note_seen)
    set_private = _via("photos", Photos.set_private)
    set_playback = _via("photos", Photos.set_playback)
    add_photos_bulk = _via("bulk", Bulk.add_photos_bulk)
    ensure_unit = _via("units", Units.ensure_unit)
    add_unit = _via("units", Units.add_unit)
    update_unit = _via("units", Units.update_unit)
    add_alias = _via("units", Units.add_alias)
    ensure_tag = _via("tags", Tags.ensure_tag)
    upsert_event = _via("events", Events.upsert_event)
    adopt_event_folder = _via("events", Events.adopt_event_folder)
    fill_event_dates = _via("events", Events.fill_event_dates)
    date_undated_photos = _via("events", Events.date_undated_photos)
    create_gallery = _via("galleries", Galleries.create_gallery)
    delete_gallery = _via("galleries", Galleries.delete_gallery)
    add_to_gallery = _via("galleries", Galleries.add_to_gallery)
    remove_from_gallery = _via("galleries", Galleries.remove_from_gallery)
    move_in_gallery = _via("galleries", Galleries.move_in_gallery)
    start_run = _via("runs", Runs.start_run)
    finish_run = _via("runs", Runs.finish_run)
    mark_interrupted_runs = _via("runs", Runs.mark_interrupted_runs)
    add_problem = _via("runs", Runs.add_problem)
    record_fixity = _via("fixity", Fixity.record_fixity)
    set_setting = _via("setting_rows", Settings.set_setting)
    set_store = _via("setting_rows", Settings.set_store)
    regroup_events = _via("similar", Similar.regroup_events)
    set_pick = _via("similar", Similar.set_pick)
    split_from_group = _via("similar", Similar.split)
    set_fingerprint = _via("similar", Similar.set_fingerprint)

    # -- reading: what the write path looks up, then the reader's queries -------

    photo = _via("photos", Photos.photo)
    photo_by_sha = _via("photos", Photos.photo_by_sha)
    photo_for_source = _via("photos", Photos.photo_for_source)
    sources_under = _via("photos", Photos.sources_under)
    photo_at_path = _via("photos", Photos.photo_at_path)
    knows_source = _via("photos", Photos.knows_source)
    curated = _via("photos", Photos.curated)
    find_event = _via("events", Events.find_event)
    find_unit = _via("reader", Reader.find_unit)
    suggest_unit = _via("reader", Reader.suggest_unit)
    list_units = _via("reader", Reader.list_units)
    event = _via("reader", Reader.event)
    event_slug = _via("reader", Reader.event_slug)
    list_events = _via("reader", Reader.list_events)
    event_summary = _via("reader", Reader.event_summary)
    has_galleries = _via("reader", Reader.has_galleries)
    gallery = _via("reader", Reader.gallery)
    find_gallery = _via("reader", Reader.find_gallery)
    gallery_photos = _via("reader", Reader.gallery_photos)
    list_galleries = _via("reader", Reader.list_galleries)
    select_photos = _via("reader", Reader.select_photos)
    resolve_photos = _via("reader", Reader.resolve_photos)
    setting = _via("reader", Reader.setting)
    settings = _via("reader", Reader.settings)
    _one = _via("reader", Reader.one)
    _all = _via("reader", Reader.all)
