"""Settings dialog: "Test connection" against the simulator, proxy settings, folders."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring_fakes import MemoryKeyring, keyring_in_use
from PySide6.QtWidgets import QLabel
from settings_support import open_dialog, settings_builder

from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.core.connection_test import socks_available
from orq_desktop.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

KEY = "right-key-0123456789abcdef"
PROXY_PASSWORD = "Pr0xy-CANARY-5a4b3c2d1e"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config)`` → (dialog, controller, connection); ``open_dialog(qtbot, controller)``
    opens it again."""
    with settings_builder(qtbot, tmp_path / "data", monkeypatch) as builder:

        def build(config: ConnectionConfig | None = None) -> Any:
            controller, _, connection = builder.build(config)
            return open_dialog(qtbot, controller), controller, connection

        yield build


def run_test(qtbot: Any, dialog: SettingsDialog, base_url: str, key: str | None = None) -> Any:
    dialog.router.base_url.setText(base_url)
    if key:
        dialog.key.key_field.setText(key)
    with qtbot.waitSignal(dialog._controller.test_finished, timeout=15_000) as blocker:
        dialog.router.test_button.click()
        question = dialog.host_question  # a new host: "Send your API key to …?" first
        assert question is not None and question.isVisible()
        question.send_button.click()
        assert not dialog.router.test_button.isEnabled()  # running, the UI is free
        assert dialog.router.test_button.text() == "Testing…"
    assert dialog.router.test_button.isEnabled()
    return blocker.args[0]


def headline(dialog: SettingsDialog) -> str:
    label = dialog.findChild(QLabel, "testHeadline")
    assert label is not None and label.isVisible()
    return label.text()


