"""The real Settings dialog with the suite's canary key: it goes only to a confirmed router host
(S7), also when it comes later (a locked keyring, then Retry), and nothing on the screen or the
clipboard shows it (S3)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import keyring
import pytest
from keyring_fakes import LockedKeyring, MemoryKeyring, keyring_in_use
from rel_app import SIGNALS, ChatEnv, run
from rel_checks import widget_strings
from rel_server import ScriptedRouter
from settings_support import settings_builder

from orq_desktop import credentials
from orq_desktop import settings as settings_mod
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.key_manager import KeyManager
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.core.settings_controller import SettingsController
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.settings_dialog import SettingsDialog
from orq_desktop.ui.settings_key import KeySection
from orq_desktop.ui.transcript import TranscriptView


@dataclass
class App:
    """The parts of the app that the Settings dialog and a chat send go through."""

    connection: Connection
    keys: KeyManager
    controller: SettingsController
    chat: ChatEnv

    def dialog(self, qtbot: Any) -> SettingsDialog:
        dialog = SettingsDialog(self.controller)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog


@pytest.fixture
def build_app(qtbot: Any, aloop: Any, rel_dir: Path) -> Iterator[Callable[..., App]]:
    """``build_app(config, settings)``: a connection, key manager, settings controller (its file
    under ``rel_dir``) and a chat panel whose session sends through the connection, as app.py
    wires them."""
    made: list[App] = []
    with settings_builder(qtbot, rel_dir) as builder:

        def build(
            config: ConnectionConfig, settings: settings_mod.AppSettings | None = None
        ) -> App:
            controller, keys, connection = builder.build(
                config, settings_path=rel_dir / "config" / "settings.json", settings=settings
            )
            session = ChatSession(connection.prepared)
            routing = RoutingState()
            panel = ChatPanel(session, TranscriptView(), orq=routing.orq)
            qtbot.addWidget(panel)
            panel.show()
            chat = ChatEnv(panel, session, cast(Any, None), qtbot, routing)
            for name in SIGNALS:
                getattr(session, name).connect(lambda *a, n=name: chat.events.append((n, a)))
            app = App(connection, keys, controller, chat)
            made.append(app)
            return app

        yield build
        for app in made:  # the sessions first; the builder closes the rest after them
            run(qtbot, app.chat.session.aclose())


@pytest.fixture
def second_router() -> Iterator[ScriptedRouter]:
    """Another loopback router: on 127.0.0.2 when that address binds, else on another port."""
    try:
        server = ScriptedRouter(host="127.0.0.2")
    except OSError:
        server = ScriptedRouter()
    try:
        yield server
    finally:
        server.stop()


def bearer_hash(key: str) -> str:
    """What ``ScriptedRouter`` records for ``Authorization: Bearer <key>``."""
    return hashlib.sha256(f"Bearer {key}".encode()).hexdigest()


@pytest.mark.scenario("S7")
def test_a_new_router_host_is_confirmed_before_the_key_goes_there(
    qtbot: Any,
    build_app: Callable[..., App],
    router: ScriptedRouter,
    second_router: ScriptedRouter,
    canary_key: str,
    rel_dir: Path,
) -> None:
    first, second = router, second_router
    host = second.url.removeprefix("http://")
    assert host != first.url.removeprefix("http://")
    config = ConnectionConfig(
        base_url=first.url, api_key=canary_key, key_source="environment", proxy_mode="none"
    )
    app = build_app(config, settings_mod.AppSettings(base_url=first.url, proxy_mode="none"))
    app.chat.ask("hello first")  # the key goes to the router in use
    assert [s.headers.get("authorization") for s in first.seen] == [bearer_hash(canary_key)]

    dialog = app.dialog(qtbot)
    dialog.router.base_url.setText(second.url)
    dialog.save_button.click()
    question = dialog.host_question
    assert question is not None and question.isVisible() and question.isModal()
    assert question.text() == f"Send your API key to {host}?"
    assert "Only do this for a router you trust." in question.informativeText()
    assert question.defaultButton() is question.cancel_button
    qtbot.wait(300)  # while it is open: nothing reaches the new host
    assert second.seen == [] and app.connection.config.base_url == first.url

    question.cancel_button.click()
    assert dialog.router.base_url.text() == first.url
    app.chat.ask("still the first")
    assert len(first.seen) == 2 and second.seen == []  # Cancel sent nothing, kept the address

    dialog.router.base_url.setText(second.url)
    with qtbot.waitSignal(app.controller.saved, timeout=10_000) as saved:
        dialog.save_button.click()
        question = dialog.host_question
        assert question is not None and second.seen == []
        question.send_button.click()
    assert saved.args[0].ok
    app.chat.ask("now the second")
    assert len(first.seen) == 2
    assert [s.headers.get("authorization") for s in second.seen] == [bearer_hash(canary_key)]

    stored = (rel_dir / "config" / "settings.json").read_text()
    assert settings_mod.origin_of(second.url) in stored and canary_key not in stored
    again = app.dialog(qtbot)  # asked once per host: going back to the first asks nothing
    again.router.base_url.setText(first.url)
    with qtbot.waitSignal(app.controller.saved, timeout=10_000):
        again.save_button.click()
        assert again.host_question is None


@pytest.fixture
def stored_canary(
    qtbot: Any, aloop: Any, canary_key: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The canary saved in the keyring (the real Secret Service when the suite runs inside
    tests/with_secret_service.sh, else an in-memory one); no key in the environment."""
    monkeypatch.delenv("ORQ_API_KEY")
    in_force = keyring.get_keyring()
    if os.environ.get("ORQ_IN_SECRET_SERVICE") != "2":
        in_force = MemoryKeyring()
    with keyring_in_use(in_force):
        run(qtbot, credentials.store_key(canary_key))
        try:
            yield canary_key
        finally:
            run(qtbot, credentials.delete_key())


