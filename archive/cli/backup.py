"""`archive backup DEST` and `archive restore SRC ROOT`, printed for people or as --json."""

from __future__ import annotations

from pathlib import Path

import click

from archive.backup import BackupReport, Counts, backup
from archive.cli.context import Context, ProgressBar, emit_json
from archive.errors import ArchiveError
from archive.restore import RestoreReport, restore

PATH = click.Path(path_type=Path)


@click.command("backup")
@click.argument("dest", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Say what would be copied; write nothing.")
@click.pass_obj
def backup_command(obj: Context, dest: Path, as_json: bool, dry_run: bool) -> None:
    """Copy the archive to DEST (a USB disk, a second drive), only what DEST lacks.

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

    Exit status: 0 all copied, 1 some files failed (named; the rest copied),
    2 usage error (DEST inside the archive, or a folder that is not a backup).
    """
    dest = dest.expanduser()
    bar = ProgressBar("Backing up")
    try:
        report = backup(obj.root, dest, dry_run=dry_run, on_plan=bar.start, progress=bar.advance)
    except OSError as error:
        raise ArchiveError(f"{dest}: cannot write the backup: {error.strerror or error}") from error
    finally:
        bar.finish()
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(backup_text(report))
    if dry_run:
        click.echo("(dry run: nothing was written)", err=True)
    click.get_current_context().exit(report.exit_code)


def backup_text(report: BackupReport) -> str:
    """ "copied 12 new originals (38.1 MB) and 24 thumbnails; 188 originals already there"."""
    verb = "would copy" if report.dry_run else "copied"
    originals, thumbs = report.originals, report.thumbnails
    line = (
        f"{report.photos} photos to {report.dest}: {verb} {originals.copied} new originals"
        f" ({_mb(originals)}) and {thumbs.copied} thumbnails;"
        f" {originals.already_there} originals and {thumbs.already_there} thumbnails already there"
    )
    lines = [f"Would back up {line}" if report.dry_run else f"Backed up {line}"]
    if not report.dry_run:
        lines.append(
            f"The backup holds {report.payload_files} files ({report.payload_bytes / 1e6:.1f} MB),"
            " each listed with its SHA-256 in manifest-sha256.txt."
        )
    for failure in report.failures:
        lines.append(f"FAILED: {failure.path}: {failure.reason}")
    return "\n".join(lines)


def _mb(counts: Counts) -> str:
    return f"{counts.bytes / 1e6:.1f} MB"


@click.command("restore")
@click.argument("src", type=PATH)
@click.argument("root", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Validate the backup and count; write nothing.")
@click.pass_obj
def restore_command(obj: Context, src: Path, root: Path, as_json: bool, dry_run: bool) -> None:
    """Bring the backup SRC back as a working archive at ROOT (a new or empty folder).

    The backup is checked first (every file against manifest-sha256.txt, the
    catalog by SQLite's integrity check); a damaged backup is refused with
    each damaged file named, and nothing is written. ROOT appears whole or not
    at all.

    \b
    Examples:
      archive restore /media/usb/kho-anh ~/kho-anh-moi
      archive --root ~/kho-anh-moi verify

    Exit status: 0 restored, 1 the backup is damaged (nothing restored) or
    lacks files its catalog names (restored, each named), 2 usage error.
    """
    src, root = src.expanduser(), root.expanduser()
    bar = ProgressBar("Restoring")
    try:
        report = restore(src, root, dry_run=dry_run, on_plan=bar.start, progress=bar.advance)
    except OSError as error:
        raise ArchiveError(f"{root}: cannot restore: {error.strerror or error}") from error
    finally:
        bar.finish()
    if as_json:
        emit_json(report.as_json())
    else:
        click.echo(restore_text(report))
    if dry_run:
        click.echo("(dry run: nothing was written)", err=True)
    click.get_current_context().exit(report.exit_code)


def restore_text(report: RestoreReport) -> str:
    if report.problems:
        lines = [f"{report.source}: the backup is damaged; nothing was restored."]
        lines += [f"DAMAGED: {problem}" for problem in report.problems]
        return "\n".join(lines)
    size = f"{report.files} files ({report.bytes / 1e6:.1f} MB), {report.photos} photos"
    if report.dry_run:
        lines = [f"{report.source} is whole: would restore {size} to {report.root}."]
    else:
        lines = [f"Restored {size} from {report.source} to {report.root}; the backup was whole."]
    lines += [f"MISSING: {warning}" for warning in report.warnings]
    return "\n".join(lines)
