"""Text escaped for HTML exactly as markupsafe escapes it, as a plain ``str``.

markupsafe's ``escape`` builds a ``Markup`` object for every call (its ``__new__``
is Python): a page of the photos table escapes some 1,500 texts, and those
objects were a fifth of building its cells. The pieces of one cell are joined
into one string and wrapped in ``Markup`` once, so each piece needs only the
text; tests/test_html_text.py holds this equal to markupsafe on any text.
"""

from __future__ import annotations

from typing import Any

__all__ = ["escaped"]

# markupsafe's replacements, "&" first so that the others' ampersands stay.
_REPLACEMENTS = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ('"', "&#34;"))


def escaped(value: Any) -> str:
    """``str(markupsafe.escape(value))``: markup (anything with ``__html__``) as it is,
    any other value's text with ``& < > ' "`` replaced."""
    if type(value) is not str:
        html = getattr(value, "__html__", None)
        if html is not None:
            return str(html())
        value = str(value)
    for plain, entity in _REPLACEMENTS:
        if plain in value:
            value = value.replace(plain, entity)
    return value