@pytest.mark.scenario("S3")
def test_the_settings_dialog_shows_and_copies_no_key(
    qtbot: Any,
    build_app: Callable[..., App],
    stored_canary: str,
    rel_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QLineEdit

    assert KeySection.REHIDE_MS <= 30_000  # what the app uses: hidden again within 30 s
    monkeypatch.setattr(KeySection, "REHIDE_MS", 300)
    app = build_app(ConnectionConfig(proxy_mode="none"))
    run(qtbot, app.keys.load())
    assert app.connection.config.api_key == stored_canary
    assert app.connection.config.key_source == "keyring"

    dialog = app.dialog(qtbot)
    shot = dialog.grab()
    assert not shot.isNull() and shot.width() > 200
    assert shot.save(str(rel_dir / "settings.png"))
    strings = widget_strings(dialog)
    assert any("Stored in the system keyring" in s for s in strings)
    for text in strings:
        assert stored_canary not in text and stored_canary[-12:] not in text

    field = dialog.key.key_field
    assert field.echoMode() == QLineEdit.EchoMode.Password
    assert field.text() == ""  # the key in force is never put into a widget
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("clipboard-before-S3")
    field.setText(stored_canary)  # as if the user pasted it again
    assert stored_canary not in field.displayText()
    field.selectAll()
    field.copy()
    assert clipboard.text() == "clipboard-before-S3" and field.text() == stored_canary

    show = dialog.key.show_button
    assert not show.isChecked()  # off by default
    show.click()
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.waitUntil(lambda: field.echoMode() == QLineEdit.EchoMode.Password, timeout=3000)
    assert not show.isChecked() and show.text() == "Show"

    dialog.reject()  # closing forgets the typed key
    assert field.text() == ""
    assert clipboard.text() == "clipboard-before-S3"


@pytest.mark.scenario("S7")
def test_a_locked_keyring_then_retry_sends_the_key_only_to_a_confirmed_host(
    qtbot: Any,
    build_app: Callable[..., App],
    router: ScriptedRouter,
    canary_key: str,
    rel_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The keyring is locked, so no key is in force: a new router address is still asked about.
    One that got in without the question (a settings file edited by hand) gets no key once the
    user unlocks and presses Retry: the chat says where to confirm it, Settings asks, and only
    then does the key go there."""
    monkeypatch.delenv("ORQ_API_KEY")
    host = router.url.removeprefix("http://")
    with keyring_in_use(LockedKeyring()):
        app = build_app(
            ConnectionConfig(proxy_mode="none"), settings_mod.AppSettings(proxy_mode="none")
        )
        held: list[str] = []
        app.controller.host_unconfirmed.connect(held.append)
        run(qtbot, app.keys.load())
        assert app.controller.keyring_locked and app.connection.config.api_key is None

        dialog = app.dialog(qtbot)
        dialog.router.base_url.setText(router.url)
        dialog.save_button.click()
        question = dialog.host_question
        assert question is not None and question.isVisible()  # asked with no key in force
        assert question.text() == f"Send your API key to {host}?"
        question.cancel_button.click()
        assert app.connection.config.base_url == "https://api.orq.ai"

        settings_file = rel_dir / "config" / "settings.json"  # edited by hand meanwhile
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps({"base_url": router.url, "proxy_mode": "none"}))
        run(qtbot, app.controller.load())
        assert app.connection.config.base_url == router.url

        unlocked = MemoryKeyring()
        unlocked.entries[(credentials.SERVICE, credentials.USERNAME)] = canary_key
        keyring.set_keyring(unlocked)
        with qtbot.waitSignal(app.controller.key_state, timeout=5000):
            dialog.key.retry_button.click()
        assert app.connection.config.api_key == canary_key
        told = f"The router address {host} has not been confirmed: open Settings to confirm it."
        assert held == [told]
        dialog.reject()

        app.chat.ask("hello")  # held back: an error card, nothing sent
        assert router.seen == []
        shown = widget_strings(app.chat.panel)
        assert any(told in text for text in shown)
        assert not any(canary_key in text for text in shown)

        again = app.dialog(qtbot)
        assert f"not sent to {host}" in again.router.url_error.text()
        with qtbot.waitSignal(app.controller.saved, timeout=10_000) as saved:
            again.save_button.click()
            question = again.host_question
            assert question is not None and router.seen == []
            question.send_button.click()
        assert saved.args[0].ok
        app.chat.ask("now it may go")
        assert [s.headers.get("authorization") for s in router.seen] == [bearer_hash(canary_key)]
        stored = settings_file.read_text()
        assert settings_mod.origin_of(router.url) in stored and canary_key not in stored
