"""SettingsController: check, put in force, keep (file, keyring), load; no secret in a file."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from keyring_fakes import MemoryKeyring, keyring_in_use
from settings_support import settings_builder

from orq_desktop import settings as settings_mod
from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.core.connection_test import socks_available
from orq_desktop.core.settings_controller import SaveResult, SettingsController, SettingsForm

pytestmark = pytest.mark.gui

KEY = "sk-orq-CANARY-7d1e0f2a9b3c4d5e6f70"
PROXY_PASSWORD = "Pr0xy-CANARY-9e8d7c6b5a"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with keyring_in_use(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def no_keyring() -> Iterator[None]:
    with keyring_in_use(keyring.backends.fail.Keyring()):
        yield


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make(config=...)`` → (controller, connection); everything is closed afterwards."""
    with settings_builder(qtbot, tmp_path / "data", monkeypatch) as builder:

        def build(config: ConnectionConfig | None = None, data: Path | None = None) -> Any:
            config = config or ConnectionConfig(base_url="https://api.orq.ai")
            parts = builder.build(config, data_dir=data)
            return parts.controller, parts.connection

        yield build


def form(**changes: Any) -> SettingsForm:
    values: dict[str, Any] = {"base_url": "https://api.orq.ai", "path_prefix": "/v2/gateway"}
    values.update(changes)
    return SettingsForm(**values)


