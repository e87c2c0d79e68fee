"""Status codes and connection failures (N6-N17), through the real chat form and session.

Our client makes no automatic retries by default (the router retries; the user decides): each
case sends exactly one request and shows a card with the status, the router's words and the
one-click fixes. The opt-in ``RouterClient(max_retries=...)`` is checked for the plan's timings.
A 5 ms heartbeat runs through every test.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from rel_app import run
from rel_checks import widget_strings
from rel_server import Reply, ScriptedRouter
from rel_state import suite_canary

from orq_desktop.api.client import RouterClient
from orq_desktop.api.client_http import build_ssl_context
from orq_desktop.api.errors import RouterError
from orq_desktop.api.models import ChatRequest
from orq_desktop.core.chat_types import MessageState

pytestmark = pytest.mark.gui


@pytest.fixture
def make_chat(heartbeat_chat: Any) -> Any:
    return heartbeat_chat


def card_of(env: Any) -> Any:
    return env.of("answer_failed")[-1][1]


def action_ids(env: Any) -> list[str]:
    return [a.action_id for a in card_of(env).actions]


async def stream_once(client: RouterClient) -> str:
    request = ChatRequest(model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}])
    try:
        async with client.stream(request) as stream:
            async for _chunk in stream:
                pass
            return stream.text
    finally:
        await client.aclose()


def opt_in(url: str, retries: int = 2) -> RouterClient:
    return RouterClient(suite_canary(), url, max_retries=retries, trust_env=False)


@pytest.mark.scenario("N6")
def test_429_with_retry_after_is_one_request_and_a_card(router: Any, make_chat: Any) -> None:
    router.script(Reply.error(429, "slow down", "rate_limit_exceeded", **{"Retry-After": "2"}))
    env = make_chat(router.url)
    started = time.monotonic()
    msg_id = env.ask("hi")
    assert time.monotonic() - started < 1.0  # no sleep
    assert len(router.seen) == 1
    card = card_of(env)
    assert card.status == 429 and "429" in card.title and "slow down" in card.message
    assert "2 s" in card.advice
    assert {"retry_on_code:429", "add_fallback"} <= set(action_ids(env))
    assert env.session.turns[-1].state is MessageState.ERROR and msg_id
    assert env.send_enabled()


@pytest.mark.scenario("N6")
def test_opt_in_retries_honour_retry_after(qtbot: Any, router: Any, aloop: Any) -> None:
    router.script(
        Reply.error(429, "slow down", "rate_limit_exceeded", **{"Retry-After": "2"}),
        Reply.sse(["recovered"]),
    )
    assert run(qtbot, stream_once(opt_in(router.url))) == "recovered"
    first, second = router.seen
    assert second.at - first.at >= 2.0
    assert first.headers.get("idempotency-key") == second.headers.get("idempotency-key")


@pytest.mark.scenario("N7")
@pytest.mark.parametrize("value", ["3600", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_retry_after_over_the_cap_is_never_waited_for(
    qtbot: Any, router: Any, make_chat: Any, value: str
) -> None:
    router.script(
        Reply.error(429, "come back later", "rate_limit_exceeded", **{"Retry-After": value})
    )
    started = time.monotonic()
    with pytest.raises(RouterError) as caught:
        run(qtbot, stream_once(opt_in(router.url)))
    assert getattr(caught.value, "status", None) == 429
    assert time.monotonic() - started < 1.0 and len(router.seen) == 1
    env = make_chat(router.url)
    env.ask("hi")
    assert len(router.seen) == 2  # the form: one more request, one card
    assert card_of(env).status == 429
    assert env.send_enabled()


@pytest.mark.scenario("N8")
def test_insufficient_quota_is_one_request_and_names_the_quota(router: Any, make_chat: Any) -> None:
    router.script(Reply.error(429, "You exceeded your current quota", "insufficient_quota"))
    env = make_chat(router.url)
    env.ask("hi")
    assert len(router.seen) == 1
    assert "quota" in card_of(env).message.lower()


@pytest.mark.scenario("N9")
def test_500_then_200_is_one_request_and_a_card(router: Any, make_chat: Any) -> None:
    router.script(Reply.error(500, "internal"), Reply.sse(["fine"]))
    env = make_chat(router.url)
    env.ask("hi")
    assert len(router.seen) == 1
    assert card_of(env).status == 500
    assert {"retry", "add_fallback"} <= set(action_ids(env))
    msg_id = env.ask("again")  # the user decides: the next request succeeds
    assert env.state_of(msg_id) is MessageState.COMPLETE


@pytest.mark.scenario("N9")
def test_opt_in_retry_after_500_waits_the_first_backoff(
    qtbot: Any, router: Any, aloop: Any
) -> None:
    router.script(Reply.error(500, "internal"), Reply.sse(["fine"]))
    assert run(qtbot, stream_once(opt_in(router.url))) == "fine"
    first, second = router.seen
    assert 0.375 <= second.at - first.at <= 0.6


@pytest.mark.scenario("N10")
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_show_status_trace_and_fallback(
    router: Any, make_chat: Any, status: int
) -> None:
    router.script(Reply.error(status, f"upstream {status}", **{"x-orq-trace-id": "01TRACE"}))
    env = make_chat(router.url, history=True)
    env.ask("hi")
    assert len(router.seen) == 1
    card = card_of(env)
    assert card.status == status and str(status) in card.title
    assert "add_fallback" in action_ids(env)
    assert env.session.turns[0].text == "hi"  # the user turn stays
    assert env.send_enabled()


@pytest.mark.scenario("N10")
def test_opt_in_gives_up_after_max_retries(qtbot: Any, router: Any, aloop: Any) -> None:
    router.script(Reply.error(503, "busy"))
    with pytest.raises(RouterError) as caught:
        run(qtbot, stream_once(opt_in(router.url, retries=2)), timeout=20_000)
    assert getattr(caught.value, "status", None) == 503
    assert len(router.seen) == 3


@pytest.mark.scenario("N11")
@pytest.mark.parametrize(
    ("status", "label"),
    [(400, "refused"), (401, "key"), (403, "allowed"), (404, "found"), (422, "refused"), (501, "")],
)
def test_client_errors_are_never_retried(
    router: Any, make_chat: Any, status: int, label: str
) -> None:
    router.script(Reply.error(status, f"nope {status}"))
    env = make_chat(router.url, max_retries=2)  # even with retries on
    env.ask("hi")
    assert len(router.seen) == 1
    card = card_of(env)
    assert card.status == status and label in card.title.lower()
    assert f"nope {status}" in card.message
    if status == 401:
        assert "reenter_key" in action_ids(env)
    assert not any(suite_canary() in s for s in widget_strings(env.panel))


@pytest.mark.scenario("N12")
@pytest.mark.parametrize("status", [408, 409])
def test_408_409_default_once_opt_in_retried(
    qtbot: Any, router: Any, make_chat: Any, status: int
) -> None:
    router.script(Reply.error(status, "again"), Reply.sse(["ok"]))
    env = make_chat(router.url)
    env.ask("hi")
    assert len(router.seen) == 1
    router.script(Reply.error(status, "again"), Reply.sse(["ok"]))
    assert run(qtbot, stream_once(opt_in(router.url))) == "ok"
    assert len(router.seen) == 2


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.mark.scenario("N13")
def test_connection_refused_is_reported_fast(make_chat: Any) -> None:
    env = make_chat(f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    env.ask("hi")
    assert time.monotonic() - started < 1.0
    card = card_of(env)
    assert "refused" in card.title.lower()
    assert env.send_enabled()


class DnsFailure(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise httpx.ConnectError("[Errno -2] Name or service not known") from cause


@pytest.mark.scenario("N14")
def test_dns_failure_says_dns_not_refused(make_chat: Any) -> None:
    transport = DnsFailure()
    env = make_chat("https://orq.invalid", transport=transport)
    env.ask("hi")
    card = card_of(env)
    assert "name not found" in card.title.lower() and "refused" not in card.title.lower()
    assert "could not be found" in card.message
    assert transport.calls == 1


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    folder: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"),
         "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.mark.scenario("N15", "S5")
def test_a_self_signed_server_gets_no_request(
    qtbot: Any, make_chat: Any, tls_context: ssl.SSLContext
) -> None:
    server = ScriptedRouter(tls=tls_context)
    try:
        env = make_chat(server.url)
        env.ask("hi")
        card = card_of(env)
        assert "secure connection" in card.title.lower()
        assert "certificate" in card.message.lower()
        assert not [a for a in card.actions if "ignore" in a.label.lower()]
        qtbot.wait(100)
        assert server.seen == []
    finally:
        server.stop()


@pytest.mark.scenario("N16")
def test_sslkeylogfile_is_ignored(
    qtbot: Any, make_chat: Any, tls_context: ssl.SSLContext, rel_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    keylog = rel_dir / "keylog.txt"
    monkeypatch.setenv("SSLKEYLOGFILE", str(keylog))
    assert build_ssl_context().keylog_filename is None
    server = ScriptedRouter(tls=tls_context)
    try:
        env = make_chat(server.url)
        env.ask("hi")
        assert not keylog.exists() or keylog.read_bytes() == b""
    finally:
        server.stop()


@pytest.mark.scenario("N17")
def test_redirect_to_another_origin_is_not_followed(router: Any, make_chat: Any) -> None:
    other = ScriptedRouter(host="127.0.0.2")
    try:
        target = f"{other.url}/v2/gateway/chat/completions"
        router.script(Reply(status=307, headers={"Location": target}, pieces=[]))
        env = make_chat(router.url)
        env.ask("hi")
        assert len(router.seen) == 1
        assert other.seen == []  # no Authorization header left for the second origin
        assert card_of(env).status == 307 or "redirect" in card_of(env).message.lower()
    finally:
        other.stop()


def test_opt_in_client_helpers_close(qtbot: Any, aloop: Any) -> None:
    client = opt_in("http://127.0.0.1:9")
    run(qtbot, client.aclose())
    assert asyncio.iscoroutinefunction(client.aclose)
