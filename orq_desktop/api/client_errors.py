"""Build typed errors from error answers and from httpx exceptions.

Nothing here raises while reading a body: an error body may be the router's envelope
``{"error": {"code", "message", "param", "type"}}``, other JSON, plain text or an HTML page, and
the message kept is short plain text. The API key is scrubbed from every text kept.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
import socket
import ssl
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

import httpx

from orq_desktop.api.errors import (
    AuthenticationError,
    BadRequestError,
    ConnectionFailed,
    ConnectionRefused,
    DnsFailure,
    HttpStatusError,
    MalformedResponse,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeout,
    RouterError,
    ServerError,
    StreamInterrupted,
    TlsFailure,
)

__all__ = [
    "body_message",
    "error_for_status",
    "error_for_transport",
    "malformed",
    "parse_retry_after",
    "scrub",
]

MAX_MESSAGE_CHARS = 500
_MAX_SCAN_BYTES = 256 * 1024  # an error body is read at most this far
_REDACTED = "[redacted]"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
_DROP_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def scrub(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` (the API key) replaced."""
    if secret and len(secret) >= 4 and secret in text:
        return text.replace(secret, _REDACTED)
    return text


def _clip(text: str) -> str:
    text = _CONTROL.sub("", text).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        return text[: MAX_MESSAGE_CHARS - 1].rstrip() + "…"
    return text


def _html_text(markup: str) -> str:
    title = _TITLE.search(markup)
    if title is not None and title.group(1).strip():
        markup = title.group(1)
    else:
        markup = _DROP_BLOCKS.sub(" ", markup)
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _from_json(data: object) -> tuple[str, str | None, str | None]:
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            code = error.get("code")
            kind = error.get("type")
            text = _as_text(message) if message is not None else _as_text(error)
            return (
                text,
                None if code is None else _as_text(code),
                kind if isinstance(kind, str) else None,
            )
        if isinstance(error, str) and error:
            code = data.get("code")
            return error, None if code is None else _as_text(code), None
        for key in ("message", "detail", "error_description", "msg", "title"):
            if data.get(key):
                return _as_text(data[key]), None, None
    return _as_text(data), None, None


