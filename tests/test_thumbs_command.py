"""`archive thumbs` remakes bad thumbnails from the originals, and touches nothing else."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PIL import Image

from tests.conftest import EXAMPLES


def tree(root: Path, folder: str) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (root / folder).rglob("*")
        if p.is_file()
    }


def test_remakes_missing_and_cut_short_thumbnails(archive) -> None:
    archive.ingest(str(EXAMPLES))
    thumbs_before, originals_before = tree(archive.root, "thumbs"), tree(archive.root, "originals")
    rows = archive.rows("SELECT thumb_path, preview_path FROM photos ORDER BY id")
    (archive.root / rows[0]["thumb_path"]).unlink()
    preview = archive.root / rows[1]["preview_path"]
    preview.write_bytes(preview.read_bytes()[:2000])

    checked = json.loads(archive.run("verify", "--json", expect=1).stdout)
    found = [(f["kind"], f["path"]) for f in checked["findings"]]
    assert found == [("thumbnail", rows[0]["thumb_path"]), ("thumbnail", rows[1]["preview_path"])]
    counted = json.loads(archive.run("thumbs", "--dry-run", "--json").stdout)
    assert (counted["remade"], counted["failed"]) == (2, [])
    assert not (archive.root / rows[0]["thumb_path"]).exists()

    archive.run("thumbs")
    assert tree(archive.root, "thumbs") == thumbs_before  # the same bytes as at ingest
    assert tree(archive.root, "originals") == originals_before
    with Image.open(preview) as image:
        assert max(image.size) == 1280
    archive.run("verify", expect=0)


def test_all_remakes_everything_and_reports_a_missing_original(archive) -> None:
    archive.ingest(str(EXAMPLES))
    [row] = archive.rows("SELECT original_path FROM photos WHERE id = 3")
    original = archive.root / row["original_path"]
    original.chmod(0o644)
    original.unlink()
    result = json.loads(archive.run("thumbs", "--all", "--json", expect=1).stdout)
    assert result["remade"] == 4
    assert [(f["id"], f["path"]) for f in result["failed"]] == [(3, row["original_path"])]
