"""What an ingest run did, for people (a summary) and programs (--json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COUNTS = ("added", "updated", "unchanged", "duplicates", "failed", "warnings", "skipped")


@dataclass
class Report:
    run_id: int | None = None
    dry_run: bool = False
    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    warnings: int = 0
    skipped: int = 0
    seconds: float = 0.0
    events: list[str] = field(default_factory=list)
    new_units: list[dict[str, str | None]] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what each --manifest file was read as

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def problem(self, path: str, reason: str, level: str, stage: str) -> None:
        self.problems.append({"path": path, "level": level, "stage": stage, "reason": reason})
        self.count("failed" if level == "error" else "warnings")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_json(self) -> dict[str, Any]:
        """The stable --json shape documented in the README."""
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "files": self.files,
            **{name: getattr(self, name) for name in COUNTS},
            "seconds": round(self.seconds, 3),
            "events": self.events,
            "new_units": self.new_units,
            "problems": self.problems,
            "skipped_files": self.skipped_files,
            "notes": self.notes,
        }

    def as_text(self) -> str:
        verb = "Would have" if self.dry_run else "Ingest"
        head = f"{verb} checked {self.files} photo file(s) in {self.seconds:.1f} s" + (
            " (dry run: nothing written)" if self.dry_run else f" (run {self.run_id})"
        )
        lines = [head]
        for name in COUNTS:
            lines.append(f"  {name:<11}{getattr(self, name):>6}")
        if self.files and self.files == self.unchanged:
            lines.append("Nothing new: every file is already in the archive, unchanged.")
        for unit in self.new_units:
            hint = f" (did you mean {unit['did_you_mean']!r}?)" if unit["did_you_mean"] else ""
            lines.append(f"New unit: {unit['name']}{hint}")
        if self.skipped_files:
            shown = ", ".join(name.rsplit("/", 1)[-1] for name in self.skipped_files[:5])
            more = f" and {len(self.skipped_files) - 5} more" if len(self.skipped_files) > 5 else ""
            lines.append(f"Skipped (not photos): {shown}{more}")
        lines.extend(self.notes)
        for problem in self.problems:
            lines.append(f"{problem['level'].upper()}: {problem['path']}: {problem['reason']}")
        return "\n".join(lines)
