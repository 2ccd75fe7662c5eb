"""archive/web/html_text.py escapes exactly as markupsafe does, on any text.

The table's cells and facet lists are built with :func:`escaped` and wrapped in
Markup once; the page's bytes must be those markupsafe's ``escape`` wrote.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from archive.web.html_text import escaped

EQUAL = settings(max_examples=400, derandomize=True, database=None, deadline=None)
MARKUP_TEXT = st.sampled_from(["&", "<", ">", "'", '"', "a", "đ", "Ủy ", "&amp;", "&#39;", "\x00"])


@EQUAL
@given(st.text() | st.lists(MARKUP_TEXT).map("".join))
def test_any_text_is_escaped_as_markupsafe_escapes_it(text: str) -> None:
    assert escaped(text) == str(escape(text))
    assert type(escaped(text)) is str


@EQUAL
@given(st.integers() | st.floats(allow_nan=False) | st.none() | st.booleans())
def test_other_values_are_escaped_by_their_text(value: object) -> None:
    assert escaped(value) == str(escape(value))


def test_markup_is_kept_as_it_is() -> None:
    made = Markup('<a href="/-/units/x">Đảng ủy &amp; UBND</a>')
    assert escaped(made) == str(escape(made)) == str(made)
    assert escaped('<b title="Đ&\'">') == "&lt;b title=&#34;Đ&amp;&#39;&#34;&gt;"
