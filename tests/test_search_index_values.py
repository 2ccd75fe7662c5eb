"""The index rows, keyed part by part, are the keys of the whole texts.

:func:`archive.search.index_values` keys a photo's caption, its event, its
units and its tags one by one (and caches each), then joins the keys. What it
must give is the definition: the exact key and the folded key of the texts
joined. Hypothesis holds it to that on texts chosen where joining could
matter: spaces and newlines at the edges, parts that key to nothing, tones in
both placements across a boundary, NFD.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search import index_values
from archive.text import exact_key, fold


def index_values_whole(row: tuple, aliases: list[str]) -> tuple[tuple, tuple]:
    """The definition: each key taken of the whole joined text."""
    photo_id, caption, title, description, units, tags, *extra = row
    event = " ".join(part for part in (title, description) if part)
    units_text = " ; ".join([*json.loads(units or "[]"), *aliases])
    tags_text = " ; ".join(json.loads(tags or "[]"))
    own = "\n".join(p for p in (caption, units_text, tags_text, *extra) if p)
    folded = fold(" ".join(p for p in (caption, event, units_text, tags_text, *extra) if p))
    return (
        (photo_id, caption or "", event, units_text, tags_text, folded),
        (photo_id, exact_key(own), exact_key(event), fold(own), fold(event)),
    )


_PIECES = [
    *"Uỷ ban nhân dân phường Đảng ủy hoà khoẻ Quý thuỷ đường dương",
    *" \n\t\u00a0;",
    "\u0301",  # a tone with no letter before it, as a part may begin
    "\u0309",
    "oa\u0300",
    "q",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)
_MAYBE = st.one_of(st.none(), _TEXT, _TEXT.map(lambda t: unicodedata.normalize("NFD", t)))
_NAMES = st.lists(_TEXT, max_size=3)


@settings(max_examples=800, derandomize=True, database=None)
@given(_MAYBE, _MAYBE, _MAYBE, _NAMES, _NAMES, _MAYBE, _MAYBE, _NAMES)
def test_rows_are_the_keys_of_the_whole_texts(
    caption, title, description, units, tags, photographer, credit, aliases
) -> None:
    row = (
        7,
        caption,
        title,
        description,
        json.dumps(units, ensure_ascii=False),
        json.dumps(tags, ensure_ascii=False),
        photographer,
        credit,
    )
    assert index_values(row, aliases) == index_values_whole(row, aliases)


def test_a_shared_event_is_keyed_as_its_own() -> None:
    row = (
        1,
        "Lễ khai giảng",
        "Đại hội Đảng bộ phường",
        "Nhiệm kỳ 2020-2025",
        "[]",
        "[]",
        None,
        None,
    )
    fts, smart = index_values(row, ["UBND"])
    assert fts[-1] == "le khai giang dai hoi dang bo phuong nhiem ky 2020-2025 ubnd"
    assert smart[1:] == (
        "lễ khai giảng ubnd",
        "đại hội đảng bộ phường nhiệm kỳ 2020-2025",
        "le khai giang ubnd",
        "dai hoi dang bo phuong nhiem ky 2020-2025",
    )