def save(qtbot: Any, controller: SettingsController, the_form: SettingsForm) -> SaveResult:
    with qtbot.waitSignal(controller.saved, timeout=10_000) as blocker:
        assert controller.save(the_form) == {}
    result = blocker.args[0]
    assert isinstance(result, SaveResult)
    return result


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_save_puts_settings_in_force_and_keeps_them_privately(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    controller, connection = make()
    controller.confirm_host("http://127.0.0.1:9")  # a new router address is asked about first
    result = save(
        qtbot,
        controller,
        form(
            base_url="http://127.0.0.1:9/",
            path_prefix="/v2/router",
            proxy_mode="custom",
            proxy_url="http://proxy.local:3128",
            proxy_username="alice",
            proxy_password=PROXY_PASSWORD,
        ),
    )
    assert result.ok, result.problems
    config = connection.config
    assert (config.base_url, config.path_prefix) == ("http://127.0.0.1:9", "/v2/router")
    assert (config.proxy_mode, config.proxy_url) == ("custom", "http://proxy.local:3128")
    assert (config.proxy_username, config.proxy_password) == ("alice", PROXY_PASSWORD)
    path = tmp_path / "data" / "settings.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = json.loads(path.read_text())
    assert stored["proxy_username"] == "alice" and stored["proxy_url"] == "http://proxy.local:3128"
    assert memory_keyring.entries == {("orq-desktop", "proxy-password"): PROXY_PASSWORD}
    assert files_containing(tmp_path, PROXY_PASSWORD) == []
    assert settings_mod.load(path).path_prefix == "/v2/router"


def test_a_login_typed_into_the_proxy_address_goes_to_the_keyring(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    controller, connection = make()
    url = f"http://bob:{PROXY_PASSWORD}@proxy.local:8080"
    assert save(qtbot, controller, form(proxy_mode="custom", proxy_url=url)).ok
    stored = json.loads((tmp_path / "data" / "settings.json").read_text())
    assert stored["proxy_url"] == "http://proxy.local:8080" and stored["proxy_username"] == "bob"
    assert memory_keyring.entries[("orq-desktop", "proxy-password")] == PROXY_PASSWORD
    assert connection.config.proxy_password == PROXY_PASSWORD
    assert files_containing(tmp_path, PROXY_PASSWORD) == []


def test_removing_the_proxy_user_forgets_the_password(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring
) -> None:
    controller, connection = make()
    custom = form(proxy_mode="custom", proxy_url="http://p.local:3128", proxy_username="alice")
    assert save(qtbot, controller, SettingsForm(**{**_fields(custom), "proxy_password": "pw1"})).ok
    assert memory_keyring.entries
    assert save(qtbot, controller, form(proxy_mode="custom", proxy_url="http://p.local:3128")).ok
    assert memory_keyring.entries == {}
    assert connection.config.proxy_username is None and connection.config.proxy_password is None


def _fields(f: SettingsForm) -> dict[str, Any]:
    return {name: getattr(f, name) for name in SettingsForm.__slots__}


def test_check_explains_each_bad_field(make: Any, tmp_path: Path) -> None:
    controller, _ = make()
    problems = controller.check(
        form(
            base_url="api.orq.ai",
            images_dir=str(tmp_path / "missing"),
            proxy_mode="custom",
            proxy_url="http://proxy.local",
            api_key="sk-abc def",
        )
    )
    assert problems == {
        "base_url": "The base URL must start with https:// (or http:// for a local server).",
        "images_dir": "This folder does not exist.",
        "proxy_url": "The proxy address needs a port, such as :3128 or :1080.",
        "api_key": "The key has spaces in it: paste it again, in one piece.",
    }
    assert controller.check(form(base_url="https://api.orq.ai?x=1"))["base_url"].startswith(
        "The base URL must not have a query"
    )
    assert controller.save(form(base_url="nope")) != {}  # refused: nothing changes


@pytest.mark.skipif(socks_available(), reason="socksio is installed: SOCKS can be saved")
def test_socks_without_socksio_cannot_be_saved(make: Any) -> None:
    controller, _ = make()
    problems = controller.check(form(proxy_mode="custom", proxy_url="socks5://127.0.0.1:1080"))
    assert problems["proxy_url"].startswith("SOCKS needs the socksio package")


def test_images_folder_change_is_announced_once(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    controller, _ = make()
    folder = tmp_path / "pictures"
    folder.mkdir()
    seen: list[str] = []
    controller.images_dir_changed.connect(seen.append)
    folder.chmod(0o755)
    assert controller.images_dir() == tmp_path / "data" / "images"
    assert save(qtbot, controller, form(images_dir=str(folder))).ok
    assert save(qtbot, controller, form(images_dir=str(folder))).ok
    assert seen == [str(folder)] and controller.images_dir() == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755  # the user's own folder is left as is


def test_a_key_saved_with_remember_goes_to_the_keyring(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    controller, connection = make()
    states: list[tuple[str, str]] = []
    controller.key_state.connect(lambda source, label: states.append((source, label)))
    assert save(qtbot, controller, form(api_key=f"  {KEY} ", remember_key=True)).ok
    assert memory_keyring.entries == {("orq-desktop", "api-key"): KEY}
    assert connection.config.api_key == KEY and connection.config.key_source == "keyring"
    assert states[-1] == ("keyring", "Stored in the system keyring")
    status = controller.key_status()
    assert status.source == "keyring" and status.hint == f"ending in …{KEY[-4:]}"
    assert files_containing(tmp_path, KEY) == []


def test_without_a_keyring_the_key_stays_in_memory_and_is_never_written(
    qtbot: Any, make: Any, no_keyring: None, tmp_path: Path
) -> None:
    controller, connection = make()
    result = save(qtbot, controller, form(api_key=KEY, remember_key=True))
    assert result.problems == (
        "No system keyring is available on this machine. The key is kept for this session only.",
    )
    assert connection.config.api_key == KEY and connection.config.key_source == "session"
    assert controller.key_status().label == "This session only: the key is not stored"
    assert controller.keyring_problem == result.problems[0]
    assert (tmp_path / "data" / "settings.json").exists()
    assert files_containing(tmp_path, KEY) == []


def test_a_proxy_password_without_a_keyring_is_kept_for_the_session(
    qtbot: Any, make: Any, no_keyring: None, tmp_path: Path
) -> None:
    controller, connection = make()
    result = save(
        qtbot,
        controller,
        form(
            proxy_mode="custom",
            proxy_url="http://p.local:3128",
            proxy_username="u",
            proxy_password=PROXY_PASSWORD,
        ),
    )
    assert result.problems == (
        "No system keyring is available on this machine. "
        "The proxy password is kept for this session only.",
    )
    assert connection.config.proxy_password == PROXY_PASSWORD
    assert files_containing(tmp_path, PROXY_PASSWORD) == []


def test_an_unwritable_settings_file_is_reported(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    controller, connection = make(data=blocker)
    controller.confirm_host("http://127.0.0.1:9")
    result = save(qtbot, controller, form(base_url="http://127.0.0.1:9"))
    (problem,) = result.problems
    assert problem.startswith("The settings could not be written (")
    assert problem.endswith("they apply until Orq Desktop closes.")
    assert connection.config.base_url == "http://127.0.0.1:9"  # still in force


def test_environment_key_is_stored_only_when_asked(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring
) -> None:
    controller, _ = make(ConnectionConfig(api_key=KEY, key_source="environment"))
    assert controller.key_status().label == "Key from environment (ORQ_API_KEY), for this session"
    assert save(qtbot, controller, form()).ok
    assert memory_keyring.entries == {}  # saving settings does not copy it
    with qtbot.waitSignal(controller.key_state, timeout=5000):
        controller.remember_current_key()
    assert memory_keyring.entries == {("orq-desktop", "api-key"): KEY}


def test_load_reads_settings_and_the_proxy_password(
    qtbot: Any,
    make: Any,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    stored = settings_mod.AppSettings(
        base_url="http://127.0.0.1:5",
        path_prefix="/v2/router",
        proxy_mode="custom",
        proxy_url="http://p.local:3128",
        proxy_username="carol",
    )
    settings_mod.save(stored, data / "settings.json")
    memory_keyring.entries[("orq-desktop", "proxy-password")] = PROXY_PASSWORD
    monkeypatch.setenv("ORQ_PATH_PREFIX", "/v2/gateway")  # the environment wins at start
    controller, connection = make()
    task = asyncio.ensure_future(controller.load())
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.result() == stored
    config = connection.config
    assert (config.base_url, config.path_prefix) == ("http://127.0.0.1:5", "/v2/gateway")
    assert (config.proxy_username, config.proxy_password) == ("carol", PROXY_PASSWORD)
    assert controller.env_overrides() == {"ORQ_PATH_PREFIX": "/v2/gateway"}
    assert controller.held_back_host == "127.0.0.1:5"  # never confirmed: no key goes there


def test_saving_a_key_in_demo_mode_leaves_demo_mode(
    qtbot: Any, make: Any, memory_keyring: MemoryKeyring
) -> None:
    demo = ConnectionConfig(base_url="http://127.0.0.1:7", api_key="demo", key_source="demo")
    controller, connection = make(replace_demo(demo))
    assert controller.key_status().label == "Demo mode: no key needed"
    # The key would go there once demo mode ends: asked about even without a key.
    refused = controller.save(form(base_url="http://127.0.0.1:9"))
    assert refused == {"base_url": "Confirm first that your API key may be sent to 127.0.0.1:9."}
    with_key = form(base_url="http://127.0.0.1:9", api_key=KEY, remember_key=False)
    assert controller.save(with_key) == refused
    assert connection.config.demo and connection.config.api_key == "demo"
    controller.confirm_host(with_key.base_url)
    assert save(qtbot, controller, form(base_url="http://127.0.0.1:9")).ok
    assert connection.config.demo  # settings alone keep demo mode
    with qtbot.waitSignal(controller.demo_left, timeout=1000):
        assert controller.save(with_key) == {}
    assert not connection.config.demo and connection.config.base_url == "http://127.0.0.1:9"
    assert connection.config.api_key == KEY


def replace_demo(config: ConnectionConfig) -> ConnectionConfig:
    from dataclasses import replace

    return replace(config, demo=True)
