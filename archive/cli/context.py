"""What every `archive` command shares: the archive it works on, and how it talks.

The command modules beside this one import it, and nothing else of the
package: :class:`Context` (the --root archive), :class:`ProgressBar` and
:class:`WaitLine` (stderr while work runs), :func:`emit_json` (--json),
:func:`writing` (--dry-run), :func:`command_event` (--event, --event-title), and
:func:`run_ingest`, which both `archive ingest` and `archive demo` print their report with.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive import messages
from archive.dates import DateError, parse_day
from archive.errors import ArchiveError
from archive.i18n import _
from archive.records import EventSpec
from archive.text import clean, nfc, slugify
from archive.writer_lock import Holder, LockWait

if TYPE_CHECKING:  # imported where used: `archive ingest` starts its workers before these load
    from archive.catalog import Catalog
    from archive.storage import AnyStore
    from ingest.describe import CommandLine
    from ingest.video_previews import PreviewOptions


@dataclass
class Context:
    root: Path
    debug: bool

    @property
    def catalog_path(self) -> Path:
        """The catalog, beside the files or a bucket's alike (archive.store.CATALOG_NAME).

        Known without opening the store, so `archive ingest` can tell a new archive
        and start its workers before the store's modules are imported.
        """
        return self.root / "catalog.db"

    @property
    def store(self) -> AnyStore:
        """The archive's files: its folder, or the bucket its settings name."""
        from archive.storage import open_store  # the store and the bucket's client: ~35 ms

        return open_store(self.root)

    def catalog(self, *, dry_run: bool = False, existing: bool = False) -> Catalog:
        """Create or open the archive: every command that writes just works.

        A command that only reads (existing=True) refuses a folder that holds
        no archive instead of leaving an empty one behind a mistyped --root.
        A dry run against such a folder works on an empty catalog in memory,
        so that trying a command first leaves no trace.
        """
        from archive.catalog import Catalog
        from archive.db import catalog_copy_in_memory, open_catalog

        store = self.store
        if existing and not store.catalog_path.exists():
            raise ArchiveError(
                _(
                    "{root}: no archive here (catalog.db not found); name yours with --root"
                    " or $ARCHIVE_ROOT, or put photos in with archive ingest"
                ).format(root=self.root)
            )
        if dry_run:
            return Catalog(catalog_copy_in_memory(store.catalog_path))
        try:
            store.create()
            return Catalog(open_catalog(store.catalog_path))
        except OSError as error:
            raise ArchiveError(
                _("{root}: cannot open the archive: {reason}").format(
                    root=self.root, reason=error.strerror
                )
            ) from error


class ProgressBar:
    """A bar on a terminal for long work; silence when piped or in a test runner."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def start(self, total: int) -> None:
        if total and sys.stderr.isatty():
            self.bar = click.progressbar(
                length=total, label=self.label, file=sys.stderr, show_pos=True, show_eta=True
            )
            self.bar.__enter__()

    def advance(self, steps: int) -> None:
        if self.bar:
            self.bar.update(steps)

    def finish(self) -> None:
        if self.bar:
            self.bar.__exit__(None, None, None)
            self.bar = None


def clip_bar(name: str) -> ProgressBar:
    """The progress bar of one clip's preview (a transcode takes minutes)."""
    return ProgressBar(_("Preview {name}").format(name=name))


def after(done: ProgressBar, then: ProgressBar) -> ProgressBar:
    """Close the run's bar before a clip's starts, so each has its own line."""
    done.finish()
    return then


