""" "Test connection" against the simulator with a key: each outcome says what came back."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orq_desktop.api.probe import PROBE_MODEL, ProbeReport, probe

KEY = "right-key-0123456789"


@pytest.fixture
def keyed(sim_server_factory: Any) -> Any:
    return sim_server_factory(api_key=KEY)


def run(*args: Any, **kwargs: Any) -> ProbeReport:
    return asyncio.run(probe(*args, **kwargs))


def test_right_key_succeeds_with_the_details(keyed: Any) -> None:
    report = run(keyed.url, "/v2/gateway", KEY)
    assert report.ok and report.kind == "ok"
    assert report.status == 200
    assert report.model == PROBE_MODEL
    assert report.trace_id and keyed.trace(report.trace_id)["answered_by"] == PROBE_MODEL
    assert report.reply  # the one token that came back
    assert 0 < report.elapsed_s < 10
    rows = dict(report.details())
    assert rows["Status"] == "200" and rows["Answered by"] == PROBE_MODEL
    assert rows["Trace id"] == report.trace_id
    assert rows["Request"] == f"POST {keyed.url}/v2/gateway/chat/completions"
    # The smallest real request: one message, one token, not streamed, the key sent as Bearer.
    (recorded,) = keyed.recorded_requests()
    assert recorded["path"] == "/v2/gateway/chat/completions"
    body = recorded["body"]
    assert body["max_completion_tokens"] == 1 and body["stream"] is False
    assert body["messages"] == [{"role": "user", "content": "ping"}]


def test_newer_router_prefix_works_too(keyed: Any) -> None:
    report = run(keyed.url, "/v2/router", KEY)
    assert report.ok and report.url.endswith("/v2/router/chat/completions")


def test_wrong_key_shows_401_with_the_routers_message(keyed: Any) -> None:
    report = run(keyed.url, "/v2/gateway", "wrong-key-9876543210")
    assert not report.ok and report.kind == "auth" and report.status == 401
    assert "API key rejected (401)" in report.headline
    assert report.message == "Invalid API key: check the key in your settings."
    assert report.trace_id  # the router's trace id of the refused request
    assert "wrong-key" not in report.as_text()


def test_wrong_path_prefix_shows_404(keyed: Any) -> None:
    report = run(keyed.url, "/v1/gateway", KEY)
    assert not report.ok and report.kind == "not_found" and report.status == 404
    assert "Not found (404)" in report.headline and "path prefix" in report.headline
    assert report.url.endswith("/v1/gateway/chat/completions")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_shows_connection_refused() -> None:
    port = _closed_port()
    report = run(f"http://127.0.0.1:{port}", "/v2/gateway", KEY)
    assert not report.ok and report.kind == "connection_refused" and report.status is None
    assert report.headline == f"Connection refused: nothing answers at 127.0.0.1:{port}."
    assert dict(report.details())["Status"] == "no HTTP answer"


def test_unresolvable_host_shows_dns_failure() -> None:
    report = run("http://nonexistent.invalid", "/v2/gateway", KEY)
    assert not report.ok and report.kind == "dns" and report.status is None
    assert "nonexistent.invalid could not be resolved (DNS failure)" in report.headline


def test_no_key_sends_nothing(keyed: Any) -> None:
    report = run(keyed.url, "/v2/gateway", "  ")
    assert report.kind == "no_key" and not report.ok
    assert keyed.recorded_requests() == []


def test_invalid_base_url_is_reported_not_raised() -> None:
    report = run("ftp://example.com", "/v2/gateway", KEY)
    assert report.kind == "bad_url" and "https://" in report.headline


class _NotTheRouter(BaseHTTPRequestHandler):
    """A web server that answers every POST with 200 and JSON that is no chat completion."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = json.dumps({"status": "ok"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def other_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotTheRouter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_wrong_host_that_answers_200_is_not_success(other_server: str) -> None:
    report = run(other_server, "/v2/gateway", KEY)
    assert not report.ok and report.kind == "not_router" and report.status == 200
    assert "not the Orq router" in report.headline


def test_slow_router_times_out_within_the_deadline(keyed: Any) -> None:
    report = run(keyed.url, "/v2/gateway", KEY, model="sim/timeout", deadline=0.5)
    assert report.kind == "timeout" and not report.ok
    assert report.elapsed_s < 5


def test_server_error_status_is_shown(keyed: Any) -> None:
    report = run(keyed.url, "/v2/gateway", KEY, model="sim/status-503")
    assert report.kind == "server" and report.status == 503
    assert report.message and report.trace_id
