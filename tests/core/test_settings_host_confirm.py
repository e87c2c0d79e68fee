"""SettingsController: the key goes to a new router host only once the user confirmed it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from keyring_fakes import MemoryKeyring, keyring_in_use
from settings_support import settings_builder

from orq_desktop import settings as settings_mod
from orq_desktop.api.probe import ProbeReport
from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.core.connection_test import ConnectionTester
from orq_desktop.core.settings_controller import SaveResult, SettingsController, SettingsForm

pytestmark = pytest.mark.gui

KEY = "sk-orq-HOSTTEST-0123456789abcdef"
OLD = "http://127.0.0.1:8100"
NEW = "http://127.0.0.2:8123"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config, tester=)`` → (controller, connection), reading ``tmp_path/settings.json``."""
    with settings_builder(qtbot, tmp_path, monkeypatch) as builder:

        def build(config: ConnectionConfig, tester: ConnectionTester | None = None) -> Any:
            settings = settings_mod.load(tmp_path / "settings.json")
            parts = builder.build(config, settings=settings, tester=tester)
            return parts.controller, parts.connection

        yield build


def form(base_url: str, **changes: Any) -> SettingsForm:
    return SettingsForm(base_url=base_url, path_prefix="/v2/gateway", **changes)


def in_force(base_url: str = OLD) -> ConnectionConfig:
    return ConnectionConfig(base_url=base_url, api_key=KEY, key_source="keyring")


def save(qtbot: Any, controller: SettingsController, the_form: SettingsForm) -> SaveResult:
    with qtbot.waitSignal(controller.saved, timeout=10_000) as blocker:
        assert controller.save(the_form) == {}
    result: SaveResult = blocker.args[0]
    return result


def test_origins_and_host_names() -> None:
    origin_of, host_label = settings_mod.origin_of, settings_mod.host_label
    assert origin_of("http://127.0.0.2:8123/some/path") == "http://127.0.0.2:8123"
    assert (
        origin_of("HTTPS://API.Orq.AI/") == settings_mod.DEFAULT_ORIGIN == "https://api.orq.ai:443"
    )
    assert origin_of("http://router.local") == "http://router.local:80"
    assert origin_of("http://[::1]:9") == "http://[::1]:9"
    assert origin_of("http://user:secret@router.local:1") == "http://router.local:1"
    assert origin_of("ftp://x") is None and origin_of("not a url") is None
    assert origin_of("http://h:notaport") is None
    assert host_label("http://127.0.0.2:8123/x") == "127.0.0.2:8123"
    assert host_label("https://router.example.com/v2") == "router.example.com"
    assert host_label("http://user:secret@router.local:1") == "router.local:1"  # no login shown


def test_confirmed_origins_are_cleaned_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    many = [f"http://10.0.0.{i}:1" for i in range(settings_mod.MAX_CONFIRMED_ORIGINS + 5)]
    path.write_text(json.dumps({"confirmed_origins": ["junk", NEW + "/x", NEW, *many]}))
    loaded = settings_mod.load(path)
    assert path.exists()  # not moved aside as a bad file
    assert len(loaded.confirmed_origins) == settings_mod.MAX_CONFIRMED_ORIGINS
    assert loaded.confirmed_origins[-1] == "http://10.0.0.54:1"
    assert "junk" not in loaded.confirmed_origins


def test_who_is_asked_about(make: Any) -> None:
    controller, _ = make(ConnectionConfig(base_url=OLD))  # no key yet: one may come later
    assert controller.host_to_confirm(form(NEW)) == "127.0.0.2:8123"
    assert controller.host_to_confirm(form(OLD)) == "127.0.0.1:8100"  # no key goes there now
    assert controller.host_to_confirm(form(NEW, api_key=KEY)) == "127.0.0.2:8123"
    assert controller.host_to_confirm(form("https://api.orq.ai/")) is None
    assert controller.host_to_confirm(form("https://api.orq.ai/", api_key=KEY)) is None

    controller, _ = make(in_force(OLD))  # the key goes to OLD already
    assert controller.host_to_confirm(form(OLD + "/other/path")) is None  # same origin
    assert controller.host_to_confirm(form(NEW)) == "127.0.0.2:8123"
    assert controller.host_to_confirm(form("http://127.0.0.1:8101")) == "127.0.0.1:8101"
    assert controller.host_to_confirm(form("https://127.0.0.1:8100")) == "127.0.0.1:8100"
    assert controller.host_to_confirm(form("not a url")) is None  # check() refuses it anyway

    demo = ConnectionConfig(base_url=OLD, api_key="demo", key_source="demo", demo=True)
    controller, _ = make(demo)  # the demo key is no key: the simulator's host is not trusted
    assert controller.host_to_confirm(form(OLD)) == "127.0.0.1:8100"
    assert controller.host_to_confirm(form(OLD, api_key=KEY)) == "127.0.0.1:8100"
    assert controller.host_to_confirm(form("https://api.orq.ai")) is None

    held = replace(in_force(OLD), trusted_origins=frozenset())  # from a file edited by hand
    controller, _ = make(held)  # the key is held back from OLD: saving OLD asks first
    assert controller.host_to_confirm(form(OLD)) == "127.0.0.1:8100"


