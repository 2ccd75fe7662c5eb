"""archive/web/facet_paths.py makes the addresses Datasette's ``path_with_*_args`` make.

The facets' narrowing links (column facets, units and tags) are built from the
page's arguments encoded once; each must be byte for byte what Datasette built,
on any query string: Vietnamese text, spaces, ``&`` and ``=`` inside values,
blank and repeated arguments, values to add or (given None) to remove.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from datasette import utils
from datasette.utils import path_with_added_args as datasettes
from datasette.utils.asgi import Request
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.web import facet_paths

EQUAL = settings(max_examples=400, derandomize=True, database=None, deadline=None)
NAMES = st.sampled_from(["_search", "_facet", "event_id", "units__arraycontains", "year", "_sort"])
TEXT = st.text(max_size=12) | st.sampled_from(["Đảng ủy", "a&b=c", "x y", "%20", "", "đường"])
VALUES = TEXT | st.integers(-5, 10**6)


def request_for(pairs: list[tuple[str, str]], raw: str = "") -> Request:
    query = urlencode(pairs) + raw
    scope = {"type": "http", "path": "/catalog/photos", "query_string": query.encode("latin-1")}
    return Request(scope, None)


@EQUAL
@given(
    st.lists(st.tuples(NAMES, TEXT), max_size=5),
    st.sampled_from(["", "&blank=", "&=x", "&&", "&_search=%E1%BA%A1"]),
    st.lists(st.tuples(NAMES, VALUES | st.none()), max_size=3),
)
def test_added_links_are_datasettes(pairs, raw, added) -> None:
    request = request_for(pairs, raw)
    assert facet_paths.path_with_added_args(request, added) == datasettes(request, added)
    as_dict = dict(added)
    assert facet_paths.path_with_added_args(request, as_dict) == datasettes(request, as_dict)


@EQUAL
@given(st.lists(st.tuples(NAMES, TEXT), max_size=4), NAMES, VALUES)
def test_an_other_path_keeps_the_query(pairs, name, value) -> None:
    request = request_for(pairs)
    path = "/catalog/events"
    assert facet_paths.path_with_added_args(request, {name: value}, path) == datasettes(
        request, {name: value}, path
    )


@EQUAL
@given(
    st.lists(st.tuples(NAMES, TEXT), max_size=5),
    st.sampled_from(["", "&blank=", "&=x", "&_facet=year&_facet=year"]),
    st.lists(st.tuples(NAMES, TEXT), max_size=3),
    st.sampled_from([None, "/catalog/events", "/catalog/photos?_search=x&year=2020"]),
)
def test_removed_links_are_datasettes(pairs, raw, removed, path) -> None:
    """By name (a set) and by name and value (a dict), from the page or a given path."""
    request = request_for(pairs, raw)
    names = {name for name, _ in removed}
    assert facet_paths.path_with_removed_args(request, names, path) == utils.path_with_removed_args(
        request, names, path
    )
    as_dict = dict(removed)
    assert facet_paths.path_with_removed_args(
        request, as_dict, path
    ) == utils.path_with_removed_args(request, as_dict, path)


@EQUAL
@given(
    st.lists(st.tuples(NAMES, TEXT), max_size=5),
    st.sampled_from(["", "&blank=", "&_sort=caption"]),
    st.lists(st.tuples(NAMES, VALUES | st.none()), max_size=3),
    st.sampled_from([None, "/catalog/events"]),
)
def test_replaced_links_are_datasettes(pairs, raw, replaced, path) -> None:
    request = request_for(pairs, raw)
    for args in (replaced, dict(replaced)):
        assert facet_paths.path_with_replaced_args(
            request, args, path
        ) == utils.path_with_replaced_args(request, args, path)


def test_removing_names_neither_a_set_nor_a_dict_is_refused() -> None:
    with pytest.raises(TypeError, match="set or a dict"):
        facet_paths.path_with_removed_args(request_for([("year", "2020")]), ["year"])


def test_the_table_and_its_facets_use_them(ds) -> None:
    """Installed by the plugin: Datasette's facets, filters and table view call this
    module's functions, and the page's sort links are the ones they make."""
    from datasette import facets, filters
    from datasette.views import table

    from tests.web_archive import get

    page = get(ds, "/catalog/photos?_search=l%E1%BB%85&_size=5")
    assert page.status_code == 200  # the plugin has started
    assert facets.path_with_added_args is facet_paths.path_with_added_args
    assert facets.path_with_removed_args is facet_paths.path_with_removed_args
    assert filters.path_with_removed_args is facet_paths.path_with_removed_args
    assert table.path_with_replaced_args is facet_paths.path_with_replaced_args
    assert table.path_with_removed_args is facet_paths.path_with_removed_args
    assert 'href="/catalog/photos?_search=l%E1%BB%85&amp;_size=5&amp;_sort=caption"' in (page.text)