def test_right_key_shows_success_with_what_came_back(
    qtbot: Any, make: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(api_key=KEY)
    dialog, controller, _ = make()
    report = run_test(qtbot, dialog, sim.url, KEY)
    assert headline(dialog) == "Connected: the router accepted the key and answered."
    result = dialog.router.result
    assert result.detail("Status") == "200"
    assert result.detail("Answered by") == "openai/gpt-4o-mini"
    assert result.detail("Trace id") == report.trace_id and report.trace_id
    assert result.detail(
        "Time",
    ).endswith(" s")
    assert dialog.key.key_field.text() == KEY  # testing does not hand the key over
    assert controller.settings.base_url == "https://api.orq.ai"  # nor save anything


def test_wrong_key_shows_401_and_the_routers_message(
    qtbot: Any, make: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(api_key=KEY)
    dialog, _, _ = make(ConnectionConfig(api_key="wrong-key-0123456789", key_source="keyring"))
    run_test(qtbot, dialog, sim.url)  # the key in force is tested
    assert headline(dialog).startswith("API key rejected (401)")
    assert dialog.router.result.detail("Status") == "401"
    message = dialog.router.result.detail("Router's message")
    assert message == "Invalid API key: check the key in your settings."


def test_wrong_prefix_shows_404(qtbot: Any, make: Any, sim_server_factory: Any) -> None:
    sim = sim_server_factory(api_key=KEY)
    dialog, _, _ = make()
    # A base URL with a path in front of the prefix is a wrong path too.
    run_test(qtbot, dialog, sim.url + "/api", KEY)
    assert headline(dialog).startswith("Not found (404)")
    assert dialog.router.result.detail("Status") == "404"


def test_closed_port_and_unknown_host_say_so(qtbot: Any, make: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dialog, _, _ = make()
    run_test(qtbot, dialog, f"http://127.0.0.1:{port}", KEY)
    assert headline(dialog) == f"Connection refused: nothing answers at 127.0.0.1:{port}."
    assert dialog.router.result.detail("Status") == "no HTTP answer"
    run_test(qtbot, dialog, "http://nonexistent.invalid", KEY)
    assert "could not be resolved (DNS failure)" in headline(dialog)


def test_a_bad_base_url_is_explained_before_any_request(qtbot: Any, make: Any) -> None:
    dialog, controller, _ = make()
    dialog.router.base_url.setText("api.orq.ai")
    dialog.router.test_button.click()
    assert dialog.router.url_error.text().startswith("The base URL must start with https://")
    assert not controller.tester.running


def test_proxy_settings_round_trip_and_the_password_stays_in_the_keyring(
    qtbot: Any, make: Any, memory: MemoryKeyring, tmp_path: Path
) -> None:
    dialog, controller, connection = make()
    dialog.tabs.setCurrentIndex(1)
    network = dialog.network
    assert network.system_radio.isChecked() and not network.url_field.isEnabled()
    network.custom_radio.click()
    assert network.url_field.isEnabled()
    network.url_field.setText("http://proxy.local:3128")
    network.user_field.setText("alice")
    network.password_field.setText(PROXY_PASSWORD)
    with qtbot.waitSignal(controller.saved, timeout=10_000):
        dialog.save_button.click()
    assert network.password_field.text() == ""  # handed over
    stored = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert (stored["proxy_mode"], stored["proxy_url"], stored["proxy_username"]) == (
        "custom",
        "http://proxy.local:3128",
        "alice",
    )
    assert PROXY_PASSWORD not in (tmp_path / "data" / "settings.json").read_text()
    assert memory.entries == {("orq-desktop", "proxy-password"): PROXY_PASSWORD}
    assert connection.config.proxy_password == PROXY_PASSWORD

    again = open_dialog(qtbot, controller)
    assert again.network.custom_radio.isChecked()
    assert again.network.url_field.text() == "http://proxy.local:3128"
    assert again.network.user_field.text() == "alice"
    assert again.network.password_field.text() == ""
    assert "stored in the system keyring" in again.network.password_field.placeholderText()


@pytest.mark.skipif(socks_available(), reason="socksio is installed: SOCKS works")
def test_socks_without_socksio_is_reported_in_the_network_tab(qtbot: Any, make: Any) -> None:
    dialog, controller, connection = make()
    assert "SOCKS needs the socksio package" in dialog.network.socks_note.text()
    dialog.network.custom_radio.click()
    dialog.network.url_field.setText("socks5://127.0.0.1:1080")
    dialog.save_button.click()
    assert dialog.tabs.currentIndex() == 1
    assert dialog.network.url_error.text().startswith("SOCKS needs the socksio package")
    assert dialog.isVisible() and connection.config.proxy_mode == "system"
    assert controller.settings.proxy_mode == "system"


def test_folders_show_the_data_folder_and_choose_the_images_folder(
    qtbot: Any, make: Any, memory: MemoryKeyring, tmp_path: Path
) -> None:
    dialog, controller, _ = make()
    folders = dialog.folders
    assert folders.data_field.text() == str(tmp_path / "data") and folders.data_field.isReadOnly()
    opened: list[Path] = []
    folders.open_folder = opened.append
    folders.open_data.click()
    assert opened == [tmp_path / "data"]
    assert folders.images_field.text() == f"{tmp_path / 'data' / 'images'} (default)"
    chosen = tmp_path / "pictures"
    chosen.mkdir()
    folders.choose_folder = lambda _parent, _start: str(chosen)
    folders.choose_images.click()
    assert folders.images_field.text() == str(chosen)
    with qtbot.waitSignal(controller.images_dir_changed, timeout=2000) as announced:
        dialog.save_button.click()
    assert announced.args == [str(chosen)]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert json.loads((tmp_path / "data" / "settings.json").read_text())["images_dir"] == str(
        chosen
    )


def test_a_vanished_images_folder_is_refused_in_its_tab(
    qtbot: Any, make: Any, tmp_path: Path
) -> None:
    dialog, _, _ = make()
    gone = tmp_path / "gone"
    dialog.folders.choose_folder = lambda _parent, _start: str(gone)
    dialog.folders.choose_images.click()
    dialog.save_button.click()
    assert dialog.tabs.currentIndex() == 2
    assert dialog.folders.images_error.text() == "This folder does not exist."
