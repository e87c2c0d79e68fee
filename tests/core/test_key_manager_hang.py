"""Retry against a keyring that hangs (an unlock prompt nobody answers): the presses join the one
lookup still running, and the event loop's worker threads stay free for everything else (the
HTTP client build, settings saves, the connection test)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_fakes import HangingKeyring, MemoryKeyring, hanging_keyring_in_use
from settings_support import settings_builder

from orq_desktop import credentials

pytestmark = pytest.mark.gui

KEY = "sk-orq-HANGTEST-0123456789abcdef"


@pytest.fixture
def hanging(monkeypatch: pytest.MonkeyPatch) -> Iterator[HangingKeyring]:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    monkeypatch.setattr(credentials.load_key, "__kwdefaults__", {"wait_s": 0.2})
    with hanging_keyring_in_use() as backend:
        yield backend


@pytest.fixture
def parts(qtbot: Any, aloop: Any, tmp_path: Path, hanging: HangingKeyring) -> Iterator[Any]:
    with settings_builder(qtbot, tmp_path) as builder:
        yield builder.build()


def wait(qtbot: Any, work: Any, timeout: int = 5000) -> Any:
    task = asyncio.ensure_future(work)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def test_four_retries_on_a_hanging_keyring_leave_to_thread_working(
    qtbot: Any, parts: Any, hanging: HangingKeyring
) -> None:
    controller, keys, connection = parts
    wait(qtbot, keys.load())
    assert controller.keyring_locked  # "did not answer in time": unlock, then Retry
    for _ in range(4):
        with qtbot.waitSignal(controller.key_state, timeout=5000):
            controller.retry_keyring()
        assert controller.keyring_locked
    assert hanging.calls == [("get", "orq-desktop", "api-key")]  # one lookup, joined four times

    start = time.monotonic()
    assert wait(qtbot, asyncio.wait_for(asyncio.to_thread(lambda: 1), 2.0)) == 1
    assert time.monotonic() - start < 1.0

    hanging.release()  # the prompt is answered at last; the keyring is usable again
    assert credentials._worker.drain(10)
    unlocked = MemoryKeyring()
    unlocked.entries[("orq-desktop", "api-key")] = KEY
    keyring.set_keyring(unlocked)
    with qtbot.waitSignal(controller.key_state, timeout=5000) as found:
        controller.retry_keyring()
    assert found.args[0] == "keyring" and connection.config.api_key == KEY
    client = wait(qtbot, connection.prepared())  # built in a worker thread
    assert client is connection.client()


def test_presses_while_a_lookup_runs_share_it(
    qtbot: Any, parts: Any, hanging: HangingKeyring
) -> None:
    controller, keys, _ = parts
    states: list[str] = []
    controller.key_state.connect(lambda source, _label: states.append(source))
    wait(qtbot, keys.load())
    states.clear()
    first = asyncio.ensure_future(keys.load())
    second = asyncio.ensure_future(keys.load())  # pressed again before the first one ended
    qtbot.waitUntil(lambda: first.done() and second.done(), timeout=5000)
    assert states == ["none"]  # one lookup, one answer
    assert hanging.calls == [("get", "orq-desktop", "api-key")]
