"""The archive's one clock: every stored or exported time stamp comes from :func:`now`.

UTC, to the second, ISO 8601: catalog rows, gallery exports and fixity
checks written on different machines sort and compare as text.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
