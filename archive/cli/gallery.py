"""`archive gallery` and `archive export`.

Thin like the rest of the command line: options become a
:class:`~archive.selection.Selection` or :class:`~archive.export.ExportOptions`,
the catalog and the export modules do the work, and this prints the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archive.bundle import check_targets, write_file, write_folder
from archive.catalog import Catalog
from archive.cli.context import Context, day_option, emit_json, writing
from archive.errors import ArchiveError
from archive.export import ExportOptions, export_gallery
from archive.i18n import _
from archive.iiif import manifest_json
from archive.reader import GalleryRef
from archive.selection import Selection

_REPEATABLE = (
    ("--event", "events", "SLUG", "Photos of this event (repeatable)."),
    ("--unit", "units", "NAME", "Photos showing this unit (repeatable)."),
    ("--tag", "tags", "TEXT", "Photos with this tag (repeatable)."),
)


def selection_options(command: Any) -> Any:
    """--event, --unit, --tag, --search, --from, --to: the photos a command starts from."""
    options = [
        click.option(flag, name, multiple=True, metavar=metavar, help=text)
        for flag, name, metavar, text in _REPEATABLE
    ]
    options += [
        click.option("--search", metavar="TEXT", help="Photos the search finds (dấu optional)."),
        click.option(
            "--from",
            "date_from",
            callback=day_option,
            metavar="DATE",
            help="Taken on or after (YYYY-MM-DD or DD/MM/YYYY).",
        ),
        click.option(
            "--to", "date_to", callback=day_option, metavar="DATE", help="Taken on or before."
        ),
        click.option(
            "--picks-only",
            is_flag=True,
            help="One photo of each group of near-duplicates (its pick; see archive similar).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _selection(kwargs: dict[str, Any]) -> Selection:
    return Selection(
        events=kwargs.pop("events"),
        units=kwargs.pop("units"),
        tags=kwargs.pop("tags"),
        search=kwargs.pop("search"),
        date_from=kwargs.pop("date_from"),
        date_to=kwargs.pop("date_to"),
        picks_only=kwargs.pop("picks_only"),
    )


def resolve_gallery(catalog: Catalog, slug: str | None, event: str | None) -> GalleryRef:
    """GALLERY, or --event SLUG: an event is a gallery without being created."""
    if bool(slug) == bool(event):
        raise click.UsageError(_("give a GALLERY slug or --event SLUG (one of them)"))
    ref = catalog.find_gallery(event, kind="event") if event else catalog.find_gallery(slug)
    if ref is None:
        what = (
            _("no event {slug!r}").format(slug=event)
            if event
            else _("no gallery or event {slug!r}").format(slug=slug)
        )
        raise ArchiveError(
            _("{what} (see: archive gallery list, archive events)").format(what=what)
        )
    return ref


@click.group("gallery")
def gallery_group() -> None:
    """Galleries: curated, ordered selections of photos to export.

    \b
    Examples:
      archive gallery create cong-an-2024 --title "Chi bộ Công an phường năm 2024" \\
          --unit "Chi bộ Công an phường" --from 2024-01-01 --to 2024-12-31
      archive gallery add cong-an-2024 118 121 --at 1
      archive gallery move cong-an-2024 121 3
      archive export cong-an-2024 --bundle ~/USB/cong-an-2024 --public

    Selection options combine with AND; repeating one (two --unit) means either.
    An event is a gallery too: --event SLUG wherever a gallery is expected.
    """


@gallery_group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Shown on the page and in the manifest.")
@click.option("--description", help="A paragraph about the gallery.")
@selection_options
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def gallery_create(
    obj: Context, slug: str, title: str, description: str | None, dry_run: bool, **kw: Any
) -> None:
    """Create gallery SLUG from a selection, ordered by time taken."""
    selection = _selection(kw)
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        ids = catalog.select_photos(selection)
        catalog.create_gallery(slug, title, description, ids, selection)
        line = (
            _("Would create gallery {slug}: {n} photo(s)")
            if dry_run
            else _("Created gallery {slug}: {n} photo(s)")
        )
        click.echo(line.format(slug=catalog.gallery(slug)["slug"], n=len(ids)))
        if not ids and not selection.is_empty():
            click.echo(_("(no photo matched the selection; add some with: archive gallery add)"))


@gallery_group.command("add", short_help="Add photos or a selection to a gallery.")
@click.argument("slug")
@click.argument("photos", nargs=-1)
@selection_options
@click.option("--at", type=int, metavar="N", help="Insert at position N (default: the end).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def gallery_add(
    obj: Context, slug: str, photos: tuple[str, ...], at: int | None, dry_run: bool, **kw: Any
) -> None:
    """Add PHOTOS (ids or SHA-256 prefixes) and/or a selection to gallery SLUG."""
    selection = _selection(kw)
    if not photos and selection.is_empty():
        raise click.UsageError(_("name photos (ids) or a selection (--event, --unit, …)"))
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        ids = catalog.resolve_photos(photos) + catalog.select_photos(selection)
        added = catalog.add_to_gallery(slug, ids, at)
        line = (
            _("Would add {added} photo(s) to {slug}; {there} already there")
            if dry_run
            else _("Added {added} photo(s) to {slug}; {there} already there")
        )
        click.echo(line.format(added=added, slug=slug, there=len(ids) - added))


@gallery_group.command("remove")
@click.argument("slug")
@click.argument("photos", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def gallery_remove(obj: Context, slug: str, photos: tuple[str, ...], dry_run: bool) -> None:
    """Take PHOTOS out of gallery SLUG (the photos stay in the archive)."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        removed = catalog.remove_from_gallery(slug, catalog.resolve_photos(photos))
        line = (
            _("Would remove {n} photo(s) from {slug}")
            if dry_run
            else _("Removed {n} photo(s) from {slug}")
        )
        click.echo(line.format(n=removed, slug=slug))


