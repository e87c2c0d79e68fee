"""K3 with the real thing: gnome-keyring's collection locked through the Secret Service.

Runs inside ``tests/with_secret_service.sh`` (a private D-Bus session with an unlocked
gnome-keyring, its password known to that script). The default collection is locked with
``secretstorage``; the SecretService backend then raises ``KeyringLocked`` (its unlock prompt
cannot open without a display). The user sees "Unlock your keyring to use the saved key" with
Retry; nothing is written in plain text; once the collection is unlocked (gnome-keyring's own
master-password call, what its unlock prompt does), Retry puts the saved key in force.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from rel_app import run
from rel_checks import widget_strings
from settings_support import settings_builder

from orq_desktop import credentials
from orq_desktop.core.key_manager import KeyManager
from orq_desktop.core.settings_controller import SettingsController
from orq_desktop.ui.settings_dialog import SettingsDialog

# keyring 25's SecretService backend raises KeyringLocked from get_preferred_collection() before
# it closes the D-Bus connection it opened: each locked lookup leaves one socket to the garbage
# collector. Only that warning is let through; any other unclosed resource still fails the test.
pytestmark = [
    pytest.mark.filterwarnings(r"ignore:unclosed <socket\.socket [^>]*dbus:ResourceWarning"),
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <socket\.socket [^>]*dbus"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]

SCRIPT = Path(__file__).parents[1] / "with_secret_service.sh"
GNOME_IFACE = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"
UNLOCK_TEXT = "Unlock your keyring to use the saved key"


def _script_password() -> str | None:
    """The password ``with_secret_service.sh`` unlocks its gnome-keyring with."""
    found = re.search(r"printf '([^']+)' \| gnome-keyring-daemon", SCRIPT.read_text())
    return found.group(1) if found else None


class Collection:
    """The Secret Service's default collection: ``lock()``, and ``unlock()`` with its password."""

    def __init__(self, password: str) -> None:
        import secretstorage
        from secretstorage.util import SS_PATH, DBusAddressWrapper

        self._conn = secretstorage.dbus_init()
        self._collection = secretstorage.get_default_collection(self._conn)
        service = DBusAddressWrapper(SS_PATH, "org.freedesktop.Secret.Service", self._conn)
        self._path = service.call("ReadAlias", "s", "default")[0]
        self._gnome = DBusAddressWrapper(SS_PATH, GNOME_IFACE, self._conn)
        self._password = password

    @property
    def locked(self) -> bool:
        return bool(self._collection.is_locked())

    def lock(self) -> None:
        self._collection.lock()
        assert self.locked

    def unlock(self) -> None:
        from secretstorage.util import format_secret, open_session

        secret = format_secret(open_session(self._conn), self._password.encode(), "text/plain")
        self._gnome.call("UnlockWithMasterPassword", "o(oayays)", self._path, secret)
        assert not self.locked

    def close(self) -> None:
        self._conn.close()


@pytest.fixture
def collection(monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    """The real collection, unlocked again after the test whatever happened; no env key."""
    if os.environ.get("ORQ_IN_SECRET_SERVICE") != "2":
        pytest.skip("no Secret Service: run inside tests/with_secret_service.sh")
    password = _script_password()
    if password is None:
        pytest.skip("the keyring password of tests/with_secret_service.sh is unknown")
    try:
        found = Collection(password)
    except Exception as exc:  # no bus, no service, no default collection
        pytest.skip(f"no Secret Service reachable ({type(exc).__name__})")
    if found.locked:
        found.close()
        pytest.skip("the Secret Service's collection is locked already")
    chosen = keyring.get_keyring()
    if not any(
        "SecretService" in type(b).__module__ for b in getattr(chosen, "backends", [chosen])
    ):
        found.close()
        pytest.skip(f"keyring does not use the Secret Service here ({type(chosen).__name__})")
    monkeypatch.delenv("ORQ_API_KEY")
    try:
        yield found
    finally:
        try:
            if found.locked:
                found.unlock()
        finally:
            found.close()


@pytest.fixture
def parts(qtbot: Any, aloop: Any, rel_dir: Path) -> Iterator[tuple[Any, ...]]:
    """Connection, key manager and settings controller as app.py builds them (files in rel_dir)."""
    with settings_builder(qtbot, rel_dir) as builder:
        controller, keys, connection = builder.build(
            settings_path=rel_dir / "config" / "settings.json"
        )
        yield connection, keys, controller


def start(qtbot: Any, keys: KeyManager, controller: SettingsController) -> SettingsDialog:
    """What start-up does: settings, then the key; no key found: the dialog on its key field."""
    run(qtbot, controller.load())
    run(qtbot, keys.load())
    assert not keys.has_key
    dialog = SettingsDialog(controller, first_start=True)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def files_with(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.scenario("K3")
def test_locked_keyring_says_unlock_and_retry_finds_the_key(
    qtbot: Any, collection: Collection, parts: tuple[Any, ...], canary_key: str
) -> None:
    connection, keys, controller = parts
    run(qtbot, credentials.store_key(canary_key))
    try:
        collection.lock()
        dialog = start(qtbot, keys, controller)
        message, retry = dialog.key.message, dialog.key.retry_button
        assert message.isVisible() and UNLOCK_TEXT in message.text()
        assert "The system keyring is locked." in message.text()
        assert retry.isVisible() and retry.isEnabled()
        assert connection.config.api_key is None and controller.keyring_locked
        assert not any(canary_key in s for s in widget_strings(dialog))

        with qtbot.waitSignal(controller.key_state, timeout=15_000):  # still locked
            retry.click()
            assert not retry.isEnabled()
        assert retry.isVisible() and retry.isEnabled() and UNLOCK_TEXT in message.text()
        assert connection.config.api_key is None

        collection.unlock()  # what the user does in the keyring's own prompt
        with qtbot.waitSignal(controller.key_state, timeout=15_000) as state:
            retry.click()
        assert state.args[0] == "keyring"
        assert connection.config.api_key == canary_key
        assert not retry.isVisible() and not message.isVisible()
        assert "Stored in the system keyring" in dialog.key.source_label.text()
        assert not any(canary_key in s for s in widget_strings(dialog))
    finally:
        if collection.locked:
            collection.unlock()
        run(qtbot, credentials.delete_key())


@pytest.mark.scenario("K3")
def test_a_key_saved_while_locked_stays_in_memory_not_in_a_file(
    qtbot: Any,
    collection: Collection,
    parts: tuple[Any, ...],
    canary_key: str,
    rel_dir: Path,
) -> None:
    connection, keys, controller = parts
    collection.lock()
    dialog = start(qtbot, keys, controller)
    dialog.key.key_field.setText(canary_key)
    assert dialog.key.remember.isChecked()
    with qtbot.waitSignal(controller.saved, timeout=15_000) as saved:
        dialog.save_button.click()
    assert not saved.args[0].ok
    assert "kept for this session only" in dialog.message.text()
    assert dialog.isVisible() and dialog.key.key_field.text() == ""  # handed over, not kept
    assert connection.config.api_key == canary_key
    assert controller.key_status().source == "session"
    assert (rel_dir / "config" / "settings.json").exists()
    assert files_with(rel_dir, canary_key) == []
    home = Path.home()  # the throw-away HOME of with_secret_service.sh: no plaintext keyring
    assert [p for p in files_with(home, canary_key) if "keyrings" not in p.parts] == []

    collection.unlock()
    assert keyring.get_password(credentials.SERVICE, credentials.USERNAME) is None
