"""Clips from an event folder are archived as photos are (issue 11, acceptance 1).

Every clip is made here with PyAV (tests/clips.py); the archive is driven
through the real command line into a real catalog and store.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.clips import (
    CREATION_TIME,
    HANOI,
    apple_located,
    located,
    make_audio_only,
    make_clip,
    make_empty,
    make_lying_duration,
    make_truncated,
    make_undecodable,
)
from tests.images import make_jpeg


def _is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 150 and g < 90 and b < 90


def _event_folder(folder: Path) -> dict[str, object]:
    folder.mkdir()
    (folder / "event.yml").write_text(
        "title: Lễ khai giảng năm học 2024-2025\ndate: 2024-09-05\n", encoding="utf-8"
    )
    for n in range(3):
        make_jpeg(folder / f"IMG_{n + 1:04d}.jpg", taken=f"2024:09:05 08:0{n}:00")
    rotated = make_clip(folder / "VID_quay_doc.mp4", size=(320, 240), rotation=90, audio=True)
    placed = make_clip(folder / "VID_chao_co.mp4", metadata=located(), audio=True)
    make_truncated(folder / "VID_hong.mp4")
    (folder / "captions.csv").write_text(
        "file,caption,units\n"
        "VID_chao_co.mp4,Lễ chào cờ đầu năm học,Chi đoàn phường 6\n"
        "IMG_0001.jpg,Học sinh xếp hàng,\n",
        encoding="utf-8",
    )
    return {"rotated": rotated, "placed": placed}


def test_an_event_folder_with_clips_ingests_the_good_ones(archive, tmp_path: Path) -> None:
    made = _event_folder(tmp_path / "khai-giang")
    report = archive.ingest(str(tmp_path / "khai-giang"), "--no-video-previews", expect=1)
    assert report["added"] == 5 and report["failed"] == 1
    [problem] = [p for p in report["problems"] if p["level"] == "error"]
    assert problem["path"].endswith("VID_hong.mp4")
    assert "cut short" in problem["reason"]

    rows = {r["original_name"]: r for r in archive.rows("SELECT * FROM photos")}
    assert len(rows) == 5
    assert {n for n, r in rows.items() if r["media_type"] == "video"} == {
        "VID_quay_doc.mp4",
        "VID_chao_co.mp4",
    }
    assert {r["media_type"] for n, r in rows.items() if n.endswith(".jpg")} == {"photo"}

    rotated, clip = rows["VID_quay_doc.mp4"], made["rotated"]
    assert (rotated["width"], rotated["height"]) == (clip.width, clip.height) == (320, 240)
    poster = Image.open(archive.root / rotated["preview_path"])
    assert poster.size == (320, 240)
    assert _is_red(poster.getpixel((poster.width // 2, 3)))  # the red band is on top
    assert not _is_red(poster.getpixel((3, poster.height // 2)))
    assert rotated["duration"] == pytest.approx(clip.seconds, abs=0.1)
    assert rotated["video_codec"] == "h264" and rotated["audio_codec"] == "aac"
    assert rotated["frame_rate"] == 25.0 and rotated["bitrate"] > 0

    placed = rows["VID_chao_co.mp4"]
    written = datetime.fromisoformat(CREATION_TIME.replace("Z", "+00:00"))
    assert datetime.fromisoformat(placed["taken_at"]) == written
    assert placed["taken_at_source"] == "creation_time"
    assert (placed["gps_lat"], placed["gps_lon"], placed["gps_alt"]) == pytest.approx(HANOI)
    assert placed["caption"] == "Lễ chào cờ đầu năm học"
    assert placed["units"] == '["Chi đoàn phường 6"]'
    original = archive.root / placed["original_path"]
    source = tmp_path / "khai-giang" / "VID_chao_co.mp4"
    assert original.read_bytes() == source.read_bytes()
    assert placed["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert placed["mime"] == "video/mp4" and placed["format"] == "MP4"
    thumb = Image.open(archive.root / placed["thumb_path"])
    assert thumb.size == (320, 240)  # the 320 thumbnail of a 320 x 240 clip
    assert not thumb.getexif() and "exif" not in thumb.info

    db = archive.catalog().db
    hits = db.execute("SELECT rowid FROM photos_fts WHERE photos_fts MATCH 'chao co'").fetchall()
    assert hits == [(placed["id"],)]
    by_unit = "SELECT photo_id FROM photo_units JOIN units u ON u.id = unit_id WHERE u.name = ?"
    assert db.execute(by_unit, ("Chi đoàn phường 6",)).fetchall() == [(placed["id"],)]
    again = archive.ingest(str(tmp_path / "khai-giang"), "--no-video-previews", expect=1)
    assert again["added"] == 0 and again["unchanged"] == 5


def test_bad_clips_are_named_with_their_reasons(archive, tmp_path: Path) -> None:
    folder = tmp_path / "hong"
    folder.mkdir()
    make_empty(folder / "rong.mp4")
    make_audio_only(folder / "ghi_am.mp4")
    make_truncated(folder / "cat_ngan.mov", keep=0.4)
    (folder / "gia.mkv").write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 200)
    make_undecodable(folder / "so_khong.mp4")
    make_clip(folder / "tot.webm", codec="libvpx-vp9", seconds=1.0, audio=True)
    report = archive.ingest(str(folder), "--no-video-previews", expect=1)
    reasons = {Path(p["path"]).name: p["reason"] for p in report["problems"]}
    assert report["added"] == 1 and report["failed"] == 5, reasons
    assert "no decodable video frame" in reasons["so_khong.mp4"]
    assert "0 bytes" in reasons["rong.mp4"]
    assert "sound only" in reasons["ghi_am.mp4"]
    assert "cut short" in reasons["cat_ngan.mov"]
    assert reasons["gia.mkv"]
    [row] = archive.rows("SELECT * FROM photos")
    assert (row["format"], row["mime"], row["video_codec"]) == ("WebM", "video/webm", "vp9")
    assert row["audio_codec"] == "opus"


def test_an_iphone_clip_keeps_its_zone_and_camera(archive, tmp_path: Path) -> None:
    make_clip(tmp_path / "IMG_0042.MOV", metadata=apple_located(), apple=True)
    archive.ingest(str(tmp_path / "IMG_0042.MOV"), "--no-video-previews")
    [row] = archive.rows("SELECT * FROM photos")
    assert row["taken_at"] == "2024-09-05T08:30:00+07:00"
    assert row["taken_at_source"] == "com.apple.quicktime.creationdate"
    assert (row["make"], row["model"], row["camera"]) == ("Apple", "iPhone 13", "Apple iPhone 13")
    assert (row["format"], row["ext"]) == ("QuickTime", "mov")
    assert row["gps_lat"] == pytest.approx(HANOI[0])


def test_the_poster_skips_a_black_opening(archive, tmp_path: Path) -> None:
    make_clip(tmp_path / "toi.mp4", seconds=3.0, black_seconds=1.5)
    archive.ingest(str(tmp_path / "toi.mp4"), "--no-video-previews")
    [row] = archive.rows("SELECT * FROM photos")
    poster = Image.open(io.BytesIO((archive.root / row["thumb_path"]).read_bytes()))
    grey = poster.convert("L").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert grey > 60  # the gradient, not the covered lens
    assert row["duration"] == pytest.approx(3.0, abs=0.1)


def test_a_clip_misnamed_as_a_photo_is_still_a_clip(archive, tmp_path: Path) -> None:
    make_clip(tmp_path / "clip.mp4")
    (tmp_path / "clip.mp4").rename(tmp_path / "VID_0001.dat")
    report = archive.ingest(str(tmp_path / "VID_0001.dat"), "--no-video-previews")
    assert report["added"] == 1
    [row] = archive.rows("SELECT media_type, ext FROM photos")
    assert row == {"media_type": "video", "ext": "mp4"}


def test_a_header_that_lies_about_the_length_is_not_believed(archive, tmp_path: Path) -> None:
    make_lying_duration(tmp_path / "noi_doi.mkv", claims=3600.0)
    report = archive.ingest(str(tmp_path / "noi_doi.mkv"))
    [warning] = [p for p in report["problems"] if "3,600.0 s" in p["reason"]]
    assert warning["level"] == "warning" and "2.0 s" in warning["reason"]
    [row] = archive.rows("SELECT * FROM photos")
    assert row["duration"] == pytest.approx(2.0, abs=0.1)
    assert [said["result"] for said in report["previews"]] == ["made"]  # not "too long"


def _article(folder: Path, captions: list[str]) -> None:
    body = (
        "Lễ khai giảng năm học 2024-2025\n\nPhường 6 tổ chức lễ khai giảng.\n\nMột số hình ảnh\n\n"
    )
    (folder / "article.txt").write_text(body + "\n\n".join(captions) + "\n", encoding="utf-8")


def test_an_article_captions_clips_in_file_name_order(archive, tmp_path: Path) -> None:
    folder = tmp_path / "bai-viet"
    folder.mkdir()
    make_jpeg(folder / "01.jpg")
    make_clip(folder / "02.mp4", seconds=1.0)
    make_jpeg(folder / "03.jpg", color=(10, 200, 30))
    _article(folder, ["Ảnh một", "Video chào cờ", "Ảnh ba"])
    archive.ingest(str(folder), "--no-video-previews")
    got = {r["original_name"]: r["caption"] for r in archive.rows("SELECT * FROM photos")}
    assert got == {"01.jpg": "Ảnh một", "02.mp4": "Video chào cờ", "03.jpg": "Ảnh ba"}


def test_an_article_that_lists_only_the_photos_still_captions_them(archive, tmp_path) -> None:
    folder = tmp_path / "bai-viet"
    folder.mkdir()
    make_jpeg(folder / "01.jpg")
    make_clip(folder / "02.mp4", seconds=1.0)
    make_jpeg(folder / "03.jpg", color=(10, 200, 30))
    _article(folder, ["Ảnh một", "Ảnh ba"])
    archive.ingest(str(folder), "--no-video-previews")
    got = {r["original_name"]: r["caption"] for r in archive.rows("SELECT * FROM photos")}
    assert got == {"01.jpg": "Ảnh một", "02.mp4": None, "03.jpg": "Ảnh ba"}


def test_a_clip_without_a_date_is_told_of_as_a_clip(archive, tmp_path: Path) -> None:
    """A clip with no creation_time takes its event's day; the warning says clip, not photo."""
    folder = tmp_path / "van-nghe"
    folder.mkdir()
    (folder / "event.yml").write_text("title: Văn nghệ\ndate: 2024-09-02\n", encoding="utf-8")
    make_clip(folder / "VID_van_nghe.mp4", seconds=1.0)
    report = archive.ingest(str(folder), "--no-video-previews")
    [warning] = [p for p in report["problems"] if p["stage"] == "date"]
    assert warning["path"].endswith("VID_van_nghe.mp4")
    assert warning["reason"] == "no date in the clip: dated by the event, 02/09/2024"
