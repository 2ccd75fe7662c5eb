"""`archive serve` leaves what exists once it has started to the permanent GC generation."""

from __future__ import annotations

import asyncio
import gc

from archive.cli.serve import frozen_after_startup


def test_objects_are_frozen_once_the_server_has_started(built, ds) -> None:
    """The real app's lifespan: nothing frozen before startup completes, its objects after."""
    app = frozen_after_startup(ds.app())
    sent: list[dict] = []
    frozen_at_send: list[int] = []

    async def lifespan() -> None:
        messages = asyncio.Queue()
        await messages.put({"type": "lifespan.startup"})

        async def receive() -> dict:
            return await messages.get()

        async def send(message: dict) -> None:
            sent.append(message)
            frozen_at_send.append(gc.get_freeze_count())
            if message["type"] == "lifespan.startup.complete":
                await messages.put({"type": "lifespan.shutdown"})

        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    gc.unfreeze()
    try:
        asyncio.run(lifespan())
        assert [m["type"] for m in sent][:1] == ["lifespan.startup.complete"]
        assert frozen_at_send[0] > 0  # frozen before the server is told it may serve
    finally:
        gc.unfreeze()  # the test process keeps collecting as before
