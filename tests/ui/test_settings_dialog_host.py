"""Settings dialog: "Send your API key to HOST?" before a new router address, and Retry for a
keyring that was locked at start."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_fakes import LockedKeyring, MemoryKeyring, keyring_in_use
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from settings_support import open_dialog, settings_builder

from orq_desktop.api.probe import ProbeReport
from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.core.connection_test import ConnectionTester
from orq_desktop.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

KEY = "sk-orq-DIALOGHOST-0123456789abcdef"
OLD = "http://127.0.0.1:8100"
NEW = "http://127.0.0.2:8123"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config, probe=)`` → (dialog, controller, connection, probed urls and keys)."""
    with settings_builder(qtbot, tmp_path, monkeypatch) as builder:

        def build(config: ConnectionConfig) -> Any:
            probed: list[tuple[str, str | None]] = []

            async def probe(base_url: str, prefix: str, key: str | None, **_: Any) -> ProbeReport:
                probed.append((base_url, key))
                return ProbeReport(ok=True, kind="ok", headline="Connected.", url=base_url)

            controller, _, connection = builder.build(config, tester=ConnectionTester(probe=probe))
            return open_dialog(qtbot, controller), controller, connection, probed

        yield build


def in_force(base_url: str = OLD) -> ConnectionConfig:
    return ConnectionConfig(base_url=base_url, api_key=KEY, key_source="keyring")


def asked(dialog: SettingsDialog) -> QMessageBox:
    question = dialog.host_question
    assert question is not None and question.isVisible() and question.isModal()
    return question


def test_save_to_a_new_host_asks_first_and_cancel_keeps_the_old_address(
    qtbot: Any, make: Any, memory: MemoryKeyring, tmp_path: Path
) -> None:
    dialog, controller, connection, _ = make(in_force())
    dialog.router.base_url.setText(NEW + "/")
    dialog.save_button.click()
    question = asked(dialog)
    assert question.text() == "Send your API key to 127.0.0.2:8123?"
    assert "Only do this for a router you trust." in question.informativeText()
    assert question.defaultButton() is question.cancel_button  # Enter does not send the key
    assert question.send_button.text() == "Send key to 127.0.0.2:8123"
    assert KEY not in question.text() + question.informativeText()
    qtbot.wait(50)
    assert connection.config.base_url == OLD and not (tmp_path / "settings.json").exists()

    question.cancel_button.click()
    assert dialog.host_question is None and dialog.isVisible()
    assert dialog.router.base_url.text() == controller.settings.base_url  # the old address
    assert "your API key was not sent to 127.0.0.2:8123" in dialog.router.url_error.text()
    qtbot.wait(50)
    assert connection.config.base_url == OLD and not (tmp_path / "settings.json").exists()


def test_confirming_saves_and_the_same_host_is_not_asked_again(
    qtbot: Any, make: Any, memory: MemoryKeyring
) -> None:
    dialog, controller, connection, _ = make(in_force())
    dialog.router.base_url.setText(NEW)
    dialog.save_button.click()
    with qtbot.waitSignal(controller.saved, timeout=10_000):
        asked(dialog).send_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert connection.config.base_url == NEW and connection.config.api_key == KEY

    again = SettingsDialog(controller)
    qtbot.addWidget(again)
    again.show()
    again.router.base_url.setText(OLD)  # where the key went before: known
    with qtbot.waitSignal(controller.saved, timeout=10_000):
        again.save_button.click()
        assert again.host_question is None
    assert connection.config.base_url == OLD


def test_escape_answers_cancel(qtbot: Any, make: Any) -> None:
    dialog, _, connection, _ = make(in_force())
    dialog.router.base_url.setText(NEW)
    dialog.save_button.click()
    qtbot.keyClick(asked(dialog), Qt.Key.Key_Escape)
    assert dialog.host_question is None and connection.config.base_url == OLD


def test_no_key_yet_still_asks(
    qtbot: Any, make: Any, memory: MemoryKeyring, tmp_path: Path
) -> None:
    """A key may come later (typed, a keyring unlocked): the address is confirmed now."""
    dialog, controller, connection, _ = make(ConnectionConfig(base_url=OLD))
    dialog.router.base_url.setText(NEW)
    dialog.save_button.click()
    asked(dialog).cancel_button.click()
    assert connection.config.base_url == OLD and not (tmp_path / "settings.json").exists()
    dialog.router.base_url.setText(NEW)
    with qtbot.waitSignal(controller.saved, timeout=10_000):
        dialog.save_button.click()
        asked(dialog).send_button.click()
    assert connection.config.base_url == NEW and connection.config.unconfirmed_host() is None
    assert "http://127.0.0.2:8123" in (tmp_path / "settings.json").read_text()


