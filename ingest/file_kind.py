"""What a file that is not a photo seems to be, from its first bytes, to word its refusal.

A clerk who copies a folder off a phone or a USB stick brings along what else was
in it: the write-up (a Word document, a PDF), a note, a renamed file. Saying
"not a photo file: it looks like a PDF document" tells them which file it is and
that nothing is wrong with their photos; the decoder's own words ("cannot identify
image file '...'", which repeats the path) tell them nothing.
"""

from __future__ import annotations

from archive.i18n import N_, _

HEAD_BYTES = 512  # enough for every signature below, and for telling text from binary

# Signatures at the start of a file, with what to call it (the most common strays first).
_SIGNATURES = (
    (b"%PDF", N_("a PDF document")),
    (b"PK\x03\x04", N_("a ZIP archive or an Office document (.docx, .xlsx)")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("an old Office document (.doc, .xls)")),
    (b"{\\rtf", N_("an RTF document")),
    (b"Rar!", N_("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"<!DOCTYPE html", N_("a web page (HTML)")),
    (b"<html", N_("a web page (HTML)")),
)


def looks_like(head: bytes) -> str | None:
    """What the file starting with head seems to be, in the current language; None: unknown.

    An empty head is text (an empty file has nothing else to be): callers say "empty" first.
    """
    # HTML may write its tags in capitals: the start is compared in any case.
    start = head[:16].lower()
    for signature, kind in _SIGNATURES:
        if head.startswith(signature) or start.startswith(signature.lower()):
            return _(kind)
    if _is_text(head):
        return _("a text file")
    return None


def _is_text(head: bytes) -> bool:
    """UTF-8 (or plain ASCII) with no control characters but tabs and line ends."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # only a character cut at the end of the head is forgiven
            return False
        text = head[: err.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text.lstrip("\ufeff"))
