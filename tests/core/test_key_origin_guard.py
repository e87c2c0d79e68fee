"""The API key reaches a router address only once the user confirmed it, by any path.

A real loopback router counts the requests and the Authorization headers it gets. The address
reaches the connection without a question (a settings file edited by hand, or saved while the
keyring was locked and no key was in force), then the key comes later (Retry after unlocking,
the keyring at start): the connection holds the key back and says where to confirm the address.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring_fakes import LockedKeyring, MemoryKeyring, keyring_in_use
from settings_support import SettingsParts, settings_builder

from orq_desktop import settings as settings_mod
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import ConnectionConfig, UnconfirmedHostError
from orq_desktop.core.settings_controller import SettingsForm

pytestmark = pytest.mark.gui

KEY = "sk-orq-GUARDTEST-0123456789abcdef"
ANSWER = {
    "id": "chatcmpl-guard",
    "object": "chat.completion",
    "created": 1,
    "model": "openai/gpt-4o",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
}


class CountingRouter:
    """A loopback router that answers every POST and records (path, Authorization)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                seen.append((self.path, self.headers.get("Authorization")))
                if body.get("stream"):
                    chunk = {**ANSWER, "object": "chat.completion.chunk"}
                    chunk["choices"] = [{"index": 0, "delta": {"content": "hi"}}]
                    data = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
                    kind = "text/event-stream"
                else:
                    data, kind = json.dumps(ANSWER).encode(), "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.host = self.url.removeprefix("http://")
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def bearers(self) -> list[str | None]:
        return [auth for _path, auth in self.seen]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def router() -> Iterator[CountingRouter]:
    server = CountingRouter()
    yield server
    server.stop()


class App:
    """Connection, key manager, settings controller and a chat session, as startup wires them."""

    def __init__(self, qtbot: Any, parts: SettingsParts, settings_path: Path) -> None:
        self.qtbot = qtbot
        self.settings_path = settings_path
        self.controller, self.keys, self.connection = parts
        self.session = ChatSession(self.connection.prepared)
        self.failed: list[Any] = []
        self.finished: list[str] = []
        self.held_back: list[str] = []
        self.session.answer_failed.connect(lambda _id, info: self.failed.append(info))
        self.session.answer_finished.connect(lambda _id, text, *_: self.finished.append(text))
        self.controller.host_unconfirmed.connect(self.held_back.append)

    def run(self, work: Any) -> Any:
        task = asyncio.ensure_future(work)
        self.qtbot.waitUntil(task.done, timeout=10_000)
        return task.result()

    def start(self) -> None:
        """What startup does: the settings, then the key."""
        self.run(self.controller.load())
        self.run(self.keys.load())

    def send(self) -> None:
        ended = len(self.failed) + len(self.finished)
        assert self.session.send("hello", "", {"model": "openai/gpt-4o"})
        self.qtbot.waitUntil(
            lambda: len(self.failed) + len(self.finished) > ended and not self.session.busy,
            timeout=10_000,
        )

    def retry(self) -> None:
        with self.qtbot.waitSignal(self.controller.key_state, timeout=5000):
            self.controller.retry_keyring()

    def save(self, form: SettingsForm) -> None:
        with self.qtbot.waitSignal(self.controller.saved, timeout=10_000) as saved:
            assert self.controller.save(form) == {}
        assert saved.args[0].ok

    def close(self) -> None:
        """The chat session; the settings builder closes the rest after it."""
        self.run(self.session.aclose())


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config)`` → App; no ORQ_* from the environment; the keyring comes back after."""
    made: list[App] = []
    with (
        keyring_in_use(keyring.get_keyring()),
        settings_builder(qtbot, tmp_path, monkeypatch) as builder,
    ):

        def build(config: ConnectionConfig | None = None) -> App:
            parts = builder.build(config or ConnectionConfig(proxy_mode="none"))
            app = App(qtbot, parts, tmp_path / "settings.json")
            made.append(app)
            return app

        yield build
        for app in made:
            app.close()


def form(base_url: str, **changes: Any) -> SettingsForm:
    return SettingsForm(base_url=base_url, path_prefix="/v2/gateway", proxy_mode="none", **changes)


def unlocked_with_key() -> MemoryKeyring:
    unlocked = MemoryKeyring()
    unlocked.entries[("orq-desktop", "api-key")] = KEY
    keyring.set_keyring(unlocked)
    return unlocked


def test_locked_keyring_a_new_address_is_asked_about_and_retry_sends_nothing_there(
    qtbot: Any, make: Any, router: CountingRouter
) -> None:
    """The review's reproduction: keyring locked, Save a new address, unlock, Retry."""
    keyring.set_keyring(LockedKeyring())
    app = make()
    app.start()
    assert app.controller.keyring_locked and app.connection.config.api_key is None

    new = form(router.url)
    assert app.controller.host_to_confirm(new) == router.host  # asked with no key in force
    assert app.controller.save(new) == {
        "base_url": f"Confirm first that your API key may be sent to {router.host}."
    }
    assert app.connection.config.base_url == "https://api.orq.ai"
    assert not app.settings_path.exists()

    unlocked_with_key()
    app.retry()
    assert app.connection.config.api_key == KEY
    assert app.connection.config.base_url == "https://api.orq.ai" and router.seen == []

    app.controller.confirm_host(router.url)  # the user answered "send"
    app.save(new)
    app.send()
    assert app.finished == ["hi"] and app.failed == []
    assert router.bearers() == [f"Bearer {KEY}"]
    stored = json.loads(app.settings_path.read_text())
    assert settings_mod.origin_of(router.url) in stored["confirmed_origins"]