def test_a_held_back_address_is_named_and_save_asks(
    qtbot: Any, make: Any, memory: MemoryKeyring
) -> None:
    held = replace(in_force(NEW), trusted_origins=frozenset())  # a file edited by hand
    dialog, controller, connection, _ = make(held)
    controller.settings.base_url = NEW
    dialog = SettingsDialog(controller)  # opened while the key is held back
    qtbot.addWidget(dialog)
    dialog.show()
    note = dialog.router.url_error
    assert note.isVisible() and "not sent to 127.0.0.2:8123" in note.text()
    assert "Press Save to confirm it" in note.text()
    with qtbot.waitSignal(controller.saved, timeout=10_000):
        dialog.save_button.click()
        asked(dialog).send_button.click()
    assert controller.held_back_host is None and connection.config.api_key == KEY
    assert connection.client() is not None  # the key goes there now


def test_a_typed_key_for_a_new_host_is_asked_about(
    qtbot: Any, make: Any, memory: MemoryKeyring
) -> None:
    dialog, _, connection, _ = make(ConnectionConfig(base_url=OLD))
    dialog.router.base_url.setText(NEW)
    dialog.key.key_field.setText(KEY)
    dialog.save_button.click()
    asked(dialog).cancel_button.click()
    assert connection.config.api_key is None and connection.config.base_url == OLD
    assert dialog.key.key_field.text() == KEY  # not handed over: still the user's to save


def test_test_connection_asks_too_and_cancel_tests_nothing(qtbot: Any, make: Any) -> None:
    dialog, controller, _, probed = make(in_force())
    started: list[None] = []
    controller.test_started.connect(lambda: started.append(None))
    dialog.router.base_url.setText(NEW)
    dialog.router.test_button.click()
    question = asked(dialog)
    assert "Test connection" in question.informativeText()
    question.cancel_button.click()
    qtbot.wait(50)
    assert started == [] and probed == []
    assert dialog.router.base_url.text() == NEW  # a test changes no address
    assert "Not tested" in dialog.router.url_error.text()

    with qtbot.waitSignal(controller.test_finished, timeout=5000):
        dialog.router.test_button.click()
        asked(dialog).send_button.click()
    assert probed == [(NEW, KEY)]
    with qtbot.waitSignal(controller.test_finished, timeout=5000):  # confirmed: not asked again
        dialog.router.test_button.click()
        assert dialog.host_question is None


def test_closing_the_dialog_while_asked_sends_nothing(
    qtbot: Any, make: Any, tmp_path: Path
) -> None:
    dialog, _, connection, _ = make(in_force())
    dialog.router.base_url.setText(NEW)
    dialog.save_button.click()
    question = asked(dialog)
    dialog.reject()
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=2000)
    qtbot.wait(50)
    assert connection.config.base_url == OLD and not (tmp_path / "settings.json").exists()


def test_retry_appears_for_a_locked_keyring_and_finds_the_key(qtbot: Any, make: Any) -> None:
    with keyring_in_use(LockedKeyring()):
        dialog, controller, connection, _ = make(ConnectionConfig())
        keys = controller._keys
        task = asyncio.ensure_future(keys.load())
        qtbot.waitUntil(task.done, timeout=5000)
        retry = dialog.key.retry_button
        assert retry.isVisible() and retry.isEnabled()
        assert "Unlock your keyring to use the saved key" in dialog.key.message.text()

        unlocked = MemoryKeyring()
        unlocked.entries[("orq-desktop", "api-key")] = KEY
        keyring.set_keyring(unlocked)
        with qtbot.waitSignal(controller.key_state, timeout=5000):
            retry.click()
            assert not retry.isEnabled() and retry.text() == "Trying…"
        assert not retry.isVisible() and not dialog.key.message.isVisible()
        assert connection.config.api_key == KEY
        assert "Stored in the system keyring" in dialog.key.source_label.text()
