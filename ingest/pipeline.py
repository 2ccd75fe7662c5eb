"""plan -> process (parallel) -> commit (single writer) -> report.

The main process plans (walks folders, reads manifests, recognises files it
has seen before by path, size and mtime), hands the rest to worker processes,
and commits their outcomes in batches: the files the workers staged are synced
by a thread of this process as each outcome arrives (:mod:`ingest.syncer`,
:meth:`archive.store.Store.sync_staged`: one fsync per file, one per folder,
none in the workers), and a batch's rows commit in one short transaction once
all its files are durable. A killed run loses at most the last uncommitted
batch; the next run finds those files in the store and adopts them (or removes
the temporary ones), so an interrupted ingest followed by a new one ends
exactly where an uninterrupted one would.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.db import write_transaction
from archive.store import Store
from archive.writer_lock import LockWait
from ingest import video_previews
from ingest import workers as worker_pool
from ingest.commit import Committer
from ingest.describe import CommandLine, describe
from ingest.jobs import Job, Outcome
from ingest.report import Report
from ingest.sources import discover
from ingest.syncer import Syncer
from ingest.video_previews import Bar, PreviewOptions
from ingest.workers import process  # the work on one file, imported where it runs

COMMIT_EVERY = 25  # files per transaction: small enough that a crash costs little
FLUSH_SECONDS = 1.0  # the longest a finished photo waits for its batch to be synced and committed
TURN_SECONDS = 0.25  # the longest the run holds the catalog before others get a turn
STEP_ASIDE_SECONDS = 0.05
TAIL_JOBS_PER_WORKER = 4  # the run's last jobs, this many per worker, go largest first


@dataclass(frozen=True)
class Options:
    jobs: int = 0  # 0 = one per CPU
    dry_run: bool = False
    debug: bool = False
    command: str = "archive ingest"
    previews: PreviewOptions = PreviewOptions()  # of video clips (ingest.video_previews)


class _Batches:
    """Short transactions for a real run; one transaction rolled back for a dry run.

    Other commands (units add, gallery create) must get their turn at the
    catalog while an ingest runs: a batch begins only when there is
    something to write, a photo's rows are committed before the run waits
    for the next worker, and every quarter second the run steps aside for a
    moment, since SQLite's busy handler only retries now and then. Stepping
    aside means leaving the catalog free for that moment: a run that has just
    waited for its workers that long already did, and goes on at once.
    """

    def __init__(self, catalog: Catalog, dry_run: bool) -> None:
        self.db, self.dry_run, self.open = catalog.db, dry_run, False
        self.pending, self.since, self.stepped_aside = 0, time.monotonic(), time.monotonic()
        self.released = time.monotonic()  # when the catalog was last left free

    def writing(self, step_aside: bool = True) -> None:
        """Begin a transaction unless one is open; step_aside=False: at once (see flush)."""
        if self.open:
            return
        now = time.monotonic()
        if step_aside and not self.dry_run and now - self.stepped_aside > TURN_SECONDS:
            time.sleep(max(0.0, STEP_ASIDE_SECONDS - (now - self.released)))
            self.stepped_aside = time.monotonic()
        self.db.execute("BEGIN IMMEDIATE")
        self.open, self.pending, self.since = True, 0, time.monotonic()

    def commit(self) -> None:
        if self.open and not self.dry_run:
            self.db.commit()
            self.open, self.released = False, time.monotonic()

    def tick(self) -> None:
        self.pending += 1
        if self.pending >= COMMIT_EVERY or time.monotonic() - self.since > TURN_SECONDS:
            self.commit()

    def close(self) -> None:
        if self.open and self.dry_run:
            self.db.rollback()
        elif self.open:
            self.db.commit()
        self.open = False


def ingest(
    store: Store,
    catalog: Catalog,
    paths: list[Path],
    cli: CommandLine,
    options: Options,
    progress: Callable[[int], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    on_wait: LockWait | None = None,
    clip_bar: Callable[[str], Bar] | None = None,
) -> Report:
    """Ingest paths; on_wait: wait for another ingest holding the archive (None: ArchiveBusy)."""
    started = time.monotonic()
    report = Report(dry_run=options.dry_run)
    # A dry run writes nothing (its catalog is a copy in memory): it needs no lock, and
    # must not create the archive folder, not even a lock file.
    if not options.dry_run:
        store.root.mkdir(parents=True, exist_ok=True)
    with nullcontext() if options.dry_run else store.lock(wait=on_wait, purpose="ingest"):
        started = time.monotonic()  # the run's own time, not its wait for another ingest
        if not options.dry_run:
            store.create()
            store.remove_leftovers()
            with write_transaction(catalog.db):
                catalog.mark_interrupted_runs()
                report.run_id = catalog.start_run(options.command, _user())
        found = discover(paths, cli.manifests, exclude=store.root.resolve())
        description = describe(found, cli)
        report.files, report.skipped = len(found.photos), len(found.skipped)
        report.skipped_files = [str(path) for path in found.skipped]
        report.notes = description.notes
        if on_plan:
            on_plan(report.files)
        batches = _Batches(catalog, options.dry_run)
        try:
            batches.writing()
            run_id = report.run_id or catalog.start_run(options.command, _user(), "dry-run")
            committer = Committer(catalog, description, report, run_id)
            committer.plan_events()
            for missing in found.missing:
                committer.problem(missing, "no such file or folder", "error", "read")
            for problem in description.problems:
                committer.problem(problem.path, problem.reason, problem.level, problem.stage)
            jobs = []
            batches.commit()  # recognising unchanged files reads only: others may write meanwhile
            for photo in found.photos:
                if committer.quietly_unchanged(photo.on_disk, photo.key):
                    if progress:
                        progress(1)
                    continue
                batches.writing()
                if committer.known_unchanged(photo.on_disk, photo.key):
                    _tick(batches, progress)
                else:
                    if len(jobs) == 1 and _pooled(options.jobs):
                        worker_pool.warm_up()  # a pool it will be: its imports overlap the rest
                    jobs.append(
                        Job(
                            photo.on_disk,
                            photo.key,
                            store,
                            options.dry_run,
                            options.debug,
                        )
                    )
            batches.commit()  # never hold the catalog while the workers start
            batch = _Outcomes(store, committer, batches, progress)
            try:
                for outcome in _run_jobs(jobs, options.jobs):
                    batch.add(outcome)
                batch.flush(last=True)
            finally:
                batch.syncer.close()
            # Video previews: after the rows are in, each clip in its own transaction.
            clips = batch.clips
            if clips and not options.dry_run:
                batches.commit()
                report.previews = video_previews.after_ingest(
                    store, catalog, clips, options.previews, clip_bar
                )
            batches.writing()
            for path, reason in video_previews.problems(report.previews):
                committer.problem(path, reason, "warning", "preview")
            catalog.fill_event_dates()
            catalog.date_undated_photos()
            committer.finish()
            catalog.regroup_events(committer.touched_events())  # near-duplicates, after the rows
            report.seconds = time.monotonic() - started
            if not options.dry_run:
                status = "failed" if report.failed else "ok"
                catalog.finish_run(run_id, status, report.as_json())
        finally:
            batches.close()
    report.seconds = time.monotonic() - started
    return report


class _Outcomes:
    """Workers' outcomes gathered into batches: files synced as they come, rows in one commit.

    The catalog is held only while a batch's rows are written, never while
    waiting for a worker, so other commands get their turn between batches.
    """

    def __init__(
        self,
        store: Store,
        committer: Committer,
        batches: _Batches,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.store, self.committer, self.batches, self.progress = (
            store,
            committer,
            batches,
            progress,
        )
        self.pending: list[Outcome] = []
        self.clips: list[str] = []  # sha256 of each clip archived: previews come after
        self.since = time.monotonic()
        self.syncer = Syncer(store)  # each outcome's files synced as it arrives

    def add(self, outcome: Outcome) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append(outcome)
        self.syncer.add(outcome.staged)
        if len(self.pending) >= COMMIT_EVERY or time.monotonic() - self.since > FLUSH_SECONDS:
            self.flush()

    def flush(self, last: bool = False) -> None:
        """Sync and commit the pending outcomes; last: the workers are done.

        After the last outcome nothing waits on a worker any more: its rows and the
        run's closing writes (event dates, near-duplicate groups, the run's row) go in
        one transaction, begun at once instead of after a step aside.
        """
        if not self.pending:
            if last:
                self.batches.writing(step_aside=False)
            return
        # Durable first, in place, and only then named by a row.
        self.syncer.wait()
        self.batches.writing(step_aside=not last)
        for outcome in self.pending:
            self.committer.commit(outcome)
            if outcome.facts is not None and outcome.facts.media_type == "video":
                self.clips.append(outcome.facts.sha256)
        if not last:
            self.batches.commit()  # never hold the catalog while a worker is still busy
        if self.progress:
            self.progress(len(self.pending))
        self.pending = []


def _tick(batches: _Batches, progress: Callable[[int], None] | None) -> None:
    batches.tick()
    if progress:
        progress(1)


def _pooled(workers: int) -> bool:
    """Whether files are processed by a pool of workers (given two files or more)."""
    return (workers or os.cpu_count() or 1) > 1


def _run_jobs(jobs: list[Job], workers: int) -> Iterable[Outcome]:
    """Outcomes in the order of the jobs, so photo ids follow file-name order.

    The workers take the jobs in that order too, except the last few (:func:`_in_turn`).
    """
    workers = workers or os.cpu_count() or 1
    if not _pooled(workers) or len(jobs) <= 1:
        yield from map(process, jobs)
        return
    pool = worker_pool.pool(min(workers, len(jobs)))
    try:
        futures = {index: pool.submit(process, jobs[index]) for index in _in_turn(jobs, workers)}
        for index in range(len(jobs)):
            yield futures.pop(index).result()
    except BaseException:  # stopped early (a failed sync, Ctrl+C): no job begins any more,
        pool.shutdown(wait=True, cancel_futures=True)  # and none is still writing when we go
        raise
    pool.shutdown(wait=False)  # every job done: the idle workers exit while the last batch commits


def _in_turn(jobs: list[Job], workers: int) -> list[int]:
    """The order the workers take the jobs in: as listed, but the last few largest first.

    A large photo among the last jobs would otherwise be decoded alone at the end, the
    other workers idle (a 24 MP photo takes half again as long as a 12 MP one). Only
    the end of the run is reordered, so outcomes still arrive nearly in the listed order
    and are committed batch by batch as before.
    """
    start = max(0, len(jobs) - TAIL_JOBS_PER_WORKER * workers)
    last = sorted(range(start, len(jobs)), key=lambda index: -_size(jobs[index].path))
    return [*range(start), *last]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # gone: its worker says so
        return 0


def _user() -> str | None:
    """Who ran the ingest, for the run's row; unknown is no reason to stop."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no pwd module (Windows) and no USERNAME set
        return None
