"""Benchmark: near-duplicate groups, --across, the fingerprint's cost and the index, in one run.

    python bench/bench_similar.py                 # the figures of the README
    python bench/bench_similar.py --quick         # smaller sets, for a try

1. Within an event: 50 scenes x 8 variants (re-encoded at quality 60-95, resized to
   50-100 %, cropped up to 8 %, brightness +-15 %, one burst frame with small motion)
   plus 400 photos of other scenes, fingerprinted as the ingest does (from the
   thumbnails of one decode). Precision and recall over pairs of photos (same group
   vs same scene), for pHash alone, pHash + dHash (what ships) and pHash + wHash,
   with the camera times of an event and by fingerprint alone.
2. --across: the same 400 variants in one event, each re-sent through a chat app
   (1280 px, quality 70) into a second, and the 400 others in a third; precision and
   recall over pairs of photos in two events (near by the index, or through their
   events' groups, vs same scene).
3. The fingerprint's cost: the same ingest of 12 MP JPEGs (pipeline, one worker,
   fresh archive each pass) with and without it, passes interleaved, best pass each,
   in CPU time: on a shared machine wall time mostly measures the neighbours. The
   difference of two whole ingests moves by a percent or two between runs on a loaded
   machine, so the fingerprint and the regrouping are also timed inside the ingests.
4. The index: on 20,000 fingerprints the pairs it finds equal brute force's; on
   1,000,000 the time per query photo against a brute-force scan of the same.

Prints figures, asserts nothing; targets are printed beside them.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import imagehash  # noqa: E402
import numpy as np  # noqa: E402

from archive import similar  # noqa: E402
from archive.similar_index import DHASH_RADIUS, RADIUS, HashIndex, brute_force_pairs  # noqa: E402
from ingest.fingerprint import fingerprint  # noqa: E402
from ingest.thumbs import make_thumbnails  # noqa: E402
from tests.scenes import Variant, chat_app, jpeg, random_variant, render  # noqa: E402


def prints_of(data: bytes) -> tuple[int, int, int, float]:
    """(pHash, dHash, wHash, sharpness) as the ingest computes them, from one decode."""
    pictures: dict = {}
    make_thumbnails(data, (1280, 320), pictures.__setitem__)
    found = fingerprint(pictures[320], pictures[1280])
    whash = int(str(imagehash.whash(pictures[320])), 16)
    return int(found.phash, 16), int(found.dhash, 16), whash, found.sharpness


def build_set(scenes: int, variants: int, others: int, seed: int = 12) -> list[dict]:
    """Photos with their scene, time, fingerprints, and their chat-app copy's fingerprints."""
    rng = random.Random(seed)
    photos = []
    for scene in range(scenes):
        for v in range(variants):
            variant = Variant() if v == 0 else random_variant(rng, burst=v == variants - 1)
            photos.append({"scene": scene, "minute": scene * 3 + v * 0.2, "variant": variant})
    for other in range(others):
        photos.append(
            {"scene": 10_000 + other, "minute": rng.uniform(0, scenes * 3), "variant": None}
        )
    for photo in photos:
        variant = photo["variant"] or random_variant(rng)
        data = jpeg(render(photo["scene"], variant), variant.quality)
        photo["prints"] = prints_of(data)
        photo["chat"] = prints_of(chat_app(data)) if photo["variant"] else None
    return photos


def pair_scores(labels: list[int], truth: list[int], mask: np.ndarray | None = None) -> tuple:
    """Precision and recall over pairs: predicted together (same label) vs truly together."""
    labels_a, truth_a = np.array(labels), np.array(truth)
    i, j = np.triu_indices(len(labels), 1)
    keep = mask[i, j] if mask is not None else slice(None)
    predicted = (labels_a[i] == labels_a[j])[keep]
    actual = (truth_a[i] == truth_a[j])[keep]
    hits = int((predicted & actual).sum())
    return hits / max(1, int(predicted.sum())), hits / max(1, int(actual.sum()))


def labels_of(count: int, groups: list[list[int]]) -> list[int]:
    labels = list(range(count))
    for group in groups:
        for member in group:
            labels[member] = group[0] + count
    return labels


