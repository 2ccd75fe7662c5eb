"""What an ingest run did, for people (a summary) and programs (--json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.i18n import N_, _, ngettext, number

COUNTS = ("added", "updated", "unchanged", "duplicates", "failed", "warnings", "skipped")
# What the summary calls each count, after a run and (in the conditional) after a dry run.
LABELS = {
    "added": N_("added"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    "duplicates": N_("duplicates"),
    "failed": N_("failed"),
    "warnings": N_("warnings"),
    "skipped": N_("skipped"),
}
DRY_LABELS = {
    "added": N_("would add"),
    "updated": N_("would update"),
    "unchanged": N_("unchanged"),
    "duplicates": N_("duplicates"),
    "failed": N_("would fail"),
    "warnings": N_("would warn"),
    "skipped": N_("would skip"),
}
LEVELS = {"error": N_("ERROR"), "warning": N_("WARNING")}
DRY_LEVELS = {"error": N_("WOULD FAIL"), "warning": N_("WOULD WARN")}


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
    previews: list[dict[str, Any]] = field(default_factory=list)  # of clips (video_previews)

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
            "previews": self.previews,
        }

    def as_text(self) -> str:
        """The summary for people, in the current language; a dry run's in the conditional."""
        dry = self.dry_run
        seconds = number(self.seconds, 1)
        if dry:
            head = ngettext(
                "Dry run: checked {files} file (photos and clips) in {seconds} s;"
                " nothing was written",
                "Dry run: checked {files} files (photos and clips) in {seconds} s;"
                " nothing was written",
                self.files,
            )
        else:
            head = ngettext(
                "Ingest checked {files} file (photos and clips) in {seconds} s (run {run})",
                "Ingest checked {files} files (photos and clips) in {seconds} s (run {run})",
                self.files,
            )
        lines = [head.format(files=self.files, seconds=seconds, run=self.run_id)]
        labels = {name: _(text) for name, text in (DRY_LABELS if dry else LABELS).items()}
        width = max(11, *(len(label) + 1 for label in labels.values()))
        for name in COUNTS:
            lines.append(f"  {labels[name]:<{width}}{getattr(self, name):>6}")
        if self.files and self.files == self.unchanged:
            lines.append(_("Nothing new: every file is already in the archive, unchanged."))
        for unit in self.new_units:
            text = _("Would add the new unit: {name}") if dry else _("New unit: {name}")
            hint = unit["did_you_mean"]
            if hint:
                text += " " + _("(did you mean {hint!r}?)")
            lines.append(text.format(name=unit["name"], hint=hint))
        if self.skipped_files:
            shown = ", ".join(name.rsplit("/", 1)[-1] for name in self.skipped_files[:5])
            rest = len(self.skipped_files) - 5
            if rest > 0:
                shown += " " + ngettext("and {n} more", "and {n} more", rest).format(n=rest)
            text = (
                _("Would skip (not photos): {files}") if dry else _("Skipped (not photos): {files}")
            )
            lines.append(text.format(files=shown))
        lines.extend(self.notes)
        lines.extend(preview_lines(self.previews))
        levels = DRY_LEVELS if dry else LEVELS
        for problem in self.problems:
            level = _(levels.get(problem["level"], problem["level"].upper()))
            lines.append(f"{level}: {problem['path']}: {problem['reason']}")
        return "\n".join(lines)


def preview_lines(results: list[dict[str, Any]]) -> list[str]:
    """The report's lines about previews, in the current language."""
    lines = []
    left = [said for said in results if said["result"] == "off"]
    if left:
        lines.append(
            ngettext(
                "{n} clip without a preview (--no-video-previews): make it with"
                " `archive thumbs --videos`",
                "{n} clips without a preview (--no-video-previews): make them with"
                " `archive thumbs --videos`",
                len(left),
            ).format(n=len(left))
        )
    for said in results:
        name = str(said["path"]).replace("\\", "/").rsplit("/", 1)[-1]
        if said["result"] == "made":
            lines.append(
                _("Preview made: {name} ({format}, {width}x{height})").format(name=name, **said)
            )
        elif said["result"] == "copied":
            lines.append(
                _("Preview copied without the original's tags (GPS): {name}").format(name=name)
            )
        elif said["result"] == "original":
            lines.append(
                _("No preview needed: {name} plays in browsers as it is").format(name=name)
            )
    return lines
