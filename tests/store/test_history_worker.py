"""DbWorker: every store call on one thread, in order, awaitable from a coroutine."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from orq_desktop.store.db_worker import DbWorker
from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_types import NotFoundError


def test_store_calls_run_on_one_named_thread_in_order(tmp_path: Path) -> None:
    worker = DbWorker()
    seen_threads: set[str] = set()

    def where() -> str:
        name = threading.current_thread().name
        seen_threads.add(name)
        return name

    async def main() -> list[str]:
        opened = await worker.run(HistoryStore.open, tmp_path / "history.sqlite3")
        store = opened.store
        tid = await worker.run(store.create_thread, "from the loop", model="m/x")
        mid = await worker.run(store.start_assistant_message, tid)
        # Queued without awaiting each one: they still run in submission order.
        updates = [worker.run(store.update_message_text, mid, "a" * n) for n in range(1, 30)]
        names = await asyncio.gather(*(worker.run(where) for _ in range(5)))
        assert all(await asyncio.gather(*updates))
        await worker.run(store.finish_message, mid, "complete")
        detail = await worker.run(store.load_thread, tid)
        assert detail.messages[0].text == "a" * 29 and detail.messages[0].state == "complete"
        await worker.run(store.close)
        return list(names)

    names = asyncio.run(main())
    worker.close()
    assert len(seen_threads) == 1 and names[0].startswith("history-db")
    assert threading.current_thread().name not in seen_threads


def test_errors_reach_the_awaiting_coroutine(tmp_path: Path) -> None:
    worker = DbWorker()
    store = HistoryStore.open(tmp_path / "history.sqlite3").store

    async def main() -> None:
        with pytest.raises(NotFoundError):
            await worker.run(store.load_thread, "thread_NOPE")
        # The worker keeps going after a failed call.
        assert await worker.run(store.list_threads) == []

    asyncio.run(main())
    worker.close()
    store.close()


def test_closed_worker_refuses_new_calls_but_finishes_queued_ones() -> None:
    worker = DbWorker()
    gate = threading.Event()
    done: list[int] = []
    worker.submit(gate.wait, 5)
    queued = worker.submit(done.append, 1)
    assert not worker.closed
    threading.Timer(0.05, gate.set).start()
    worker.close()  # waits for the queue
    assert queued.done() and done == [1]
    assert worker.closed
    with pytest.raises(RuntimeError, match="closed"):
        worker.submit(done.append, 2)
