"""The fast paths of the text keys give what their plain definitions give, on any text.

``canonical_tones`` moves a tone with one regular expression and
``strip_diacritics`` drops marks with an ASCII encode when it can: both are
held here, by Hypothesis, to the straightforward definitions they replace (a
callback per word; a loop over ``unicodedata.combining``). The alphabet is
where they could differ: tones in both placements, q, marks outside the
Vietnamese block, the grapheme joiner (not combining), letters beyond ASCII,
NFD and NFC.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import TONE_MARKS, canonical_tones, fold, strip_diacritics

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*")
_OPEN_PAIR = re.compile(
    rf"^(?P<head>.*?)(?P<v1>[oOuU])(?P<t1>[{TONE_MARKS}]?)(?P<v2>[aAeEyY])(?P<t2>[{TONE_MARKS}]?)$"
)


def _move_tone_by_word(match: re.Match[str]) -> str:
    word = match.group(0)
    m = _OPEN_PAIR.match(word)
    if not m or (m["v1"] + m["v2"]).lower() not in {"oa", "oe", "uy"}:
        return word
    if m["head"][-1:].lower() == "q" or not m["t2"] or m["t1"]:
        return word
    return f"{m['head']}{m['v1']}{m['t2']}{m['v2']}"


def canonical_tones_by_word(text: str) -> str:
    """The definition: each word in NFD, its open pair's tone moved to the first vowel."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _WORD.sub(_move_tone_by_word, decomposed))


def strip_by_character(text: str) -> str:
    """The definition: every combining character of the NFD dropped, đ made d."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


_PIECES = [
    *"oOuUaAeEyYqQgGhHkKtTnN",
    *TONE_MARKS,
    *"àáảãạòóỏõọùúủũụỳýỷỹỵèéẻẽẹ",
    *"ĐđƯưƠơÂâĂăÊêÔô",
    "\u0302",  # circumflex: a mark that is no tone
    "\u0306",  # breve
    "\u031b",  # horn
    "\u034f",  # grapheme joiner: in the block, not combining
    "\u1dc0",  # a combining mark beyond the block
    "\u20d7",
    *"0159_-/.,;",
    *" \n\t\u00a0\u2028",
    *"ßİǅﬁ中ñç",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_FORMS = st.sampled_from(["NFC", "NFD", None])


def _in_form(text: str, form: str | None) -> str:
    return unicodedata.normalize(form, text) if form else text


@settings(max_examples=1500, derandomize=True, database=None)
@given(_TEXT, _FORMS)
def test_canonical_tones_is_its_definition(text: str, form: str | None) -> None:
    text = _in_form(text, form)
    assert canonical_tones(text) == canonical_tones_by_word(text)


@settings(max_examples=1500, derandomize=True, database=None)
@given(_TEXT, _FORMS)
def test_strip_diacritics_is_its_definition(text: str, form: str | None) -> None:
    text = _in_form(text, form)
    assert strip_diacritics(text) == strip_by_character(text)


def test_the_fast_path_is_taken_and_right_on_vietnamese() -> None:
    words = "Uỷ ban nhân dân phường, hoà giải, khoẻ mạnh, Quý, thuỷ, Đảng ủy"
    assert (
        canonical_tones(words) == "Ủy ban nhân dân phường, hòa giải, khỏe mạnh, Quý, thủy, Đảng ủy"
    )
    assert fold(words) == "uy ban nhan dan phuong, hoa giai, khoe manh, quy, thuy, dang uy"
    # Beyond Vietnamese the loop decides: ß and 中 stay, the marks go.
    assert strip_diacritics("Straße 中 café\u0301") == "Straße 中 cafe"
