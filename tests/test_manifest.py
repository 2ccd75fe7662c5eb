"""Manifest readers against real files, written the way staff's Notepad and Excel write them."""

from __future__ import annotations

import codecs
import shutil
import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from archive.text import TONE_MARKS
from ingest.manifest import (
    CaptionSheet,
    ManifestError,
    find_manifests,
    read_article,
    read_caption_sheet,
    read_event_yml,
)
from tests.conftest import missing_tool

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
TITLE = "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
CAPTIONS = (
    "Trụ sở Uỷ ban nhân dân phường 6",
    "Chi bộ Công an phường",
    "Cán bộ, đảng viên Trường THCS Nguyễn Gia Thiều",
    "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    "Học sinh trường THCS Nguyễn Gia Thiều cùng tham gia lắng nghe học tập",
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def windows_1258(text: str) -> bytes:
    """Windows' cp1258: ă â ê ô ơ ư whole, the five tone marks as separate combining bytes."""
    pieces = []
    for ch in unicodedata.normalize("NFC", text):
        parts = nfd(ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        pieces.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(pieces).encode("cp1258")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def assert_one_line_error(caught: pytest.ExceptionInfo[ManifestError], path: Path) -> str:
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return caught.value.reason


# --- event.yml -------------------------------------------------------------------------------


def test_event_yml_english_keys(tmp_path: Path) -> None:
    text = (
        f"title: {nfd(TITLE)}\n"
        "date: 2017-12-22\n"
        "location: Hội trường Ủy ban nhân dân phường 6\n"
        "organizer: Đảng ủy phường 6\n"
        "description: |\n  Học tập trực tuyến   trên kênh HTV9.\n  Lúc 8h.\n\n  Đoạn hai.\n"
        "units:\n  - Đảng ủy phường 6\n  - Chi bộ Công an phường; Tổ dân phố 12\n"
        "  - dang uy phuong 6\n"
        "tags: học tập, Chỉ thị 05; HỌC TẬP\n"
        "slug: Học tập 05 / 2018\n"
    )
    info = read_event_yml(write(tmp_path / "event.yml", text))
    assert info.title == TITLE
    assert info.date == "2017-12-22"
    assert info.location == "Hội trường Ủy ban nhân dân phường 6"
    assert info.organizer == "Đảng ủy phường 6"
    assert info.description == "Học tập trực tuyến trên kênh HTV9. Lúc 8h.\n\nĐoạn hai."
    assert info.units == ("Đảng ủy phường 6", "Chi bộ Công an phường", "Tổ dân phố 12")
    assert info.tags == ("học tập", "Chỉ thị 05")
    assert info.slug == "hoc-tap-05-2018"
    assert info.source == str(tmp_path / "event.yml")


def test_event_yml_vietnamese_keys_in_windows_1258(tmp_path: Path) -> None:
    text = (
        f"Tiêu đề: {TITLE}\r\nNgày: 22/12/2017\r\nĐịa điểm: Phường 6\r\n"
        "Đơn vị tổ chức: Đảng ủy phường 6\r\nMô tả: Học tập Chỉ thị 05\r\n"
        "Đơn vị: Uỷ ban nhân dân phường 6; Ủy ban nhân dân phường 6;"
        " Trường THCS Nguyễn Gia Thiều\r\n"
        "Thẻ: [chỉ thị 05, học tập]\r\n"
    )
    path = tmp_path / "event.yml"
    path.write_bytes(windows_1258(text))
    info = read_event_yml(path)
    assert info.title == TITLE
    assert info.date == "2017-12-22"
    assert info.location == "Phường 6"
    assert info.organizer == "Đảng ủy phường 6"
    assert info.description == "Học tập Chỉ thị 05"
    assert info.units == ("Uỷ ban nhân dân phường 6", "Trường THCS Nguyễn Gia Thiều")
    assert info.tags == ("chỉ thị 05", "học tập")
    assert info.slug is None


def test_empty_event_yml_marks_an_event_with_nothing_said(tmp_path: Path) -> None:
    info = read_event_yml(write(tmp_path / "event.yml", "# điền sau\n"))
    assert (info.title, info.date, info.units, info.tags) == (None, None, (), ())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("title: a\n  b: c\n", "invalid YAML at line 2", id="bad-yaml"),
        pytest.param("title: [unclosed\n", "invalid YAML at line 2", id="unclosed-list"),
        pytest.param("date: 2017-12-32\n", "impossible date", id="impossible-yaml-date"),
        pytest.param("date: 32/13/2017\n", "'date': '32/13/2017' is not a date", id="bad-date"),
        pytest.param("date: 20171222\n", "is not a date", id="date-number"),
        pytest.param("ngày: hôm qua\n", "'ngày': 'hôm qua' is not a date", id="date-words"),
        pytest.param("- title\n- date\n", "expected 'key: value' lines, found a list", id="list"),
        pytest.param("title: [a, b]\n", "'title' must be text, not a list", id="title-list"),
        pytest.param("location: yes\n", "not a yes/no value", id="location-bool"),
        pytest.param("units: {a: 1}\n", "'units' must be text or a list", id="units-map"),
        pytest.param("tags: [a, [b]]\n", "not a list", id="nested-tag"),
        pytest.param("titel: Học tập\n", "unknown key 'titel'", id="unknown-key"),
        pytest.param("title: A\nTiêu đề: B\n", "'title' and 'Tiêu đề' both", id="twice"),
        pytest.param("slug: '!!!'\n", "has no letters or digits", id="empty-slug"),
        # Found by tests/test_fuzz_manifests.py: these escaped as RecursionError/AttributeError.
        pytest.param("title: " + "[" * 3000, "nested more than 20 deep", id="deep-nesting"),
        pytest.param("title: " + "{a: " * 3000, "nested more than 20 deep", id="deep-mapping"),
        pytest.param("date: !!timestamp 'x'\n", "invalid YAML value", id="tagged-timestamp"),
        pytest.param("title: !!bool maybe\n", "invalid YAML value", id="tagged-bool"),
        pytest.param("1:\n  - !!float", "invalid YAML value", id="tagged-empty-float"),
        pytest.param("title: " + "1" * 5000, "impossible date or number", id="huge-int"),
        pytest.param("? " + "x" * 5000 + "\n: a\n", "unknown key", id="reason-bounded"),
    ],
)
def test_event_yml_errors_name_the_file_and_reason(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path / "event.yml", text)
    with pytest.raises(ManifestError) as caught:
        read_event_yml(path)
    assert reason in assert_one_line_error(caught, path)
    assert len(caught.value.reason) <= 500


