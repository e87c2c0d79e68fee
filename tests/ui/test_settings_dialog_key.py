"""Settings dialog, API key: masked, shown on request, saved through KeyManager, never leaked."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from keyring_fakes import MemoryKeyring, keyring_in_use
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget
from settings_support import open_dialog, settings_builder

from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

KEY = "sk-orq-CANARY-3f9a1c7e5b2d4a6c8e0f"

real_secret_service = pytest.mark.skipif(
    os.environ.get("ORQ_IN_SECRET_SERVICE") != "2",
    reason="needs tests/with_secret_service.sh (dbus-run-session + gnome-keyring)",
)


@pytest.fixture
def backend() -> Iterator[Any]:
    """``backend(obj)`` installs a keyring backend for the test; the old one comes back after."""

    def use(chosen: Any) -> Any:
        keyring.set_keyring(chosen)
        return chosen

    with keyring_in_use(keyring.get_keyring()):
        yield use


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config, first_start=False)`` → (dialog, controller, connection)."""
    with settings_builder(qtbot, tmp_path / "data", monkeypatch) as builder:

        def build(config: ConnectionConfig | None = None, **options: Any) -> Any:
            controller, _, connection = builder.build(config)
            return open_dialog(qtbot, controller, **options), controller, connection

        yield build
    QGuiApplication.clipboard().clear()


def type_key(qtbot: Any, dialog: SettingsDialog, key: str = KEY) -> QLineEdit:
    field = dialog.findChild(QLineEdit, "apiKeyField")
    assert field is dialog.key.key_field
    field.setFocus()
    qtbot.keyClicks(field, key)
    return field


def test_key_field_is_masked_and_show_is_an_explicit_act(qtbot: Any, make: Any) -> None:
    dialog, _, _ = make()
    field = type_key(qtbot, dialog)
    assert field.echoMode() == QLineEdit.EchoMode.Password
    assert field.displayText() != KEY
    dialog.key.show_button.click()
    assert field.echoMode() == QLineEdit.EchoMode.Normal and field.displayText() == KEY
    assert dialog.key.show_button.text() == "Hide"
    dialog.key.show_button.click()
    assert field.echoMode() == QLineEdit.EchoMode.Password


def test_shown_key_hides_itself_again(qtbot: Any, make: Any) -> None:
    dialog, _, _ = make()
    field = type_key(qtbot, dialog)
    dialog.key._rehide.setInterval(50)
    dialog.key.show_button.click()
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.waitUntil(lambda: field.echoMode() == QLineEdit.EchoMode.Password, timeout=2000)


def test_copy_while_masked_leaves_the_clipboard_alone(qtbot: Any, make: Any) -> None:
    dialog, _, _ = make()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("what was there before")
    field = type_key(qtbot, dialog)
    field.selectAll()
    field.copy()
    assert clipboard.text() == "what was there before"
    dialog.key.show_button.click()  # shown: copying is now the user's own act
    field.selectAll()
    field.copy()
    assert clipboard.text() == KEY


@pytest.mark.parametrize(
    ("config", "label", "remember_shown", "forget_shown"),
    [
        (
            ConnectionConfig(api_key=KEY, key_source="environment"),
            "Key in use: Key from environment (ORQ_API_KEY), for this session (ending in …0f).",
            True,
            False,
        ),
        (
            ConnectionConfig(api_key=KEY, key_source="keyring"),
            "Key in use: Stored in the system keyring (ending in …0f).",
            False,
            True,
        ),
        (
            ConnectionConfig(api_key=KEY, key_source="session"),
            "Key in use: This session only: the key is not stored (ending in …0f).",
            True,
            False,
        ),
        (
            ConnectionConfig(api_key="demo", key_source="demo", demo=True),
            "Key in use: Demo mode: no key needed.",
            False,
            False,
        ),
        (ConnectionConfig(), "Key in use: No API key yet.", False, False),
    ],
)
def test_the_label_says_where_the_key_comes_from(
    make: Any, config: ConnectionConfig, label: str, remember_shown: bool, forget_shown: bool
) -> None:
    dialog, _, _ = make(config)
    label = label.replace("…0f", f"…{KEY[-4:]}")
    assert dialog.findChild(QLabel, "keySourceLabel").text() == label
    assert dialog.key.remember_button.isVisible() is remember_shown
    assert dialog.key.forget_button.isVisible() is forget_shown


