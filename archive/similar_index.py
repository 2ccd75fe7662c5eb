"""Near-duplicates across the whole archive without comparing every pair: multi-index hashing.

A photo re-sent a year later through a chat app comes back re-compressed and
resized into another event; its pHash moves by a few bits (at most 4 of 64 on the
benchmark's 1280 px / quality 70 copies), so ``archive similar --across`` looks for
pairs within :data:`RADIUS` bits. Comparing a million fingerprints with each other is
10^12 pairs; instead each 64-bit hash is cut into four 16-bit chunks. Two hashes
within 7 bits of each other differ by at most 1 bit in at least one chunk (four
chunks of 2 or more would make 8), so the candidates of a query are the photos whose
chunk equals the query's chunk or one of its 16 one-bit neighbours: 68 lookups in
four bucket tables small enough to stay in the processor's cache, and runs of about
N / 65,536 candidates each. Every candidate is then checked on the whole pHash (and
dHash), so the pairs found are exactly those a brute-force comparison finds
(bench/bench_similar.py checks this on 20,000 and times both at a million).

Numpy does the lookups for a batch of queries at once; the index holds each
fingerprint five times (24 bytes a photo per chunk) and 512 kB of table per chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import numpy as np

RADIUS = 7  # pHash bits: a re-sent copy moves by 4 at most, two unrelated photos by 14+
DHASH_RADIUS = 12  # and dHash bits, checked on every candidate
CHUNKS = ((0, 16), (16, 16), (32, 16), (48, 16))  # (first bit, width): four chunks of 64 bits
BATCH = 2048  # queries looked up together


def _masks(width: int, flips: int) -> np.ndarray:
    """Every value with at most ``flips`` bits set among ``width``: the keys to XOR."""
    masks = [0]
    for count in range(1, flips + 1):
        masks += [sum(1 << b for b in bits) for bits in combinations(range(width), count)]
    return np.array(masks, dtype=np.int64)


class HashIndex:
    """Pairs of fingerprints within :data:`RADIUS` (pHash) and :data:`DHASH_RADIUS` (dHash)."""

    def __init__(self, phash: np.ndarray, dhash: np.ndarray, radius: int = RADIUS) -> None:
        self.phash = np.asarray(phash, dtype=np.uint64)
        self.dhash = np.asarray(dhash, dtype=np.uint64)
        self.radius = radius
        flips = radius // len(CHUNKS)  # pigeonhole: some chunk is within this many bits
        self.tables = []
        for start, width in CHUNKS:
            keys = self._chunk(self.phash, start, width)
            order = np.argsort(keys, kind="stable")
            counts = np.bincount(keys, minlength=1 << width)
            starts = np.zeros((1 << width) + 1, dtype=np.int64)
            np.cumsum(counts, out=starts[1:])
            # The hashes in bucket order too, so a query's candidates are read in runs.
            table = (start, width, order, starts, self.phash[order], self.dhash[order])
            self.tables.append((*table, _masks(width, flips)))

    @staticmethod
    def _chunk(values: np.ndarray, start: int, width: int) -> np.ndarray:
        return ((values >> np.uint64(start)) & np.uint64((1 << width) - 1)).astype(np.int64)

    def query(self, phash: np.ndarray, dhash: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query index, photo index) of every photo near each query, each pair once."""
        phash = np.asarray(phash, dtype=np.uint64)
        dhash = np.asarray(dhash, dtype=np.uint64)
        found_q, found_p = [], []
        for begin in range(0, len(phash), BATCH):
            q, p = self._batch(phash[begin : begin + BATCH], dhash[begin : begin + BATCH])
            found_q.append(q + begin)
            found_p.append(p)
        if not found_q:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(found_q), np.concatenate(found_p)

    def _batch(self, phash: np.ndarray, dhash: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found_q, found_p = [], []
        for start, width, order, starts, by_phash, by_dhash, masks in self.tables:
            keys = (self._chunk(phash, start, width)[:, None] ^ masks[None, :]).ravel()
            low, high = starts[keys], starts[keys + 1]
            lengths = high - low
            total = int(lengths.sum())
            if not total:
                continue
            at = np.repeat(low - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
            q = np.repeat(np.arange(len(keys)) // len(masks), lengths)
            near = np.bitwise_count(by_phash[at] ^ phash[q]) <= self.radius
            at, q = at[near], q[near]  # dHash only for the few pHash lets through
            near = np.bitwise_count(by_dhash[at] ^ dhash[q]) <= DHASH_RADIUS
            found_q.append(q[near])
            found_p.append(order[at[near]])
        if not found_q:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        size = len(self.phash)
        pairs = np.unique(np.concatenate(found_q) * size + np.concatenate(found_p))
        return pairs // size, pairs % size  # a pair met through two chunks, once

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Every pair (i < j) of indexed fingerprints near each other."""
        q, p = self.query(self.phash, self.dhash)
        keep = q < p
        yield from zip(q[keep].tolist(), p[keep].tolist(), strict=True)


def brute_force_pairs(
    phash: np.ndarray, dhash: np.ndarray, radius: int = RADIUS
) -> Iterator[tuple[int, int]]:
    """The same pairs by comparing every fingerprint with every later one (the reference)."""
    phash = np.asarray(phash, dtype=np.uint64)
    dhash = np.asarray(dhash, dtype=np.uint64)
    for i in range(len(phash) - 1):
        near = (np.bitwise_count(phash[i + 1 :] ^ phash[i]) <= radius) & (
            np.bitwise_count(dhash[i + 1 :] ^ dhash[i]) <= DHASH_RADIUS
        )
        for j in np.flatnonzero(near).tolist():
            yield i, i + 1 + j