def test_event_yml_undecodable_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "event.yml"
    path.write_bytes(b"title: T\xe6 ch\xf8c h\xe4c t\xcbp\n")  # TCVN3 font bytes
    with pytest.raises(ManifestError) as caught:
        read_event_yml(path)
    assert "save as CSV UTF-8" in assert_one_line_error(caught, path)
    with pytest.raises(ManifestError, match="cannot read"):
        read_event_yml(tmp_path / "missing" / "event.yml")


# --- caption sheets --------------------------------------------------------------------------


def test_comma_csv_with_quoted_newlines_and_delimiters(tmp_path: Path) -> None:
    text = (
        "file,caption,units,tags,taken_at\n"
        f'IMG_0001.JPG,"{CAPTIONS[0]}, sáng 22/12",Ủy ban nhân dân phường 6,"trụ sở, 2018",'
        "2017-12-22 08:05\n"
        f'IMG_0002.JPG,"{CAPTIONS[1]}\nhọc tập",Chi bộ Công an phường,,22/12/2017\n'
        "IMG_0003.JPG,,,,22/12/2017 8h30\n"
    )
    sheet = read_caption_sheet(write(tmp_path / "captions.csv", text))
    first, second, third = sheet.rows
    assert first.caption == f"{CAPTIONS[0]}, sáng 22/12"
    assert first.units == ("Ủy ban nhân dân phường 6",)
    assert first.tags == ("trụ sở", "2018")
    assert first.taken_at == "2017-12-22T08:05:00"
    assert (second.caption, second.taken_at) == (f"{CAPTIONS[1]} học tập", "2017-12-22")
    assert (third.caption, third.units, third.taken_at) == (None, (), "2017-12-22T08:30:00")
    assert [row.line for row in sheet.rows] == [2, 3, 4]  # Excel rows, not physical lines
    assert sheet.warnings == ()


