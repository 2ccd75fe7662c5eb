"""`archive ingest`: the one place where the command line meets the import pipeline."""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

import click

from archive import i18n
from archive.cli.context import Context, command_event, day_option, no_wait_option, run_ingest
from archive.errors import ArchiveError
from archive.i18n import _
from ingest import workers

# This module and the context import little, so that a new archive's workers start (see
# ingest_command) before the catalog, the pipeline and their libraries are loaded here.


def elsewhere(path: Path | str) -> str | None:
    """Why a path typed on Windows cannot be opened here, or None where it might be.

    A path copied from Explorer (``C:\\Users\\Lan\\captions.csv``, ``\\\\server\\share``)
    names a file on another computer when given to an archive on Linux or macOS.
    """
    text = str(path)
    drive = PureWindowsPath(text).drive
    if os.sep == "\\" or ("\\" not in text and not drive):
        return None
    if drive:
        kind = _("drive") if drive.endswith(":") else _("share")
        return _(
            "{path}: a Windows path ({kind} {drive}), which this computer cannot open;"
            " give the file's path on this computer"
        ).format(path=text, kind=kind, drive=drive)
    posix = text.replace("\\", "/")
    return _("{path}: a Windows path; here folders are separated by /, as in {posix}").format(
        path=text, posix=posix
    )


def _existing_manifests(
    ctx: click.Context, param: click.Parameter, values: tuple[Path, ...]
) -> tuple[Path, ...]:
    """--manifest files must exist and be files; a Windows path gets a reason of its own."""
    for value in values:
        if value.is_file():
            from ingest.sources import override_slot  # only when a manifest is given

            try:
                override_slot(value)
            except ValueError as error:
                raise click.BadParameter(str(error)) from None
            continue
        reason = None if value.exists() else elsewhere(value)
        if reason is None:
            why = _("a folder, not a file") if value.is_dir() else _("no such file")
            reason = f"{value}: {why}"
        raise click.BadParameter(reason)
    return values


@click.command("ingest", short_help="Put photos and clips (files or folders) into the archive.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--event",
    "event_slug",
    metavar="SLUG",
    help="Put the photos in this existing event (or, with --event-title, this new slug).",
)
@click.option("--event-title", metavar="TEXT", help="Create (or reuse) an event with this title.")
@click.option("--date", callback=day_option, metavar="YYYY-MM-DD", help="The event's date.")
@click.option(
    "--unit",
    "units",
    multiple=True,
    metavar="NAME",
    help="A unit shown in every photo (repeatable).",
)
@click.option(
    "--tag", "tags", multiple=True, metavar="TEXT", help="A tag for every photo (repeatable)."
)
@click.option("--caption", metavar="TEXT", help="One caption for every photo given.")
@click.option(
    "--photographer",
    metavar="NAME",
    help="Who took every photo given (over the caption sheet and the files' own).",
)
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    metavar="FILE",
    type=click.Path(path_type=Path),
    callback=_existing_manifests,
    help="event.yml, captions.csv/.tsv/.txt/.xlsx/.xls or article.txt to use for the folders "
    "given, in place of their own file of that kind (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes (0 = one per CPU).",
)
@click.option(
    "--no-video-previews",
    "no_previews",
    is_flag=True,
    help="Archive clips with their posters but leave their browser previews"
    " for a later `archive thumbs --videos`.",
)
@click.option(
    "--max-clip-minutes",
    type=click.FloatRange(min=0),
    metavar="MINUTES",
    help="Clips longer than this get a poster but no preview (default: the"
    " video_preview_max_minutes setting, else 30).",
)
@no_wait_option
@click.pass_obj
def ingest_command(
    obj: Context,
    paths: tuple[Path, ...],
    event_slug: str | None,
    event_title: str | None,
    date: str | None,
    units: tuple[str, ...],
    tags: tuple[str, ...],
    caption: str | None,
    photographer: str | None,
    manifests: tuple[Path, ...],
    dry_run: bool,
    as_json: bool,
    jobs: int,
    no_previews: bool,
    max_clip_minutes: float | None,
    no_wait: bool,
) -> None:
    """Put photos (files or folders, searched recursively) into the archive.

    A folder holding event.yml, a caption sheet (captions.csv, .tsv, .txt,
    .xlsx or .xls) or article.txt is one event; each subfolder with its own
    is its own event. Captions come from
    --caption, else the caption sheet, else the article's list after "Một số
    hình ảnh", else the caption stored in the photo. Running the same ingest
    again adds nothing; an edited caption sheet updates captions and units.
    While another ingest writes to the same archive, this one waits for it
    to finish, then runs (--no-wait: exit 2 instead).

    \b
    Examples:
      archive ingest ~/Pictures/hoc-tap-chi-thi-05/
      archive ingest IMG_0012.jpg --event-title "Họp Chi bộ Công an phường" --date 2024-03-08 \\
          --unit "Chi bộ Công an phường"

    Exit status: 0 all good, 1 some files failed (the rest archived), 2 usage error.
    """
    if as_json:  # a report for programs: its reasons are the same English in every language
        i18n.activate("en")
    if not any(path.exists() for path in paths):
        # Nothing at all to read is a mistyped command, not a failed batch.
        names = ", ".join(str(path) for path in paths)
        reason = next(filter(None, map(elsewhere, paths)), None)
        raise ArchiveError(reason or _("no such file or folder: {names}").format(names=names))
    if jobs != 1 and not obj.catalog_path.exists():
        # A new archive: every file found is new, so a pool of workers is all but certain.
        # Its fork server starts now and imports while this process imports the catalog
        # and the pipeline, makes the catalog and plans.
        workers.warm_up()
    from ingest.describe import CommandLine
    from ingest.video_previews import PreviewOptions

    catalog = obj.catalog(dry_run=dry_run)
    cli_line = CommandLine(
        event=command_event(catalog, event_slug, event_title, date),
        units=units,
        tags=tags,
        caption=caption,
        manifests=manifests,
        texts=(("photographer", photographer),) if photographer else (),
    )
    code = run_ingest(
        obj,
        catalog,
        list(paths),
        cli_line,
        dry_run=dry_run,
        as_json=as_json,
        jobs=jobs,
        wait=not no_wait,
        previews=PreviewOptions(make=not no_previews, max_minutes=max_clip_minutes),
    )
    click.get_current_context().exit(code)
