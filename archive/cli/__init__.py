"""The `archive` command: parse, call, print. The work lives in the modules it calls.

Exit status: 0 all good, 1 some files failed (the rest of the batch done),
2 usage or configuration error. Errors are one line naming the file and the
reason; ``--debug`` shows the traceback.

This module is the group: it imports each command family (one module per
family beside it), and they import only :mod:`archive.cli.context`, never this
module or each other, so the package has no import circle.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from archive.cli.backup import backup_command, restore_command
from archive.cli.context import Context
from archive.cli.gallery import export_command, gallery_group
from archive.cli.ingest import ingest_command
from archive.cli.registry import events_command, units_group
from archive.cli.serve import demo_command, serve_command
from archive.cli.settings import photos_group, settings_group
from archive.cli.thumbs import thumbs_command
from archive.cli.verify import verify_command
from archive.errors import ArchiveError


class ArchiveGroup(click.Group):
    """The `archive` group: the one place an :class:`ArchiveError` becomes an exit status.

    Every command runs inside :meth:`invoke`, whether from :func:`main` or from
    a test's ``CliRunner``, so every refusal is shown alike: ``Error: …`` on
    stderr, one line, and the status the error carries. ``--debug`` puts the
    traceback before that line; the status stays the error's.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            if isinstance(ctx.obj, Context) and ctx.obj.debug:
                traceback.print_exc(file=sys.stderr)
            click.echo(f"Error: {error.message}", err=True)
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
    ctx.obj = Context(root=root.expanduser(), debug=debug)


@cli.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create an empty archive (or check an existing one) at --root."""
    obj.catalog()
    click.echo(f"Archive ready at {obj.root}")


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


for _command in (
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
    cli.add_command(_command)
