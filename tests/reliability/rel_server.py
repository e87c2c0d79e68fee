"""Loopback servers for the reliability suite: a scripted router and a tracker.

``ScriptedRouter`` answers each POST with the next ``Reply`` of its queue (the last one repeats):
a status, headers, and a body written piece by piece with delays, in chunked transfer encoding,
ending cleanly, by an abrupt close (no terminating chunk), or by hanging until the client leaves.
It records every request (path, headers with the Authorization value hashed, body, arrival and
disconnect times). ``Tracker`` counts every request it gets: the remote-resource check.
"""

from __future__ import annotations

import hashlib
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal


def chunk(text: str, model: str = "scripted/model", **delta: Any) -> bytes:
    """One SSE frame of a chat completion chunk carrying ``text``."""
    body = {
        "id": "chatcmpl-rel",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": model,
        "choices": [{"index": 0, "delta": {"content": text, **delta}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def finish(reason: str = "stop") -> bytes:
    body = {
        "id": "chatcmpl-rel",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "scripted/model",
        "choices": [{"index": 0, "delta": {}, "finish_reason": reason}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\ndata: [DONE]\n\n"


def error_body(status: int, message: str, kind: str = "error") -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": status}}).encode()


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/event-stream"})
    pieces: list[tuple[bytes, float]] = field(default_factory=list)  # (bytes, delay before)
    end: Literal["done", "abort", "hang"] = "done"
    head_delay: float = 0.0

    @classmethod
    def sse(cls, texts: Iterable[str], *, end: str = "done", delay: float = 0.0) -> Reply:
        pieces = [(chunk(t), delay) for t in texts]
        if end == "done":
            pieces.append((finish(), 0.0))
        return cls(pieces=pieces, end=end)  # type: ignore[arg-type]

    @classmethod
    def error(cls, status: int, message: str, kind: str = "error", **headers: str) -> Reply:
        head = {"Content-Type": "application/json", **headers}
        return cls(status=status, headers=head, pieces=[(error_body(status, message, kind), 0.0)])


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    disconnected_at: float | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "authorization" in headers:
            headers["authorization"] = hashlib.sha256(headers["authorization"].encode()).hexdigest()
        seen = Seen(self.path, headers, body, time.monotonic())
        self.server.owner.seen.append(seen)
        reply = self.server.owner.next_reply()
        try:
            self._answer(reply, seen)
        except OSError:
            seen.disconnected_at = time.monotonic()
        self.close_connection = True

    do_GET = do_POST  # noqa: N815 (http.server's method names)

    def _answer(self, reply: Reply, seen: Seen) -> None:
        if reply.head_delay and self._wait_or_gone(reply.head_delay, seen):
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        for data, delay in reply.pieces:
            if delay and self._wait_or_gone(delay, seen):
                return
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        if reply.end == "done":
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        elif reply.end == "abort":
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self._wait_or_gone(600.0, seen)

    def _wait_or_gone(self, seconds: float, seen: Seen) -> bool:
        """Sleep ``seconds`` unless the client disconnects first (then record when; True)."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        while (left := deadline - time.monotonic()) > 0 and not self.server.owner.stopping:
            readable, _, _ = select.select([sock], [], [], min(left, 0.01))
            if readable and not sock.recv(1, socket.MSG_PEEK):
                seen.disconnected_at = time.monotonic()
                return True
        return self.server.owner.stopping

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: ScriptedRouter

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner.handshake_failures += 1  # a TLS handshake refused by the client, mostly


class ScriptedRouter:
    """A router stand-in on 127.0.0.1 that plays scripted replies; ``.url`` and ``.seen``."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.replies: list[Reply] = [Reply.sse(["Hello", " there"])]
        self.seen: list[Seen] = []
        self.stopping = False
        self.handshake_failures = 0
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://{host}:{self._server.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.seen.clear()

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def stop(self) -> None:
        self.stopping = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _TrackerHandler(BaseHTTPRequestHandler):
    server: _TrackerServer

    def _count(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", "14")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    do_GET = do_POST = do_HEAD = _count  # noqa: N815 (http.server's method names)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TrackerServer(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]


class Tracker:
    """Counts every request made to it: a model answer's remote images and pixels point here."""

    def __init__(self) -> None:
        self._server = _TrackerServer(("127.0.0.1", 0), _TrackerHandler)
        self._server.hits = []
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> list[str]:
        return list(self._server.hits)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def running(factory: type[ScriptedRouter] | type[Tracker]) -> Iterator[Any]:
    server = factory()
    try:
        yield server
    finally:
        server.stop()
