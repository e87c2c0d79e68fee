"""Typed errors: status to class, messages from any error body, Retry-After, network failures."""

from __future__ import annotations

import email.utils
import pickle
import random
import socket
import ssl

import httpx
import pytest

from orq_desktop.api import errors
from orq_desktop.api.client_errors import (
    MAX_MESSAGE_CHARS,
    body_message,
    error_for_status,
    error_for_transport,
    parse_retry_after,
)

ENVELOPE = (
    b'{"error":{"code":"429","message":"Rate limit reached for gpt-4o","param":null,'
    b'"type":"rate_limit_error"}}'
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (408, errors.BadRequestError),
        (413, errors.BadRequestError),
        (422, errors.BadRequestError),
        (429, errors.RateLimitError),
        (451, errors.BadRequestError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (529, errors.ServerError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[errors.RouterError]) -> None:
    err = error_for_status(status, {}, b"")
    assert type(err) is cls
    assert err.status == status
    assert isinstance(err, errors.HttpStatusError)
    assert err.advice  # always one line of what to do next


def test_envelope_message_code_and_trace_id() -> None:
    headers = {"content-type": "application/json", "x-orq-trace-id": "trace_1"}
    err = error_for_status(429, headers, ENVELOPE)
    assert err.message == "Rate limit reached for gpt-4o"
    assert err.code == "429"
    assert err.trace_id == "trace_1"
    assert str(err) == "429 Rate limited: Rate limit reached for gpt-4o"
    assert err.title == "429 Rate limited"


def test_str_without_message_is_the_title() -> None:
    assert str(error_for_status(503, {}, b"")) == "503 Service unavailable"
    assert str(error_for_status(418, {}, b"")) == "418 Client error"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"error": "model not found"}', "application/json", "model not found"),
        (b'{"message": "Bad things"}', "application/json", "Bad things"),
        (b'{"detail": [{"loc": ["body"], "msg": "bad"}]}', "", '[{"loc":["body"],"msg":"bad"}]'),
        (b'{"error": {"code": 5}}', "application/json", '{"code":5}'),
        (b'["a", 1]', "application/json", '["a",1]'),
        (b"upstream connect error\n  reset", "text/plain", "upstream connect error reset"),
        (
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        (
            b"<html><script>alert(1)</script><p>Service &amp; more</p></html>",
            "text/html",
            "Service & more",
        ),
        (b'{"error": {"message": "unterminated', "application/json", '{"error": {"message": '),
        (b"", "application/json", ""),
        (b"   ", "text/plain", ""),
        (b"\xff\xfe\x00bad bytes", "application/octet-stream", "\ufffd\ufffdbad bytes"),
    ],
)
def test_message_from_any_body(body: bytes, content_type: str, expected: str) -> None:
    message, _code, _kind = body_message(body, content_type)
    assert message.startswith(expected) if expected else message == ""


def test_long_message_is_truncated() -> None:
    message, _, _ = body_message(b"x" * 100_000, "text/plain")
    assert len(message) == MAX_MESSAGE_CHARS
    assert message.endswith("…")


def test_parsing_never_raises_on_random_bytes() -> None:
    rng = random.Random(7)
    samples = [b"{" * 5000, b'{"error": {"message": {"deep": ' * 200, b"<" * 1000]
    samples += [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))) for _ in range(300)]
    for body in samples:
        for content_type in ("application/json", "text/html", ""):
            err = error_for_status(500, {"content-type": content_type}, body)
            assert isinstance(err.message, str)
            assert len(err.message) <= MAX_MESSAGE_CHARS


def test_control_characters_are_dropped() -> None:
    message, _, _ = body_message(b'{"message": "a\\u0000b\\u001bc"}', "application/json")
    assert message == "abc"


def test_quota_429_gets_billing_advice() -> None:
    body = b'{"error":{"code":"insufficient_quota","message":"Quota","param":null,"type":"x"}}'
    err = error_for_status(429, {}, body)
    assert "billing" in err.advice


