"""The fixity repository: what `archive verify` found, one row per file checked."""

from __future__ import annotations

from archive.catalog.rows import Repository


class Fixity(Repository):
    def record_fixity(
        self, checked_at: str, photo_id: int | None, path: str, ok: bool, finding: str | None
    ) -> None:
        """One verify result: a photo checked (ok or not) or an orphan file (photo_id None)."""
        row = {
            "checked_at": checked_at,
            "photo_id": photo_id,
            "path": path,
            "ok": int(ok),
            "finding": finding,
        }
        self.db["fixity_checks"].insert(row)
