"""Clips get a preview every browser plays, made during ingest or later (issue 11).

Real clips (tests/clips.py) through the real command line; each preview is
opened again with PyAV and its pixels, size, codecs and tags looked at.
"""

from __future__ import annotations

import json
from pathlib import Path

import av

from tests.clips import located, make_clip


def _is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and g < 90 and b < 90


def _opened(path: Path) -> tuple[dict, list[str], av.VideoFrame]:
    with av.open(str(path)) as container:
        tags = dict(container.metadata)
        codecs = [s.codec_context.name for s in container.streams]
        frame = next(container.decode(video=0))
        return tags, codecs, frame


def test_a_rotated_clip_with_a_place_gets_an_upright_preview_without_it(archive, tmp_path):
    source = tmp_path / "VID_quay_doc.mov"
    make_clip(source, size=(480, 640), rotation=270, audio=True, metadata=located(), apple=False)
    report = archive.ingest(str(source))
    [said] = report["previews"]
    assert said["result"] == "made" and said["format"] == "video/mp4"
    [row] = archive.rows("SELECT * FROM photos")
    assert row["playback_path"] == f"playback/{row['sha256'][:2]}/{row['sha256']}.mp4"
    assert (row["playback_mime"], row["playback_width"], row["playback_height"]) == (
        "video/mp4",
        480,
        640,
    )
    tags, codecs, frame = _opened(archive.root / row["playback_path"])
    assert codecs == ["h264", "aac"]
    assert not {"location", "location-eng", "creation_time"} & set(tags)
    assert frame.rotation == 0 and (frame.width, frame.height) == (480, 640)
    picture = frame.to_image()
    assert _is_red(picture.getpixel((240, 4)))  # upright in its pixels: no matrix needed


def test_a_1080p_clip_is_brought_down_to_720p(archive, tmp_path):
    make_clip(tmp_path / "lon.mp4", size=(1920, 1080), seconds=1.0)
    archive.ingest(str(tmp_path / "lon.mp4"))
    [row] = archive.rows("SELECT * FROM photos")
    assert (row["width"], row["height"]) == (1920, 1080)
    assert (row["playback_width"], row["playback_height"]) == (1280, 720)
    _, codecs, frame = _opened(archive.root / row["playback_path"])
    assert codecs == ["h264"] and (frame.width, frame.height) == (1280, 720)


def test_a_clip_browsers_play_as_it_is_gets_no_copy(archive, tmp_path):
    make_clip(tmp_path / "nho.mp4", size=(640, 360), seconds=1.0, audio=True)
    result = archive.run("ingest", "--jobs", "1", str(tmp_path / "nho.mp4"))
    assert "No preview needed: nho.mp4 plays in browsers as it is" in result.stdout
    [row] = archive.rows("SELECT * FROM photos")
    assert row["playback_path"] is None and row["playback_mime"] is None
    assert not (archive.root / "playback").exists()


def test_a_clip_over_the_limit_gets_poster_and_facts_and_a_warning(archive, tmp_path):
    make_clip(tmp_path / "dai.mov", seconds=2.0)
    report = archive.ingest(str(tmp_path / "dai.mov"), "--max-clip-minutes", "0.01")
    assert report["added"] == 1 and report["failed"] == 0
    [warning] = [p for p in report["problems"] if p["stage"] == "preview"]
    assert warning["level"] == "warning" and "longer than 0.01 minutes" in warning["reason"]
    [row] = archive.rows("SELECT * FROM photos")
    assert row["playback_path"] is None and row["thumb_path"] and row["duration"] > 1.9
    refused = archive.run("settings", "set", "video_preview_max_minutes", "ba mươi", expect=2)
    assert "number of minutes" in refused.output
    archive.run("settings", "set", "video_preview_max_minutes", "0.01")
    result = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [said["result"] for said in result["previews"]] == ["too_long"]
    archive.run("settings", "set", "video_preview_max_minutes", "5")
    result = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [said["result"] for said in result["previews"]] == ["made"]


def test_previews_left_for_later_are_made_by_thumbs_videos(archive, tmp_path):
    make_clip(tmp_path / "sau.mov", seconds=1.0, audio=True)
    report = archive.ingest(str(tmp_path / "sau.mov"), "--no-video-previews")
    assert [said["result"] for said in report["previews"]] == ["off"]
    assert archive.rows("SELECT playback_path FROM photos") == [{"playback_path": None}]
    result = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [said["result"] for said in result["previews"]] == ["made"]
    [row] = archive.rows("SELECT * FROM photos")
    assert (archive.root / row["playback_path"]).is_file()
    again = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert again["previews"] == [] and again["remade"] == 0  # nothing left to do


