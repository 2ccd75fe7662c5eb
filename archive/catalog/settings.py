"""The settings repository: the few values exports read (:data:`archive.reader.SETTINGS`)."""

from __future__ import annotations

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
        if value is not None and key == "similar_window_minutes" and not _minutes(value):
            raise GalleryError(f"{key} must be a number of minutes above 0, not {value!r}")
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")


def _minutes(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False
