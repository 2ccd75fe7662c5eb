"""The bundled example: one event from its article, five captioned photos, units, thumbnails."""

from __future__ import annotations

import json

from PIL import Image

from tests.conftest import EXAMPLE_EVENT, EXAMPLES

CAPTIONS = [
    "Trụ sở Uỷ ban nhân dân phường 6",
    "Chi bộ Công an phường",
    "Cán bộ, đảng viên Trường THCS Nguyễn Gia Thiều",
    "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    "Học sinh trường THCS Nguyễn Gia Thiều cùng tham gia lắng nghe học tập",
]


def test_example_archive(archive) -> None:
    report = archive.ingest(str(EXAMPLES))
    assert (report["added"], report["failed"]) == (5, 0), report["problems"]

    [event] = archive.rows("SELECT * FROM events")
    assert event["title"] == "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
    assert event["slug"] == "to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018"
    assert event["date"] == "2017-12-22"
    assert event["description"].startswith("Thực hiện Thông báo số 83-TB/BTGQU")
    assert "1902" not in event["description"] and "Ban biên tập" not in event["description"]

    photos = archive.rows("SELECT * FROM photos ORDER BY original_name")
    assert [p["caption"] for p in photos] == CAPTIONS
    assert {p["caption_source"] for p in photos} == {"article"}
    assert all(p["event_id"] == event["id"] for p in photos)
    assert [json.loads(p["units"]) for p in photos] == [
        ["Ủy ban nhân dân phường 6"],  # as event.yml first wrote it; the sheet says "Uỷ ban"
        ["Chi bộ Công an phường"],
        ["Trường THCS Nguyễn Gia Thiều", "Đảng ủy phường 6"],
        ["Bộ phận văn thư phường 6"],
        ["Trường THCS Nguyễn Gia Thiều"],
    ]
    links = archive.rows("SELECT count(*) AS n FROM photo_units")[0]["n"]
    assert links == 6
    # "Uỷ ban" in the sheet and "Ủy ban" in event.yml are one unit.
    assert len(archive.rows("SELECT * FROM units WHERE slug = 'uy-ban-nhan-dan-phuong-6'")) == 1

    for photo in photos:
        assert photo["taken_at"].startswith("2017-12-22T") and photo["taken_at"].endswith("+07:00")
        assert photo["camera"] == "samsung SM-J710F"
        assert abs(photo["gps_lat"] - 10.78) < 0.01 and abs(photo["gps_lon"] - 106.69) < 0.01
        original = archive.root / photo["original_path"]
        source = EXAMPLE_EVENT / photo["original_name"]
        assert original.read_bytes() == source.read_bytes()
        for column, size in (("thumb_path", 320), ("preview_path", 1280)):
            with Image.open(archive.root / photo[column]) as thumb:
                assert max(thumb.size) == size
                # upright: the example's photos are landscape once oriented
                assert thumb.width > thumb.height


def test_events_command_shows_the_example(archive) -> None:
    archive.ingest(str(EXAMPLES))
    listing = json.loads(archive.run("events", "--json").stdout)
    assert [(e["date"], e["photos"]) for e in listing] == [("2017-12-22", 5)]
    shown = json.loads(archive.run("events", listing[0]["slug"], "--json").stdout)
    assert shown["organizer"] == "Đảng ủy phường 6"
    assert "Chi bộ Công an phường" in shown["units"]
    text = archive.run("events", listing[0]["slug"]).stdout
    assert "photos      5" in text
