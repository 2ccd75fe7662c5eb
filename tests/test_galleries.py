"""Galleries in the catalog: create from a selection, curate, list, show; settings; privacy."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from archive.db import open_catalog
from tests.conftest import EXAMPLES, PROJECT

EVENT = "to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018"
# The example's photos by time taken: ids are given in file-name order, which is also time order.
BY_TIME = [
    "Trụ sở Uỷ ban nhân dân phường 6",
    "Chi bộ Công an phường",
    "Cán bộ, đảng viên Trường THCS Nguyễn Gia Thiều",
    "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    "Học sinh trường THCS Nguyễn Gia Thiều cùng tham gia lắng nghe học tập",
]


@pytest.fixture
def example(archive):
    archive.ingest(str(EXAMPLES))
    return archive


def ids_by_caption(archive) -> dict[str, int]:
    return {r["caption"]: r["id"] for r in archive.rows("SELECT id, caption FROM photos")}


def shown(archive, *args: str) -> list[str]:
    data = json.loads(archive.run("gallery", "show", *args, "--json").stdout)
    return [photo["caption"] for photo in data["photos"]]


def test_create_from_a_unit_written_any_way(example) -> None:
    # Folded and without diacritics, as a clerk types it in a hurry.
    out = example.run(
        "gallery",
        "create",
        "cong-an",
        "--title",
        "Chi bộ Công an",
        "--unit",
        "chi bo cong an phuong",
    )
    assert "1 photo(s)" in out.stdout
    assert shown(example, "cong-an") == ["Chi bộ Công an phường"]


def test_selection_options_combine_with_and_repeats_with_or(example) -> None:
    example.run(
        "gallery", "create", "truong", "--title", "Trường",
        "--unit", "Trường THCS Nguyễn Gia Thiều", "--unit", "Chi bộ Công an phường",
        "--from", "22/12/2017", "--to", "2017-12-22", "--event", EVENT,
    )  # fmt: skip
    assert shown(example, "truong") == [BY_TIME[1], BY_TIME[2], BY_TIME[4]]  # by time taken
    example.run("gallery", "create", "none", "--title", "x", "--unit", "Chi bộ Công an phường",
                "--from", "2018-01-01")  # fmt: skip
    assert shown(example, "none") == []
    example.run("gallery", "create", "tagged", "--title", "x", "--tag", "hoc tap chinh tri")
    assert shown(example, "tagged") == BY_TIME


def test_search_selection_uses_the_smart_search(example) -> None:
    example.run("gallery", "create", "hoc-sinh", "--title", "Học sinh", "--search", "hoc sinh")
    assert shown(example, "hoc-sinh") == [BY_TIME[4]]
    example.run("gallery", "create", "thcs", "--title", "x", "--search", "Trường THCS")
    assert shown(example, "thcs") == [BY_TIME[2], BY_TIME[4]]


def test_an_event_is_a_gallery_without_being_created(example) -> None:
    assert shown(example, "--event", EVENT) == BY_TIME
    assert shown(example, EVENT) == BY_TIME  # a slug that is no gallery falls back to the event
    refused = example.run("gallery", "create", EVENT, "--title", "x", expect=2)
    assert "an event already is a gallery" in refused.output
    refused = example.run("gallery", "add", EVENT, "1", expect=2)
    assert "cannot be curated" in refused.output


def test_curating_add_remove_move(example) -> None:
    ids = ids_by_caption(example)
    first, second, third, fourth, fifth = (ids[c] for c in BY_TIME)
    example.run("gallery", "create", "trien-lam", "--title", "Triển lãm ảnh", "--event", EVENT)
    example.run("gallery", "remove", "trien-lam", str(second), str(fourth))
    assert shown(example, "trien-lam") == [BY_TIME[0], BY_TIME[2], BY_TIME[4]]
    example.run("gallery", "move", "trien-lam", str(fifth), "1")
    assert shown(example, "trien-lam") == [BY_TIME[4], BY_TIME[0], BY_TIME[2]]
    # Adding at a position; a photo already there is not moved by adding it again.
    sha = example.rows("SELECT sha256 FROM photos WHERE id = ?", (fourth,))[0]["sha256"]
    out = example.run("gallery", "add", "trien-lam", sha[:10], str(third), "--at", "2")
    assert "Added 1 photo(s)" in out.stdout and "1 already there" in out.stdout
    assert shown(example, "trien-lam") == [BY_TIME[4], BY_TIME[3], BY_TIME[0], BY_TIME[2]]
    positions = example.rows(
        "SELECT position FROM gallery_photos gp JOIN galleries g ON g.id = gp.gallery_id"
        " WHERE g.slug = 'trien-lam' ORDER BY position"
    )
    assert [r["position"] for r in positions] == [1, 2, 3, 4]
    example.run("gallery", "move", "trien-lam", str(fifth), "4")
    assert shown(example, "trien-lam")[-1] == BY_TIME[4]
    assert "between 1 and 4" in example.run("gallery", "move", "trien-lam", str(fifth), "9",
                                            expect=2).output  # fmt: skip
    assert "not in gallery" in example.run("gallery", "move", "trien-lam", str(second), "1",
                                           expect=2).output  # fmt: skip
    # Selections add too, in time order, after what is there.
    example.run("gallery", "add", "trien-lam", "--unit", "Chi bộ Công an phường")
    assert shown(example, "trien-lam")[-1] == BY_TIME[1]


def test_dry_run_writes_nothing(example) -> None:
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT, "--dry-run")
    assert example.run("gallery", "list", "--json").stdout.strip() == "[]"
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT)
    example.run("gallery", "remove", "g", "1", "2", "--dry-run")
    example.run("gallery", "delete", "g", "--dry-run")
    example.run("photos", "private", "1", "--dry-run")
    example.run("settings", "set", "base_url", "https://example.org/", "--dry-run")
    assert len(shown(example, "g")) == 5
    assert example.rows("SELECT count(*) AS n FROM photos WHERE private = 1")[0]["n"] == 0
    assert example.rows("SELECT count(*) AS n FROM settings")[0]["n"] == 0


def test_list_show_delete(example) -> None:
    example.run("gallery", "create", "b", "--title", "Bộ ảnh B", "--description", "Mô tả  ",
                "--event", EVENT)  # fmt: skip
    example.run("gallery", "create", "a", "--title", "Bộ ảnh A")
    listing = json.loads(example.run("gallery", "list", "--json").stdout)
    assert [(g["slug"], g["title"], g["photos"]) for g in listing] == [
        ("a", "Bộ ảnh A", 0),
        ("b", "Bộ ảnh B", 5),
    ]
    assert listing[1]["description"] == "Mô tả"
    text = example.run("gallery", "show", "b").stdout
    assert "Bộ ảnh B" in text and "2017-12-22 07:58" in text and BY_TIME[0] in text
    out = example.run("gallery", "delete", "b")
    assert "5 photo(s) stay" in out.stdout
    assert example.rows("SELECT count(*) AS n FROM photos")[0]["n"] == 5
    assert example.rows("SELECT count(*) AS n FROM gallery_photos")[0]["n"] == 0


def test_user_errors_are_one_line_and_exit_2(example) -> None:
    cases = [
        (("gallery", "create", "x", "--title", "x", "--unit", "Chi bo Cong an"), "no unit named"),
        (("gallery", "create", "x", "--title", "x", "--event", "khong-co"), "no event"),
        (("gallery", "show", "khong-co"), "no gallery or event"),
        (("gallery", "add", "khong-co", "1"), "no gallery"),
        (("gallery", "show"), "GALLERY slug or --event"),
        (("photos", "private", "999"), "no photo with id 999"),
        (("photos", "private", "abc"), "not a photo id"),
        (("gallery", "create", "x", "--title", "x", "--from", "31/02/2018"), "not a date"),
        (("settings", "set", "rights", "InC"), "full web address"),
        (("settings", "set", "colour", "x"), "colour"),
    ]
    for args, message in cases:
        result = example.run(*args, expect=2)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_private_flag_and_settings(example) -> None:
    ids = ids_by_caption(example)
    pupils = ids[BY_TIME[4]]
    out = example.run("photos", "private", str(pupils), str(pupils))
    assert "1 photo(s) marked private" in out.stdout
    assert example.rows("SELECT private FROM photos WHERE id = ?", (pupils,))[0]["private"] == 1
    assert "already" in example.run("photos", "private", str(pupils)).stdout
    example.run("photos", "private", "--off", str(pupils))
    assert example.rows("SELECT private FROM photos WHERE id = ?", (pupils,))[0]["private"] == 0

    example.run("settings", "set", "required_statement", "Ảnh: Ủy ban nhân dân phường 6")
    example.run("settings", "set", "rights", "http://rightsstatements.org/vocab/InC/1.0/")
    settings = json.loads(example.run("settings", "--json").stdout)
    assert settings == {
        "base_url": None,
        "rights": "http://rightsstatements.org/vocab/InC/1.0/",
        "required_statement": "Ảnh: Ủy ban nhân dân phường 6",
        "required_statement_label": None,
        "credit": None,  # a photo's credit where it has none (archive.fields)
        "language": None,
        "similar_window_minutes": None,
    }
    example.run("settings", "unset", "rights")
    assert json.loads(example.run("settings", "--json").stdout)["rights"] is None


def test_migration_adds_galleries_to_an_existing_archive(example) -> None:
    """An archive made before galleries existed opens with them and keeps its photos."""
    path = example.root / "catalog.db"
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE gallery_photos")
        conn.execute("DROP TABLE galleries")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_galleries'")
    db = open_catalog(path)
    assert {"galleries", "gallery_photos"} <= set(db.table_names())
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 5
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT)
    assert len(shown(example, "g")) == 5


def test_unknown_tag_is_refused_like_an_unknown_unit(example) -> None:
    refused = example.run("gallery", "create", "x", "--title", "x", "--tag", "unknown", expect=2)
    assert refused.output.count("\n") == 1 and "no tag named 'unknown'" in refused.output
    refused = example.run("gallery", "create", "x", "--title", "x", "--tag", "hoc tap chinh tr",
                          expect=2)  # fmt: skip
    assert "did you mean 'Học tập chính trị'?" in refused.output
    example.run("gallery", "create", "g", "--title", "G")
    refused = example.run("gallery", "add", "g", "--tag", "Hoc tap chinh trj", expect=2)
    assert "did you mean 'Học tập chính trị'?" in refused.output
    typo = "chi bo cong an phuon"
    refused = example.run("gallery", "create", "y", "--title", "y", "--unit", typo, expect=2)
    assert f"no unit named {typo!r} (did you mean 'Chi bộ Công an phường'?)" in refused.output
    listing = json.loads(example.run("gallery", "list", "--json").stdout)
    assert [(g["slug"], g["photos"]) for g in listing] == [("g", 0)]
    example.run("gallery", "create", "tagged", "--title", "x", "--tag", "HỌC TẬP CHÍNH TRỊ")
    assert shown(example, "tagged") == BY_TIME


def readme_section(title: str) -> str:
    text = (PROJECT / "README.md").read_text("utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_readme_unit_matching_examples_are_true(example) -> None:
    """What the README says a typed unit finds, it finds (the README is the manual)."""
    section = readme_section("Galleries and export")
    claims = re.findall(r'`(?:--unit )?"?([^`"]+)"?` finds `([^`]+)`', section)
    assert claims, "the README gives an example of matching a unit"
    for number, (typed, unit) in enumerate(claims):
        typed, unit = " ".join(typed.split()), " ".join(unit.split())  # wrapped lines
        slug = f"readme-{number}"
        example.run("gallery", "create", slug, "--title", "x", "--unit", typed)
        ids = {r["id"] for r in example.rows(
            "SELECT pu.photo_id AS id FROM photo_units pu JOIN units u ON u.id = pu.unit_id"
            " WHERE u.name = ?", (unit,))}  # fmt: skip
        assert ids and len(shown(example, slug)) == len(ids), (typed, unit)
