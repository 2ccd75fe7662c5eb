"""The photos table's filter and sort form: every column by its Vietnamese label, the
current choices marked, each operator in Vietnamese (archive/web/chrome.py writes the menus).
"""

from __future__ import annotations

from html.parser import HTMLParser

from archive.web.chrome import LOOKUPS
from tests.web_archive import get


class Menus(HTMLParser):
    """Each ``<select>`` of a page by name: its options as (value, text, selected)."""

    def __init__(self) -> None:
        super().__init__()
        self.menus: dict[str, list[tuple[str, str, bool]]] = {}
        self._menu: str | None = None
        self._option: list | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._menu = found.get("name") or ""
            self.menus[self._menu] = []
        elif tag == "option" and self._menu is not None:
            self._option = [found.get("value") or "", "", "selected" in found]

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._menu is not None:
            value, text, selected = self._option
            self.menus[self._menu].append((value, text.strip(), selected))
            self._option = None
        elif tag == "select":
            self._menu = None


def menus(ds, path: str) -> dict[str, list[tuple[str, str, bool]]]:
    response = get(ds, path)
    assert response.status_code == 200, response.text[:300]
    parser = Menus()
    parser.feed(response.text)
    return parser.menus


def test_the_filter_form_names_every_column_and_marks_the_chosen_filter(built, ds) -> None:
    found = menus(ds, "/catalog/photos?caption__contains=Chi&_search=chi+bo")
    columns = get(ds, "/catalog/photos.json?_size=0").json()["columns"]
    chosen = found["_filter_column_1"]
    assert chosen[0] == ("", "- bỏ lọc -", False)
    assert [value for value, _, _ in chosen[1:]] == columns
    assert [(v, t) for v, t, selected in chosen if selected] == [("caption", "Chú thích")]
    labels = {value: text for value, text, _ in chosen}
    assert labels["taken_at"] == "Thời điểm chụp" and labels["camera"] == "Máy chụp"
    assert labels["phash"] == "Dấu vân tay pHash"  # its description, up to the bracket
    operator = found["_filter_op_1"]
    assert [(v, t) for v, t, selected in operator if selected] == [("contains", "chứa")]
    assert ("isnull__1", LOOKUPS["isnull"], False) in operator  # takes no value
    new = found["_filter_column"]
    assert new[0] == ("", "- cột -", False) and not any(s for _, _, s in new)
    assert [value for value, _, _ in new[1:]] == columns
    assert not any(selected for _, _, selected in found["_filter_op"])


def test_the_sort_menu_lists_the_sortable_columns_and_marks_the_order(built, ds) -> None:
    found = menus(ds, "/catalog/photos?_sort=camera")
    sort = found["_sort"]
    assert sort[0] == ("", "Sắp xếp...", False)
    assert all(text.startswith("Xếp theo ") for _, text, _ in sort[1:])
    assert [(v, t) for v, t, selected in sort if selected] == [("camera", "Xếp theo Máy chụp")]
    columns = get(ds, "/catalog/photos.json?_size=0").json()["columns"]
    assert [value for value, _, _ in sort[1:]] == columns  # the metadata limits none


def test_a_column_without_a_description_is_named_by_its_name() -> None:
    """An operator's own metadata (serve --metadata) may describe fewer columns than ours."""
    from archive.web.chrome import column_label

    described = {"caption": "Chú thích", "taken_at": "Thời điểm chụp (giờ máy ảnh)"}
    assert column_label(described, "caption") == "Chú thích"
    assert column_label(described, "taken_at") == "Thời điểm chụp"
    assert column_label(described, "phash") == "phash"
    assert column_label(None, "phash") == "phash"
