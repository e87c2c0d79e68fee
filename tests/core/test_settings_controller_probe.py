"""SettingsController.test_connection: runs as a task with the form's values, reports plain data."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from settings_support import settings_builder

from orq_desktop.api.probe import ProbeReport
from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.core.connection_test import (
    ConnectionTester,
    proxy_problem,
    socks_available,
    split_proxy_login,
)
from orq_desktop.core.settings_controller import SettingsForm

pytestmark = pytest.mark.gui

KEY = "right-key-0123456789abcdef"


@pytest.fixture
def make(qtbot: Any, aloop: Any, tmp_path: Any) -> Iterator[Any]:
    with settings_builder(qtbot, tmp_path) as builder:

        def build(config: ConnectionConfig, tester: ConnectionTester | None = None) -> Any:
            return builder.build(config, tester=tester).controller

        yield build


def test_a_typed_key_is_tested_against_the_forms_address(
    qtbot: Any, make: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(api_key=KEY)
    controller = make(ConnectionConfig(base_url="https://api.orq.ai"))  # no key in force
    controller.confirm_host(sim.url)  # the dialog asked "Send your API key to …?"
    started = time.perf_counter()
    with qtbot.waitSignal(controller.test_finished, timeout=10_000) as blocker:
        controller.test_connection(
            SettingsForm(base_url=sim.url, path_prefix="/v2/router", api_key=f" {KEY} ")
        )
        assert time.perf_counter() - started < 0.1  # started, not awaited
        assert controller.tester.running
    report = blocker.args[0]
    assert isinstance(report, ProbeReport) and report.ok and report.status == 200
    assert report.url == f"{sim.url}/v2/router/chat/completions"
    assert controller.settings.base_url == "https://api.orq.ai"  # testing saves nothing


def test_without_a_typed_key_the_key_in_force_is_used(
    qtbot: Any, make: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(api_key=KEY)
    controller = make(ConnectionConfig(api_key="a-wrong-key-0123456789", key_source="keyring"))
    controller.confirm_host(sim.url)
    with qtbot.waitSignal(controller.test_finished, timeout=10_000) as blocker:
        controller.test_connection(SettingsForm(base_url=sim.url, path_prefix="/v2/gateway"))
    report = blocker.args[0]
    assert report.kind == "auth" and report.status == 401


def test_demo_key_is_never_sent_to_a_real_address(qtbot: Any, make: Any) -> None:
    controller = make(ConnectionConfig(api_key="demo", key_source="demo", demo=True))
    with qtbot.waitSignal(controller.test_finished, timeout=5000) as blocker:
        controller.test_connection(
            SettingsForm(base_url="https://api.orq.ai", path_prefix="/v2/gateway")
        )
    assert blocker.args[0].kind == "no_key"


@pytest.mark.skipif(socks_available(), reason="socksio is installed")
def test_the_forms_proxy_is_used_for_the_test(
    qtbot: Any, make: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(api_key=KEY)
    controller = make(ConnectionConfig(api_key=KEY, key_source="keyring"))
    with qtbot.waitSignal(controller.test_finished, timeout=10_000) as blocker:
        controller.test_connection(
            SettingsForm(
                base_url=sim.url,
                path_prefix="/v2/gateway",
                proxy_mode="custom",
                proxy_url="socks5://127.0.0.1:1080",
            )
        )
    assert blocker.args[0].kind == "proxy"
    assert sim.recorded_requests() == []


def test_a_new_test_cancels_the_running_one(qtbot: Any, make: Any) -> None:
    release = asyncio.Event()
    calls: list[str] = []
    cancelled: list[str] = []

    async def fake_probe(base_url: str, *args: Any, **kwargs: Any) -> ProbeReport:
        calls.append(base_url)
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.append(base_url)
            raise
        return ProbeReport(ok=True, kind="ok", headline="fine", url=base_url)

    controller = make(ConnectionConfig(api_key=KEY), ConnectionTester(probe=fake_probe))
    finished: list[ProbeReport] = []
    controller.test_finished.connect(finished.append)
    controller.test_connection(SettingsForm(base_url="http://first", path_prefix="/v2/gateway"))
    qtbot.waitUntil(lambda: calls == ["http://first"], timeout=2000)
    controller.test_connection(SettingsForm(base_url="http://second", path_prefix="/v2/gateway"))
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    release.set()
    qtbot.waitUntil(lambda: len(finished) == 1, timeout=2000)
    assert cancelled == ["http://first"] and finished[0].url == "http://second"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "Enter the proxy's address"),
        ("proxy.local:3128", "The proxy address must start with http://"),
        ("ftp://proxy.local:21", "The proxy address must start with http://"),
        ("http://:3128", "The proxy address needs a host name"),
        ("http://proxy.local", "The proxy address needs a port"),
        ("http://proxy.local:99999", "The proxy address is not valid"),
        ("http://proxy.local:3128/path", "The proxy address is only a host and a port"),
    ],
)
def test_proxy_addresses_are_checked_in_plain_words(url: str, problem: str) -> None:
    found = proxy_problem(url)
    assert found is not None and found.startswith(problem)


def test_good_proxy_addresses_pass() -> None:
    assert proxy_problem("http://proxy.local:3128") is None
    assert proxy_problem("https://10.0.0.1:8443/") is None


def test_a_login_is_split_off_the_proxy_address() -> None:
    assert split_proxy_login("http://u%40x:p%3Aw@h:1") == ("http://h:1", "u@x", "p:w")
    assert split_proxy_login("http://only-user@h:1") == ("http://h:1", "only-user", None)
    assert split_proxy_login("http://h:1") == ("http://h:1", None, None)


def test_the_loop_stays_responsive_while_a_test_waits(
    qtbot: Any, make: Any, heartbeat: Any
) -> None:
    """A router that accepts the connection and never answers: the test times out on its own,
    and the event loop keeps ticking meanwhile (5 ms heartbeat)."""
    from functools import partial

    from orq_desktop.api.probe import probe

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        controller = make(
            ConnectionConfig(api_key=KEY), ConnectionTester(probe=partial(probe, deadline=1.0))
        )
        controller.confirm_host(url)
        heartbeat.start()
        with qtbot.waitSignal(controller.test_finished, timeout=10_000) as blocker:
            controller.test_connection(SettingsForm(base_url=url, path_prefix="/v2/gateway"))
        heartbeat.stop()
    report = blocker.args[0]
    assert report.kind == "timeout" and 0.9 < report.elapsed_s < 5
    assert heartbeat.ticks > 50
    assert heartbeat.max_gap_ms < 250, heartbeat.gaps_ms