def test_semicolon_csv_with_vietnamese_headers_and_bom(tmp_path: Path) -> None:
    text = (
        "Tên tệp;Chú thích;Đơn vị;Thẻ;Ngày chụp;Ghi chú\n"
        f"{nfd('Ảnh trụ sở.jpg')};{nfd(CAPTIONS[0])};Uỷ ban nhân dân phường 6; học tập, 2018 ;"
        "22/12/2017 08:00:15;x\n"
        ";Không có tên tệp;;;;\n"
        ";;;;;\n"
        "IMG_0009.JPG;Ảnh chín;;;hôm qua;\n"
        "ảnh trụ sở.JPG;Thay thế;;;;\n"
    )
    path = tmp_path / "captions.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    sheet = read_caption_sheet(path)
    assert [row.file for row in sheet.rows] == ["IMG_0009.JPG", "ảnh trụ sở.JPG"]
    assert sheet.rows[1].caption == "Thay thế"  # duplicate file: the last row wins
    assert sheet.rows[0].taken_at is None
    assert sheet.warnings == (
        "row 1: ignored columns: Ghi chú",
        "row 3: no file name; row skipped",
        "row 5: taken_at 'hôm qua' is not a date or time; left empty",
        "row 6: ảnh trụ sở.JPG is also on row 2; row 6 wins",
    )


def test_excel_unicode_text_is_utf16_tab_separated(tmp_path: Path) -> None:
    text = "Tên tệp\tChú thích\tĐơn vị\r\nIMG_0001.JPG\t" + CAPTIONS[0] + "\tChi bộ; Tổ dân phố\r\n"
    path = tmp_path / "captions.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (row,) = read_caption_sheet(path).rows
    assert (row.file, row.caption, row.units) == (
        "IMG_0001.JPG",
        CAPTIONS[0],
        ("Chi bộ", "Tổ dân phố"),
    )


def test_excel_sep_hint_line_is_obeyed_and_not_counted(tmp_path: Path) -> None:
    text = "sep=;\nfile;caption\nIMG_0001.JPG;Trụ sở, phường 6\n"
    (row,) = read_caption_sheet(write(tmp_path / "captions.csv", text)).rows
    assert (row.caption, row.line) == ("Trụ sở, phường 6", 2)


def test_windows_1258_csv(tmp_path: Path) -> None:
    path = tmp_path / "captions.csv"
    path.write_bytes(windows_1258(f"Tệp;Mô tả\r\nIMG_0004.JPG;{CAPTIONS[3]}\r\n"))
    assert read_caption_sheet(path).rows[0].caption == CAPTIONS[3]


