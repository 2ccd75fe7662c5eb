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

from archive.web import request_memo
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


def test_a_table_page_asks_each_schema_question_once(built, ds, asked) -> None:
    for path in ("/catalog/photos?_search=%C4%91%E1%BA%A3ng", "/catalog/photos.json"):
        asked.clear()
        assert get(ds, path).status_code == 200
        assert asked, path  # the table view does ask
        assert max(asked.values()) == 1, (path, asked.most_common(3))


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


def test_a_page_checks_each_permission_once(built, checked) -> None:
    ds = web_archive.datasette(built)  # after the patch: the memo wraps the counted check
    event = f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}"
    for path in ("/catalog/photos?_search=%C4%91%E1%BA%A3ng", event, "/-/timeline"):
        checked.clear()
        assert get(ds, path).status_code == 200
        assert checked, path  # the page does check
        assert max(checked.values()) == 1, (path, checked.most_common(3))
    # Nothing is kept from one request to the next: the next one checks again.
    checked.clear()
    get(ds, event)
    get(ds, event)
    assert min(checked.values()) == 2


def test_an_allow_block_still_closes_a_page_each_time(built) -> None:
    """The memo shares an answer within one request only: a denied actor stays denied, a
    permitted one is let in, whichever came first."""
    metadata = web_archive.load_metadata(web_archive.METADATA)
    metadata["databases"]["catalog"]["tables"]["events"] = {"allow": {"id": "bientap"}}
    ds = web_archive.build_datasette(built.catalog, metadata)
    event = f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}"
    for _ in range(2):
        assert get(ds, event, {"id": "bientap"}).status_code == 200
        assert get(ds, event).status_code == 403
        assert get(ds, event, {"id": "khach"}).status_code == 403
