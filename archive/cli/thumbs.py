"""`archive thumbs`: remake thumbnails from the originals in the store.

Thumbnails are derivatives: whatever happens to them (deleted, cut short by
a full disk, made by an older version) they are rebuilt from the original and
the catalog, which is what `verify` tells staff to do with a bad one. Only
files under ``thumbs/`` are ever rewritten.
"""

from __future__ import annotations

import click

from archive.cli.context import Context, ProgressBar, clip_bar, emit_json
from archive.i18n import _
from archive.store import THUMB_SIZES, Store
from archive.verify import thumbnail_problem
from ingest.report import preview_lines
from ingest.thumbs import ImageError, make_thumbnails, thumbnails_of_image
from ingest.video_previews import COLUMNS, PreviewOptions, make_previews, max_minutes
from ingest.video_probe import VideoError, probe_clip


def _needs_work(store: Store, row: dict, everything: bool) -> bool:
    paths = (store.thumb_relpath(row["sha256"], size) for size in THUMB_SIZES)
    return everything or any(thumbnail_problem(store, rel) for rel in paths)


def remake(store: Store, row: dict, *, write: bool = True) -> None:
    """Both sizes from the original: the 320 is made from the 1280, as at ingest.

    write=False (a dry run) renders them in memory all the same, so an original
    that cannot be made into thumbnails fails the dry run as it would the real one.
    """
    if row.get("media_type") == "video":  # a clip's poster frame, found again
        with store.local_copy(row["original_path"]) as clip:
            made = thumbnails_of_image(probe_clip(clip).poster)
    else:
        made = make_thumbnails(store.read(row["original_path"]), THUMB_SIZES)
    for size, jpeg in made.items():
        if write:
            store.replace_derivative(store.thumb_relpath(row["sha256"], size), jpeg)


@click.command("thumbs", short_help="Remake missing or damaged thumbnails.")
@click.option(
    "--all", "everything", is_flag=True, help="Remake every thumbnail, not only bad ones."
)
@click.option("--dry-run", is_flag=True, help="Say which would be remade; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--videos",
    is_flag=True,
    help="Also make the browser previews clips lack (after ingest --no-video-previews).",
)
@click.option(
    "--max-clip-minutes",
    type=click.FloatRange(min=0),
    metavar="MINUTES",
    help="With --videos: clips longer than this get no preview (default: the setting, else 30).",
)
@click.pass_obj
def thumbs_command(
    obj: Context,
    everything: bool,
    dry_run: bool,
    as_json: bool,
    videos: bool,
    max_clip_minutes: float | None,
) -> None:
    """Remake missing or damaged thumbnails (or --all) from the originals in the store.

    With --videos, also make the browser previews of clips that have none.

    Exit status: 0 all good, 1 some could not be remade (their originals are named).
    """
    store, catalog = obj.store, obj.catalog(existing=True)
    rows = list(
        catalog.db.query("SELECT id, sha256, original_path, media_type FROM photos ORDER BY id")
    )
    result: dict = {"dry_run": dry_run, "photos": len(rows), "remade": 0, "failed": []}
    bar = ProgressBar(_("Thumbnails"))
    bar.start(len(rows))
    try:
        for row in rows:
            bar.advance(1)
            if not _needs_work(store, row, everything):
                continue
            try:
                remake(store, row, write=not dry_run)
                result["remade"] += 1
            except (ImageError, VideoError, OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                result["failed"].append(
                    {"id": row["id"], "path": row["original_path"], "reason": reason}
                )
    finally:
        bar.finish()
    if videos:
        result["previews"] = _previews(obj, max_clip_minutes, dry_run)
        result["failed"].extend(
            {"id": said["id"], "path": said["path"], "reason": said["reason"]}
            for said in result["previews"]
            if said["result"] == "failed"
        )
    if as_json:
        emit_json(result)
    else:
        line = (
            _("Would remake the thumbnails of {remade} of {photos} photo(s)")
            if dry_run
            else _("Remade the thumbnails of {remade} of {photos} photo(s)")
        )
        click.echo(line.format(remade=result["remade"], photos=len(rows)))
        for said in result.get("previews", []):
            if said["result"] == "too_long":
                click.echo(
                    _("WARNING: {path}: longer than {minutes:g} minutes: no preview made").format(
                        **said
                    )
                )
        for text in preview_lines(result.get("previews", [])):
            click.echo(text)
        level = _("WOULD FAIL") if dry_run else _("ERROR")
        for failure in result["failed"]:
            click.echo(_("{level}: {path} (photo {id}): {reason}").format(level=level, **failure))
    click.get_current_context().exit(1 if result["failed"] else 0)


def _previews(obj: Context, given_minutes: float | None, dry_run: bool) -> list[dict]:
    """The previews of every clip that has none (or whose file is gone)."""
    store, catalog = obj.store, obj.catalog(existing=True)
    rows = list(
        catalog.db.query(f"SELECT {COLUMNS} FROM photos WHERE media_type = 'video' ORDER BY id")
    )
    seconds = max_minutes(catalog, given_minutes) * 60
    options = PreviewOptions(True, given_minutes, seconds, dry_run)
    return make_previews(store, catalog, rows, options, clip_bar)
