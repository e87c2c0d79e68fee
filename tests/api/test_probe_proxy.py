"""Requests through a proxy: a tiny loopback forward proxy records that it was used, and how.

Covers ``RouterClient(proxy=, proxy_auth=, trust_env=)``, the mapping from the connection settings
(``network_options``), "Test connection" through a proxy, and SOCKS without ``socksio``.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import RouterClient
from orq_desktop.api.client_http import socks_available
from orq_desktop.api.models import ChatRequest
from orq_desktop.api.probe import probe
from orq_desktop.core.connection import ConnectionConfig, network_options

KEY = "proxy-test-key-0123456789"
PASSWORD = "pr0xy-s3cret-Pa55"


@dataclass
class ForwardProxy:
    """An HTTP forward proxy on loopback (absolute-form requests only), in its own thread.

    With ``login`` set, requests without the matching ``Proxy-Authorization`` get 407.
    """

    login: tuple[str, str] | None = None
    seen: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> ForwardProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            line, *header_lines = head.decode("latin-1").split("\r\n")
            method, target, _version = line.split(" ", 2)
            headers = {}
            for raw in header_lines:
                if ":" in raw:
                    name, value = raw.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            self.seen.append(
                {
                    "method": method,
                    "target": target,
                    "proxy-authorization": headers.get("proxy-authorization", ""),
                }
            )
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if self.login is not None:
                token = base64.b64encode(":".join(self.login).encode()).decode()
                if headers.get("proxy-authorization") != f"Basic {token}":
                    writer.write(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                        b'Proxy-Authenticate: Basic realm="test"\r\n'
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    return
            parts = urlsplit(target)
            up_reader, up_writer = await asyncio.open_connection(parts.hostname, parts.port)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            forwarded = [f"{method} {path} HTTP/1.1"]
            for name, value in headers.items():
                if not name.startswith("proxy-") and name != "connection":
                    forwarded.append(f"{name}: {value}")
            forwarded.append("connection: close")
            up_writer.write(("\r\n".join(forwarded) + "\r\n\r\n").encode("latin-1") + body)
            await up_writer.drain()
            writer.write(await up_reader.read())
            up_writer.close()
        finally:
            await writer.drain()
            writer.close()


@pytest.fixture
def make_proxy() -> Iterator[Any]:
    proxies: list[ForwardProxy] = []

    def make(login: tuple[str, str] | None = None) -> ForwardProxy:
        proxy = ForwardProxy(login=login).start()
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def sim(sim_server_factory: Any) -> Any:
    return sim_server_factory(api_key=KEY)


@pytest.fixture
def no_env_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_probe_goes_through_the_custom_proxy_with_its_login(
    sim: Any, make_proxy: Any, no_env_proxy: None
) -> None:
    proxy = make_proxy(login=("alice", PASSWORD))
    report = asyncio.run(
        probe(sim.url, "/v2/gateway", KEY, proxy=proxy.url, proxy_auth=("alice", PASSWORD))
    )
    assert report.ok, report.as_text()
    (seen,) = proxy.seen
    assert seen["method"] == "POST"
    assert seen["target"] == f"{sim.url}/v2/gateway/chat/completions"  # absolute form: proxied
    assert seen["proxy-authorization"] == basic("alice", PASSWORD)
    assert len(sim.recorded_requests()) == 1


def test_wrong_proxy_password_shows_407_and_never_the_password(
    sim: Any, make_proxy: Any, no_env_proxy: None
) -> None:
    proxy = make_proxy(login=("alice", PASSWORD))
    report = asyncio.run(
        probe(sim.url, "/v2/gateway", KEY, proxy=proxy.url, proxy_auth=("alice", "nope-0000"))
    )
    assert not report.ok and report.kind == "proxy" and report.status == 407
    assert report.headline == "The proxy wants a user name and password (407)."
    assert sim.recorded_requests() == []  # the proxy stopped it
    assert "nope-0000" not in report.as_text() and "nope-0000" not in repr(report)


def test_closed_proxy_port_is_blamed_on_the_proxy(sim: Any, no_env_proxy: None) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proxy = f"http://127.0.0.1:{port}"
    report = asyncio.run(probe(sim.url, "/v2/gateway", KEY, proxy=proxy))
    assert report.kind == "proxy"
    assert report.headline.startswith(f"No connection through the proxy 127.0.0.1:{port}")


def test_system_proxy_from_the_environment_is_used_only_with_trust_env(
    sim: Any, make_proxy: Any, no_env_proxy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = make_proxy()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    system = asyncio.run(probe(sim.url, "/v2/gateway", KEY, trust_env=True))
    assert system.ok and len(proxy.seen) == 1
    direct = asyncio.run(probe(sim.url, "/v2/gateway", KEY, trust_env=False))
    assert direct.ok and len(proxy.seen) == 1  # "no proxy": straight to the router
    assert len(sim.recorded_requests()) == 2


@pytest.mark.skipif(socks_available(), reason="socksio is installed: SOCKS works")
def test_socks_without_socksio_is_reported_not_crashed(sim: Any, no_env_proxy: None) -> None:
    client = RouterClient(KEY, sim.url, proxy="socks5://127.0.0.1:1080")  # constructing is fine
    request = ChatRequest.model_validate(
        {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    )

    async def go() -> errors.RouterError:
        async with client:
            with pytest.raises(errors.ConnectionFailed) as caught:
                await client.complete(request)
        return caught.value

    error = asyncio.run(go())
    assert "SOCKS needs the socksio package" in error.message
    report = asyncio.run(probe(sim.url, "/v2/gateway", KEY, proxy="socks5://127.0.0.1:1080"))
    assert report.kind == "proxy" and report.headline.startswith("SOCKS needs the socksio package")
    assert sim.recorded_requests() == []  # never sent around the chosen proxy


def test_invalid_proxy_address_fails_requests_instead_of_going_direct(
    sim: Any, no_env_proxy: None
) -> None:
    report = asyncio.run(probe(sim.url, "/v2/gateway", KEY, proxy="ftp://127.0.0.1:21"))
    assert report.kind == "proxy" and "not valid" in report.headline
    assert sim.recorded_requests() == []


def test_network_options_map_the_three_modes() -> None:
    system = network_options(ConnectionConfig())
    assert system == {"proxy": None, "proxy_auth": None, "trust_env": True}
    none = network_options(ConnectionConfig(proxy_mode="none"))
    assert none == {"proxy": None, "proxy_auth": None, "trust_env": False}
    custom = network_options(
        ConnectionConfig(
            proxy_mode="custom",
            proxy_url="http://p:3128",
            proxy_username="bob",
            proxy_password=PASSWORD,
        )
    )
    assert custom == {"proxy": "http://p:3128", "proxy_auth": ("bob", PASSWORD), "trust_env": False}
    config = ConnectionConfig(proxy_mode="custom", proxy_url="http://p", proxy_password=PASSWORD)
    assert PASSWORD not in repr(config)


def test_connection_client_uses_the_configured_proxy(
    qapp: Any, sim: Any, make_proxy: Any, no_env_proxy: None
) -> None:
    from orq_desktop.core.connection import Connection

    proxy = make_proxy(login=("bob", PASSWORD))
    connection = Connection(
        ConnectionConfig(
            base_url=sim.url,
            api_key=KEY,
            proxy_mode="custom",
            proxy_url=proxy.url,
            proxy_username="bob",
            proxy_password=PASSWORD,
        )
    )
    request = ChatRequest.model_validate(
        {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    )

    async def go() -> str:
        try:
            return (await connection.client().complete(request)).text
        finally:
            await connection.aclose()

    assert asyncio.run(go())
    assert [s["proxy-authorization"] for s in proxy.seen] == [basic("bob", PASSWORD)]
