"""The direct join of archive/web/absolute_urls.py gives Datasette's own absolute addresses.

Datasette's ``absolute_url`` is ``urljoin(request.url, path)``; the archive joins the
server's plain absolute paths to the scheme and host directly. Hypothesis holds the two
equal on addresses of every shape, hostile Host headers included, and a real table page
hands out the same toggle addresses as before.
"""

from __future__ import annotations

import types
from urllib.parse import quote_plus, urljoin

from datasette.app import Datasette
from datasette.utils.asgi import Request
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.web import absolute_urls
from tests.web_archive import datasette, get

HOSTS = st.one_of(
    st.sampled_from(["localhost", "127.0.0.1:8001", "[::1]:8001", "phuong6.example.vn"]),
    st.text(max_size=20),  # whatever a client sends as its Host header
)
PATHS = st.one_of(
    st.builds(
        lambda parts, query: "/" + "/".join(parts) + (f"?{query}" if query else ""),
        st.lists(st.text(max_size=8), max_size=4),
        st.text(max_size=20),
    ),
    st.text(max_size=30),
)


def _request(host: str, scheme: str = "http") -> Request:
    request = Request.fake("/catalog/photos?_search=r%E1%BA%A1ch&_facet=year", scheme=scheme)
    request.scope["headers"] = [(b"host", host.encode("utf-8", "surrogateescape"))]
    return request


def _joined(request: Request, path: str, force_https: bool = False) -> str:
    """Datasette 0.65's absolute_url, as it reads."""
    url = urljoin(request.url, path)
    if url.startswith("http://") and force_https:
        url = "https://" + url[len("http://") :]
    return url


class _Settings:
    """Just the one setting absolute_url reads, for the direct join alone."""

    def __init__(self, force_https: bool) -> None:
        self.force_https = force_https
        self.absolute_url = lambda request, path: _joined(request, path, force_https)

    def setting(self, name: str) -> bool:
        assert name == "force_https_urls"
        return self.force_https


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(host=HOSTS, path=PATHS, scheme=st.sampled_from(["http", "https"]), force=st.booleans())
@example(host="evil.example/x", path="/catalog/photos", scheme="http", force=False)
@example(host="localhost", path="/catalog/../etc?x=1", scheme="http", force=False)
@example(host="localhost", path="//other.example/x", scheme="http", force=False)
@example(
    host="localhost:8001",
    path="/catalog/photos?units__arraycontains=%C4%90",
    scheme="http",
    force=True,
)
def test_the_direct_join_is_urljoins_address(host, path, scheme, force) -> None:
    try:
        request = _request(host, scheme)
        expected = _joined(request, path, force)
    except (ValueError, UnicodeError):  # an address urljoin itself refuses: nothing to compare
        return
    target = _Settings(force)
    absolute_urls.install(target)
    assert target.absolute_url(request, path) == expected


TAILS = st.one_of(st.text(max_size=12).map(quote_plus), st.text(max_size=12))


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(
    host=HOSTS,
    prefix=PATHS,
    tails=st.lists(TAILS, min_size=1, max_size=4),
    scheme=st.sampled_from(["http", "https"]),
    force=st.booleans(),
)
@example(host="localhost", prefix="/catalog/photos?year=", tails=["2019"], scheme="http", force=1)
@example(
    host="localhost",
    prefix="/catalog/photos?_search=x&units=",
    tails=["a b"],
    scheme="http",
    force=0,
)
@example(host="localhost", prefix="/catalog/./photos?year=", tails=["2019"], scheme="http", force=0)
@example(host="evil/x", prefix="/catalog/photos?year=", tails=["2019"], scheme="http", force=0)
@example(host="localhost", prefix="/catalog/photos?c=", tails=["a\tb\n"], scheme="http", force=0)
def test_a_joined_prefix_with_each_tail_is_the_whole_join(host, prefix, tails, scheme, force):
    """A facet's links: the prefix joined once, each value's encoded text put after it."""
    try:
        request = _request(host, scheme)
        expected = [_joined(request, prefix + tail, force) for tail in tails]
    except (ValueError, UnicodeError):
        return
    target = _Settings(force)
    absolute_urls.install(target)
    joiner = absolute_urls.tail_joiner(target, request, prefix)
    assert [joiner(tail) for tail in tails] == expected


def test_a_table_pages_facet_addresses_are_the_same_as_datasettes(built, ds) -> None:
    path = "/catalog/photos.json?_search=dang+uy&_facet=media_type"
    fast = get(ds, path).json()["facet_results"]
    toggles = [v["toggle_url"] for f in fast.values() for v in f["results"]]
    assert len(toggles) >= 5 and all(
        t.startswith("http://localhost/catalog/photos") for t in toggles
    )
    own = datasette(built)
    get(own, "/-/versions.json")  # started: the direct join is installed...
    own.absolute_url = types.MethodType(Datasette.absolute_url, own)  # ...and taken out again
    assert get(own, path).json()["facet_results"] == fast
