"""Templates found nowhere are looked for once, and SQLite's JSON functions once.

archive/web/known_templates.py remembers the names its loaders do
not have (a page offers Datasette its most particular template names first,
most of which no folder holds); archive/web/json1.py answers Datasette's
``detect_json1`` once per process. Both must answer what they stand in front
of answered.
"""

from __future__ import annotations

import sqlite3

import pytest
from datasette.utils import detect_json1
from jinja2 import DictLoader, Environment, TemplateNotFound

from archive.web import json1
from archive.web.known_templates import REMEMBERED, KnownTemplates
from tests.web_archive import get


class CountingLoader(DictLoader):
    """A loader of fixed templates that counts the names it is asked for."""

    def __init__(self, mapping: dict[str, str]) -> None:
        super().__init__(mapping)
        self.asked: list[str] = []

    def get_source(self, environment, template):
        self.asked.append(template)
        return super().get_source(environment, template)


def test_a_missing_name_is_looked_for_once_and_found_ones_load() -> None:
    inner = CountingLoader({"table.html": "{{ 'bảng' }} {% include 'row.html' %}", "row.html": "ô"})
    env = Environment(loader=KnownTemplates(inner), auto_reload=False)
    for _ in range(3):
        template = env.select_template(["table-catalog-photos.html", "table.html"])
        assert template.render() == "bảng ô"
    assert inner.asked.count("table-catalog-photos.html") == 1
    assert inner.asked.count("table.html") == 1
    with pytest.raises(TemplateNotFound):
        env.get_template("table-catalog-photos.html")
    assert KnownTemplates(inner).list_templates() == ["row.html", "table.html"]


def test_the_names_it_remembers_are_bounded() -> None:
    """A visitor's address names a ``pages/`` template: those cannot fill the memory."""
    env = Environment(loader=KnownTemplates(CountingLoader({})), auto_reload=False)
    for n in range(REMEMBERED * 3):
        with pytest.raises(TemplateNotFound):
            env.get_template(f"pages/{n}.html")
    assert 0 < len(env.loader.missing) <= REMEMBERED


def test_the_server_pages_render_through_it(ds) -> None:
    """The photos table picks the archive's own layout, and a name Datasette offers that
    no folder holds is remembered."""
    page = get(ds, "/catalog/photos")
    assert page.status_code == 200 and 'class="rows-and-columns archive-photos"' in page.text
    assert isinstance(ds.jinja_env.loader, KnownTemplates)
    assert "table-catalog-photos.html" in ds.jinja_env.loader.missing
    assert "table.html" not in ds.jinja_env.loader.missing


def test_json1_is_answered_as_datasette_answers_it(ds) -> None:
    from datasette import facets, filters

    assert get(ds, "/catalog/photos").status_code == 200  # the plugin has started
    assert facets.detect_json1 is json1.json1_available
    assert filters.detect_json1 is json1.json1_available
    assert json1.json1_available() is detect_json1() is True
    conn = sqlite3.connect(":memory:")
    assert json1.json1_available(conn) is detect_json1(conn)
