"""The settings repository: the few values exports read (:data:`archive.reader.SETTINGS`)."""

from __future__ import annotations

import sqlite3

from archive.catalog.rows import Repository
from archive.reader import SETTINGS, GalleryError
from archive.text import clean


class Settings(Repository):
    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None, clear) one of :data:`SETTINGS`; unknown keys are typos."""
        if key not in SETTINGS:
            raise GalleryError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
        value = clean(value)
        if value is not None and key in ("base_url", "rights") and "://" not in value:
            raise GalleryError(f"{key} must be a full web address (https://…), not {value!r}")
        if value is not None and key == "language" and value not in ("vi", "en"):
            raise GalleryError(f"language must be vi or en, not {value!r}")
        minutes = ("video_preview_max_minutes", "similar_window_minutes")
        if value is not None and key in minutes and not _minutes(value):
            raise GalleryError(f"{key} must be a number of minutes above 0, not {value!r}")
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    def set_store(self, url: str | None, endpoint: str | None) -> None:
        """Where the archive's files are (None: its folder); only init and migrate call this.

        Not one of :data:`SETTINGS`, so `archive settings set` cannot move the files'
        address without moving the files (that is `archive store migrate`).
        """
        for key, value in (("store", url), ("store_endpoint", endpoint if url else None)):
            if value is None:
                self.db.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                self.db["settings"].upsert({"key": key, "value": value}, pk="key")


STORE_KEYS = ("store", "store_endpoint")


def forget_store(copy: sqlite3.Connection) -> None:
    """A copy of a catalog that holds its files itself (a backup) names no bucket."""
    copy.execute("DELETE FROM settings WHERE key IN (?, ?)", STORE_KEYS)
    copy.commit()


def _minutes(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False