def test_no_widget_shows_the_key_in_force(make: Any) -> None:
    dialog, _, _ = make(ConnectionConfig(api_key=KEY, key_source="environment"))
    dialog.grab()
    texts: list[str] = [dialog.windowTitle()]
    for widget in dialog.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.windowTitle()]
        if isinstance(widget, QLineEdit | QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
    assert not [t for t in texts if KEY in t or KEY[:-4] in t]


def test_environment_key_is_saved_to_the_keyring_only_on_request(
    qtbot: Any, make: Any, backend: Any
) -> None:
    memory = backend(MemoryKeyring())
    dialog, _, _ = make(ConnectionConfig(api_key=KEY, key_source="environment"))
    assert memory.entries == {}
    with qtbot.waitSignal(dialog._controller.key_state, timeout=5000):
        dialog.key.remember_button.click()
    assert memory.entries == {("orq-desktop", "api-key"): KEY}
    assert dialog.key.source_label.text().startswith("Key in use: Stored in the system keyring")
    assert dialog.key.forget_button.isVisible() and not dialog.key.remember_button.isVisible()


def test_remove_stored_key_needs_a_second_click(qtbot: Any, make: Any, backend: Any) -> None:
    memory = backend(MemoryKeyring())
    memory.entries[("orq-desktop", "api-key")] = KEY
    dialog, _, connection = make(ConnectionConfig(api_key=KEY, key_source="keyring"))
    dialog.key.forget_button.click()
    assert dialog.key.forget_button.text() == "Click again to remove"
    assert connection.config.api_key == KEY
    dialog.key.forget_button.click()
    assert connection.config.api_key is None
    qtbot.waitUntil(lambda: memory.entries == {}, timeout=5000)
    assert dialog.key.source_label.text() == "Key in use: No API key yet."


def save_and_wait(qtbot: Any, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog._controller.saved, timeout=10_000):
        dialog.save_button.click()


def test_save_hands_the_key_to_the_keyring_and_closes(
    qtbot: Any, make: Any, backend: Any, tmp_path: Path
) -> None:
    memory = backend(MemoryKeyring())
    dialog, _, connection = make()
    field = type_key(qtbot, dialog)
    save_and_wait(qtbot, dialog)
    assert field.text() == ""  # cleared once handed over
    assert memory.entries == {("orq-desktop", "api-key"): KEY}
    assert connection.config.api_key == KEY and connection.config.key_source == "keyring"
    assert dialog.result() == SettingsDialog.DialogCode.Accepted and not dialog.isVisible()
    settings_file = tmp_path / "data" / "settings.json"
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings_file.parent.stat().st_mode) == 0o700
    assert KEY not in settings_file.read_text()


def test_without_a_keyring_the_dialog_says_so_and_keeps_the_key_for_the_session(
    qtbot: Any, make: Any, backend: Any, tmp_path: Path
) -> None:
    backend(keyring.backends.fail.Keyring())
    dialog, _, connection = make()
    field = type_key(qtbot, dialog)
    save_and_wait(qtbot, dialog)
    assert dialog.isVisible()  # stays open to say what happened
    plain = "No system keyring is available on this machine. The key is kept for this session only."
    assert dialog.message.text() == plain
    assert dialog.key.message.text() == plain
    assert dialog.cancel_button.text() == "Close"
    assert field.text() == "" and connection.config.api_key == KEY
    assert dialog.key.source_label.text().startswith(
        "Key in use: This session only: the key is not stored"
    )
    on_disk = [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]
    assert on_disk == []


@real_secret_service
def test_save_stores_the_key_in_the_real_secret_service(
    qtbot: Any, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    chosen = keyring.get_keyring()
    assert any("SecretService" in type(b).__module__ for b in getattr(chosen, "backends", [chosen]))
    dialog, _, connection = make()
    type_key(qtbot, dialog)
    try:
        save_and_wait(qtbot, dialog)
        assert keyring.get_password("orq-desktop", "api-key") == KEY
        assert connection.config.key_source == "keyring" and not dialog.isVisible()
    finally:
        keyring.delete_password("orq-desktop", "api-key")


def test_spaces_inside_a_key_are_refused_inline(qtbot: Any, make: Any, backend: Any) -> None:
    memory = backend(MemoryKeyring())
    dialog, _, connection = make()
    type_key(qtbot, dialog, "sk-abc def-0123456789")
    dialog.save_button.click()
    assert (
        dialog.key.field_error.text() == "The key has spaces in it: paste it again, in one piece."
    )
    assert dialog.isVisible() and connection.config.api_key is None and memory.entries == {}


def test_first_start_explains_and_offers_demo_mode(qtbot: Any, make: Any) -> None:
    dialog, _, _ = make(first_start=True)
    assert dialog.intro.isVisible() and "Demo mode" in dialog.intro.text()
    assert dialog.windowTitle() == "Welcome to Orq Desktop"
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.key.key_field, timeout=2000)
    type_key(qtbot, dialog)
    assert dialog.demo_button is not None
    with qtbot.waitSignal(dialog.demo_requested, timeout=1000):
        dialog.demo_button.click()
    assert dialog.key.key_field.text() == "" and not dialog.isVisible()
