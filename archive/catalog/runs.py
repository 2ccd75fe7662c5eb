"""The runs repository: each ingest run and the problems it met, for `archive log`.

A run is recorded as it starts, so one a killed process left 'running' is
found (and told apart from one that finished) by the next writer.
"""

from __future__ import annotations

from archive.catalog.rows import Repository
from archive.clock import now

COUNTS = ("added", "updated", "unchanged", "duplicates", "failed", "warnings")


class Runs(Repository):
    """ingest_runs and ingest_problems."""

    def start_run(self, command: str, user: str | None, status: str = "running") -> int:
        row = {"started_at": now(), "status": status, "user": user, "command": command}
        return self.db["ingest_runs"].insert(row).last_pk

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        self.db.execute(
            "UPDATE ingest_runs SET finished_at = ?, status = ?, "
            + ", ".join(f"{c} = ?" for c in COUNTS)
            + " WHERE id = ?",
            (now(), status, *(counts.get(c, 0) for c in COUNTS), run_id),
        )

    def mark_interrupted_runs(self) -> int:
        """Runs left 'running' by a killed process; called only while holding the writer lock."""
        return self.db.execute(
            """UPDATE ingest_runs SET status = 'interrupted',
                 added = (SELECT count(*) FROM photos WHERE photos.run_id = ingest_runs.id)
               WHERE status = 'running'"""
        ).rowcount

    def add_problem(self, run_id: int, path: str, level: str, stage: str, reason: str) -> None:
        row = {"run_id": run_id, "path": path, "level": level, "stage": stage, "reason": reason}
        self.db["ingest_problems"].insert(row)