def test_save_refuses_an_unconfirmed_host_and_changes_nothing(
    qtbot: Any, make: Any, tmp_path: Path
) -> None:
    controller, connection = make(in_force(OLD))
    changed: list[object] = []
    connection.changed.connect(changed.append)
    problems = controller.save(form(NEW))
    assert problems == {
        "base_url": "Confirm first that your API key may be sent to 127.0.0.2:8123."
    }
    qtbot.wait(50)
    assert connection.config.base_url == OLD and changed == []
    assert controller.settings.base_url == settings_mod.DEFAULT_BASE_URL
    assert not (tmp_path / "settings.json").exists()


def test_a_confirmed_host_is_kept_and_asked_for_once(
    qtbot: Any, make: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    controller, connection = make(in_force(OLD))
    controller.confirm_host(NEW + "/anything")  # the origin counts, not the path
    assert controller.host_to_confirm(form(NEW)) is None
    assert save(qtbot, controller, form(NEW)).ok
    assert connection.config.base_url == NEW and connection.config.api_key == KEY
    text = (tmp_path / "settings.json").read_text()
    stored = json.loads(text)
    # Both: the new host, and the one the key went to until now (going back asks nothing).
    assert stored["confirmed_origins"] == ["http://127.0.0.1:8100", "http://127.0.0.2:8123"]
    assert KEY not in text

    again, _ = make(in_force(NEW))  # the next start reads them back
    assert again.host_to_confirm(form(NEW, api_key=KEY)) is None
    assert again.host_to_confirm(form(OLD, api_key=KEY)) is None
    assert again.host_to_confirm(form("http://127.0.0.3:1", api_key=KEY)) == "127.0.0.3:1"


def test_saving_without_a_change_of_host_keeps_the_list_as_it_was(
    qtbot: Any, make: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    settings_mod.save(
        settings_mod.AppSettings(base_url=OLD, confirmed_origins=[OLD]), tmp_path / "settings.json"
    )
    controller, _ = make(replace(in_force(OLD), trusted_origins=frozenset({OLD + ":8100"})))
    assert save(qtbot, controller, form(OLD)).ok
    stored = json.loads((tmp_path / "settings.json").read_text())
    assert stored["confirmed_origins"] == ["http://127.0.0.1:8100"]
    assert save(qtbot, controller, form("https://api.orq.ai")).ok  # the default is never listed
    stored = json.loads((tmp_path / "settings.json").read_text())
    assert stored["confirmed_origins"] == ["http://127.0.0.1:8100"]


def test_saving_the_address_the_key_goes_to_this_session_keeps_it(
    qtbot: Any, make: Any, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """ORQ_BASE_URL chose OLD for this session; saving it in Settings asks nothing (the key goes
    there already) and lists it, so that the next start, without the variable, sends it too."""
    controller, connection = make(in_force(OLD))
    assert controller.host_to_confirm(form(OLD)) is None
    assert save(qtbot, controller, form(OLD)).ok
    stored = json.loads((tmp_path / "settings.json").read_text())
    assert stored["confirmed_origins"] == ["http://127.0.0.1:8100"]
    assert connection.config.unconfirmed_host() is None and connection.client() is not None


def test_test_connection_sends_the_key_only_to_a_confirmed_host(qtbot: Any, make: Any) -> None:
    keys_sent: list[tuple[str, str | None]] = []

    async def fake_probe(base_url: str, prefix: str, key: str | None, **_: Any) -> ProbeReport:
        keys_sent.append((base_url, key))
        return ProbeReport(ok=False, kind="no_key", headline="no key", url=base_url)

    controller, _ = make(in_force(OLD), ConnectionTester(probe=fake_probe))
    for url, typed in ((NEW, None), (NEW, KEY), (OLD, None)):
        with qtbot.waitSignal(controller.test_finished, timeout=5000):
            controller.test_connection(form(url, api_key=typed))
    controller.confirm_host(NEW)
    with qtbot.waitSignal(controller.test_finished, timeout=5000):
        controller.test_connection(form(NEW))
    assert keys_sent == [(NEW, None), (NEW, None), (OLD, KEY), (NEW, KEY)]
