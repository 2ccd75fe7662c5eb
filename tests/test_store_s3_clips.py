"""Clips in a bucket archive: stored, previewed, thumbnailed again and played with ranges.

A clip's readers need a file (PyAV opens paths), so on a bucket they read a local copy
of the object; this is where that path is exercised against the real radosgw.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.browser import ArchiveServer
from tests.clips import located, make_clip
from tests.s3_bucket import Bucket, bucket_fixture  # noqa: F401 (a fixture)
from tests.test_store_s3 import _get, bucket_archive


def test_a_clip_in_a_bucket_archive_is_stored_previewed_and_played(tmp_path: Path, bucket: Bucket):
    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "clips")
    folder = tmp_path / "le-chao-co"
    folder.mkdir()
    clip = make_clip(folder / "VID_chao_co.mp4", seconds=2.0, rotation=90, metadata=located())
    report = archive.ingest(str(folder), "--no-video-previews")
    assert (report["added"], report["failed"]) == (1, 0), report["problems"]
    row = archive.rows("SELECT * FROM photos")[0]
    source = clip.path.read_bytes()
    assert bucket.get(prefix, row["original_path"]) == source
    assert row["sha256"] == hashlib.sha256(source).hexdigest()
    assert (row["width"], row["height"]) == (320, 240)  # as seen: the rotation applied

    # The preview is made later; the source moved away, from the bucket's object (its local
    # copy), and it lands there.
    clip.path.rename(tmp_path / "moved.mp4")
    remade = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [(p["result"], p["read_from"]) for p in remade["previews"]] == [("copied", "store")]
    row = archive.rows("SELECT * FROM photos")[0]
    assert row["playback_path"] and row["playback_path"].startswith("playback/")
    preview = bucket.get(prefix, row["playback_path"])
    assert preview[4:8] == b"ftyp"
    assert not any((archive.root).rglob("*.mp4"))  # nothing of the clip kept locally

    verified = json.loads(archive.run("verify", "--json").stdout)  # exit 0
    assert (verified["ok"], verified["failed"], verified["orphans"]) == (1, 0, 0)
    assert verified["findings"] == [] and verified["bytes_hashed"] >= len(source)
    with ArchiveServer(archive.root) as server:
        status, headers, body = _get(
            server.url(f"/-/images/playback/{row['id']}"), {"Range": "bytes=0-99"}
        )
        assert (status, body) == (206, preview[:100])
        assert headers["content-range"] == f"bytes 0-99/{len(preview)}"
        status, _headers, body = _get(server.url(f"/-/images/original/{row['id']}"))
        assert (status, body) == (200, source)


def test_a_clip_s_preview_is_read_from_its_unchanged_source_else_from_the_object(
    tmp_path: Path, bucket: Bucket
):
    """At ingest the source is still there: the preview is transcoded from it, not from a
    download of the object just uploaded. A source changed since (same size, other bytes)
    or gone is not used: the object is, and the preview is of the archived bytes."""
    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "clipsrc")
    folder = tmp_path / "hop-to"
    folder.mkdir()
    make_clip(folder / "VID_hop_to_1.mp4", seconds=1.0, codec="mpeg4")
    make_clip(folder / "VID_hop_to_2.mp4", seconds=1.2, codec="mpeg4", size=(240, 160))
    report = archive.ingest(str(folder))
    assert (report["added"], report["failed"]) == (2, 0), report["problems"]
    assert [(p["result"], p["read_from"]) for p in report["previews"]] == [("made", "source")] * 2
    rows = archive.rows("SELECT * FROM photos ORDER BY id")
    for row in rows:
        assert bucket.get(prefix, row["playback_path"])[4:8] == b"ftyp"

    # Changed in place after the ingest (a byte flipped: same size), the other one deleted.
    changed = Path(rows[0]["source_path"])
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    changed.write_bytes(bytes(data))
    Path(rows[1]["source_path"]).unlink()
    for row in rows:
        bucket.client.delete_object(Bucket=bucket.name, Key=f"{prefix}/{row['playback_path']}")
    remade = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [(p["result"], p["read_from"]) for p in remade["previews"]] == [("made", "store")] * 2
    verified = json.loads(archive.run("verify", "--json").stdout)
    assert (verified["ok"], verified["failed"], verified["orphans"]) == (2, 0, 0), verified
