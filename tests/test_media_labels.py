"""How pages write a file's size: the unit follows the size, with Vietnam's decimal comma."""

from __future__ import annotations

import pytest

from archive.web.media import size_text


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (26_000, "25 KB"),  # a short clip: never "0,0 MB"
        (300, "1 KB"),
        (3_565_158, "3,4 MB"),
        (1_288_490_189, "1,2 GB"),
        (None, ""),
    ],
)
def test_sizes_read_as_a_reviewer_reads_them(size: int | None, shown: str) -> None:
    assert size_text(size) == shown
