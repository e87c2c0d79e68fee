"""Keyring calls run on one thread of their own: a hanging keyring never starves the event loop's
default executor, a lookup still running is joined, a store that never started is dropped."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import keyring
import pytest
from keyring_fakes import HangingKeyring, MemoryKeyring, hanging_keyring_in_use, keyring_in_use

from orq_desktop import credentials


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingKeyring]:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    with hanging_keyring_in_use() as backend:  # released, its thread drained, at teardown
        yield backend


def test_lookups_on_a_hanging_keyring_leave_to_thread_alone(hanging: HangingKeyring) -> None:
    async def go() -> tuple[list[credentials.KeyLookup], float, int]:
        lookups = [await credentials.load_key(wait_s=0.1) for _ in range(8)]
        start = time.monotonic()
        value = await asyncio.wait_for(asyncio.to_thread(lambda: 1), 2.0)
        return lookups, time.monotonic() - start, value

    lookups, elapsed, value = asyncio.run(go())
    assert value == 1 and elapsed < 1.0  # the default executor has every thread free
    for found in lookups:
        assert found.key is None and found.locked
        assert found.problem is not None and "did not answer in time" in found.problem
    assert hanging.calls == [("get", "orq-desktop", "api-key")]  # joined, never repeated


def test_a_store_queued_behind_a_hang_is_dropped(hanging: HangingKeyring) -> None:
    async def go() -> None:
        await credentials.load_key(wait_s=0.1)  # the keyring thread is stuck in this one
        with pytest.raises(credentials.CredentialStoreError, match="did not answer in time"):
            await credentials.store_key("sk-orq-TOO-LATE-0123456789", wait_s=0.1)

    asyncio.run(go())
    hanging.release()
    assert credentials._worker.drain(10)
    # The user was told the key is not kept: it must not be stored behind their back later.
    assert ("set", "orq-desktop", "api-key") not in hanging.calls


def test_after_the_hang_the_keyring_answers_again(hanging: HangingKeyring) -> None:
    asyncio.run(credentials.load_key(wait_s=0.1))
    hanging.release()
    assert credentials._worker.drain(10)
    memory = MemoryKeyring()
    memory.entries[("orq-desktop", "api-key")] = "sk-orq-AFTER-0123456789abcdef"
    keyring.set_keyring(memory)
    found = asyncio.run(credentials.load_key(wait_s=2))
    assert found.key == "sk-orq-AFTER-0123456789abcdef" and found.source == "keyring"


def test_calls_run_on_one_daemon_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    threads: list[threading.Thread] = []

    class Recording(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            threads.append(threading.current_thread())
            return super().get_password(service, username)

        def set_password(self, service: str, username: str, password: str) -> None:
            threads.append(threading.current_thread())
            super().set_password(service, username, password)

    with keyring_in_use(Recording()):

        async def go() -> credentials.KeyLookup:
            await credentials.store_key("sk-orq-THREAD-0123456789abcdef")
            await credentials.load_secret(credentials.PROXY_PASSWORD_USER)
            return await credentials.load_key()

        found = asyncio.run(go())
    assert found.key == "sk-orq-THREAD-0123456789abcdef"
    assert len(threads) == 3 and len(set(threads)) == 1
    (thread,) = set(threads)
    assert thread is not threading.main_thread() and thread.daemon
    assert thread.name == "orq-keyring"
