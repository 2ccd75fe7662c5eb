"""A card's units and tags, and a list of unit links, read once per text and still fresh.

archive/web/site.py decodes a ``units``/``tags`` column once per text and writes
a unit's link once per name: a page's cards repeat the same few lists. These
tests hold what that must not change: each card gets lists of its own (a page
that changes one card's list changes no other card, and no later page), the
links are those of the plain decoding, and a unit's name given as markup is not
taken for the same text given plain.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from archive.web.site import Links, anchor, unit_links, unit_url

EQUAL = settings(max_examples=200, derandomize=True, database=None, deadline=None)
NAMES = st.lists(st.sampled_from(["Đảng ủy phường 1", "Trường THCS <Lê Lợi>", "Tổ 4 & 5", "'x'"]))


def _links(base_url: str = "/") -> Links:
    datasette = SimpleNamespace(setting=lambda name: base_url)
    return Links(datasette, "catalog")


def _row(photo_id: int, units: list[str], tags: list[str]) -> dict:
    dumped = json.dumps(units, ensure_ascii=False)
    return {"id": photo_id, "units": dumped, "tags": json.dumps(tags, ensure_ascii=False)}


@EQUAL
@given(NAMES, st.lists(st.sampled_from(["hội nghị", "lễ", "<b>"])), st.sampled_from(["/", "/kho/"]))
def test_a_cards_lists_are_the_columns_decoded_with_each_units_address(units, tags, base) -> None:
    card = _links(base).photo_card(_row(1, units, tags))
    assert card["units"] == [{"name": name, "url": unit_url(base, name)} for name in units]
    assert card["tags"] == tags and type(card["tags"]) is list


def test_cards_with_the_same_lists_get_lists_of_their_own() -> None:
    links = _links()
    first = links.photo_card(_row(1, ["Đảng ủy phường 1"], ["lễ"]))
    first["units"].append({"name": "thêm", "url": "/"})
    first["units"][0]["name"] = "đổi"
    first["tags"].append("thêm")
    again = links.photo_card(_row(2, ["Đảng ủy phường 1"], ["lễ"]))
    assert again["units"] == [
        {"name": "Đảng ủy phường 1", "url": unit_url("/", "Đảng ủy phường 1")}
    ]
    assert again["tags"] == ["lễ"]


def test_no_units_and_no_tags_are_empty_lists() -> None:
    card = _links().photo_card({"id": 3, "units": "[]", "tags": None})
    assert card["units"] == [] and card["tags"] == []


@EQUAL
@given(NAMES)
def test_unit_links_are_the_anchors_joined(names) -> None:
    units = [{"name": name, "url": unit_url("/", name)} for name in names]
    assert unit_links(units) == Markup(", ".join(anchor(u["url"], u["name"]) for u in units))


def test_a_name_given_as_markup_is_not_the_same_text_given_plain() -> None:
    plain = [{"name": "A &amp; B", "url": "/-/units/a-b"}]
    marked = [{"name": Markup("A &amp; B"), "url": "/-/units/a-b"}]
    assert str(unit_links(plain)) == '<a href="/-/units/a-b">A &amp;amp; B</a>'
    assert str(unit_links(marked)) == '<a href="/-/units/a-b">A &amp; B</a>'
    assert str(unit_links(plain)) == '<a href="/-/units/a-b">A &amp;amp; B</a>'


def test_json_that_is_not_a_list_is_shown_as_it_was_read() -> None:
    card = _links().photo_card({"id": 4, "units": '"Tổ 1"', "tags": '{"a": 1}'})
    assert card["units"] == [{"name": ch, "url": unit_url("/", ch)} for ch in "Tổ 1"]
    assert card["tags"] == {"a": 1}
