"""The printed tables of bench_search.py: the build against insert_all, the pages against raw."""

from __future__ import annotations

from typing import Any

BUILD_BUDGET, PAGE_BUDGET = 3.0, 2.0
# Pages of the same server that run no SQL of ours: Datasette's fixed cost per request.
FLOORS = {"json": "/-/versions.json", "html": "/-/versions"}


def print_build(figures: dict[str, Any]) -> None:
    print(f"Build of {figures['photos']:,} photos (seed {figures['seed']}):")
    for step, seconds in figures["seconds"].items():
        print(f"  {step:<28} {seconds:9.1f} s")
    print(f"  {'bare insert_all, same rows':<28} {figures['reference_insert_all_seconds']:9.1f} s")
    print(f"  {'generating the rows alone':<28} {figures['generating_rows_seconds']:9.1f} s")
    verdict = "within" if figures["ratio"] <= BUILD_BUDGET else "OVER"
    print(
        f"  bulk / insert_all = {figures['ratio']:.2f}x ({verdict} the {BUILD_BUDGET:.0f}x budget);"
        f" net of generating {figures['ratio_net_of_generating']:.2f}x;"
        f" catalog {figures['size_bytes'] / 1e6:,.0f} MB"
    )


def print_pages(figures: dict[str, Any]) -> None:
    print(
        f"\nPages at {figures['photos']:,} photos, {figures['repeat']} timed requests each"
        f" (ms; ratio = page p95 / raw p95, budget {figures['budget']:.0f}x):"
    )
    kinds = sorted({r["floor"] for r in figures["pages"]})
    print(f"  floor: {' and '.join(kinds)}, requested just before each timed request of a page")
    header = f"{'page':<40} {'median':>8} {'p95':>8} {'raw med':>8} {'raw p95':>8} {'floor95':>8}"
    print(header + f" {'ratio':>7} {'+floor':>7}  status")
    for r in figures["pages"]:
        page, raw = r["page_seconds"], r["raw_seconds"]
        cells = (
            [f"{page['median'] * 1e3:8.1f}", f"{page['p95'] * 1e3:8.1f}"] if page else ["-" * 8] * 2
        )
        cells += (
            [f"{raw['median'] * 1e3:8.1f}", f"{raw['p95'] * 1e3:8.1f}"] if raw else ["-" * 8] * 2
        )
        floor = r.get("floor_seconds")
        cells.append(f"{floor['p95'] * 1e3:8.1f}" if floor else "-" * 8)
        ratio = f"{r['ratio_p95']:6.1f}x" if r["ratio_p95"] is not None else "      -"
        floored = r.get("ratio_p95_raw_plus_floor")
        floored_cell = f"{floored:6.1f}x" if floored is not None else "      -"
        if r["failed"]:
            status = f"FAILED ({r['failed']})"
        elif r["within_budget"]:
            status = "ok"
        else:
            status = "ok+floor" if r.get("within_budget_with_floor") else "SLOW"
        print(f"{r['page'][:40]:<40} {' '.join(cells)} {ratio} {floored_cell}  {status}")
        notes = [f"raw: {r['raw_note']}"] if r["raw_note"] else []
        notes += [f"answer: {r['answer']}"] if r["answer"] != "same" else []
        for note in notes:
            print(f"{'':<40}   {note}")
