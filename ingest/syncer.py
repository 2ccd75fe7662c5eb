"""Staged files made durable as the workers hand them in, not when their batch commits.

The writer commits the workers' outcomes a batch at a time, and a batch's files
must be synced and in place before its rows name them. Syncing them only at
commit time left the run's last batch waiting on its fsyncs after the last
photo was done. Here a thread of the writer syncs each outcome's files
(:meth:`archive.store.Store.sync_staged`) as soon as the outcome arrives,
while the workers decode the next photos; what arrived while a sync was
running is synced together next, so a slow disk still shares its journal
commits. Before committing a batch the writer calls :meth:`Syncer.wait`:
every file handed in so far is durable and in place, or the first failure is
raised there, as the batch's own sync would have raised it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from archive.store import Staged


class Syncer:
    """One background thread syncing staged files in the order they were handed in."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.changed = threading.Condition()
        self.queue: list[Staged] = []
        self.added = self.synced = 0
        self.error: BaseException | None = None
        self.closing = False
        self.thread: threading.Thread | None = None

    def add(self, staged: Iterable[Staged]) -> None:
        """Sync these files soon, in the background (started on the first files)."""
        items = list(staged)
        if not items:
            return
        with self.changed:
            self.queue.extend(items)
            self.added += len(items)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="archive-sync", daemon=True)
                self.thread.start()
            self.changed.notify_all()

    def wait(self) -> None:
        """Return once every file added so far is durable and in place; raise a failure."""
        with self.changed:
            while self.synced < self.added:
                self.changed.wait()
            if self.error is not None:
                error, self.error = self.error, None
                raise error

    def close(self) -> None:
        """Finish what was added and stop the thread (a failure left unraised is dropped)."""
        with self.changed:
            self.closing = True
            self.changed.notify_all()
        if self.thread is not None:
            self.thread.join()

    def _run(self) -> None:
        while True:
            with self.changed:
                while not self.queue and not self.closing:
                    self.changed.wait()
                if not self.queue:
                    return
                batch, self.queue = self.queue, []
            failure = None
            try:
                self.store.sync_staged(batch)
            except BaseException as error:  # raised in the writer, by wait()
                failure = error
            with self.changed:
                if failure is not None and self.error is None:
                    self.error = failure
                self.synced += len(batch)
                self.changed.notify_all()
