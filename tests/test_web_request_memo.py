"""Each request asks the catalog's schema once, and sees a change by the next request.

archive/web/request_memo.py shares, within one request, the answers to the
schema questions Datasette's table view repeats (columns, keys, foreign keys…).
"""

from __future__ import annotations

import collections
import sqlite3

import pytest
from datasette.app import Datasette
from datasette.database import Database

from archive.web import permission_memo, request_memo
from tests import web_archive
from tests.web_archive import get


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> collections.Counter:
    """How often each schema question reached the database, by (question, arguments)."""
    counts: collections.Counter = collections.Counter()
    for name in request_memo.METHODS:
        method = getattr(Database, name)

        def counted(self, *args, _name=name, _method=method, **kwargs):
            counts[(_name, args)] += 1
            return _method(self, *args, **kwargs)

        monkeypatch.setattr(Database, name, counted)
    return counts


def test_a_table_page_asks_each_schema_question_once(built, asked) -> None:
    ds = web_archive.datasette(built)
    assert get(ds, "/catalog/photos?_search=%C4%91%E1%BA%A3ng").status_code == 200
    assert asked[("table_columns", ("photos",))] == 1  # the table view does ask
    assert max(asked.values()) == 1, asked.most_common(3)
    asked.clear()
    for path in ("/catalog/photos?_search=%C4%91%E1%BA%A3ng", "/catalog/photos.json"):
        assert get(ds, path).status_code == 200
    assert not asked  # the same schema: the answers the earlier requests had


def test_a_schema_change_is_asked_about_again(built, asked) -> None:
    ds = web_archive.datasette(built)
    assert get(ds, "/catalog/photos.json").status_code == 200
    asked.clear()
    with sqlite3.connect(built.catalog) as conn:
        conn.execute("CREATE INDEX idx_test_caption_again ON photos(caption)")
    try:
        assert get(ds, "/catalog/photos.json").status_code == 200
        assert asked and max(asked.values()) == 1
    finally:
        with sqlite3.connect(built.catalog) as conn:
            conn.execute("DROP INDEX idx_test_caption_again")


def test_a_schema_change_is_seen_by_the_next_request(built, ds) -> None:
    row = get(ds, "/catalog/photos.json?_shape=array&_size=1").json()[0]
    assert "reviewer_note" not in row
    with sqlite3.connect(built.catalog) as conn:
        conn.execute("ALTER TABLE photos ADD COLUMN reviewer_note TEXT")
    row = get(ds, "/catalog/photos.json?_shape=array&_size=1").json()[0]
    assert "reviewer_note" in row


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> collections.Counter:
    """How often Datasette's own permission check ran, by (actor, action, resource, default)."""
    counts: collections.Counter = collections.Counter()
    original = Datasette.permission_allowed

    async def counted(self, actor, action, resource=None, default=False):
        counts[(repr(actor), action, resource, default)] += 1
        return await original(self, actor, action, resource=resource, default=default)

    monkeypatch.setattr(Datasette, "permission_allowed", counted)
    return counts


@pytest.fixture
def other_permissions():
    """A permission plugin of someone else's: its answers may change between requests."""
    with web_archive.foreign_plugin(
        "permission_allowed", lambda datasette, actor, action, resource: None
    ):
        yield


PAGES = ("/catalog/photos?_search=%C4%91%E1%BA%A3ng", "/-/timeline", "/-/events/{event}")


def _pages() -> list[str]:
    return [page.format(event=web_archive.EXAMPLE_EVENT_SLUG) for page in PAGES]


def test_datasettes_own_permissions_are_checked_once_for_the_process(built, checked) -> None:
    assert permission_memo.permissions_are_pure()
    ds = web_archive.datasette(built)  # after the patch: the memo wraps the counted check
    for path in _pages():
        assert get(ds, path).status_code == 200
    assert checked and max(checked.values()) == 1, checked.most_common(3)
    checked.clear()
    for path in _pages():
        assert get(ds, path).status_code == 200
    assert not checked  # the same actor, the same metadata: the same answers


def test_with_another_permission_plugin_each_request_checks_again(
    built, checked, other_permissions
) -> None:
    assert not permission_memo.permissions_are_pure()
    ds = web_archive.datasette(built)
    for path in _pages():
        checked.clear()
        assert get(ds, path).status_code == 200
        assert checked, path  # the page does check
        assert max(checked.values()) == 1, (path, checked.most_common(3))  # once a request
    checked.clear()
    event = _pages()[-1]
    get(ds, event)
    get(ds, event)
    assert min(checked.values()) == 2


def test_an_allow_block_still_closes_a_page_each_time(built) -> None:
    """Answers are kept per actor: a denied actor stays denied and a permitted one is let
    in, on every request, whichever asked first."""
    metadata = web_archive.load_metadata(web_archive.METADATA)
    metadata["databases"]["catalog"]["tables"]["events"] = {"allow": {"id": "bientap"}}
    ds = web_archive.build_datasette(built.catalog, metadata)
    event = f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}"
    assert get(ds, event, {"id": "khach"}).status_code == 403  # a denied one first
    for _ in range(2):
        assert get(ds, event, {"id": "bientap"}).status_code == 200
        assert get(ds, event).status_code == 403
        assert get(ds, event, {"id": "khach"}).status_code == 403
        assert get(ds, event, {"id": "Bientap"}).status_code == 403