@gallery_group.command("move")
@click.argument("slug")
@click.argument("photo")
@click.argument("position", type=int)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def gallery_move(obj: Context, slug: str, photo: str, position: int, dry_run: bool) -> None:
    """Move PHOTO to POSITION (1 = first) in gallery SLUG."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        [photo_id] = catalog.resolve_photos([photo])
        catalog.move_in_gallery(slug, photo_id, position)
        line = (
            _("Photo {id} would be number {position} in {slug}")
            if dry_run
            else _("Photo {id} is now number {position} in {slug}")
        )
        click.echo(line.format(id=photo_id, position=position, slug=slug))


@gallery_group.command("delete")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def gallery_delete(obj: Context, slug: str, dry_run: bool) -> None:
    """Delete gallery SLUG; its photos stay in the archive."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        held = catalog.delete_gallery(slug)
        line = (
            _("Would delete gallery {slug} ({n} photo(s) stay in the archive)")
            if dry_run
            else _("Deleted gallery {slug} ({n} photo(s) stay in the archive)")
        )
        click.echo(line.format(slug=slug, n=held))


@gallery_group.command("list", short_help="List the galleries with their photo counts.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def gallery_list(obj: Context, as_json: bool) -> None:
    """List the galleries with their photo counts (events: archive events)."""
    galleries = obj.catalog(existing=True).list_galleries()
    if as_json:
        emit_json(galleries)
        return
    if not galleries:
        click.echo(_('No galleries yet. Create one: archive gallery create SLUG --title "…" …'))
    for gallery in galleries:
        photos = _("{n:>6} photos").format(n=gallery["photos"])
        click.echo(f"{photos}  {gallery['slug']}  {gallery['title']}")


@gallery_group.command("show")
@click.argument("slug", required=False)
@click.option("--event", metavar="SLUG", help="Show an event as a gallery.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def gallery_show(obj: Context, slug: str | None, event: str | None, as_json: bool) -> None:
    """Show a gallery (or --event) and its photos in order."""
    catalog = obj.catalog(existing=True)
    ref = resolve_gallery(catalog, slug, event)
    photos = catalog.gallery_photos(ref)
    for position, photo in enumerate(photos, start=1):
        photo["position"], photo["private"] = position, bool(photo["private"])
    if as_json:
        keys = ("kind", "slug", "title", "description")
        emit_json({**{k: getattr(ref, k) for k in keys}, "photos": photos})
        return
    kind = _("event") if ref.kind == "event" else _("gallery")
    click.echo(ref.title)
    click.echo(_("{kind} {slug}, {n} photo(s)").format(kind=kind, slug=ref.slug, n=len(photos)))
    for photo in photos:
        mark = "  " + _("[private]") if photo["private"] else ""
        taken = (photo["taken_at"] or "")[:16].replace("T", " ")
        caption = photo["caption"] or photo["original_name"] or ""
        click.echo(f"{photo['position']:>5}  #{photo['id']:<6} {taken:<16}  {caption}{mark}")


@click.command("export", short_help="Export a gallery or an event (JSON, IIIF, offline bundle).")
@click.argument("gallery", required=False)
@click.option("--event", metavar="SLUG", help="Export an event as a gallery.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "iiif"]),
    default="json",
    show_default=True,
    help="Gallery JSON (see archive/schemas/gallery.schema.json) or a IIIF 3.0 Manifest.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (outside the archive) instead of stdout.",
)
@click.option(
    "--bundle",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write a self-contained folder into DIR, beside what it holds: page, JSON, IIIF.",
)
@click.option(
    "--public", is_flag=True, help="Leave out private photos, GPS, EXIF, camera and source paths."
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where the files will be published (default: base_url setting); for --format iiif.",
)
@click.option(
    "--picks-only",
    is_flag=True,
    help="One photo of each group of near-duplicates (its pick; see archive similar).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be written; write nothing.")
@click.pass_obj
def export_command(
    obj: Context,
    gallery: str | None,
    event: str | None,
    fmt: str,
    output: Path | None,
    bundle: Path | None,
    public: bool,
    base_url: str | None,
    picks_only: bool,
    dry_run: bool,
) -> None:
    """Export GALLERY (or --event SLUG) as JSON or IIIF, to stdout, a file or a folder.

    \b
    Examples:
      archive export --event to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018 -o gallery.json
      archive export cong-an-2024 --format iiif --base-url https://phuong6.vn/anh/cong-an-2024/
      archive export cong-an-2024 --bundle /media/usb/cong-an-2024 --public

    Exit status: 0 done, 1 a thumbnail was missing from the store (the rest of
    the bundle was written), 2 refused: a usage error, a target inside the
    archive, files in DIR the bundle did not write, or nothing to export.
    """
    catalog = obj.catalog(existing=True)
    ref = resolve_gallery(catalog, gallery, event)
    base_url = base_url or catalog.setting("base_url")
    if base_url and "://" not in base_url:
        raise ArchiveError(
            _("--base-url must be a full web address (https://…), not {url!r}").format(url=base_url)
        )
    if fmt == "iiif" and not base_url and (output or not bundle):
        raise ArchiveError(
            _(
                "a IIIF manifest needs the web address its files will be published at:"
                " --base-url URL, or once: archive settings set base_url URL"
            )
        )
    options = ExportOptions(public=public, base_url=base_url, picks_only=picks_only)
    export = export_gallery(catalog.reader, ref, options)
    kind = _("event") if ref.kind == "event" else _("gallery")
    what = _("{kind} {slug}: {n} photo(s)").format(
        kind=kind, slug=ref.slug, n=export.gallery["count"]
    )
    target = check_targets(obj.root, export, output, bundle)
    text = export.to_json() if fmt == "json" else manifest_json(export)
    if dry_run:
        targets = [str(p) for p in (output, bundle) if p] or ["stdout"]
        click.echo(
            _("Would export {what} to {targets}").format(what=what, targets=", ".join(targets))
        )
        click.echo(_("(dry run: nothing was written)"), err=True)
        return
    if output and target:
        try:
            write_file(target, text.encode("utf-8"))
        except OSError as error:
            raise ArchiveError(
                _("{path}: cannot write: {reason}").format(
                    path=output, reason=error.strerror or error
                )
            ) from error
        click.echo(_("Wrote {path} ({what})").format(path=output, what=what), err=True)
    elif not bundle:
        click.echo(text.encode("utf-8"), nl=False)  # bytes: UTF-8 whatever the locale
    if bundle:
        report = write_folder(obj.store, export, bundle)
        removed = (
            "; " + _("{n} old file(s) removed").format(n=report.removed) if report.removed else ""
        )
        click.echo(
            _("Wrote {path} ({what}, {files} files{removed})").format(
                path=f"{bundle}/index.html", what=what, files=report.files, removed=removed
            ),
            err=True,
        )
        if not base_url:
            click.echo(
                "  "
                + _(
                    "note: manifest.json links are relative to the folder; give --base-url"
                    " (where it will be published) for a manifest other sites can open"
                ),
                err=True,
            )
        for path in report.missing:
            click.echo(
                "  " + _("missing from the store (run archive verify): {path}").format(path=path),
                err=True,
            )
        if report.missing:
            click.get_current_context().exit(1)