class WaitLine(LockWait):
    """Waiting for the writer lock: one line saying for whom, and on a terminal a clock.

    The line goes to stderr even when piped, so a log shows why a run took
    longer; the clock (redrawn in place) only on a terminal, like ProgressBar.
    """

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.interrupted = False

    def waiting_for(self, holder: Holder | None) -> None:
        self._clear()
        click.echo(messages.waiting_for(holder), err=True)

    def tick(self, seconds: float) -> None:
        if self.tty and int(seconds) != self.shown:
            self.shown = int(seconds)
            click.echo("\r" + messages.waited(seconds), err=True, nl=False)

    def done(self, acquired: bool) -> None:
        self._clear()
        if not acquired:
            self.interrupted = True
            click.echo(_(messages.STOPPED_WAITING), err=True)

    def _clear(self) -> None:
        if self.tty and self.shown >= 0:
            click.echo("\r" + " " * len(messages.waited(self.shown)) + "\r", err=True, nl=False)
            self.shown = -1


@contextmanager
def waiting_turn(wait: WaitLine | None) -> Iterator[None]:
    """Ctrl+C while waiting for the lock is a clean stop: one line, exit 130, nothing written."""
    try:
        yield
    except KeyboardInterrupt:
        if wait is not None and wait.interrupted:
            raise click.exceptions.Exit(130) from None
        raise


def no_wait_option(command: Any) -> Any:
    """--no-wait, shared by the commands that take the writer lock."""
    return click.option(
        "--no-wait",
        is_flag=True,
        help=messages.NO_WAIT_HELP,
    )(command)


def day_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: a typed day (dd/mm/yyyy or ISO) as ISO, or a usage error naming why."""
    if value is None:
        return None
    try:
        return parse_day(value).isoformat()
    except DateError as error:
        raise click.BadParameter(str(error)) from None


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def writing(catalog: Catalog, dry_run: bool) -> Iterator[Catalog]:
    """A transaction that a dry run rolls back: the same code path shows what would happen."""
    db = catalog.db
    db.execute("BEGIN IMMEDIATE")  # wait for a running ingest's commit, see write_transaction
    try:
        yield catalog
    except BaseException:
        db.rollback()
        raise
    if dry_run:
        db.rollback()
        click.echo(_("(dry run: nothing was written)"), err=True)
    else:
        db.commit()


def command_event(
    catalog: Catalog | None, slug: str | None, title: str | None, date: str | None
) -> EventSpec | None:
    """The event named on the command line: an existing slug, or a new one from its title."""
    if not slug and not title:
        if date:
            raise click.UsageError(_("--date goes with --event-title (or --event)"))
        return None
    if slug and not title:
        row = catalog.event(slug) if catalog else None
        if row is None:
            raise click.UsageError(
                _(
                    "no event with slug {slug!r};"
                    " create it with --event-title TEXT --date YYYY-MM-DD"
                ).format(slug=slug)
            )
        return EventSpec(slug=slug, title=row["title"], date=date or row["date"])
    title = clean(title) or ""
    return EventSpec(slug=slugify(slug or title), title=title, date=date)


def run_ingest(
    obj: Context,
    catalog: Catalog,
    paths: list[Path],
    cli_line: CommandLine,
    *,
    dry_run: bool = False,
    as_json: bool = False,
    jobs: int = 0,
    wait: bool = True,
    previews: PreviewOptions | None = None,
) -> int:
    """Ingest, print the report, and return the exit status it calls for.

    wait: while another ingest holds the archive, wait for it (saying so) rather than refuse.
    """
    from ingest.pipeline import Options, ingest
    from ingest.video_previews import PreviewOptions

    options = Options(
        jobs=jobs,
        dry_run=dry_run,
        debug=obj.debug,
        command=nfc(shlex.join(["archive", *sys.argv[1:]])),
        previews=previews or PreviewOptions(),
    )
    bar = ProgressBar(_("Checking") if dry_run else _("Ingesting"))
    waiter = WaitLine() if wait else None
    try:
        with waiting_turn(waiter):
            report = ingest(
                obj.store,
                catalog,
                paths,
                cli_line,
                options,
                progress=bar.advance,
                on_plan=bar.start,
                on_wait=waiter,
                clip_bar=lambda name: after(bar, clip_bar(name)),
            )
    finally:
        bar.finish()
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(report.as_text())
    return report.exit_code
