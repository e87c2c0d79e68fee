"""A keyring locked at start: the user is told to unlock it, and Retry finds the saved key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_fakes import LockedKeyring, MemoryKeyring, keyring_in_use
from settings_support import settings_builder

from orq_desktop import credentials
from orq_desktop.core.key_manager import UNLOCK_ADVICE, KeyManager

pytestmark = pytest.mark.gui

KEY = "sk-orq-LOCKTEST-0123456789abcdef"


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    with keyring_in_use(keyring.get_keyring()):
        yield


@pytest.fixture
def parts(qtbot: Any, aloop: Any, tmp_path: Path, backend: None) -> Iterator[Any]:
    with settings_builder(qtbot, tmp_path) as builder:
        yield builder.build()


def load(qtbot: Any, keys: KeyManager) -> None:
    task = asyncio.ensure_future(keys.load())
    qtbot.waitUntil(task.done, timeout=5000)
    task.result()


def test_a_locked_lookup_says_so(backend: None) -> None:
    keyring.set_keyring(LockedKeyring())
    found = asyncio.run(credentials.load_key())
    assert (found.key, found.source, found.locked) == (None, "none", True)
    assert found.problem == "The system keyring is locked."
    keyring.set_keyring(MemoryKeyring())
    assert not asyncio.run(credentials.load_key()).locked


def test_locked_at_start_then_retry_after_unlocking(qtbot: Any, parts: Any) -> None:
    controller, keys, connection = parts
    keyring.set_keyring(LockedKeyring())
    problems: list[str] = []
    controller.key_problem.connect(problems.append)
    load(qtbot, keys)
    assert keys.locked and controller.keyring_locked
    assert connection.config.api_key is None
    assert problems and problems[-1].startswith("The system keyring is locked. " + UNLOCK_ADVICE)
    assert "Unlock your keyring to use the saved key" in (controller.keyring_problem or "")

    with qtbot.waitSignal(controller.key_state, timeout=5000):  # still locked: said again
        controller.retry_keyring()
    assert controller.keyring_locked and len(problems) == 2

    unlocked = MemoryKeyring()
    unlocked.entries[("orq-desktop", "api-key")] = KEY
    keyring.set_keyring(unlocked)
    with qtbot.waitSignal(controller.key_state, timeout=5000) as blocker:
        controller.retry_keyring()
    assert blocker.args[0] == "keyring"
    assert connection.config.api_key == KEY and connection.config.key_source == "keyring"
    assert not controller.keyring_locked and controller.keyring_problem is None


def test_a_key_typed_while_locked_ends_the_retry_offer(qtbot: Any, parts: Any) -> None:
    controller, keys, connection = parts
    keyring.set_keyring(LockedKeyring())
    load(qtbot, keys)
    assert controller.keyring_locked
    keys.set_key(KEY, remember=False)
    assert not controller.keyring_locked  # Retry would replace the key the user just gave
    unlocked = MemoryKeyring()
    unlocked.entries[("orq-desktop", "api-key")] = "sk-orq-OLD-SAVED-0123456789"
    keyring.set_keyring(unlocked)
    controller.retry_keyring()  # nothing to retry: the typed key stays in force
    qtbot.wait(100)
    assert connection.config.api_key == KEY and connection.config.key_source == "session"


def test_other_keyring_failures_offer_no_retry(qtbot: Any, parts: Any) -> None:
    import keyring.backends.fail

    controller, keys, _ = parts
    keyring.set_keyring(keyring.backends.fail.Keyring())
    problems: list[str] = []
    controller.key_problem.connect(problems.append)
    load(qtbot, keys)
    assert not controller.keyring_locked
    assert problems == [
        "No system keyring is available on this machine. "
        "A key you enter is kept for this session only."
    ]
