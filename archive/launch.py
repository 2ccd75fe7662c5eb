"""The `archive` command's entry point: it imports nothing, and starts an ingest's workers first.

Two costs of a pool of ingest workers are paid before its first photo, and this
module is where both are kept small:

- Every worker imports the command's main module again (the installed
  ``archive`` script, whichever start method runs it), and the script imports
  this module. Importing click and the command tree there cost each worker (or
  the fork server, which preloaded them for all) some 25 ms; this module
  imports only :mod:`sys` until it runs.
- The fork server the workers are forked from takes a fifth of a second to
  import what they need (:data:`ingest.workers.PRELOAD`). Started here, before
  the command itself is loaded, its imports run on another core while this
  process imports click, the catalog and the pipeline and plans the run,
  instead of after them.

Only the words of the command line are read here (:mod:`archive.command_words`):
whatever they say, click parses them again and is the judge of them.
A fork server started for an ingest that turns out to need no pool (nothing new,
a usage error) costs that fifth of a second of another core, and stops with this
process: an unchanged re-run of 10,000 files took 0.36 s against 0.33 s without it
(bench/bench_rescan.py's folder), while a run of new photos starts its first ones
0.1-0.15 s sooner.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Start an ingest's fork server if the words ask for an ingest, then run the command."""
    import os
    from contextlib import suppress

    from archive.command_words import starts_workers

    if starts_workers(sys.argv[1:], os.cpu_count()):
        from ingest import workers

        # A bad ARCHIVE_START_METHOD, no processes left: the ingest meets it and says so.
        with suppress(OSError, ValueError, RuntimeError):
            workers.warm_up()
    from archive.cli import main as run

    run()