def body_message(body: bytes, content_type: str = "") -> tuple[str, str | None, str | None]:
    """``(message, code, type)`` from an error body; ``("", None, None)`` when there is nothing.

    Never raises: a body that cannot be read gives an empty message.
    """
    try:
        text = body[:_MAX_SCAN_BYTES].decode("utf-8", "replace").strip()
        if not text:
            return "", None, None
        lowered = content_type.lower()
        if text[0] in "{[" or "json" in lowered:
            try:
                data = json.loads(text)
            except ValueError:
                pass
            else:
                message, code, kind = _from_json(data)
                return _clip(message), code and _clip(code), kind and _clip(kind)
        if "html" in lowered or text.startswith("<"):
            text = _html_text(text)
        else:
            text = _SPACE.sub(" ", text)
        return _clip(text), None, None
    except Exception:  # an odd body must never hide the status behind a parsing error
        return "", None, None


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` in seconds or as an HTTP date."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        with contextlib.suppress(ValueError):
            value = float(raw_ms) / 1000
            if math.isfinite(value) and value >= 0:
                return value
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        value = when.timestamp() - (time.time() if now is None else now)
        return max(0.0, value)
    if not math.isfinite(value) or value < 0:
        return None
    return value


def malformed(
    data: str | bytes, secret: str | None, *, what: str = "answer", content_type: str | None = None
) -> MalformedResponse:
    """An unreadable answer, quoting its start (the key scrubbed out before cutting)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = scrub(text[:2000], secret)
    shown = _CONTROL.sub("", text[:120]) + ("…" if len(text) > 120 else "")
    where = f" (content-type {content_type})" if content_type else ""
    return MalformedResponse(f"The {what} could not be read{where}: {shown!r}")


_STATUS_ADVICE: dict[int, str] = {
    408: "The router gave up waiting for the request: try again.",
    413: "The request is too large: shorten the messages or remove attachments.",
    501: "This model or provider does not support the request: pick another model.",
}


def _class_for_status(status: int) -> type[HttpStatusError]:
    classes: dict[int, type[HttpStatusError]] = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        429: RateLimitError,
    }
    if status in classes:
        return classes[status]
    return ServerError if status >= 500 else BadRequestError


def _wait_text(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def error_for_status(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: str | None = None,
) -> HttpStatusError:
    """The typed error for an HTTP error answer (never raises while reading ``body``)."""
    message, code, error_type = body_message(body, headers.get("content-type", ""))
    retry_after = parse_retry_after(headers)
    cls = _class_for_status(status)
    advice = _STATUS_ADVICE.get(status)
    if cls is RateLimitError:
        if "quota" in f"{code or ''} {error_type or ''}".lower():
            advice = "The quota or billing limit is reached: check the workspace's billing."
        elif retry_after is not None:
            advice = f"Too many requests: wait {_wait_text(retry_after)} and try again."
    return cls(
        scrub(message, secret),
        status=status,
        advice=advice,
        trace_id=headers.get("x-orq-trace-id"),
        code=scrub(code, secret) if code else None,
        retry_after=retry_after,
    )


def _in_chain[E: BaseException](exc: BaseException, kind: type[E]) -> E | None:
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, kind):
            return node
        node = node.__cause__ or node.__context__
    return None


def _proxy_hint() -> str:
    names = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
    if any(map(os.environ.get, names)):
        return " A proxy is set in the environment: check it too."
    return ""


def error_for_transport(
    exc: Exception,
    *,
    host: str,
    timeout: httpx.Timeout | None = None,
    after_response: bool = False,
    secret: str | None = None,
) -> RouterError:
    """The typed error for an httpx exception; ``after_response`` once the answer had started."""
    detail = scrub(str(exc) or type(exc).__name__, secret)
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(exc, host, timeout)
    if after_response and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return StreamInterrupted(f"The connection to {host} dropped mid-answer ({detail})")
    if _in_chain(exc, socket.gaierror) is not None:
        return DnsFailure(f"The host name {host} could not be found ({detail})")
    tls = _in_chain(exc, ssl.SSLError)
    if tls is not None:
        raw = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        reason = scrub(str(raw), secret)
        return TlsFailure(
            f"The secure connection to {host} failed: {reason}",
            advice=TlsFailure.default_advice + _proxy_hint(),
        )
    if _in_chain(exc, ConnectionRefusedError) is not None:
        return ConnectionRefused(f"{host} refused the connection")
    if isinstance(exc, httpx.RemoteProtocolError):
        return ConnectionFailed(f"{host} closed the connection without answering ({detail})")
    return ConnectionFailed(f"No connection to {host} ({detail})")


def _timeout(exc: httpx.TimeoutException, host: str, timeout: httpx.Timeout | None) -> RouterError:
    which = {
        httpx.ConnectTimeout: "connect",
        httpx.ReadTimeout: "read",
        httpx.WriteTimeout: "write",
        httpx.PoolTimeout: "pool",
    }.get(type(exc), "read")
    seconds = getattr(timeout, which, None) if timeout is not None else None
    after = f" within {seconds:g} s" if isinstance(seconds, int | float) else ""
    messages = {
        "connect": (
            f"No connection to {host}{after}",
            "Check your internet connection and the base URL in Settings.",
        ),
        "read": (
            f"No data from {host}{after}",
            "The router went quiet: try again, or raise the read timeout in Settings.",
        ),
        "write": (
            f"Sending the request to {host} stalled{after}",
            "The upload stalled: check your connection and try again.",
        ),
        "pool": (
            f"No free connection{after}",
            "Too many requests are running at once: wait for one to finish.",
        ),
    }
    message, advice = messages[which]
    return RequestTimeout(message, which=which, advice=advice)
