"""decode_text against bytes exactly as Notepad and Excel on Vietnamese Windows write them."""

from __future__ import annotations

import codecs
import pickle
import unicodedata

import pytest

from archive.text import TONE_MARKS
from ingest.textfile import ManifestError, decode_text, read_text

TITLE = "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
BODY = (
    "Đảng ủy phường 6 đã chỉ đạo cho các chi bộ, tổ dân phố triển khai.\n"
    "“Xây dựng phong cách, tác phong công tác” – Uỷ ban nhân dân phường 6…\n"
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def windows_1258(text: str) -> bytes:
    """Encode as Windows does for code page 1258: tone marks split off as combining characters.

    A plain NFD string cannot be encoded: cp1258 has ă â ê ô ơ ư as single bytes but no
    combining breve, circumflex or horn. Windows keeps those letters whole and stores only the
    five tone marks separately, which is what this reproduces.
    """
    pieces = []
    for ch in unicodedata.normalize("NFC", text):
        parts = nfd(ch)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        pieces.append(base + tones)
    return "".join(pieces).encode("cp1258")


def test_utf8_without_bom_nfd_arrives_nfc() -> None:
    text = decode_text(nfd(TITLE).encode("utf-8"), "article.txt")
    assert text == TITLE
    assert unicodedata.is_normalized("NFC", text)


def test_utf8_with_bom_drops_the_bom() -> None:
    text = decode_text(codecs.BOM_UTF8 + BODY.encode("utf-8"), "captions.csv")
    assert text == BODY
    assert not text.startswith("\ufeff")


def test_utf16_le_tab_separated_as_excel_unicode_text() -> None:
    rows = "Tên tệp\tChú thích\r\nIMG_0001.JPG\tTrụ sở Uỷ ban nhân dân phường 6\r\n"
    data = codecs.BOM_UTF16_LE + rows.encode("utf-16-le")
    text = decode_text(data, "captions.txt")
    assert text.split("\n")[0].split("\t") == ["Tên tệp", "Chú thích"]
    assert text.split("\n")[1].split("\t")[1] == "Trụ sở Uỷ ban nhân dân phường 6"
    assert "\r" not in text


def test_utf16_be_with_bom() -> None:
    data = codecs.BOM_UTF16_BE + TITLE.encode("utf-16-be")
    assert decode_text(data, "event.yml") == TITLE


def test_windows_1258_with_combining_tones_comes_back_nfc() -> None:
    data = windows_1258(TITLE + "\r\n" + BODY)
    assert b"\xd2" in data  # the hook above of "Tổ" is its own byte, as Windows writes it
    text = decode_text(data, "event.yml")
    assert text == TITLE + "\n" + BODY
    assert unicodedata.is_normalized("NFC", text)


def test_windows_1258_mixing_precomposed_and_combining_letters() -> None:
    # "à" has its own byte in cp1258; "ộ" is ô + combining dot below.
    data = "Hà ".encode("cp1258") + windows_1258("Nội") + " 100.000 ₫".encode("cp1258")
    assert decode_text(data, "x.txt") == "Hà Nội 100.000 ₫"


def test_line_endings_normalised() -> None:
    assert decode_text(b"a\r\nb\rc\n", "x.txt") == "a\nb\nc\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes(range(0x80, 0x100)) * 4, id="undefined-cp1258-bytes"),
        pytest.param(b"\xde\xde\xf2\xec" * 8, id="stray-combining-marks"),
        pytest.param(bytes(range(256)) * 2, id="binary"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00xl/workbook.xml", id="zip"),
    ],
)
def test_garbage_is_refused_naming_the_file(data: bytes) -> None:
    with pytest.raises(ManifestError) as caught:
        decode_text(data, "captions.csv")
    message = str(caught.value)
    assert message.startswith("captions.csv: ")
    assert "\n" not in message


def test_tcvn3_font_text_is_refused_with_advice() -> None:
    # "Tổ chức học tập" typed with a .VnTime font: TCVN3 bytes, mojibake under cp1258.
    data = b"T\xe6 ch\xf8c h\xe4c t\xcbp tr\xfcc tuy\xd5n\r\n"
    with pytest.raises(ManifestError) as caught:
        decode_text(data, "article.txt")
    assert caught.value.path == "article.txt"
    assert "save as CSV UTF-8" in caught.value.reason
    assert "line 1" in caught.value.reason


def test_latin1_text_is_refused() -> None:
    data = "Größe, señor, Ærø".encode("latin-1")
    with pytest.raises(ManifestError, match=r"^notes\.txt: not UTF-8"):
        decode_text(data, "notes.txt")


def test_utf16_without_bom_is_refused() -> None:
    with pytest.raises(ManifestError, match="UTF-16 without a byte-order mark"):
        decode_text("file,caption\n".encode("utf-16-le"), "captions.csv")


def test_broken_utf16_is_refused() -> None:
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    with pytest.raises(ManifestError, match="not valid UTF-16"):
        decode_text(data, "captions.txt")


def test_read_text_reports_a_missing_file(tmp_path) -> None:
    with pytest.raises(ManifestError, match="cannot read the file"):
        read_text(tmp_path / "event.yml")


def test_manifest_error_is_one_line_and_survives_a_worker_process() -> None:
    error = ManifestError("event.yml", "invalid YAML\n  at line 3")
    assert str(error) == "event.yml: invalid YAML at line 3"
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.path == "event.yml"
