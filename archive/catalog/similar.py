"""The near-duplicates repository: photo_groups, similar_splits, and each photo's group columns.

Groups are recomputed one event at a time (:meth:`Similar.regroup_events`), for the
events an ingest touched, after its rows are in: never the whole archive. What
reviewers said is kept across every recomputation: a photo they split off stays in no
group (``similar_splits``), and a pick they chose stays the pick of whichever group
holds it now (``pick_by_reviewer``). A group keeps its id when it keeps members, so a
page bookmarked on a group still finds it after the next ingest.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from archive import similar
from archive.catalog.rows import CatalogError, Repository
from archive.clock import now
from archive.i18n import _
from archive.similar_reader import split_ids

_ROWS = (
    "SELECT id, phash, dhash, sharpness, width, height, taken_at, taken_at_source, group_id"
    " FROM photos WHERE event_id = ?"
)


class Similar(Repository):
    """Groups of near-duplicates within each event, and the reviewers' picks and splits."""

    def window(self) -> float:
        """Minutes two camera times may be apart (the archive's setting, else 10)."""
        row = self._one("SELECT value FROM settings WHERE key = ?", (similar.WINDOW_SETTING,))
        try:
            return float(row["value"]) if row else similar.WINDOW_MINUTES
        except ValueError:
            return similar.WINDOW_MINUTES

    def regroup_events(self, event_ids: set[int] | list[int]) -> int:
        """Recompute the groups of these events; how many groups they hold now."""
        window, alone = self.window(), split_ids(self.read)
        return sum(self._regroup(event_id, window, alone) for event_id in sorted(event_ids))

    def _regroup(self, event_id: int, window: float, alone: set[int]) -> int:
        rows = self._all(_ROWS, (event_id,))
        candidates = {
            r["id"]: similar.Candidate(
                id=r["id"],
                phash=similar.hex64(r["phash"]),
                dhash=similar.hex64(r["dhash"]),
                taken=similar.trusted_time(r["taken_at"], r["taken_at_source"]),
                pixels=(r["width"] or 0) * (r["height"] or 0),
                sharpness=r["sharpness"] or 0.0,
            )
            for r in rows
            if r["phash"] and r["dhash"]
        }
        found = similar.groups(list(candidates.values()), window, alone)
        old = {
            g["id"]: g
            for g in self._all(
                "SELECT id, pick_id, pick_by_reviewer FROM photo_groups WHERE event_id = ?",
                (event_id,),
            )
        }
        chosen = {g["pick_id"] for g in old.values() if g["pick_by_reviewer"]}
        was_in = {r["id"]: r["group_id"] for r in rows}
        wanted: dict[int, tuple[int | None, int]] = {r["id"]: (None, 1) for r in rows}
        new_groups: list[tuple[int | None, list[int], int, int]] = []
        taken_ids: set[int] = set()
        for members in found:
            keep = _kept_id(members, was_in, old, taken_ids)
            reviewer = sorted(m for m in members if m in chosen)
            pick = (
                reviewer[0] if reviewer else similar.choose_pick([candidates[m] for m in members])
            )
            new_groups.append((keep, members, pick, 1 if reviewer else 0))
        self.db.execute(
            "UPDATE photos SET group_id = NULL, is_pick = 1 WHERE group_id IN"
            " (SELECT id FROM photo_groups WHERE event_id = ?) AND event_id IS NOT ?",
            (event_id, event_id),
        )
        self.db.execute("DELETE FROM photo_groups WHERE event_id = ?", (event_id,))
        # Groups that keep their id first: a new one must not take an id another keeps.
        for keep, members, pick, by_reviewer in sorted(new_groups, key=lambda g: g[0] is None):
            cursor = self.db.execute(
                "INSERT INTO photo_groups (id, event_id, pick_id, pick_by_reviewer, size)"
                " VALUES (?, ?, ?, ?, ?)",
                (keep, event_id, pick, by_reviewer, len(members)),
            )
            for member in members:
                wanted[member] = (cursor.lastrowid, int(member == pick))
        self._set_members(rows, wanted)
        return len(new_groups)

    def _set_members(self, rows: list[dict[str, Any]], wanted: dict[int, tuple]) -> None:
        """Write group_id and is_pick where they change (most rows of a re-run do not)."""
        current = {
            r["id"]: (r["group_id"], r["is_pick"])
            for r in self._all(
                "SELECT id, group_id, is_pick FROM photos WHERE id IN"
                f" ({', '.join(str(r['id']) for r in rows) or 'NULL'})"
            )
        }
        for photo_id, (group_id, is_pick) in wanted.items():
            if current.get(photo_id) != (group_id, is_pick):
                self.db.execute(
                    "UPDATE photos SET group_id = ?, is_pick = ? WHERE id = ?",
                    (group_id, is_pick, photo_id),
                )

    def set_pick(self, photo_id: int) -> dict[str, Any]:
        """Make a photo its group's pick, as a reviewer chose (kept by every regrouping)."""
        row = self._one("SELECT group_id FROM photos WHERE id = ?", (photo_id,))
        if row is None or row["group_id"] is None:
            raise CatalogError(
                _("photo {photo} is in no group of near-duplicates").format(photo=photo_id)
            )
        group_id = row["group_id"]
        self.db.execute(
            "UPDATE photo_groups SET pick_id = ?, pick_by_reviewer = 1 WHERE id = ?",
            (photo_id, group_id),
        )
        self.db.execute(
            "UPDATE photos SET is_pick = (id = ?) WHERE group_id = ?", (photo_id, group_id)
        )
        return {"photo": photo_id, "group": group_id}

    def split(self, photo_id: int) -> dict[str, Any]:
        """Take a photo out of its group for good, then regroup its event without it."""
        row = self._one("SELECT group_id, event_id FROM photos WHERE id = ?", (photo_id,))
        if row is None or row["group_id"] is None:
            raise CatalogError(
                _("photo {photo} is in no group of near-duplicates").format(photo=photo_id)
            )
        self.db.execute(
            "INSERT OR REPLACE INTO similar_splits (photo_id, split_at) VALUES (?, ?)",
            (photo_id, now()),
        )
        if row["event_id"] is not None:
            self.regroup_events([row["event_id"]])
        return {"photo": photo_id, "group": row["group_id"]}

    def set_fingerprint(self, photo_id: int, phash: str, dhash: str, sharpness: float) -> None:
        """A photo's fingerprint, computed after its ingest (``archive similar --backfill``)."""
        self.db.execute(
            "UPDATE photos SET phash = ?, dhash = ?, sharpness = ? WHERE id = ?",
            (phash, dhash, sharpness, photo_id),
        )


def _kept_id(
    members: list[int], was_in: dict[int, int | None], old: dict[int, Any], taken: set[int]
) -> int | None:
    """The old group id most of these members had, if no other new group has it yet."""
    votes = Counter(was_in.get(m) for m in members if was_in.get(m) in old)
    for group_id, _count in votes.most_common():
        if group_id not in taken:
            taken.add(group_id)
            return group_id
    return None