def test_429_advice_names_the_wait() -> None:
    err = error_for_status(429, {"retry-after": "7"}, b"")
    assert err.retry_after == 7.0
    assert "7 s" in err.advice


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "nope", "retry-after": "9"}, 9.0),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "inf"}, None),
        ({}, None),
    ],
)
def test_retry_after_values(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    future = email.utils.formatdate(now + 120, usegmt=True)
    past = email.utils.formatdate(now - 120, usegmt=True)
    assert parse_retry_after({"retry-after": future}, now=now) == pytest.approx(120, abs=1)
    assert parse_retry_after({"retry-after": past}, now=now) == 0.0


def test_secret_is_scrubbed_from_message_and_code() -> None:
    body = b'{"error":{"code":"sk-canary-1234","message":"bad key sk-canary-1234","type":"x"}}'
    err = error_for_status(401, {}, body, secret="sk-canary-1234")
    assert "sk-canary-1234" not in str(err) + repr(err) + str(err.code)
    assert "[redacted]" in err.message


def test_errors_pickle_and_keep_their_message() -> None:
    err = pickle.loads(pickle.dumps(errors.StreamError("boom")))
    assert str(err) == "Provider error mid-answer: boom"


def _connect_error(cause: BaseException) -> httpx.ConnectError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise httpx.ConnectError(str(inner)) from inner
    except httpx.ConnectError as outer:
        return outer


def test_transport_errors_by_cause() -> None:
    dns = error_for_transport(
        _connect_error(socket.gaierror(-2, "Name or service not known")), host="orq.invalid"
    )
    assert type(dns) is errors.DnsFailure
    assert "orq.invalid" in dns.message

    refused = error_for_transport(
        _connect_error(ConnectionRefusedError(111, "Connection refused")), host="127.0.0.1:9"
    )
    assert type(refused) is errors.ConnectionRefused
    assert str(refused) == "Connection refused: 127.0.0.1:9 refused the connection"

    tls = error_for_transport(
        _connect_error(ssl.SSLCertVerificationError(1, "certificate verify failed")),
        host="example.test",
    )
    assert type(tls) is errors.TlsFailure
    assert not tls.retryable

    other = error_for_transport(_connect_error(OSError(101, "Network is unreachable")), host="h")
    assert type(other) is errors.ConnectionFailed


def test_tls_advice_mentions_a_proxy_when_one_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    tls = error_for_transport(
        _connect_error(ssl.SSLCertVerificationError(1, "certificate verify failed")), host="h"
    )
    assert "proxy" in tls.advice


@pytest.mark.parametrize(
    ("exc", "which"),
    [
        (httpx.ConnectTimeout("t"), "connect"),
        (httpx.ReadTimeout("t"), "read"),
        (httpx.WriteTimeout("t"), "write"),
        (httpx.PoolTimeout("t"), "pool"),
    ],
)
def test_timeouts_say_which_fired(exc: httpx.TimeoutException, which: str) -> None:
    err = error_for_transport(exc, host="h", timeout=httpx.Timeout(7.0))
    assert isinstance(err, errors.RequestTimeout)
    assert err.which == which
    assert "7 s" in err.message
    assert which in err.title or (which == "pool" and "pool" in err.title)


def test_drop_after_the_answer_started_is_an_interruption() -> None:
    exc = httpx.RemoteProtocolError("peer closed connection without sending complete message")
    assert type(error_for_transport(exc, host="h", after_response=True)) is (
        errors.StreamInterrupted
    )
    assert type(error_for_transport(exc, host="h")) is errors.ConnectionFailed
    read = httpx.ReadError("reset")
    assert type(error_for_transport(read, host="h", after_response=True)) is (
        errors.StreamInterrupted
    )


def test_deadline_title() -> None:
    err = errors.RequestTimeout("took too long", which="deadline")
    assert str(err) == "Timed out (request time limit): took too long"
