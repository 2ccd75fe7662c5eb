"""The `archive` command: parse, call, print. The work lives in the modules it calls.

Exit status: 0 all good, 1 some files failed (the rest of the batch done),
2 usage or configuration error. Errors are one line naming the file and the
reason; ``--debug`` shows the traceback.

This module is the group: each command family is a module beside it, imported
only when one of its commands is run or shown (:class:`ArchiveGroup`), so that
``archive ingest`` does not pay for importing the web server, the bundle
writer and the rest. The families import only :mod:`archive.cli.context`, never
this module or each other, so the package has no import circle. The installed
``archive`` script enters through :mod:`archive.launch`, which starts an ingest's
workers before this module is imported, and which is all the workers import of
the command.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.command_words import group_words
from archive.errors import ArchiveError
from archive.i18n import _, activate, choose, language, localize

if TYPE_CHECKING:
    from archive.cli.context import Context

# Each command's module and name there: imported when the command is first looked up.
LAZY_COMMANDS = {
    "ingest": ("archive.cli.ingest", "ingest_command"),
    "units": ("archive.cli.registry", "units_group"),
    "events": ("archive.cli.registry", "events_command"),
    "serve": ("archive.cli.serve", "serve_command"),
    "demo": ("archive.cli.serve", "demo_command"),
    "gallery": ("archive.cli.gallery", "gallery_group"),
    "export": ("archive.cli.gallery", "export_command"),
    "photos": ("archive.cli.settings", "photos_group"),
    "settings": ("archive.cli.settings", "settings_group"),
    "verify": ("archive.cli.verify", "verify_command"),
    "thumbs": ("archive.cli.thumbs", "thumbs_command"),
    "backup": ("archive.cli.backup", "backup_command"),
    "restore": ("archive.cli.backup", "restore_command"),
    "store": ("archive.cli.store", "store_group"),
    "upgrade": ("archive.cli.upgrade", "upgrade_command"),
    "similar": ("archive.cli.similar", "similar_group"),
}


class ArchiveGroup(click.Group):
    """The `archive` group: the one place an :class:`ArchiveError` becomes an exit status.

    Its commands are loaded on first look-up (:data:`LAZY_COMMANDS`): running
    one imports its own module only, while ``--help`` (which looks up every
    command for its short help) and anything that walks the tree through
    :meth:`list_commands` and :meth:`get_command` see all of them.

    Every command runs inside :meth:`invoke`, whether from :func:`main` or from
    a test's ``CliRunner``, so every refusal is shown alike: ``Error: …`` on
    stderr, one line, and the status the error carries. ``--debug`` puts the
    traceback before that line; the status stays the error's.
    """

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Choose the language before click reads a word, so that --help is translated too."""
        words = list(sys.argv[1:] if args is None else args)
        activate(choose(lambda: stored_language(root_named(words))))
        localize(self)
        return super().main(words, *rest, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, name = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), name)
            self.add_command(command, cmd_name)
            localize(command)  # in the language main() chose, as the loaded ones were
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            if getattr(ctx.obj, "debug", False):
                traceback.print_exc(file=sys.stderr)
            click.echo(_("Error: {message}").format(message=error.message), err=True)
            ctx.exit(error.exit_code)


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from archive.cli.context import Context  # here: a command's module loads it anyway

    ctx.obj = Context(root=root.expanduser(), debug=debug)


@cli.command()
@click.option(
    "--store",
    "store_url",
    metavar="s3://BUCKET/PREFIX",
    help="Keep originals and thumbnails in this bucket (default: the archive folder).",
)
@click.option("--endpoint", metavar="URL", help="The S3 server's address (Ceph, MinIO, …).")
@click.pass_obj
def init(obj: Context, store_url: str | None, endpoint: str | None) -> None:
    """Create an empty archive (or check an existing one) at --root.

    \b
    Examples:
      archive --root /srv/kho-anh init
      archive --root /srv/kho-anh init --store s3://kho-anh-quan-3/phuong-6 \\
          --endpoint https://s3.quan3.example
    """
    catalog = obj.catalog()
    if store_url is not None:
        from archive.cli.store import choose_store  # the bucket's client only when asked

        choose_store(obj, catalog, store_url, endpoint)
    if language() == "vi" and catalog.setting("language") is None:
        # Made by a Vietnamese clerk: it stays Vietnamese whatever machine opens it later.
        catalog.set_setting("language", "vi")
        catalog.db.commit()
    click.echo(_("Archive ready at {root}").format(root=obj.root))


def root_named(words: list[str]) -> Path:
    """The --root of a command line not yet parsed (else $ARCHIVE_ROOT, else the default)."""
    root = group_words(words)[0].get("--root")  # only before the command's name
    if root is not None:
        return Path(root).expanduser()
    return Path(os.environ.get("ARCHIVE_ROOT") or "archive-data").expanduser()


def stored_language(root: Path) -> str | None:
    """The archive's language setting, read only when an archive is there (never created)."""
    path = root / "catalog.db"
    if not path.is_file():
        return None
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        row = db.execute("SELECT value FROM settings WHERE key = 'language'").fetchone()
    return row[0] if row else None


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
        click.echo(_("Aborted."), err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:
        if "--debug" in sys.argv or os.environ.get("ARCHIVE_DEBUG"):
            raise
        detail = _("{kind}: {error} (run with --debug for details)").format(
            kind=type(error).__name__, error=error
        )
        click.echo(_("Error: {message}").format(message=detail), err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