def test_xlsx_with_datetime_and_numeric_file_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH ẢNH HỌC TẬP CHỈ THỊ 05"])  # a title row above the header
    sheet.append(["Ảnh", "Chú thích", "Đơn vị", "Thẻ", "Thời gian chụp"])
    sheet.append(
        [1, CAPTIONS[0], "Ủy ban nhân dân phường 6", "trụ sở", datetime(2017, 12, 22, 8, 5)]
    )
    sheet.append([2.0, nfd(CAPTIONS[1]), None, None, date(2017, 12, 22)])
    sheet.append([])  # an empty row keeps the numbering of the rows below
    sheet.append(
        ["IMG_0005.JPG", CAPTIONS[4], "Trường THCS Nguyễn Gia Thiều\nTổ dân phố 3", None, 7]
    )
    workbook.save(tmp_path / "captions.xlsx")
    result = read_caption_sheet(tmp_path / "captions.xlsx")
    one, two, five = result.rows
    assert (one.file, one.taken_at, one.line) == ("1", "2017-12-22T08:05:00", 3)
    assert (two.file, two.caption, two.taken_at, two.line) == ("2", CAPTIONS[1], "2017-12-22", 4)
    assert five.units == ("Trường THCS Nguyễn Gia Thiều", "Tổ dân phố 3")
    assert five.line == 6
    assert result.warnings == ("row 6: taken_at '7' is not a date or time; left empty",)
    assert result.lookup("1.jpg") is one


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param("captions.csv", "Chú thích,Đơn vị\nabc,def\n", "no file column", id="no-file"),
        pytest.param("captions.csv", "\n\n", "empty caption sheet", id="empty"),
        pytest.param("captions.xlsx", "not a zip", "not a readable .xlsx", id="corrupt-xlsx"),
        pytest.param("captions.csv", "PK\x03\x04xl/", "an .xlsx saved under", id="xlsx-as-csv"),
        pytest.param("captions.xls", "old", "not a readable Excel 97-2003 .xls", id="xls"),
        pytest.param("captions.ods", "x", "expected a .csv, .tsv, .txt, .xlsx", id="ods"),
    ],
)
def test_caption_sheet_errors(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(ManifestError) as caught:
        read_caption_sheet(path)
    assert reason in assert_one_line_error(caught, path)


def test_lookup_by_nfd_name_path_and_without_extension(tmp_path: Path) -> None:
    text = (
        "file,caption\n"
        "Ảnh trụ sở Ủy ban.jpg,trụ sở\n"
        "IMG_0002,không có đuôi\n"
        "lop 6a\\IMG_0003.JPG,trong thư mục\n"
    )
    sheet = read_caption_sheet(write(tmp_path / "captions.csv", text))
    assert isinstance(sheet, CaptionSheet)
    assert sheet.lookup(nfd("ảnh trụ sở Uỷ ban.JPG")).caption == "trụ sở"  # NFD, case, tone
    assert sheet.lookup("IMG_0002.JPG").caption == "không có đuôi"
    assert sheet.lookup("buoi sang/IMG_0002.heic").caption == "không có đuôi"
    assert sheet.lookup("Lop 6A/img_0003.jpg").caption == "trong thư mục"
    assert sheet.lookup("IMG_0003.JPG") is None  # the sheet gave a folder: bare name is not enough
    assert sheet.lookup("Anh tru so Uy ban.jpg") is None  # diacritics still count
    assert sheet.lookup("IMG_9999.JPG") is None


# --- article.txt -----------------------------------------------------------------------------


def test_ward_news_post_example(tmp_path: Path) -> None:
    source = EXAMPLES / "ward-news-post.txt"
    if not source.is_file():
        missing_tool(f"shared example not present at {source}")
    article = read_article(Path(shutil.copy(source, tmp_path / "article.txt")))
    assert article.title == TITLE
    assert article.description.startswith("Thực hiện Thông báo số 83-TB/BTGQU")
    assert "1902" not in article.description
    assert "Ban biên tập" not in article.description
    assert article.captions == CAPTIONS


def test_article_written_here_nfd_uppercase_marker_and_bylines(tmp_path: Path) -> None:
    text = (
        f"\n{nfd(TITLE)}\n\n1.902\n\n"
        "Thực hiện Thông báo số 83-TB/BTGQU ngày 21/12/2017,\nĐảng ủy phường 6 chỉ đạo.\n\n"
        "Đoạn thứ hai.\n\n"
        f"{nfd('MỘT SỐ HÌNH ẢNH ĐƯỢC CHỤP TẠI CÁC ĐƠN VỊ')}\n\n"
        + "\n\n".join(CAPTIONS)
        + "\n\nNguồn: Đảng ủy phường 6\nBBT\n"
    )
    path = tmp_path / "article.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # NFD, as macOS saves it
    article = read_article(path)
    assert article.title == TITLE
    assert article.description == (
        "Thực hiện Thông báo số 83-TB/BTGQU ngày 21/12/2017, Đảng ủy phường 6 chỉ đạo."
        "\n\nĐoạn thứ hai."
    )
    assert article.captions == CAPTIONS
    assert article.source == str(path)


def test_article_without_photo_marker_is_all_description(tmp_path: Path) -> None:
    text = f"{TITLE}\r\n2018 là năm học tập.\r\n\r\nĐoạn hai.\r\n\r\nBan biên tập\r\n"
    path = tmp_path / "article.txt"
    path.write_bytes(windows_1258(text))  # Notepad's "ANSI" on Vietnamese Windows
    article = read_article(path)
    assert article.title == TITLE
    assert article.description == "2018 là năm học tập.\n\nĐoạn hai."
    assert article.captions == ()


def test_empty_article_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "article.txt", "\n  \n")
    with pytest.raises(ManifestError) as caught:
        read_article(path)
    assert "no title line" in assert_one_line_error(caught, path)


# --- find_manifests --------------------------------------------------------------------------


def test_find_manifests_matches_names_case_insensitively(tmp_path: Path) -> None:
    for name in ("Event.YML", "CAPTIONS.csv", "captions.XLSX", "Article.Txt", "IMG_0001.JPG"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "event.yaml").mkdir()  # a folder with a manifest's name is not a manifest
    found = find_manifests(tmp_path)
    assert found.is_event
    assert found.event == tmp_path / "Event.YML"
    assert found.captions_csv == tmp_path / "CAPTIONS.csv"
    assert found.captions == tmp_path / "captions.XLSX"
    assert found.article == tmp_path / "Article.Txt"


def test_folder_without_manifests_is_not_an_event(tmp_path: Path) -> None:
    (tmp_path / "IMG_0001.JPG").write_bytes(b"")
    assert not find_manifests(tmp_path).is_event
    assert find_manifests(tmp_path / "missing").captions is None
