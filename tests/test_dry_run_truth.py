"""A dry run tells the truth: the same counts as the real run, and not one byte written.

The batch is the one that once made a dry run lie: a truncated JPEG (its
header decodes, its pixels do not), a zero-byte file, an HTML page saved as
.jpg, and ten good photos.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from archive.cli import cli
from tests.images import make_jpeg

COUNTS = ("files", "added", "updated", "unchanged", "duplicates", "failed", "warnings", "skipped")


def batch(folder: Path) -> Path:
    folder.mkdir()
    for n in range(10):
        make_jpeg(folder / f"anh-{n:02d}.jpg", (160 + n, 120))
    # Big enough that its header and first scan lines read: only decoding it all fails.
    photo = io.BytesIO()
    Image.effect_noise((1200, 900), 60).convert("RGB").save(photo, "JPEG", quality=90)
    whole = photo.getvalue()
    (folder / "cut-short.jpg").write_bytes(whole[: len(whole) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "page.jpg").write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    return folder


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the archive folder by its SHA-256, and the catalog's rows."""
    files = {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith("catalog.db")  # its rows are compared
    }
    db = sqlite3.connect(root / "catalog.db")
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    rows = {t: repr(db.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()) for t in tables}
    db.close()
    return {**files, **{f"table {t}": r for t, r in rows.items()}}


def ingest(root: Path, folder: Path, *extra: str) -> dict:
    args = ["--root", str(root), "ingest", "--json", "--jobs", "1", *extra, str(folder)]
    result = CliRunner().invoke(cli, args, env={"ARCHIVE_LANG": "en"})
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def test_the_dry_run_counts_what_the_real_run_does_and_writes_nothing(tmp_path: Path) -> None:
    folder = batch(tmp_path / "usb")
    root = tmp_path / "kho"
    assert CliRunner().invoke(cli, ["--root", str(root), "init"]).exit_code == 0
    before = snapshot(root)
    planned = ingest(root, folder, "--dry-run")
    assert snapshot(root) == before
    done = ingest(root, folder)
    assert {k: planned[k] for k in COUNTS} == {k: done[k] for k in COUNTS}
    assert done["added"] == 10 and done["failed"] == 3
    failed = lambda report: sorted(p["path"] for p in report["problems"] if p["level"] == "error")  # noqa: E731
    assert failed(planned) == failed(done)
    assert str(folder / "cut-short.jpg") in failed(planned)


def test_every_line_of_a_dry_run_is_conditional(tmp_path: Path) -> None:
    folder = batch(tmp_path / "usb")
    root = tmp_path / "kho"
    ingest(root, folder)
    before = snapshot(root)
    runner = CliRunner()

    def dry(*args: str, lang: str = "en") -> str:
        result = runner.invoke(
            cli, ["--root", str(root), *args, "--dry-run"], env={"ARCHIVE_LANG": lang}
        )
        assert result.exit_code in (0, 1), result.output
        return result.stdout

    assert dry("units", "add", "Hội Phụ nữ phường").startswith("Would add unit:")
    runner.invoke(cli, ["--root", str(root), "units", "add", "Đoàn Thanh niên"])
    runner.invoke(cli, ["--root", str(root), "units", "add", "Chi đoàn"])
    before = snapshot(root)
    assert dry("units", "alias", "Chi đoàn", "CĐ").startswith("CĐ would name Chi đoàn")
    assert dry("units", "merge", "Chi đoàn", "Đoàn Thanh niên").startswith("Would merge")
    assert dry("units", "merge", "Chi đoàn", "Đoàn Thanh niên", lang="vi").startswith("Sẽ gộp")
    assert dry("gallery", "create", "g", "--title", "G").startswith("Would create gallery g")
    runner.invoke(cli, ["--root", str(root), "gallery", "create", "g", "--title", "G"])
    before = snapshot(root)
    assert dry("gallery", "add", "g", "1", "2").startswith("Would add 2 photo(s) to g")
    runner.invoke(cli, ["--root", str(root), "gallery", "add", "g", "1", "2"])
    before = snapshot(root)
    assert dry("gallery", "move", "g", "2", "1").startswith("Photo 2 would be number 1")
    assert dry("gallery", "remove", "g", "1").startswith("Would remove 1 photo(s)")
    assert dry("gallery", "delete", "g").startswith("Would delete gallery g")
    assert dry("photos", "private", "1").startswith("1 photo(s) would be marked private")
    assert dry("settings", "set", "language", "vi").startswith("language would be vi")
    assert dry("export", "g").startswith("Would export gallery g")
    assert dry("thumbs", "--all").startswith("Would remake the thumbnails of 10 of 10")
    assert dry("backup", str(tmp_path / "usb-backup")).startswith("Would back up")
    assert snapshot(root) == before
    assert not (tmp_path / "usb-backup").exists()