def test_an_address_in_force_without_a_question_gets_no_key_after_retry(
    qtbot: Any, make: Any, router: CountingRouter, tmp_path: Path
) -> None:
    """The address got in while no key was in force (saved by an older version, or by hand);
    the key comes with Retry: it is held back, the user is told where to confirm, and Settings
    asks before it goes."""
    settings_mod.save(settings_mod.AppSettings(base_url=router.url), tmp_path / "settings.json")
    keyring.set_keyring(LockedKeyring())
    app = make()
    app.start()
    assert app.connection.config.base_url == router.url and app.controller.keyring_locked
    assert app.held_back == []  # no key, nothing held back yet

    unlocked_with_key()
    app.retry()
    assert app.connection.config.api_key == KEY and app.controller.held_back_host == router.host
    expected = (
        f"The router address {router.host} has not been confirmed: open Settings to confirm it."
    )
    assert app.held_back == [expected]

    app.send()
    (card,) = app.failed
    assert card.message == expected and "Open Settings" in card.advice
    assert KEY not in card.message + card.advice
    with pytest.raises(UnconfirmedHostError) as raised:  # the images' path (client())
        app.connection.client()
    assert KEY not in str(raised.value) and KEY not in repr(raised.value)
    assert router.seen == []

    same = form(router.url)  # Settings, Save with the address as it is: asked first
    assert app.controller.host_to_confirm(same) == router.host
    assert app.controller.save(same) != {}
    app.controller.confirm_host(router.url)
    app.save(same)
    assert app.controller.held_back_host is None
    app.send()
    assert router.bearers() == [f"Bearer {KEY}"]


def test_a_hand_edited_settings_file_never_gets_the_key(
    qtbot: Any, make: Any, router: CountingRouter, tmp_path: Path
) -> None:
    """Key in the keyring, address edited into settings.json: held back at start, every time;
    "Test connection" goes without the key (and so sends nothing)."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"base_url": router.url + "/", "confirmed_origins": ["junk"]}))
    unlocked_with_key()
    for _start in range(2):
        app = make()
        app.start()
        assert app.connection.config.api_key == KEY
        assert app.connection.config.base_url == router.url
        assert app.held_back and router.host in app.held_back[-1]
        app.send()
        assert app.failed and app.failed[-1].kind == "UnconfirmedHostError"
        assert app.failed[-1].title == "Router address not confirmed"
        assert router.host in app.failed[-1].message and KEY not in app.failed[-1].message
        assert [a.action_id for a in app.failed[-1].actions] == ["open_settings"]
        with app.qtbot.waitSignal(app.controller.test_finished, timeout=10_000):
            app.controller.test_connection(form(router.url))
        assert router.seen == []
    # the probe without a key asks nothing: not one request reached the router


def test_a_confirmed_origin_in_the_file_gets_the_key_at_start(
    qtbot: Any, make: Any, router: CountingRouter, tmp_path: Path
) -> None:
    stored = settings_mod.AppSettings(base_url=router.url, confirmed_origins=[router.url])
    settings_mod.save(stored, tmp_path / "settings.json")
    unlocked_with_key()
    app = make()
    app.start()
    assert app.controller.held_back_host is None and app.held_back == []
    app.send()
    assert router.bearers() == [f"Bearer {KEY}"]


def test_orq_base_url_is_chosen_for_the_session(
    qtbot: Any,
    make: Any,
    router: CountingRouter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ORQ_BASE_URL (and ORQ_API_KEY) from the environment: the key goes there, before and
    after the settings are read; an unconfirmed address in the file changes nothing."""
    other = settings_mod.AppSettings(base_url="http://127.0.0.9:1")
    settings_mod.save(other, tmp_path / "settings.json")
    monkeypatch.setenv("ORQ_BASE_URL", router.url)
    monkeypatch.setenv("ORQ_API_KEY", KEY)
    keyring.set_keyring(LockedKeyring())  # never asked: the environment's key wins
    app = make(replace(ConnectionConfig.from_environment(), proxy_mode="none"))
    app.send()  # before the settings are read
    app.start()
    assert app.connection.config.base_url == router.url and app.held_back == []
    app.send()
    assert router.bearers() == [f"Bearer {KEY}"] * 2


def test_demo_mode_and_the_default_address_need_no_confirmation() -> None:
    demo = ConnectionConfig(
        base_url="http://127.0.0.1:5", api_key="demo", demo=True, trusted_origins=frozenset()
    )
    assert demo.unconfirmed_host() is None
    default = ConnectionConfig(api_key=KEY, trusted_origins=frozenset())
    assert default.unconfirmed_host() is None
    elsewhere = replace(default, base_url="https://router.example.com/v2")
    assert elsewhere.unconfirmed_host() == "router.example.com"
    confirmed = replace(elsewhere, trusted_origins=frozenset({"https://router.example.com:443"}))
    assert confirmed.unconfirmed_host() is None
    chosen = replace(elsewhere, trusted_origins=None)  # given in code or the environment
    assert chosen.unconfirmed_host() is None
    assert KEY not in repr(elsewhere)
