"""archive/web/facet_paths.py makes the addresses Datasette's ``path_with_added_args`` makes.

The facets' narrowing links (column facets, units and tags) are built from the
page's arguments encoded once; each must be byte for byte what Datasette built,
on any query string: Vietnamese text, spaces, ``&`` and ``=`` inside values,
blank and repeated arguments, values to add or (given None) to remove.
"""

from __future__ import annotations

from urllib.parse import urlencode

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


def test_the_column_facets_use_it(ds) -> None:
    """Installed by the plugin: Datasette's facets module calls this module's function."""
    from datasette import facets

    from tests.web_archive import get

    assert get(ds, "/catalog/photos").status_code == 200  # the plugin has started
    assert facets.path_with_added_args is facet_paths.path_with_added_args
