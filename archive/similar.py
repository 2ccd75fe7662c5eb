"""Which photos of an event are near-duplicates, and which one of each group to show.

Pure functions on plain values: the writer (:mod:`archive.catalog.similar`) reads the
rows, asks here, and writes the answer. Two photos are *near* when both fingerprints
(:mod:`ingest.fingerprint`) are within their thresholds and, when both were dated by a
camera, they were taken within the window (10 minutes unless the archive's
``similar_window_minutes`` setting says otherwise; phones' clocks disagree by a minute
or two, never by ten). A photo dated only by its file, its event or a sheet's day
compares by fingerprint alone. Near pairs are merged transitively (union-find), so a
burst that drifts frame by frame stays one group, across phones.

The thresholds were chosen on bench/bench_similar.py's generated scenes (its README
paragraph has the figures): pHash alone lets a few unrelated pictures with the same
layout of light and dark in; requiring dHash to agree as well keeps them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive.dates import CAMERA_SOURCES

PHASH_MAX = 14  # bits of 64 that may differ, pHash
DHASH_MAX = 16  # and dHash, both at once
WINDOW_MINUTES = 10.0
WINDOW_SETTING = "similar_window_minutes"
SAME_RESOLUTION = 0.8  # members with at least this share of the largest pixel count compete
SAME_SHARPNESS = 0.9  # and within this share of the sharpest count as sharp as it


@dataclass(frozen=True)
class Candidate:
    """What the grouping needs of one photo."""

    id: int
    phash: int
    dhash: int
    taken: float | None  # seconds, only for a camera's own time; None compares by hash alone
    pixels: int
    sharpness: float


def hex64(value: str) -> int:
    """A 16-hex-digit hash as an integer."""
    return int(value, 16)


def distance(a: int, b: int) -> int:
    """Bits that differ between two 64-bit hashes (Hamming distance)."""
    return (a ^ b).bit_count()


# A picture with (almost) no gradient anywhere: a flat colour, a black frame, a smooth
# sky. Its hashes say nothing but "plain" (a red and a blue card hash alike), so such
# photos are never grouped, nor paired across events, by fingerprint.
PLAIN_BITS = 4


def featureless(dhash: int) -> bool:
    """True when the dHash has at most PLAIN_BITS bits set or unset: nothing to compare."""
    ones = dhash.bit_count()
    return min(ones, 64 - ones) <= PLAIN_BITS


def trusted_time(taken_at: str | None, source: str | None) -> float | None:
    """A camera's time of day in seconds (wall clock, offset ignored), else None.

    Phones of one ward are in one time zone; a file's time or an event's day is a
    guess and must not keep two identical pictures apart, nor bring two together.
    """
    if not taken_at or source not in CAMERA_SOURCES or len(taken_at) < 16:
        return None
    try:
        return datetime.fromisoformat(taken_at[:19]).timestamp()
    except ValueError:
        return None


def popcount(values: Any) -> Any:
    """Set bits of each uint64 of a numpy array (numpy 2's bitwise_count)."""
    import numpy as np

    return np.bitwise_count(values)


def groups(
    photos: Sequence[Candidate],
    window_minutes: float = WINDOW_MINUTES,
    alone: Iterable[int] = (),
    phash_max: int = PHASH_MAX,
    dhash_max: int = DHASH_MAX,
) -> list[list[int]]:
    """Groups (two photos or more) of near photos, each sorted by id; ``alone`` stay out.

    Each photo is compared with every later one in a vectorised row, so an event of
    thousands costs a fraction of a second; ``alone`` are the photos a reviewer split.
    """
    import numpy as np  # here: the command line starts without numpy

    left_out = set(alone)
    kept = [p for p in photos if p.id not in left_out and not featureless(p.dhash)]
    if len(kept) < 2:
        return []
    ph = np.array([p.phash for p in kept], dtype=np.uint64)
    dh = np.array([p.dhash for p in kept], dtype=np.uint64)
    taken = np.array([np.nan if p.taken is None else p.taken for p in kept], dtype=np.float64)
    window = window_minutes * 60.0
    parent = list(range(len(kept)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(kept) - 1):
        near = (popcount(ph[i + 1 :] ^ ph[i]) <= phash_max) & (
            popcount(dh[i + 1 :] ^ dh[i]) <= dhash_max
        )
        if not np.isnan(taken[i]):
            gap = np.abs(taken[i + 1 :] - taken[i])
            near &= ~(gap > window)  # NaN (no trusted time) compares as near
        for j in np.flatnonzero(near):
            a, b = root(i), root(i + 1 + int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for i, photo in enumerate(kept):
        members.setdefault(root(i), []).append(photo.id)
    return sorted(sorted(ids) for ids in members.values() if len(ids) > 1)


def choose_pick(photos: Sequence[Candidate]) -> int:
    """The group's best photo: the sharpest, at the largest resolution.

    Among the members with at least 80 % of the largest pixel count (a 3 MP frame
    never beats a 12 MP one of the same moment, however crisp it looks at its size),
    those within 10 % of the sharpest are equally sharp (the measure's own noise: a
    re-encode or a slight crop moves it by a few percent); of these the largest wins,
    then the sharper, then the earliest, so the choice is the same on every run.
    """
    largest = max(p.pixels for p in photos)
    contenders = [p for p in photos if p.pixels >= SAME_RESOLUTION * largest]
    sharpest = max(p.sharpness for p in contenders)
    sharp = [p for p in contenders if p.sharpness >= SAME_SHARPNESS * sharpest]
    return min(sharp, key=lambda p: (-p.pixels, -p.sharpness, p.id)).id


def one_per_group(rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The rows (in their order) with one of each group of near-duplicates: ``--picks-only``.

    A group's pick when it is among the rows, else its first member there (a gallery may
    hold another member without the pick, or a public export leave a private pick out);
    photos in no group all stay.
    """
    with_pick = {r["group_id"] for r in rows if r["group_id"] is not None and r["is_pick"]}
    seen: set[int] = set()
    out = []
    for row in rows:
        group = row["group_id"]
        if group is None:
            out.append(row)
        elif group not in seen and (row["is_pick"] or group not in with_pick):
            seen.add(group)
            out.append(row)
    return out
