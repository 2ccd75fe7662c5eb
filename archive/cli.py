"""The `archive` command: parse, call, print. The work lives in the modules it calls.

Exit status: 0 all good, 1 some files failed (the rest of the batch done),
2 usage or configuration error. Errors are one line naming the file and the
reason; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from archive import messages
from archive.catalog import Catalog, CatalogError
from archive.db import catalog_copy_in_memory, open_catalog
from archive.records import EventSpec
from archive.store import Store
from archive.text import clean, slugify
from archive.writer_lock import Holder, LockWait


class ConfigError(click.ClickException):
    exit_code = 2


@dataclass
class Context:
    root: Path
    debug: bool

    @property
    def store(self) -> Store:
        return Store(self.root)

    def catalog(self, *, dry_run: bool = False, existing: bool = False) -> Catalog:
        """Create or open the archive: every command that writes just works.

        A command that only reads (existing=True) refuses a folder that holds
        no archive instead of leaving an empty one behind a mistyped --root.
        A dry run against such a folder works on an empty catalog in memory,
        so that trying a command first leaves no trace.
        """
        store = self.store
        if existing and not store.catalog_path.exists():
            raise ConfigError(
                f"{self.root}: no archive here (catalog.db not found); name yours with --root"
                " or $ARCHIVE_ROOT, or put photos in with archive ingest"
            )
        if dry_run:
            return Catalog(catalog_copy_in_memory(store.catalog_path))
        try:
            store.create()
            return Catalog(open_catalog(store.catalog_path))
        except OSError as error:
            raise ConfigError(f"{self.root}: cannot open the archive: {error.strerror}") from error


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
            click.echo(messages.STOPPED_WAITING, err=True)

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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def user_errors() -> Iterator[None]:
    """The catalog's refusals are the user's to fix: one line, exit 2."""
    try:
        yield
    except CatalogError as error:
        raise ConfigError(str(error)) from error


@contextmanager
def writing(catalog: Catalog, dry_run: bool) -> Iterator[Catalog]:
    """A transaction that a dry run rolls back: the same code path shows what would happen."""
    db = catalog.db
    db.execute("BEGIN IMMEDIATE")  # wait for a running ingest's commit, see write_transaction
    try:
        with user_errors():
            yield catalog
    except BaseException:
        db.rollback()
        raise
    if dry_run:
        db.rollback()
        click.echo("(dry run: nothing was written)", err=True)
    else:
        db.commit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ARCHIVE_ROOT",
    default="archive-data",
    show_default=True,
    help="The archive folder (catalog.db, originals/, thumbs/). Also $ARCHIVE_ROOT.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="ward-photo-archive")
@click.pass_context
def cli(ctx: click.Context, root: Path, debug: bool) -> None:
    """A photo archive for a ward office: ingest event photos, browse them, export galleries.

    \b
    Typical use:
      archive ingest ~/Pictures/hoc-tap-chi-thi-05/     put an event folder in the archive
      archive events                                   see what is there
      archive serve                                    browse it in Datasette
    """
    ctx.obj = Context(root=root.expanduser(), debug=debug)


@cli.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create an empty archive (or check an existing one) at --root."""
    obj.catalog()
    click.echo(f"Archive ready at {obj.root}")


def command_event(
    catalog: Catalog | None, slug: str | None, title: str | None, date: str | None
) -> EventSpec | None:
    """The event named on the command line: an existing slug, or a new one from its title."""
    if not slug and not title:
        if date:
            raise click.UsageError("--date goes with --event-title (or --event)")
        return None
    if slug and not title:
        row = catalog.event(slug) if catalog else None
        if row is None:
            raise click.UsageError(
                f"no event with slug {slug!r}; create it with --event-title TEXT --date YYYY-MM-DD"
            )
        return EventSpec(slug=slug, title=row["title"], date=date or row["date"])
    title = clean(title) or ""
    return EventSpec(slug=slugify(slug or title), title=title, date=date)


def speak_vietnamese(stream: Any) -> None:
    """Switch an output stream that cannot hold Vietnamese to UTF-8.

    On Windows a redirected stdout (``archive ingest > report.txt``, a pipe, a
    scheduled task's log) takes the ANSI code page, cp1258 or cp1252, which has
    none of the precomposed letters the archive prints: the report would fail
    after the ingest had done its work. A console or a UTF-8 stream is left alone.
    """
    try:
        "Đảng ủy phường".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def main() -> None:
    """Entry point: unexpected failures become one line and exit 2, unless --debug."""
    speak_vietnamese(sys.stdout)
    speak_vietnamese(sys.stderr)
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:
        if "--debug" in sys.argv or os.environ.get("ARCHIVE_DEBUG"):
            raise
        click.echo(
            f"Error: {type(error).__name__}: {error} (run with --debug for details)", err=True
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _register_commands() -> None:
    from archive.cli_backup import backup_command, restore_command
    from archive.cli_gallery import export_command, gallery_group
    from archive.cli_ingest import ingest_command
    from archive.cli_registry import events_command, units_group
    from archive.cli_serve import demo_command, serve_command
    from archive.cli_settings import photos_group, settings_group
    from archive.cli_thumbs import thumbs_command
    from archive.cli_verify import verify_command

    for command in (
        ingest_command,
        units_group,
        events_command,
        serve_command,
        demo_command,
        gallery_group,
        export_command,
        photos_group,
        settings_group,
        verify_command,
        thumbs_command,
        backup_command,
        restore_command,
    ):
        cli.add_command(command)


_register_commands()
