"""Vietnamese text: the folded key must make equal what a Vietnamese reader takes as equal."""

from __future__ import annotations

import unicodedata

import pytest

from archive.text import (
    canonical_tones,
    clean,
    exact_key,
    fold,
    natural_key,
    slugify,
    within_one_edit,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "Uỷ ban nhân dân phường 6",
        "Ủy ban nhân dân Phường 6",
        "UY BAN NHAN DAN PHUONG 6",
        "  ủy   ban nhân dân phường 6 ",
        unicodedata.normalize("NFD", "Uỷ ban nhân dân phường 6"),
    ],
)
def test_unit_spellings_fold_to_one_key(spelling: str) -> None:
    assert fold(spelling) == "uy ban nhan dan phuong 6"
    assert slugify(spelling) == "uy-ban-nhan-dan-phuong-6"


def test_d_with_stroke_folds_to_d() -> None:
    # SQLite's remove_diacritics keeps đ; ours must not.
    assert fold("Đảng ủy") == fold("dang uy") == "dang uy"


def test_slug_of_an_event_title() -> None:
    assert slugify("Học tập Chỉ thị 05-CT/TW năm 2018") == "hoc-tap-chi-thi-05-ct-tw-nam-2018"


@pytest.mark.parametrize(
    ("one", "other"),
    [("Uỷ ban", "Ủy ban"), ("hoà bình", "hòa bình"), ("khoẻ", "khỏe"), ("ĐẢNG UỶ", "Đảng ủy")],
)
def test_both_tone_placements_share_an_exact_key(one: str, other: str) -> None:
    assert exact_key(one) == exact_key(other)


def test_exact_key_keeps_diacritics_apart() -> None:
    assert exact_key("đường") != exact_key("dương")
    assert fold("đường") == fold("dương")


@pytest.mark.parametrize("word", ["quý", "Huỳnh", "thuở", "hoàng", "khuya", "Nguyễn"])
def test_tones_that_have_one_placement_stay_put(word: str) -> None:
    assert canonical_tones(word) == word


def test_clean_composes_and_trims() -> None:
    nfd = unicodedata.normalize("NFD", "  Chi bộ   Công an phường \n")
    cleaned = clean(nfd)
    assert cleaned == "Chi bộ Công an phường"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean("   ") is None


def test_one_typo_away() -> None:
    assert within_one_edit("chi-bo-cong-an-phuong", "chi-bo-cong-an-phuog")
    assert within_one_edit("to-dan-pho-5", "to-dan-pho-55")
    assert within_one_edit("abcd", "abdc")
    assert not within_one_edit("to-dan-pho-5", "to-dan-pho-5")
    assert not within_one_edit("to-dan-pho-5", "to-dan-pho-67")


def test_natural_order_of_file_names() -> None:
    names = ["IMG_10.jpg", "IMG_2.jpg", "Ảnh 1.jpg", "IMG_1.jpg"]
    assert sorted(names, key=natural_key) == ["Ảnh 1.jpg", "IMG_1.jpg", "IMG_2.jpg", "IMG_10.jpg"]


def test_a_photo_comes_before_its_copies_and_dated_folders_keep_their_numbers() -> None:
    copies = [
        "Hội nghị (2).jpg",
        "IMG_cut2.jpg",
        "Hội nghị.jpg",
        "IMG_cut.jpg",
        "hoi nghi (10).JPG",
    ]
    assert sorted(copies, key=natural_key) == [
        "Hội nghị.jpg",
        "Hội nghị (2).jpg",
        "hoi nghi (10).JPG",
        "IMG_cut.jpg",
        "IMG_cut2.jpg",
    ]
    folders = ["2018.05.12 Hội nghị", "2018.05.3 Hội nghị", "v1.10", "v1.9"]
    assert sorted(folders, key=natural_key) == [
        "2018.05.3 Hội nghị",
        "2018.05.12 Hội nghị",
        "v1.9",
        "v1.10",
    ]
