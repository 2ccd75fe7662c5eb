"""Each request asks the catalog's schema once, and sees a change by the next request.

archive/web/request_memo.py shares, within one request, the answers to the
schema questions Datasette's table view repeats (columns, keys, foreign keys…).
"""

from __future__ import annotations

import collections
import sqlite3

import pytest
from datasette.database import Database

from archive.web import request_memo
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
