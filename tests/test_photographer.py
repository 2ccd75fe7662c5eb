"""Photographer and credit, end to end: files, sheets, the command line, pages, JSON, IIIF.

A real camera file from the shared corpus (EXIF Artist), JPEGs made here with
XMP dc:creator / photoshop:Credit and IPTC By-line / Credit, and a caption
sheet whose Vietnamese headers are typed in NFD, as macOS saves them.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from archive.web.config import build_datasette, load_metadata
from ingest.exif import read_exif
from tests.conftest import shared_path
from tests.images import iptc_segment, make_jpeg, xmp_segment
from tests.test_export import validate as validate_json
from tests.test_iiif import validate as validate_iiif
from tests.web_archive import METADATA, get

ARTIST = "Ilya Kurikhin"  # EXIF Artist of the corpus file (written with trailing blanks)
SLUG = "hoi-nghi-cu-tri-phuong-6"
CREDIT_SETTING = "Ảnh: UBND phường 6"
XMP_CREDITS = (
    "<dc:creator><rdf:Seq><rdf:li>Trần Thị Bình</rdf:li><rdf:li>Lê Văn Cường</rdf:li>"
    "</rdf:Seq></dc:creator>"
    '<photoshop:Credit xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
    "Báo Sài Gòn Giải Phóng</photoshop:Credit>"
)


def camera_file() -> Path:
    return shared_path("corpus", "exif-samples", "jpg", "tests", "32-lens_data.jpeg")


def test_exif_artist_of_a_real_camera_file() -> None:
    record = read_exif(camera_file().read_bytes())
    assert record.photographer == ARTIST
    assert record.credit is None


def test_xmp_creator_and_credit() -> None:
    record = read_exif(make_jpeg(app_segments=[xmp_segment(extra_rdf=XMP_CREDITS)]))
    assert record.photographer == "Trần Thị Bình; Lê Văn Cường"
    assert record.credit == "Báo Sài Gòn Giải Phóng"


def test_iptc_by_line_and_credit_and_xmp_first() -> None:
    iptc = iptc_segment(
        None,
        datasets=((80, "Phạm Minh Đức".encode()), (110, "Đài truyền thanh phường".encode())),
    )
    record = read_exif(make_jpeg(exif={0x013B: "Camera Owner"}, app_segments=[iptc]))
    assert (record.photographer, record.credit) == ("Phạm Minh Đức", "Đài truyền thanh phường")
    both = read_exif(make_jpeg(app_segments=[xmp_segment(extra_rdf=XMP_CREDITS), iptc]))
    assert both.photographer == "Trần Thị Bình; Lê Văn Cường"
    assert both.credit == "Báo Sài Gòn Giải Phóng"


@pytest.fixture(scope="module")
def credited(tmp_path_factory: pytest.TempPathFactory):
    """An event of three photos: a camera's Artist, a sheet's NFD columns, XMP; a default."""
    from tests.conftest import Archive

    work = tmp_path_factory.mktemp("credited")
    folder = work / "hoi-nghi"
    folder.mkdir()
    shutil.copy(camera_file(), folder / "camera.jpg")
    make_jpeg(folder / "sheet.jpg", taken="2024:03:08 09:00:00", color=(10, 90, 160))
    make_jpeg(
        folder / "xmp.jpg",
        taken="2024:03:08 10:00:00",
        color=(90, 10, 60),
        app_segments=[xmp_segment(extra_rdf=XMP_CREDITS)],
    )
    (folder / "event.yml").write_text(
        f"title: Hội nghị cử tri phường 6\nslug: {SLUG}\ndate: 2024-03-08\n", "utf-8"
    )
    header = unicodedata.normalize("NFD", "Tên tệp;Chú thích;Người chụp;Nguồn")
    row = unicodedata.normalize("NFD", "sheet.jpg;Cử tri phát biểu;Nguyễn Văn An;Báo Quận 3")
    (folder / "captions.csv").write_text(f"{header}\n{row}\n", "utf-8")
    archive = Archive(work / "archive")
    archive.run("settings", "set", "credit", CREDIT_SETTING)
    archive.run("settings", "set", "base_url", "https://phuong6.example.vn/anh/")
    archive.ingest(str(folder))
    ids = {
        r["original_name"]: r["id"] for r in archive.rows("SELECT id, original_name FROM photos")
    }
    return archive, ids


def test_stored_as_said_and_nfc(credited) -> None:
    archive, _ = credited
    rows = archive.rows("SELECT original_name, photographer, credit FROM photos ORDER BY 1")
    assert [(r["original_name"], r["photographer"], r["credit"]) for r in rows] == [
        ("camera.jpg", ARTIST, None),
        ("sheet.jpg", "Nguyễn Văn An", "Báo Quận 3"),
        ("xmp.jpg", "Trần Thị Bình; Lê Văn Cường", "Báo Sài Gòn Giải Phóng"),
    ]
    assert rows[1]["photographer"] == unicodedata.normalize("NFC", "Nguyễn Văn An")


def test_photo_page_shows_them_with_the_default_credit(credited) -> None:
    archive, ids = credited
    ds = build_datasette(archive.root / "catalog.db", load_metadata(METADATA))
    html = get(ds, f"/-/photos/{ids['camera.jpg']}").text
    assert "<dt>Người chụp</dt><dd>Ilya Kurikhin</dd>" in html
    assert f"<dt>Nguồn</dt><dd>{CREDIT_SETTING}</dd>" in html
    page = get(ds, f"/-/photos/{ids['sheet.jpg']}.json").json()["photo"]
    assert (page["photographer"], page["credit"]) == ("Nguyễn Văn An", "Báo Quận 3")


def test_search_finds_them_with_and_without_diacritics(credited) -> None:
    archive, ids = credited
    ds = build_datasette(archive.root / "catalog.db", load_metadata(METADATA))
    for query, name in (("Kurikhin", "camera.jpg"), ("nguyen van an", "sheet.jpg"),
                        ("Giải Phóng", "xmp.jpg"), ("bao quan 3", "sheet.jpg")):  # fmt: skip
        found = get(ds, "/-/search.json?q=" + query).json()
        assert [p["id"] for p in found["results"]] == [ids[name]], query


def test_json_export_holds_them_and_validates(credited) -> None:
    archive, _ = credited
    for args in ((), ("--public",)):
        document = json.loads(archive.run("export", "--event", SLUG, *args).stdout)
        validate_json(document)
        said = {p["original"]["name"]: (p["photographer"], p["credit"]) for p in document["photos"]}
        assert said == {
            "camera.jpg": (ARTIST, CREDIT_SETTING),  # the archive's credit, where it has none
            "sheet.jpg": ("Nguyễn Văn An", "Báo Quận 3"),
            "xmp.jpg": ("Trần Thị Bình; Lê Văn Cường", "Báo Sài Gòn Giải Phóng"),
        }


def test_iiif_manifest_holds_them(credited) -> None:
    archive, _ = credited
    archive.run("settings", "set", "required_statement", CREDIT_SETTING)
    manifest = json.loads(archive.run("export", "--event", SLUG, "--format", "iiif").stdout)
    validate_iiif(manifest)
    assert manifest["requiredStatement"]["value"] == {"vi": [CREDIT_SETTING]}
    canvases = {c["label"]["vi"][0]: c for c in manifest["items"]}
    sheet = canvases["Cử tri phát biểu"]
    pairs = {p["label"]["vi"][0]: p["value"] for p in sheet["metadata"]}
    assert pairs["Người chụp"] == {"vi": ["Nguyễn Văn An"]}
    assert sheet["requiredStatement"] == {
        "label": {"vi": ["Nguồn"]},
        "value": {"vi": ["Báo Quận 3"]},
    }
    # The camera file's credit is the archive's default, the manifest's own: not repeated.
    others = [c for label, c in canvases.items() if label != "Cử tri phát biểu"]
    defaulted = [c for c in others if "requiredStatement" not in c]
    assert len(defaulted) == 1
    assert {"label": {"vi": ["Người chụp"]}, "value": {"vi": [ARTIST]}} in defaulted[0]["metadata"]


def test_photographer_on_the_command_line_wins(tmp_path) -> None:
    from tests.conftest import Archive

    folder = tmp_path / "ev"
    folder.mkdir()
    shutil.copy(camera_file(), folder / "camera.jpg")
    archive = Archive(tmp_path / "archive")
    archive.ingest(str(folder), "--photographer", "Võ Thị Hoa")
    (row,) = archive.rows("SELECT photographer FROM photos")
    assert row["photographer"] == "Võ Thị Hoa"
