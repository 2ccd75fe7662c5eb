"""plan -> process (parallel) -> commit (single writer) -> report.

The main process plans (walks folders, reads manifests, recognises files it
has seen before by path, size and mtime), hands the rest to worker processes,
and commits their outcomes in short transactions. A killed run loses at most
the last uncommitted batch; the next run finds those files in the store and
adopts them, so an interrupted ingest followed by a new one ends exactly
where an uninterrupted one would.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.records import PhotoMeta, SourceFile
from archive.store import Store
from ingest.describe import CommandLine, Description, describe
from ingest.report import Report
from ingest.sources import discover
from ingest.work import Job, Outcome, process, stat_source

COMMIT_EVERY = 25  # outcomes per transaction: small enough that a crash costs little
COMMIT_SECONDS = 2.0


@dataclass(frozen=True)
class Options:
    jobs: int = 0  # 0 = one per CPU
    dry_run: bool = False
    debug: bool = False
    command: str = "archive ingest"


class _Batches:
    """Short transactions for a real run; one transaction rolled back for a dry run."""

    def __init__(self, catalog: Catalog, dry_run: bool) -> None:
        self.db, self.dry_run = catalog.db, dry_run
        self.pending, self.since = 0, time.monotonic()
        self.db.begin()

    def tick(self) -> None:
        self.pending += 1
        if not self.dry_run and (
            self.pending >= COMMIT_EVERY or time.monotonic() - self.since > COMMIT_SECONDS
        ):
            self.db.commit()
            self.db.begin()
            self.pending, self.since = 0, time.monotonic()

    def close(self) -> None:
        if self.dry_run:
            self.db.rollback()
        else:
            self.db.commit()


def ingest(
    store: Store,
    catalog: Catalog,
    paths: list[Path],
    cli: CommandLine,
    options: Options,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> Report:
    started = time.monotonic()
    report = Report(dry_run=options.dry_run)
    store.root.mkdir(parents=True, exist_ok=True)
    with store.lock():
        if not options.dry_run:
            store.create()
            store.remove_leftovers()
            with catalog.db.atomic():
                catalog.mark_interrupted_runs()
                report.run_id = catalog.start_run(options.command, _user())
        found = discover(paths, cli.manifests, exclude=store.root.resolve())
        description = describe(found, cli)
        report.files, report.skipped = len(found.photos), len(found.skipped)
        report.skipped_files = [str(path) for path in found.skipped]
        if on_plan:
            on_plan(report.files)
        batches = _Batches(catalog, options.dry_run)
        try:
            run_id = report.run_id or catalog.start_run(options.command, _user(), "dry-run")
            committer = _Committer(catalog, description, report, run_id)
            committer.plan_events()
            for missing in found.missing:
                committer.problem(missing, "no such file or folder", "error", "read")
            for problem in description.problems:
                committer.problem(problem.path, problem.reason, problem.level, problem.stage)
            jobs = []
            for photo in found.photos:
                if committer.known_unchanged(photo.path, photo.key):
                    _tick(batches, progress)
                else:
                    jobs.append(
                        Job(
                            str(photo.path),
                            photo.key,
                            str(store.root),
                            options.dry_run,
                            options.debug,
                        )
                    )
            for outcome in _run_jobs(jobs, options.jobs):
                committer.commit(outcome)
                _tick(batches, progress)
            catalog.fill_event_dates()
            report.seconds = time.monotonic() - started
            if not options.dry_run:
                status = "failed" if report.failed else "ok"
                catalog.finish_run(run_id, status, report.as_json())
        finally:
            batches.close()
    report.seconds = time.monotonic() - started
    return report


def _tick(batches: _Batches, progress: Callable[[int], None] | None) -> None:
    batches.tick()
    if progress:
        progress(1)


def _run_jobs(jobs: list[Job], workers: int) -> Iterable[Outcome]:
    """Outcomes in the order of the jobs, so photo ids follow file-name order."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) <= 1:
        yield from map(process, jobs)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        yield from pool.map(process, jobs)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


class _Committer:
    """Turns outcomes into catalog rows and the report's counts."""

    def __init__(self, catalog: Catalog, description: Description, report: Report, run_id: int):
        self.catalog, self.description, self.report, self.run_id = (
            catalog,
            description,
            report,
            run_id,
        )

    def problem(self, path: str, reason: str, level: str, stage: str) -> None:
        self.report.problem(path, reason, level, stage)
        self.catalog.add_problem(self.run_id, path, level, stage, reason)

    def plan_events(self) -> None:
        for spec in self.description.events:
            self._note_new_units([*spec.units, *([spec.organizer] if spec.organizer else [])])
            self.catalog.upsert_event(spec)
            if spec.slug not in self.report.events:
                self.report.events.append(spec.slug)

    def known_unchanged(self, path: Path, key: str) -> bool:
        """A file seen before with the same size and mtime: describe it, never re-read it."""
        try:
            source = stat_source(str(path), key)
        except OSError as error:
            self.problem(key, f"cannot read the file: {error.strerror}", "error", "read")
            return True
        photo_id = self.catalog.photo_for_source(source)
        if photo_id is None:
            return False
        self._describe(photo_id, source, new_path=False)
        return True

    def commit(self, outcome: Outcome) -> None:
        if outcome.error or outcome.facts is None:
            self.problem(
                outcome.key, outcome.error or "unknown error", "error", outcome.stage or "read"
            )
            return
        for warning in outcome.warnings:
            self.problem(outcome.key, warning, "warning", "exif")
        source = outcome.source
        existing = self.catalog.photo_by_sha(outcome.facts.sha256)
        if existing is None:
            photo_id = self.catalog.add_photo(outcome.facts, source, self.run_id)
            self._apply(photo_id, source.path, primary=True)
            self.report.count("added")
            return
        new_path = not self.catalog.knows_source(source.path)
        self._describe(existing["id"], source, new_path=new_path)

    def _describe(self, photo_id: int, source: SourceFile, new_path: bool) -> None:
        photo = self.catalog.photo(photo_id)
        primary = photo["source_path"] == source.path
        moved = not primary and not os.path.exists(photo["source_path"] or "")
        if moved:
            self.catalog.make_primary_source(photo_id, source.path)
            primary = True
        self.catalog.remember_source(photo_id, source, self.run_id)
        changed = self._apply(photo_id, source.path, primary=primary)
        if changed:
            self.report.count("updated")
        elif new_path and not moved:
            self.report.count("duplicates")
        else:
            self.report.count("unchanged")

    def _apply(self, photo_id: int, key: str, primary: bool) -> bool:
        meta = self.description.meta.get(key, PhotoMeta())
        self._note_new_units(meta.units or ())
        return self.catalog.apply_meta(photo_id, meta, primary=primary)

    def _note_new_units(self, names: Iterable[str]) -> None:
        for name in names:
            if self.catalog.find_unit(name):
                continue
            hint = self.catalog.suggest_unit(name)
            self.catalog.ensure_unit(name)
            self.report.new_units.append({"name": name, "did_you_mean": hint})
