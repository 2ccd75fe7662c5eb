"""Vietnamese text arrives NFC in the catalog, whatever encoding or normalisation it came in."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from tests.images import make_jpeg

CAPTION = "Đảng ủy phường 6 học tập Chỉ thị 05-CT/TW tại Hội trường"
UNIT = "Chi bộ Khu phố 3"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def cp1258_as_windows_writes(text: str) -> bytes:
    """Windows-1258 keeps ă â ê ô ơ ư đ whole and sends the five tones as separate bytes."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in decomposed if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def is_nfc(value: str) -> bool:
    return unicodedata.is_normalized("NFC", value)


ENCODINGS = {
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "utf-16": lambda text: text.replace(",", "\t").encode("utf-16"),
    "windows-1258": cp1258_as_windows_writes,
    "utf-8-nfd": lambda text: nfd(text).encode("utf-8"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_caption_sheet_encodings_arrive_nfc(archive, tmp_path: Path, encoding: str) -> None:
    folder = tmp_path / "su-kien"
    folder.mkdir()
    make_jpeg(folder / "anh-1.jpg", color=(10, 20, 30))
    make_jpeg(folder / "anh-2.jpg", color=(30, 20, 10))
    sheet = (
        "file,caption,units,tags\r\n"
        f"anh-1.jpg,{CAPTION},{UNIT};Đoàn Thanh niên phường,học tập\r\n"
        "anh-2.jpg,Lễ chào cờ đầu tuần ở trường,Trường THCS Nguyễn Gia Thiều,\r\n"
    )
    (folder / "captions.csv").write_bytes(ENCODINGS[encoding](sheet))
    archive.ingest(str(folder))
    rows = archive.rows("SELECT caption, units, tags FROM photos ORDER BY original_name")
    assert rows[0]["caption"] == CAPTION
    assert json.loads(rows[0]["units"]) == [UNIT, "Đoàn Thanh niên phường"]
    assert json.loads(rows[0]["tags"]) == ["học tập"]
    assert rows[1]["caption"] == "Lễ chào cờ đầu tuần ở trường"
    for table, column in (
        ("photos", "caption"),
        ("units", "name"),
        ("tags", "name"),
        ("events", "title"),
    ):
        for row in archive.rows(f"SELECT {column} AS v FROM {table}"):
            assert is_nfc(row["v"]), (table, row["v"])


def test_nfd_from_the_command_line_and_a_mac_file_name(archive, tmp_path: Path) -> None:
    folder = tmp_path / nfd("Lễ khai giảng")
    folder.mkdir()
    photo = folder / nfd("Ảnh học sinh.jpg")
    make_jpeg(photo)
    archive.ingest(
        str(photo),
        "--caption",
        nfd(CAPTION),
        "--unit",
        nfd(UNIT),
        "--event-title",
        nfd("Lễ khai giảng năm học mới"),
        "--date",
        "05/09/2024",
    )
    [row] = archive.rows(
        "SELECT p.caption, p.units, p.original_name, p.caption_source, e.title,"
        " e.date, e.slug FROM photos p JOIN events e ON e.id = p.event_id"
    )
    assert row["caption"] == CAPTION and is_nfc(row["caption"])
    assert json.loads(row["units"]) == [UNIT]
    assert row["original_name"] == "Ảnh học sinh.jpg" and is_nfc(row["original_name"])
    assert row["caption_source"] == "cli"
    assert (row["title"], row["date"], row["slug"]) == (
        "Lễ khai giảng năm học mới",
        "2024-09-05",
        "le-khai-giang-nam-hoc-moi",
    )


def test_sheet_names_match_nfd_file_names(archive, tmp_path: Path) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    make_jpeg(folder / nfd("Chào cờ.jpg"))
    (folder / "captions.csv").write_text("file,caption\nChào cờ.jpg,Lễ chào cờ\n", "utf-8")
    report = archive.ingest(str(folder))
    assert report["problems"] == []
    assert archive.rows("SELECT caption FROM photos")[0]["caption"] == "Lễ chào cờ"


def test_mojibake_is_refused_not_stored(archive, tmp_path: Path) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    make_jpeg(folder / "a.jpg", description=None)
    # What the caption looks like saved in the old TCVN3 font encoding: not Unicode at all.
    (folder / "captions.csv").write_bytes(b"file,caption\na.jpg,\xa7\xb6ng \xf2y ph\xad\xeang 6\n")
    report = archive.ingest(str(folder))
    [problem] = [p for p in report["problems"] if p["path"].endswith("captions.csv")]
    assert "UTF-8" in problem["reason"]
    [row] = archive.rows("SELECT caption FROM photos")
    assert row["caption"] is None  # the photo is archived; no garbage caption is