def within_event(photos: list[dict]) -> None:
    print("1. Within an event: 50 scenes x 8 variants + 400 others (target >= 0.95 each)")
    truth = [p["scene"] for p in photos]
    configs = [
        ("pHash alone", 0, similar.PHASH_MAX, 64),
        ("pHash alone", 0, 12, 64),
        ("pHash + dHash", 1, similar.PHASH_MAX, 16),
        ("pHash + dHash", 1, similar.PHASH_MAX, 18),
        ("pHash + dHash (ships)", 1, similar.PHASH_MAX, similar.DHASH_MAX),
        ("pHash + wHash", 2, similar.PHASH_MAX, 10),
        ("pHash + wHash", 2, similar.PHASH_MAX, 12),
    ]
    for timed in (True, False):
        for name, second, phash_max, other_max in configs:
            candidates = [
                similar.Candidate(
                    i,
                    p["prints"][0],
                    # pHash alone: the real dHash, never refusing at 64 bits (a zero would
                    # read as a plain picture, which is never grouped)
                    p["prints"][second or 1],
                    p["minute"] * 60 if timed else None,
                    1,
                    0.0,
                )
                for i, p in enumerate(photos)
            ]
            found = similar.groups(candidates, phash_max=phash_max, dhash_max=other_max)
            precision, recall = pair_scores(labels_of(len(photos), found), truth)
            times = "camera times" if timed else "no times    "
            print(
                f"   {times}  {name:<22} <= {phash_max:>2}/{other_max:<2} bits:"
                f"  precision {precision:.4f}  recall {recall:.4f}"
            )


def across(photos: list[dict]) -> None:
    print(
        "2. --across: variants in event 1, chat-app copies (1280 px, q70) in event 2,"
        " others in event 3 (target >= 0.95 each)"
    )
    rows = []  # (event, scene, phash, dhash)
    for p in photos:
        if p["variant"] is not None:
            rows.append((1, p["scene"], p["prints"][0], p["prints"][1]))
            rows.append((2, p["scene"], p["chat"][0], p["chat"][1]))
        else:
            rows.append((3, p["scene"], p["prints"][0], p["prints"][1]))
    events = np.array([r[0] for r in rows])
    phash = np.array([r[2] for r in rows], dtype=np.uint64)
    dhash = np.array([r[3] for r in rows], dtype=np.uint64)
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    direct = []
    for i, j in HashIndex(phash, dhash).pairs():
        if events[i] != events[j]:
            direct.append((i, j))
    for event in (1, 2, 3):  # each event's own groups, as the ingest made them
        members = [k for k, r in enumerate(rows) if r[0] == event]
        candidates = [similar.Candidate(k, rows[k][2], rows[k][3], None, 1, 0.0) for k in members]
        for group in similar.groups(candidates):
            for k in group[1:]:
                parent[root(k)] = root(group[0])
    truth = [r[1] for r in rows]
    found = {frozenset(pair) for pair in direct}
    real = sum(1 for i, j in direct if truth[i] == truth[j])
    resent = sum(1 for k in range(len(rows) - 1) if rows[k][0] == 1 and {k, k + 1} in found)
    copies = sum(1 for r in rows if r[0] == 2)
    print(
        f"   pairs the index found: {len(direct)}, precision {real / max(1, len(direct)):.4f};"
        f" re-sent copies found {resent}/{copies}"
    )
    for i, j in direct:
        parent[root(i)] = root(j)
    between = events[:, None] != events[None, :]
    precision, recall = pair_scores([root(k) for k in range(len(rows))], truth, between)
    print(
        f"   with the events' groups: precision {precision:.4f}  recall {recall:.4f}"
        " (over pairs of photos in two events)"
    )


def ingest_cost(count: int, passes: int) -> None:
    from archive.catalog import Catalog
    from archive.db import open_catalog
    from archive.store import Store
    from ingest import work
    from ingest.describe import CommandLine
    from ingest.pipeline import Options, ingest

    print(
        f"3. The fingerprint's cost: ingest of {count} JPEGs of 12 MP, one worker,"
        f" best of {passes} interleaved passes (target <= 3 %)"
    )
    source = Path(tempfile.mkdtemp(prefix="bench-similar-"))
    folder = source / "su-kien"
    folder.mkdir()
    # An event, so each pass regroups it as a real ingest does (a bare folder has none).
    (folder / "event.yml").write_text("title: Lễ trao giải\ndate: 2024-05-19\n", "utf-8")
    for k in range(count):
        variant = Variant(size=(4000, 3000), quality=90)
        (folder / f"p{k:03}.jpg").write_bytes(jpeg(render(700 + k, variant), 90))
    spent = {"fingerprint": [0.0, 0], "regroup": [0.0, 0]}  # CPU s and calls, "with" passes

    def timed(name: str, function):
        def call(*args):
            start = time.process_time()
            found = function(*args)
            spent[name][0] += time.process_time() - start
            spent[name][1] += 1
            return found

        return call

    original_print, original_regroup = work.fingerprint, Catalog.regroup_events
    best = {"with": float("inf"), "without": float("inf")}
    for run in range(passes * 2 + 1):
        mode = "with" if run % 2 else "without"
        work.fingerprint = timed("fingerprint", original_print) if mode == "with" else _none
        Catalog.regroup_events = (
            timed("regroup", original_regroup) if mode == "with" else original_regroup
        )
        if run == 3:  # run 1 imported ImageHash and numpy: count from the next pass on
            spent.update(fingerprint=[0.0, 0], regroup=[0.0, 0])
        root = source / f"archive-{run}"
        store = Store(root)
        store.create()
        catalog = Catalog(open_catalog(store.catalog_path))
        start = time.process_time()
        ingest(store, catalog, [folder], CommandLine(), Options(jobs=1))
        seconds = time.process_time() - start
        if run:  # the first pass warms the imports and the disk cache, and is not counted
            best[mode] = min(best[mode], seconds / count)
    work.fingerprint, Catalog.regroup_events = original_print, original_regroup
    pictures: dict = {}
    make_thumbnails((folder / "p000.jpg").read_bytes(), (1280, 320), pictures.__setitem__)
    start = time.process_time()
    for _ in range(20):
        fingerprint(pictures[320], pictures[1280])
    alone = (time.process_time() - start) / 20
    added = best["with"] - best["without"]
    print(
        f"   per photo: without {best['without'] * 1000:.1f} ms, with {best['with'] * 1000:.1f}"
        f" ms: {added / best['without'] * 100:+.1f} % (the difference of two whole ingests)"
    )
    within = spent["fingerprint"][0] / max(1, spent["fingerprint"][1])
    photos = max(1, spent["fingerprint"][1])
    regroup = spent["regroup"][0] / photos
    print(
        f"   timed inside the ingests: the fingerprint {within * 1000:.2f} ms a photo"
        f" ({alone * 1000:.2f} ms when called alone), the regrouping {regroup * 1000:.2f} ms a"
        f" photo: {(within + regroup) / best['without'] * 100:.1f} % of the ingest without it"
    )


