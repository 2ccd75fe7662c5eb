"""`archive verify`: fixity of the archive root, printed for people or as --json."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click

from archive.bagdir import PAYLOAD, bag_root
from archive.catalog import Catalog
from archive.cli.context import (
    Context,
    ProgressBar,
    WaitLine,
    emit_json,
    no_wait_option,
    waiting_turn,
)
from archive.db import open_catalog, open_read_only
from archive.errors import ArchiveError
from archive.i18n import N_, _, ngettext, number
from archive.storage import open_store
from archive.store import Store
from archive.verify import FixityRecorder, Scope, VerifyResult, verify


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Check everything; record nothing in the catalog.")
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    metavar="N",
    help="Re-hash only N photos chosen at random.",
)
@click.option(
    "--since",
    "since_days",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Re-hash only photos added in the last DAYS days.",
)
@no_wait_option
@click.pass_obj
def verify_command(
    obj: Context,
    as_json: bool,
    dry_run: bool,
    sample: int | None,
    since_days: int | None,
    no_wait: bool,
) -> None:
    """Check that every original is intact and every thumbnail usable. Changes no file.

    Each original is read again: its size and SHA-256 must be what the catalog
    recorded at ingest. Both thumbnails must be there and read as JPEG. Files
    under originals/ and thumbs/ that no photo names are reported as orphans
    (an interrupted ingest leaves them; ingesting the source again adopts
    them). Each run is recorded in the catalog table fixity_checks. While an
    ingest writes, verify waits for it to finish first (--no-wait: exit 2).

    \b
    Examples:
      archive verify                      everything
      archive verify --sample 200         a spot check of 200 random photos
      archive verify --since 7 --json     last week's photos, for a script

    A backup made by `archive backup` is checked as it is (--root DEST or
    --root DEST/data), read-only: nothing is recorded and no file is created
    there, so its manifest stays true. So is an archive on read-only media.

    Exit status: 0 all good, 1 something was found, 2 usage error.
    """
    store, read_only = _store_to_check(obj.root)
    if not store.catalog_path.is_file():
        raise ArchiveError(
            _("{path}: no archive here (catalog.db not found)").format(path=store.catalog_path)
        )
    try:
        db = open_read_only(store.catalog_path) if read_only else open_catalog(store.catalog_path)
        catalog = Catalog(db)
    except (OSError, sqlite3.Error) as error:
        raise ArchiveError(
            _("{path}: cannot open the catalog: {reason}").format(
                path=store.catalog_path, reason=error
            )
        ) from error
    dry_run = dry_run or read_only
    # To the microsecond: checked_at is what tells one verify run's rows from the next.
    checked_at = datetime.now(UTC).isoformat(timespec="microseconds")
    recorder = FixityRecorder(catalog, checked_at, dry_run)
    bar = ProgressBar(_("Verifying"))
    waiter = None if no_wait else WaitLine()
    try:
        with waiting_turn(waiter):
            result = verify(
                store,
                catalog.db,
                Scope(sample=sample, since_days=since_days),
                checked_at=checked_at,
                dry_run=dry_run,
                on_plan=bar.start,
                progress=bar.advance,
                on_check=recorder,
                wait=waiter,
                lock=not read_only,
            )
    finally:
        bar.finish()
        recorder.flush()
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(as_text(result, store))
    if read_only:
        click.echo(_("(a backup or read-only archive: checked, nothing recorded)"), err=True)
    elif dry_run:
        click.echo(_("(dry run: nothing was recorded)"), err=True)
    click.get_current_context().exit(result.exit_code)


def _store_to_check(root: Path) -> tuple[Store, bool]:
    """The archive root to check, and whether it must be left exactly as it is."""
    bag = bag_root(root)
    if bag is not None:
        return Store(bag / PAYLOAD), True
    store = open_store(root)
    writable = os.access(root, os.W_OK) and (
        not store.catalog_path.exists() or os.access(store.catalog_path, os.W_OK)
    )
    return store, not writable


# What each kind of finding is called on its line (the --json keeps the kind itself).
FINDINGS = {
    "missing": N_("MISSING"),
    "size": N_("SIZE"),
    "hash": N_("HASH"),
    "thumbnail": N_("THUMBNAIL"),
    "orphan": N_("ORPHAN"),
}


def as_text(result: VerifyResult, store: Store) -> str:
    """A summary line, then one line per finding naming the file (full path, to copy)."""
    scope = (
        _("{photos} of {total} files (photos and clips)").format(
            photos=result.photos, total=result.photos_in_catalog
        )
        if result.photos != result.photos_in_catalog
        else ngettext(
            "{photos} file (photos and clips)", "{photos} files (photos and clips)", result.photos
        ).format(photos=result.photos)
    )
    lines = [
        _(
            "Checked {scope} ({mb} MB re-hashed) in {seconds} s:"
            " {ok} ok, {failed} with problems, {orphans} orphan file(s)."
        ).format(
            scope=scope,
            mb=number(result.bytes_hashed / 1e6, 1),
            seconds=number(result.seconds, 1),
            ok=result.ok,
            failed=result.failed,
            orphans=result.orphans,
        )
    ]
    for finding in result.findings:
        photo = (
            " " + _("(photo {id})").format(id=finding.photo_id)
            if finding.photo_id is not None
            else ""
        )
        kind = _(FINDINGS.get(finding.kind, finding.kind.upper()))
        lines.append(f"{kind}: {store.location(finding.path)}{photo}: {finding.detail}")
    if not result.findings:
        lines.append(_("All originals match their SHA-256; all thumbnails are in place."))
    if not result.dry_run:
        lines.append(
            _("Recorded in fixity_checks (checked_at {when}).").format(when=result.checked_at)
        )
    return "\n".join(lines)
