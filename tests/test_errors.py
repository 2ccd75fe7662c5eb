"""One error type, shown in one place: `Error: …`, its status, a traceback only with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive.backup import BackupRefused
from archive.bagdir import CopyError
from archive.bundle import BundleError
from archive.catalog import CatalogError
from archive.errors import ArchiveError, FileFailed
from archive.iiif import EmptyManifestError
from archive.reader import GalleryError
from archive.restore import RestoreRefused
from archive.web.config import ServeConfigError
from archive.writer_lock import ArchiveBusy
from ingest.textfile import ManifestError
from ingest.thumbs import ImageError

CLI = [sys.executable, "-c", "from archive.cli import main; main()"]


def test_every_refusal_is_an_archive_error_with_its_status() -> None:
    refusals = (CatalogError, GalleryError, BundleError, EmptyManifestError, ServeConfigError)
    refusals += (BackupRefused, RestoreRefused, ArchiveBusy)
    for kind in refusals:
        assert issubclass(kind, ArchiveError) and kind("x").exit_code == 2, kind
    for kind in (CopyError, ImageError):
        assert issubclass(kind, FileFailed) and kind("x").exit_code == 1, kind
    assert ManifestError("captions.csv", "no header row").exit_code == 1
    assert ArchiveBusy(Path("kho"), None, "verify").message == (
        "kho: an ingest is writing to this archive;"
        " verify when it has finished, or leave out --no-wait to wait for it"
    )


def test_a_refusal_is_one_line_and_debug_adds_the_traceback(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "originals").mkdir(parents=True)  # there, but holding no catalog
    line = f"Error: {root}: no archive here (catalog.db not found); name yours with --root"
    plain = subprocess.run([*CLI, "--root", str(root), "events"], capture_output=True, text=True)
    assert plain.returncode == 2
    assert plain.stderr.startswith(line) and plain.stderr.count("\n") == 1
    debug = subprocess.run(
        [*CLI, "--root", str(root), "--debug", "events"], capture_output=True, text=True
    )
    assert debug.returncode == 2
    assert debug.stderr.startswith("Traceback") and "archive.errors.ArchiveError" in debug.stderr
    assert debug.stderr.splitlines()[-1] == plain.stderr.strip()


def test_click_usage_errors_keep_status_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "--root", str(tmp_path), "events", "--bogus"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "No such option '--bogus'" in result.stderr
