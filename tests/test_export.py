"""Gallery JSON: the shipped schema, order, stability, public exports, and Datasette's copy."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re

import jsonschema
import pytest
from datasette.app import Datasette
from PIL import Image

import archive.export
from archive.export import derivative_size, schema
from tests.conftest import EXAMPLE_EVENT, EXAMPLES
from tests.test_galleries import BY_TIME, EVENT

FIXED = "2024-03-08T01:02:03+00:00"
UNITS_BY_TIME = [
    ["Ủy ban nhân dân phường 6"],
    ["Chi bộ Công an phường"],
    ["Trường THCS Nguyễn Gia Thiều", "Đảng ủy phường 6"],
    ["Bộ phận văn thư phường 6"],
    ["Trường THCS Nguyễn Gia Thiều"],
]
GENERATED_AT = re.compile(rb'"generated_at": "[^"]+"')


@pytest.fixture
def example(archive):
    archive.ingest(str(EXAMPLES))
    return archive


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(archive.export, "now", lambda: FIXED)


def validate(document: dict) -> None:
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(document)


def export_bytes(archive, *args: str) -> bytes:
    return archive.run("export", *args).stdout_bytes


def test_event_export_validates_and_holds_the_five_photos_in_order(example) -> None:
    raw = export_bytes(example, "--event", EVENT)
    document = json.loads(raw)
    validate(document)
    gallery = document["gallery"]
    assert (gallery["kind"], gallery["slug"], gallery["count"]) == ("event", EVENT, 5)
    assert gallery["title"] == "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
    assert gallery["event"] == {
        "slug": EVENT,
        "title": gallery["title"],
        "date": "2017-12-22",
        "location": "Phường 6",
    }
    assert gallery["date_range"] == {"from": "2017-12-22", "to": "2017-12-22"}
    photos = document["photos"]
    assert [p["caption"] for p in photos] == BY_TIME
    assert [[u["name"] for u in p["units"]] for p in photos] == UNITS_BY_TIME
    assert photos[2]["units"][1] == {"slug": "dang-uy-phuong-6", "name": "Đảng ủy phường 6"}
    assert [t["name"] for t in photos[0]["tags"]] == ["Chỉ thị 05-CT/TW", "Học tập chính trị"]
    assert [p["taken_at"] for p in photos] == sorted(p["taken_at"] for p in photos)
    first = photos[0]
    assert first["original"] == {
        "name": "IMG_20171222_075812.jpg",
        "format": "JPEG",
        "mime": "image/jpeg",
        "bytes": (EXAMPLE_EVENT / "IMG_20171222_075812.jpg").stat().st_size,
    }
    assert first["camera"] == "samsung SM-J710F"
    assert abs(first["gps"]["lat"] - 10.78) < 0.01
    assert first["exif"]["Image Model"] == "SM-J710F"
    assert first["thumbnail"]["path"].startswith("thumbs/320/")
    # UTF-8 as text, NFC as stored, no \u escapes anywhere.
    assert "Chi bộ Công an phường".encode() in raw and b"\\u" not in raw


def test_second_export_differs_only_in_generated_at(example, monkeypatch) -> None:
    monkeypatch.setattr(archive.export, "now", lambda: "2024-01-01T00:00:00+00:00")
    one = export_bytes(example, "--event", EVENT)
    monkeypatch.setattr(archive.export, "now", lambda: "2024-01-01T00:00:01+00:00")
    two = export_bytes(example, "--event", EVENT)
    assert one != two
    assert GENERATED_AT.sub(b"", one) == GENERATED_AT.sub(b"", two)
    # One photo per line, so a diff names the photo that changed.
    assert one.count(b'\n  {"id": ') == 5


def test_sizes_of_thumbnails_are_those_of_the_files(example) -> None:
    document = json.loads(export_bytes(example, "--event", EVENT))
    for photo in document["photos"]:
        for kind in ("thumbnail", "preview"):
            with Image.open(example.root / photo[kind]["path"]) as image:
                assert image.size == (photo[kind]["width"], photo[kind]["height"])
    # Portrait, small and odd sizes round as ingest's resize does; never enlarged.
    assert derivative_size(3000, 4000, 320) == (240, 320)
    assert derivative_size(4032, 3023, 1280) == (1280, 960)
    assert derivative_size(4032, 3023, 320) == (320, 240)
    assert derivative_size(200, 100, 320) == (200, 100)


def test_schema_rejects_what_the_format_forbids(example) -> None:
    good = json.loads(export_bytes(example, "--event", EVENT))
    public = json.loads(export_bytes(example, "--event", EVENT, "--public"))
    validate(public)
    broken = []
    doc = copy.deepcopy(good)
    del doc["photos"][0]["caption"]
    broken.append(doc)
    doc = copy.deepcopy(good)
    doc["photos"][0]["units"] = ["Chi bộ Công an phường"]  # names only, without slugs
    broken.append(doc)
    doc = copy.deepcopy(public)
    doc["photos"][0]["gps"] = {"lat": 10.78, "lon": 106.69, "alt": None}
    broken.append(doc)
    doc = copy.deepcopy(good)
    doc["gallery"]["generated_at"] = "yesterday"
    broken.append(doc)
    for doc in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate(doc)


def test_public_export_has_no_gps_exif_paths_or_private_photos(example) -> None:
    pupils = example.rows("SELECT id FROM photos WHERE caption = ?", (BY_TIME[4],))[0]["id"]
    example.run("photos", "private", str(pupils))
    full = json.loads(export_bytes(example, "--event", EVENT))
    assert [p["private"] for p in full["photos"]] == [False] * 4 + [True]
    raw = export_bytes(example, "--event", EVENT, "--public")
    document = json.loads(raw)
    validate(document)
    assert document["gallery"]["public"] is True and document["gallery"]["count"] == 4
    assert [p["caption"] for p in document["photos"]] == BY_TIME[:4]
    text = raw.decode("utf-8")
    for forbidden in ('"gps"', '"exif"', '"source_path"', '"camera"', "GPS", "10.78", "106.68",
                      "SM-J710F", str(EXAMPLES), "/examples/"):  # fmt: skip
        assert forbidden not in text, forbidden


def test_a_curated_gallery_exports_in_its_order_with_its_event(example) -> None:
    example.run("gallery", "create", "hs", "--title", "Học sinh", "--description", "Ảnh chọn",
                "--unit", "Trường THCS Nguyễn Gia Thiều")  # fmt: skip
    last = example.rows("SELECT id FROM photos WHERE caption = ?", (BY_TIME[4],))[0]["id"]
    example.run("gallery", "move", "hs", str(last), "1")
    document = json.loads(export_bytes(example, "hs", "--base-url", "https://phuong6.example/hs"))
    validate(document)
    gallery = document["gallery"]
    assert (gallery["kind"], gallery["title"], gallery["description"]) == (
        "gallery",
        "Học sinh",
        "Ảnh chọn",
    )
    assert gallery["event"]["slug"] == EVENT  # every photo comes from that one event
    assert [p["caption"] for p in document["photos"]] == [BY_TIME[4], BY_TIME[2]]
    thumb = document["photos"][0]["thumbnail"]
    assert thumb["url"] == "https://phuong6.example/hs/" + thumb["path"]


def test_output_file_is_byte_for_byte_stdout(example, fixed_clock, tmp_path) -> None:
    out = tmp_path / "g.json"
    example.run("export", "--event", EVENT, "-o", str(out))
    assert out.read_bytes() == export_bytes(example, "--event", EVENT)


def test_output_inside_the_archive_is_refused(example, tmp_path) -> None:
    """-o must never replace the catalog, an original or anything else in the archive."""
    catalog = example.root / "catalog.db"
    original = next((example.root / "originals").rglob("*.jpg"))
    kept = {path: path.read_bytes() for path in (catalog, original)}
    link = tmp_path / "link"
    link.symlink_to(example.root, target_is_directory=True)
    targets = [catalog, original, example.root / "gallery.json", link / "catalog.db",
               tmp_path / "x" / ".." / example.root.name / "catalog.db"]  # fmt: skip
    (tmp_path / "x").mkdir()
    for target in targets:
        refused = example.run("export", "--event", EVENT, "-o", str(target), expect=2)
        assert refused.output.count("\n") == 1, refused.output
        assert "inside the archive" in refused.output and str(target) in refused.output
    assert {path: path.read_bytes() for path in kept} == kept
    assert not (example.root / "gallery.json").exists()


def test_output_file_is_replaced_whole_never_written_in_place(example, tmp_path,
                                                              monkeypatch) -> None:  # fmt: skip
    folder = tmp_path / "xuất"
    folder.mkdir()
    out = folder / "bộ ảnh.json"
    out.write_bytes(b"earlier export\n")
    backup = folder / "backup.json"
    os.link(out, backup)  # a second name for the earlier file's bytes
    example.run("export", "--event", EVENT, "-o", str(out))
    assert backup.read_bytes() == b"earlier export\n"  # a new file took the name
    assert json.loads(out.read_bytes())["gallery"]["count"] == 5

    def disk_full(src, dst) -> None:
        raise OSError(28, "No space left on device")

    written = out.read_bytes()
    monkeypatch.setattr(os, "replace", disk_full)
    failed = example.run("export", "--event", EVENT, "--public", "-o", str(out), expect=2)
    assert failed.output.count("\n") == 1 and str(out) in failed.output
    assert "No space left on device" in failed.output
    assert out.read_bytes() == written
    assert sorted(p.name for p in folder.iterdir()) == ["backup.json", "bộ ảnh.json"]


def test_an_empty_gallery_exports_valid_json(example) -> None:
    example.run("gallery", "create", "trong", "--title", "Bộ ảnh trống")
    document = json.loads(export_bytes(example, "trong"))
    validate(document)
    assert (document["gallery"]["count"], document["photos"]) == (0, [])


def datasette_get(archive, path: str):
    async def get():
        ds = Datasette([str(archive.root / "catalog.db")])
        return await ds.client.get(path)

    return asyncio.run(get())


def test_datasette_serves_the_same_bytes_as_the_cli(example, fixed_clock) -> None:
    example.run("gallery", "create", "cong-an", "--title", "Công an", "--event", EVENT)
    pupils = example.rows("SELECT id FROM photos WHERE caption = ?", (BY_TIME[4],))[0]["id"]
    example.run("photos", "private", str(pupils))
    cases = [
        (f"/-/galleries/{EVENT}.json", ("--event", EVENT)),
        (f"/-/galleries/{EVENT}.json?kind=event", ("--event", EVENT)),
        ("/-/galleries/cong-an.json", ("cong-an",)),
        ("/-/galleries/cong-an.json?public=1", ("cong-an", "--public")),
    ]
    for path, args in cases:
        response = datasette_get(example, path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert response.content == export_bytes(example, *args), path
    assert datasette_get(example, "/-/galleries/khong-co.json").status_code == 404
    assert datasette_get(example, "/-/galleries/cong-an.json?kind=event").status_code == 404


def test_datasette_pages_link_the_downloads(example) -> None:
    example.run("gallery", "create", "cong-an", "--title", "Công an", "--event", EVENT)
    page = datasette_get(example, "/catalog/galleries/1").text
    assert 'href="/-/galleries/cong-an.json"' in page and 'href="/-/galleries/cong-an.zip"' in page
    page = datasette_get(example, "/catalog/events").text
    assert f'href="/-/galleries/{EVENT}.zip?kind=event"' in page
    page = datasette_get(example, f"/-/events/{EVENT}").text
    assert f'href="/-/galleries/{EVENT}.json?kind=event"' in page
    assert f'href="/-/galleries/{EVENT}.zip?kind=event"' in page


def test_templates_get_the_download_links(example) -> None:
    """The plugin's own pages (event, gallery) can link the downloads: gallery_downloads()."""

    async def render() -> str:
        ds = Datasette([str(example.root / "catalog.db")])
        await ds.invoke_startup()
        template = ds.jinja_env.from_string(
            "{% for link in gallery_downloads(slug, 'event') %}{{ link.href }}|{% endfor %}"
        )
        return await ds.render_template(template, {"slug": EVENT})

    assert asyncio.run(render()) == (
        f"/-/galleries/{EVENT}.json?kind=event|/-/galleries/{EVENT}.zip?kind=event|"
    )
