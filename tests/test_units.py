"""The unit registry: one unit however its name is typed, aliases, merges, typo hints."""

from __future__ import annotations

import json
import unicodedata

import pytest

from archive.catalog import Catalog, CatalogError
from archive.db import open_catalog


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    return Catalog(open_catalog(tmp_path / "catalog.db"))


def test_spellings_of_a_unit_are_one_unit(catalog: Catalog) -> None:
    unit_id, created = catalog.ensure_unit("Uỷ ban nhân dân phường 6")
    assert created
    for spelling in (
        "Ủy ban nhân dân Phường 6",
        "UY BAN NHAN DAN PHUONG 6",
        unicodedata.normalize("NFD", "Ủy ban nhân dân phường 6"),
    ):
        assert catalog.ensure_unit(spelling) == (unit_id, False)
    [unit] = catalog.list_units()
    assert unit["name"] == "Uỷ ban nhân dân phường 6"  # shown as first written
    assert unit["slug"] == "uy-ban-nhan-dan-phuong-6"


def test_alias_names_the_same_unit(catalog: Catalog) -> None:
    unit_id = catalog.add_unit("Ủy ban nhân dân phường 6", kind="committee")
    catalog.add_alias("Ủy ban nhân dân phường 6", "UBND phường 6")
    assert catalog.find_unit("ubnd phuong 6")["id"] == unit_id
    catalog.add_unit("Chi bộ Công an phường")
    with pytest.raises(CatalogError, match="already names another unit"):
        catalog.add_alias("Chi bộ Công an phường", "UBND Phường 6")


def test_did_you_mean_one_typo_away(catalog: Catalog) -> None:
    catalog.add_unit("Chi bộ Công an phường")
    assert catalog.suggest_unit("Chi bộ Công an phuờg") == "Chi bộ Công an phường"
    assert catalog.suggest_unit("Trường THCS Nguyễn Gia Thiều") is None
    with pytest.raises(CatalogError, match="did you mean 'Chi bộ Công an phường'"):
        catalog.update_unit("Chi bo Cong an phuongg", kind="party cell")


def test_merge_moves_photos_and_keeps_the_old_name_as_alias(archive) -> None:
    from tests.conftest import EXAMPLE_EVENT

    archive.ingest(str(EXAMPLE_EVENT))
    archive.run("units", "add", "Trường THCS Nguyễn Gia Thiều (cũ)")
    archive.run(
        "units", "merge", "Trường THCS Nguyễn Gia Thiều", "Trường THCS Nguyễn Gia Thiều (cũ)"
    )
    catalog = archive.catalog()
    target = catalog.find_unit("truong thcs nguyen gia thieu")
    assert target["name"] == "Trường THCS Nguyễn Gia Thiều (cũ)"
    photos = catalog._all("SELECT units FROM photos WHERE units LIKE '%Thiều%'")
    assert len(photos) == 2
    assert all("Trường THCS Nguyễn Gia Thiều (cũ)" in json.loads(p["units"]) for p in photos)


def test_units_command_lists_counts_and_refuses_unknown(archive) -> None:
    archive.run("units", "add", "Chi bộ Khu phố 1", "--kind", "party cell")
    archive.run("units", "add", "Tổ dân phố 5", "--parent", "chi bo khu pho 1")
    listing = json.loads(archive.run("units", "--json").stdout)
    by_name = {unit["name"]: unit for unit in listing}
    assert by_name["Tổ dân phố 5"]["parent"] == "Chi bộ Khu phố 1"
    assert by_name["Chi bộ Khu phố 1"]["kind"] == "party cell"
    result = archive.run("units", "alias", "Chi bộ Khu phố 9", "KP9", expect=2)
    assert "no unit named 'Chi bộ Khu phố 9'" in result.output


def test_dry_run_writes_nothing(archive) -> None:
    archive.run("units", "add", "Hội Phụ nữ phường", "--dry-run")
    assert not archive.root.exists()  # not even on a folder that holds no archive yet
    archive.run("init")
    archive.run("units", "add", "Hội Phụ nữ phường", "--dry-run")
    assert json.loads(archive.run("units", "--json").stdout) == []


def test_units_never_contain_themselves(archive) -> None:
    archive.run("units", "add", "Đảng ủy phường 6")
    archive.run("units", "add", "Chi bộ Khu phố 1", "--parent", "Đảng ủy phường 6")
    archive.run("units", "add", "Tổ dân phố 5", "--parent", "Chi bộ Khu phố 1")
    result = archive.run("units", "add", "Đảng ủy phường 6", "--parent", "to dan pho 5", expect=2)
    assert "cannot contain itself" in result.output
    archive.run("units", "merge", "Đảng ủy phường 6", "Chi bộ Khu phố 1")
    by_name = {u["name"]: u for u in json.loads(archive.run("units", "--json").stdout)}
    assert by_name["Chi bộ Khu phố 1"]["parent"] is None
    assert by_name["Tổ dân phố 5"]["parent"] == "Chi bộ Khu phố 1"