def test_verify_and_thumbs_cover_clips(archive, tmp_path):
    make_clip(tmp_path / "kiem.mov", seconds=1.0)
    archive.ingest(str(tmp_path / "kiem.mov"))
    verified = json.loads(archive.run("verify", "--json").stdout)
    assert (verified["photos"], verified["ok"], verified["orphans"]) == (1, 1, 0)
    [row] = archive.rows("SELECT * FROM photos")
    (archive.root / row["playback_path"]).write_bytes(b"")
    (archive.root / row["preview_path"]).unlink()
    damaged = json.loads(archive.run("verify", "--json", expect=1).stdout)
    kinds = {(f["kind"], f["path"]) for f in damaged["findings"]}
    assert ("playback", row["playback_path"]) in kinds
    assert ("thumbnail", row["preview_path"]) in kinds
    remade = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert remade["remade"] == 1 and remade["failed"] == []
    assert [said["result"] for said in remade["previews"]] == ["made"]  # the emptied one
    assert json.loads(archive.run("verify", "--json").stdout)["ok"] == 1
    (archive.root / row["playback_path"]).unlink()
    remade = json.loads(archive.run("thumbs", "--videos", "--json").stdout)
    assert [said["result"] for said in remade["previews"]] == ["made"]
    assert (archive.root / row["playback_path"]).stat().st_size > 1000


def test_a_backup_holds_the_clip_and_its_preview(archive, tmp_path):
    make_clip(tmp_path / "sao_luu.mov", seconds=1.0)
    archive.ingest(str(tmp_path / "sao_luu.mov"))
    [row] = archive.rows("SELECT * FROM photos")
    dest = tmp_path / "usb"
    archive.run("backup", str(dest), "--json")
    for rel in (row["original_path"], row["thumb_path"], row["playback_path"]):
        copied = dest / "data" / rel
        assert copied.read_bytes() == (archive.root / rel).read_bytes(), rel
    manifest = (dest / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert f"data/{row['playback_path']}" in manifest


def test_an_iphone_hevc_clip_gets_an_h264_preview(archive, tmp_path):
    make_clip(tmp_path / "IMG_0007.MOV", codec="libx265", seconds=1.0, audio=True, apple=True)
    archive.ingest(str(tmp_path / "IMG_0007.MOV"))
    [row] = archive.rows("SELECT * FROM photos")
    assert (row["video_codec"], row["format"], row["mime"]) == (
        "hevc",
        "QuickTime",
        "video/quicktime",
    )
    _, codecs, frame = _opened(archive.root / row["playback_path"])
    assert codecs == ["h264", "aac"] and (frame.width, frame.height) == (320, 240)


def test_a_playable_clip_with_a_place_is_copied_without_its_tags(archive, tmp_path):
    source = make_clip(
        tmp_path / "VID_gps.mp4", size=(360, 640), rotation=90, audio=True, metadata=located()
    )
    report = archive.ingest(str(source.path))
    assert [said["result"] for said in report["previews"]] == ["copied"]
    [row] = archive.rows("SELECT * FROM photos")
    assert (row["playback_width"], row["playback_height"]) == (360, 640)
    tags, codecs, frame = _opened(archive.root / row["playback_path"])
    assert codecs == ["h264", "aac"]
    assert not {"location", "location-eng", "creation_time"} & set(tags)
    assert frame.rotation == 90  # the display matrix is kept: players turn it as before
    with av.open(str(source.path)) as a, av.open(str(archive.root / row["playback_path"])) as b:
        assert [p.size for p in a.demux(video=0)] == [p.size for p in b.demux(video=0)]


def test_a_clip_that_fails_its_preview_does_not_stop_the_others(archive, tmp_path):
    make_clip(tmp_path / "a.mov", seconds=1.0)
    make_clip(tmp_path / "b.mov", seconds=1.0, size=(240, 320))
    archive.ingest(str(tmp_path), "--no-video-previews")
    first = archive.rows("SELECT * FROM photos ORDER BY id")[0]
    damaged = archive.root / first["original_path"]
    damaged.chmod(0o644)
    damaged.write_bytes(damaged.read_bytes()[:600])  # gone bad at rest (verify would say so)
    result = json.loads(archive.run("thumbs", "--videos", "--json", expect=1).stdout)
    outcome = {said["id"]: said["result"] for said in result["previews"]}
    assert sorted(outcome.values()) == ["failed", "made"] and outcome[first["id"]] == "failed"
    [failure] = [f for f in result["failed"] if f["id"] == first["id"] and "path" in f]
    assert failure["reason"]