def _none(*args) -> None:
    """The fingerprint left out: the photo is ingested without one (the reference pass)."""
    return None


def planted(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random fingerprints, a tenth of them near copies of others (1-10 bits flipped)."""
    phash = rng.integers(0, 2**63, count, dtype=np.uint64) << np.uint64(1)
    phash |= rng.integers(0, 2, count, dtype=np.uint64)
    dhash = rng.integers(0, 2**63, count, dtype=np.uint64)
    copies = count // 10
    source = rng.integers(copies, count, copies)
    for k in range(copies):
        flips = rng.choice(64, int(rng.integers(1, 11)), replace=False)
        mask = np.uint64(sum(1 << int(b) for b in flips))
        phash[k] = phash[source[k]] ^ mask
        dhash[k] = dhash[source[k]] ^ (mask >> np.uint64(1))
    return phash, dhash


def index_figures(real: list[dict], sample: int, large: int) -> None:
    rng = np.random.default_rng(5)
    print(f"4. The --across index (pHash <= {RADIUS}, dHash <= {DHASH_RADIUS} bits)")
    ph, dh = planted(sample - len(real), rng)
    ph = np.concatenate([ph, [p["prints"][0] for p in real]]).astype(np.uint64)
    dh = np.concatenate([dh, [p["prints"][1] for p in real]]).astype(np.uint64)
    start = time.perf_counter()
    indexed = set(HashIndex(ph, dh).pairs())
    index_seconds = time.perf_counter() - start
    start = time.perf_counter()
    brute = set(brute_force_pairs(ph, dh))
    brute_seconds = time.perf_counter() - start
    verdict = "exactly the same" if indexed == brute else "DIFFERENT"
    print(
        f"   {sample:,} fingerprints ({len(real)} of real photos): index {len(indexed)} pairs"
        f" in {index_seconds:.2f} s, brute force {len(brute)} pairs in {brute_seconds:.2f} s:"
        f" {verdict}"
    )
    ph, dh = planted(large, rng)
    start = time.process_time()
    index = HashIndex(ph, dh)
    built = time.process_time() - start
    queries = rng.integers(0, large, 5_000)
    start = time.process_time()
    index.query(ph[queries], dh[queries])
    per_index = (time.process_time() - start) / len(queries)
    start = time.process_time()
    for q in queries[:50]:  # the best brute force: pHash over all, dHash on the survivors
        near = np.flatnonzero(np.bitwise_count(ph ^ ph[q]) <= RADIUS)
        near[np.bitwise_count(dh[near] ^ dh[q]) <= DHASH_RADIUS]
    per_brute = (time.process_time() - start) / 50
    print(
        f"   {large:,} fingerprints: built in {built:.1f} s; per query photo: index"
        f" {per_index * 1e6:.0f} us, brute-force scan {per_brute * 1e6:.0f} us:"
        f" 1/{per_brute / per_index:.0f} (target <= 1/50)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sets, for a try")
    args = parser.parse_args()
    scenes, others = (10, 80) if args.quick else (50, 400)
    start = time.perf_counter()
    photos = build_set(scenes, 8, others)
    print(
        f"(built and fingerprinted {len(photos)} photos and their chat-app copies"
        f" in {time.perf_counter() - start:.0f} s)"
    )
    within_event(photos)
    across(photos)
    ingest_cost(6 if args.quick else 24, 2 if args.quick else 9)
    index_figures(photos, 2_000 if args.quick else 20_000, 100_000 if args.quick else 1_000_000)


if __name__ == "__main__":
    main()
