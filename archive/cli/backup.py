"""`archive backup DEST` and `archive restore SRC ROOT`, printed for people or as --json."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive.backup import BackupReport, Counts, backup
from archive.backup_s3 import backup_to_bucket
from archive.cli.context import Context, ProgressBar, emit_json
from archive.errors import ArchiveError
from archive.i18n import _, number
from archive.restore import RestoreReport, restore
from archive.restore_s3 import restore_from_bucket
from archive.storage import parse_store_url
from archive.store_s3 import S3Store

PATH = click.Path(path_type=Path)


@click.command("backup", short_help="Copy the archive to a USB disk, another folder or S3.")
@click.argument("dest")
@click.option(
    "--endpoint",
    metavar="URL",
    help="With DEST s3://…: that S3 server's address (default: the archive's own).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Say what would be copied; write nothing.")
@click.pass_obj
def backup_command(
    obj: Context, dest: str, endpoint: str | None, as_json: bool, dry_run: bool
) -> None:
    """Copy the archive to DEST (a USB disk, a second drive, a bucket), only what DEST lacks.

    Safe while an ingest runs: the catalog is copied as of one moment, and
    with it every file its rows name. Each original is checked against its
    SHA-256 after the copy. DEST is a BagIt bag: DEST/data is an archive
    folder, and DEST/manifest-sha256.txt lists every file with its SHA-256,
    so the copy can be checked without this program.

    \b
    Examples:
      archive backup /media/usb/kho-anh             first time: everything
      archive backup /media/usb/kho-anh             again: only what is new
      archive backup /media/usb/kho-anh --dry-run   what would be copied
      cd /media/usb/kho-anh && sha256sum -c manifest-sha256.txt
      archive backup s3://kho-anh-du-phong/phuong-6 --endpoint https://s3.example

    DEST s3://BUCKET/PREFIX: the objects under PREFIX with the archive's keys,
    copied on the server when both are on one endpoint, and the catalog as
    the object PREFIX/catalog.db, uploaded last.

    Exit status: 0 all copied, 1 some files failed (named; the rest copied),
    2 usage error (DEST inside the archive, or a folder that is not a backup).
    """
    if dest.startswith("s3://"):
        target = bucket_of(obj, dest, endpoint)
        work: Callable[[ProgressBar], Any] = lambda bar: backup_to_bucket(  # noqa: E731
            obj.root, target, dry_run=dry_run, on_plan=bar.start, progress=bar.advance
        )
    else:
        folder = Path(dest).expanduser()
        work = lambda bar: backup(  # noqa: E731
            obj.root, folder, dry_run=dry_run, on_plan=bar.start, progress=bar.advance
        )
    _run_and_report(
        _("Backing up"),
        work,
        lambda reason: _("{dest}: cannot write the backup: {reason}").format(
            dest=dest, reason=reason
        ),
        backup_text,
        dry_run=dry_run,
        as_json=as_json,
    )


def backup_text(report: BackupReport) -> str:
    """ "copied 12 new originals (38.1 MB) and 24 thumbnails; 188 originals already there"."""
    originals, thumbs = report.originals, report.thumbnails
    line = (
        _(
            "Would back up {photos} photos to {dest}: would copy {copied} new originals"
            " ({mb}) and {thumbs} thumbnails;"
            " {there} originals and {thumbs_there} thumbnails already there"
        )
        if report.dry_run
        else _(
            "Backed up {photos} photos to {dest}: copied {copied} new originals"
            " ({mb}) and {thumbs} thumbnails;"
            " {there} originals and {thumbs_there} thumbnails already there"
        )
    )
    lines = [
        line.format(
            photos=report.photos,
            dest=report.dest,
            copied=originals.copied,
            mb=_mb(originals),
            thumbs=thumbs.copied,
            there=originals.already_there,
            thumbs_there=thumbs.already_there,
        )
    ]
    if not report.dry_run and report.dest.startswith("s3://"):
        lines.append(
            _("The backup holds {files} objects ({mb} MB), its catalog as catalog.db.").format(
                files=report.payload_files, mb=number(report.payload_bytes / 1e6, 1)
            )
        )
    elif not report.dry_run:
        lines.append(
            _(
                "The backup holds {files} files ({mb} MB),"
                " each listed with its SHA-256 in manifest-sha256.txt."
            ).format(files=report.payload_files, mb=number(report.payload_bytes / 1e6, 1))
        )
    level = _("WOULD FAIL") if report.dry_run else _("FAILED")
    for failure in report.failures:
        lines.append(f"{level}: {failure.path}: {failure.reason}")
    return "\n".join(lines)


def _mb(counts: Counts) -> str:
    return f"{number(counts.bytes / 1e6, 1)} MB"


@click.command("restore", short_help="Bring a backup back as a working archive.")
@click.argument("src")
@click.argument("root", type=PATH)
@click.option("--endpoint", metavar="URL", help="With SRC s3://…: that S3 server's address.")
@click.option(
    "--store",
    "store_url",
    metavar="s3://BUCKET/PREFIX",
    help="With SRC s3://…: put the files in this bucket (default: in ROOT).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Validate the backup and count; write nothing.")
@click.pass_obj
def restore_command(
    obj: Context,
    src: str,
    root: Path,
    endpoint: str | None,
    store_url: str | None,
    as_json: bool,
    dry_run: bool,
) -> None:
    """Bring the backup SRC back as a working archive at ROOT (a new or empty folder).

    The backup is checked first (every file against manifest-sha256.txt, the
    catalog by SQLite's integrity check); a damaged backup is refused with
    each damaged file named, and nothing is written. ROOT appears whole or not
    at all.

    \b
    Examples:
      archive restore /media/usb/kho-anh ~/kho-anh-moi
      archive --root ~/kho-anh-moi verify
      archive restore s3://kho-anh-du-phong/phuong-6 ~/kho-anh-moi --endpoint https://s3.example
      archive restore s3://kho-anh-du-phong/phuong-6 ~/kho-anh-moi --endpoint https://s3.example \\
          --store s3://kho-anh/phuong-6-moi

    Exit status: 0 restored, 1 the backup is damaged (nothing restored) or
    lacks files its catalog names (restored, each named), 2 usage error.
    """
    root = root.expanduser()
    if src.startswith("s3://"):
        backup_bucket = bucket_of(obj, src, endpoint, own=False)
        if store_url is not None:
            parse_store_url(root, store_url, endpoint)  # a mistyped --store refused up front
        work: Callable[[ProgressBar], Any] = lambda bar: restore_from_bucket(  # noqa: E731
            backup_bucket,
            root,
            store_url=store_url,
            store_endpoint=endpoint,
            dry_run=dry_run,
            on_plan=bar.start,
            progress=bar.advance,
        )
    else:
        if store_url is not None:
            raise ArchiveError(_("--store goes with a backup in a bucket (s3://…)"))
        folder = Path(src).expanduser()
        work = lambda bar: restore(  # noqa: E731
            folder, root, dry_run=dry_run, on_plan=bar.start, progress=bar.advance
        )
    _run_and_report(
        _("Restoring"),
        work,
        lambda reason: _("{root}: cannot restore: {reason}").format(root=root, reason=reason),
        restore_text,
        dry_run=dry_run,
        as_json=as_json,
    )


def restore_text(report: RestoreReport) -> str:
    if report.problems:
        lines = [
            _("{source}: the backup is damaged; nothing was restored.").format(source=report.source)
        ]
        lines += [_("DAMAGED") + f": {problem}" for problem in report.problems]
        return "\n".join(lines)
    size = _("{files} files ({mb} MB), {photos} photos").format(
        files=report.files, mb=number(report.bytes / 1e6, 1), photos=report.photos
    )
    if report.dry_run:
        line = _("{source} is whole: would restore {size} to {root}.")
    else:
        line = _("Restored {size} from {source} to {root}; the backup was whole.")
    lines = [line.format(source=report.source, size=size, root=report.root)]
    lines += [_("MISSING") + f": {warning}" for warning in report.warnings]
    return "\n".join(lines)


def bucket_of(obj: Context, url: str, endpoint: str | None, own: bool = True) -> S3Store:
    """DEST or SRC s3://… as a bucket; without --endpoint, on the archive's own server."""
    if endpoint is None and own:
        endpoint = getattr(obj.store, "endpoint", None)
    found = parse_store_url(Path(obj.root), url, endpoint)
    assert isinstance(found, S3Store)
    return found


def _run_and_report(
    label: str,
    work: Callable[[ProgressBar], Any],
    cannot: Callable[[Any], str],
    text: Callable[[Any], str],
    *,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Run a backup or a restore under a progress bar, print its report, exit with its status.

    A disk that fails under the copy (full, unplugged) is one line naming the place.
    """
    bar = ProgressBar(label)
    try:
        report = work(bar)
    except OSError as error:
        raise ArchiveError(cannot(error.strerror or error)) from error
    finally:
        bar.finish()
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(text(report))
    if dry_run:
        click.echo(_("(dry run: nothing was written)"), err=True)
    click.get_current_context().exit(report.exit_code)
