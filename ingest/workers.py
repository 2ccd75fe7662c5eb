"""The worker pool: which way its processes start, and the pool itself.

Workers are never forked from the ingest: a forked worker would inherit the
writer lock and the pool's pipes, and could outlive a killed ingest holding the
archive locked. Where the platform has a fork server (Linux, macOS) it starts
workers almost as fast as fork, with the imports preloaded; Windows has only
``spawn``, where each worker is a fresh interpreter that imports ``ingest.work``
itself. The ingest itself never imports :mod:`ingest.work` (and the decoders
it brings) unless it processes a file in its own process: the pool runs
:func:`process`, which imports it where the work is done.

The choice is made by what :func:`multiprocessing.get_all_start_methods`
offers, never by the platform's name, so a platform that lacks a method is
served by the next one.

``ARCHIVE_START_METHOD`` (``spawn`` or ``forkserver``) overrides the choice. It
is for testing and benchmarks: the test suite runs a second time with
``spawn`` forced on Linux, as a stand-in for Windows.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING

from archive import i18n

if TYPE_CHECKING:  # imported where used: the fork server starts before the store is loaded
    from ingest.jobs import Job, Outcome

START_METHODS = ("forkserver", "spawn")  # preferred first; never "fork" (see above)
START_METHOD_ENV = "ARCHIVE_START_METHOD"
# What a worker imports, loaded once in the fork server rather than in each worker: the
# command's entry module (every worker runs the `archive` script again after the fork, as
# spawn does, and that script imports archive.launch, which imports nothing more), the work
# itself, and what the fingerprint imports on its first photo (ImageHash, numpy).
# "__main__" alone is not enough: CPython's fork server keeps a "main_path" key of the
# preparation data, which names it "init_main_from_path", so it never preloads the main
# script (3.11 to 3.13). A module that cannot be imported is skipped there.
PRELOAD = ["__main__", "archive.launch", "ingest.work", "imagehash"]  # not PyAV: on a first clip


def start_method() -> str:
    """The start method workers use here: the override, else the best one available."""
    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip()
    if wanted:
        if wanted not in START_METHODS or wanted not in available:
            offered = ", ".join(m for m in START_METHODS if m in available)
            raise ValueError(f"{START_METHOD_ENV}={wanted}: not usable here (use {offered})")
        return wanted
    for method in START_METHODS:
        if method in available:
            return method
    raise RuntimeError(f"no safe way to start worker processes here (only {available})")


def context(method: str | None = None) -> BaseContext:
    method = method or start_method()
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the fork server now, so that its imports overlap the ingest's planning.

    A no-op under ``spawn``; the server is the one :func:`pool` would start, with
    the same preloaded modules, and it is a fresh interpreter (not a fork of this
    process), so it holds neither the writer lock nor the catalog.
    """
    if start_method() == "forkserver":
        context("forkserver")
        from multiprocessing import forkserver

        forkserver.ensure_running()


def process(job: Job) -> Outcome:
    """The work on one file (:func:`ingest.work.process`), imported only where it runs."""
    from ingest.work import process as work

    return work(job)


def pool(workers: int, method: str | None = None) -> ProcessPoolExecutor:
    """A pool whose workers stop by themselves when this process dies (however it dies).

    Everything a worker receives is pickled (its jobs, this initializer and its
    arguments), and it inherits no state from this process: under ``spawn`` that
    is the only way. The language of this command is one such argument.
    """
    from ingest.jobs import start_worker

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context(method),
        initializer=start_worker,
        initargs=(i18n.language(),),
    )
