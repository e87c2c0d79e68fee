"""The HTTP layer under RouterClient: one httpx.AsyncClient, TLS, redirects, retries, deadlines.

- TLS verification is always on, through an ``ssl.SSLContext`` built here from certifi's CA
  bundle with ``keylog_filename`` forced to None (httpx would honour ``SSLKEYLOGFILE``).
- Redirects are never followed to another origin (the API key would go with them); a same-origin
  307/308 is followed at most ``MAX_REDIRECTS`` times.
- Separate connect/read/write/pool timeouts, plus a whole-request deadline (``asyncio.timeout_at``)
  that covers sending, every read and any retry wait.
- No automatic retries unless ``max_retries`` > 0, and then only before the first response byte.
- Proxies: the system's (``trust_env``, httpx reads ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``),
  none, or one given explicitly (HTTP, HTTPS or SOCKS, with a user name and password). A proxy that
  cannot be used (SOCKS without ``socksio``, an invalid address) fails every request with a plain
  ``ConnectionFailed``: nothing is ever sent around the proxy the user chose.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Final

import certifi
import httpx

from orq_desktop.api.client_errors import error_for_status, error_for_transport, parse_retry_after
from orq_desktop.api.errors import (
    ConnectionFailed,
    RequestTimeout,
    ResponseTooLarge,
    RouterError,
    TlsFailure,
    UnexpectedRedirect,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "HttpCore",
    "Opened",
    "aclose_iterator",
    "build_ssl_context",
    "is_event_stream",
    "socks_available",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=10.0, read=120.0, write=30.0, pool=5.0)
MAX_REDIRECTS: Final = 3
MAX_RETRY_AFTER_S: Final = 60.0
ERROR_BODY_LIMIT: Final = 256 * 1024
# As the SDKs: 408, 409, 429 and 5xx, except 501 (not implemented: retrying cannot help).
_RETRY_STATUSES: Final = frozenset({408, 409, 429}) | (frozenset(range(500, 600)) - {501})
SOCKS_MISSING: Final = "SOCKS needs the socksio package, which is not installed"
PROXY_UNUSABLE_CODE: Final = "proxy_unusable"  # the ``code`` of the error a bad proxy gives


def socks_available() -> bool:
    """True when httpx can talk to a SOCKS proxy (the optional ``socksio`` package is there)."""
    return importlib.util.find_spec("socksio") is not None


def build_ssl_context() -> ssl.SSLContext:
    """Verifying TLS context from certifi's CA bundle that never writes a key log."""
    # Built by hand: ``ssl.create_default_context`` opens the file named by SSLKEYLOGFILE (and
    # writes its header line) even when ``keylog_filename`` is reset afterwards.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    context.load_verify_locations(cafile=certifi.where())
    context.keylog_filename = None  # type: ignore[assignment]
    return context


@dataclass(slots=True)
class Opened:
    """A response whose headers arrived, with the clock readings that go with it."""

    response: httpx.Response
    started: float  # time.perf_counter() when the request began
    ttfb_s: float
    deadline_at: float | None  # loop time at which the whole request must be over
    body: bytes | None = None  # the whole body, when it was read with the headers

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class HttpCore:
    """Sends requests for RouterClient; knows the key only to send it and to scrub it."""

    def __init__(
        self,
        *,
        auth_header: str,
        secret: str,
        headers: Mapping[str, str],
        timeout: httpx.Timeout,
        deadline_s: float | None,
        max_retries: int,
        transport: httpx.AsyncBaseTransport | None,
        proxy: str | None = None,
        proxy_auth: tuple[str, str] | None = None,
        trust_env: bool = True,
    ) -> None:
        self.secret = secret
        self.timeout = timeout
        self.deadline_s = deadline_s
        self.max_retries = max(0, max_retries)
        self.ssl_context = build_ssl_context()
        self.proxy_problem: str | None = None
        chosen = _proxy(proxy, proxy_auth) if proxy else None
        if isinstance(chosen, str):
            self.proxy_problem, chosen, trust_env = chosen, None, False
        self._proxy_password = proxy_auth[1] if proxy_auth else None
        self._http = httpx.AsyncClient(
            headers={**headers, "Authorization": auth_header},  # httpx masks it in reprs
            timeout=timeout,
            verify=self.ssl_context,
            follow_redirects=False,
            trust_env=trust_env,
            transport=transport,
            proxy=chosen,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def deadline_at(self) -> float | None:
        if self.deadline_s is None:
            return None
        return asyncio.get_running_loop().time() + self.deadline_s

    def deadline_error(self) -> RequestTimeout:
        return RequestTimeout(
            f"The whole request took longer than {self.deadline_s:g} s",
            which="deadline",
            advice="Raise the request time limit in Settings, or ask for a shorter answer.",
        )

    def transport_error(
        self, exc: Exception, url: httpx.URL, *, after_response: bool
    ) -> RouterError:
        error = error_for_transport(
            exc,
            host=_host(url),
            timeout=self.timeout,
            after_response=after_response,
            secret=self.secret,
        )
        password = self._proxy_password
        if password and len(password) >= 4 and password in error.message:
            error.message = error.message.replace(password, "[redacted]")
            error.args = (error.message,)
        return error

    async def open(
        self,
        url: httpx.URL,
        content: bytes,
        headers: Mapping[str, str] | None,
        deadline_at: float | None,
        *,
        body_limit: int | None = None,
    ) -> Opened:
        """Send the request; return once a non-error answer's headers arrived.

        With ``body_limit``, the body is read too (at most that many bytes), under the same
        deadline, unless the answer is an event stream. Raises the typed error for an error
        status (after reading a little of its body), for a refused redirect, a network failure,
        the size limit or the deadline.
        """
        if self.proxy_problem is not None:
            raise ConnectionFailed(
                self.proxy_problem,
                advice="Check the proxy in Settings → Network; nothing was sent.",
                code=PROXY_UNUSABLE_CODE,
            )
        started = time.perf_counter()
        scope = asyncio.timeout_at(deadline_at)
        try:
            async with scope:
                response = await self._send_with_retries(url, content, headers)
                ttfb = time.perf_counter() - started
                if response.status_code >= 400:
                    await self._raise_for_status(response)
                body = None
                if body_limit is not None and not is_event_stream(response):
                    body = await self.read_body(response, body_limit)
        except TimeoutError:
            if scope.expired():
                raise self.deadline_error() from None
            raise
        return Opened(response, started, ttfb, deadline_at, body)

    async def _send_with_retries(
        self, url: httpx.URL, content: bytes, headers: Mapping[str, str] | None
    ) -> httpx.Response:
        attempt = 0
        while True:
            delay: float
            try:
                response = await self._send_following(url, content, headers)
            except (ConnectionFailed, RequestTimeout) as exc:
                if attempt >= self.max_retries or not _retry_transport(exc):
                    raise
                delay = _backoff(attempt)
            else:
                if attempt >= self.max_retries or response.status_code not in _RETRY_STATUSES:
                    return response
                retry_after = parse_retry_after(response.headers)
                if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
                    return response  # longer than we wait: the user decides
                delay = _backoff(attempt) if retry_after is None else retry_after
                await response.aclose()
            attempt += 1
            log.info("retrying %s (attempt %d) in %.2f s", url.path, attempt + 1, delay)
            await _sleep_at_least(delay)

    async def _send_following(
        self, url: httpx.URL, content: bytes, headers: Mapping[str, str] | None
    ) -> httpx.Response:
        for hop in range(MAX_REDIRECTS + 1):
            response = await self._send(url, content, headers)
            if not (300 <= response.status_code < 400):
                return response
            status = response.status_code
            location = response.headers.get("location", "")
            await response.aclose()
            target = url.join(location) if location else url
            if _origin(target) != _origin(url):
                raise UnexpectedRedirect(
                    f"The router redirected to {_host(target)}; the request was not sent there",
                    status=status,
                    advice="The base URL points elsewhere: check it in Settings.",
                )
            if status not in (307, 308) or not location or hop == MAX_REDIRECTS:
                raise UnexpectedRedirect(
                    f"The router answered {status} with a redirect that was not followed",
                    status=status,
                )
            url = target
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self, url: httpx.URL, content: bytes, headers: Mapping[str, str] | None
    ) -> httpx.Response:
        request = self._http.build_request("POST", url, content=content, headers=headers)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            raise self.transport_error(exc, url, after_response=False) from exc
        if log.isEnabledFor(logging.DEBUG):
            log.debug("POST %s -> %d", url.path, response.status_code)
        return response

    async def _raise_for_status(self, response: httpx.Response) -> None:
        try:
            body = await self.read_body(response, ERROR_BODY_LIMIT, truncate=True)
        except RouterError:
            body = b""  # the status tells enough; a broken error body must not hide it
        raise error_for_status(response.status_code, response.headers, body, secret=self.secret)

    async def read_body(
        self, response: httpx.Response, limit: int, *, truncate: bool = False
    ) -> bytes:
        """The whole (decoded) body, at most ``limit`` bytes; the response is closed after.

        Past the limit: ``ResponseTooLarge``, or the first ``limit`` bytes when ``truncate``.
        """
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and "content-encoding" not in response.headers:
            if int(declared) <= limit:  # h11 never reads past the declared length
                try:
                    return await response.aread()
                except httpx.TransportError as exc:
                    raise self.transport_error(exc, response.url, after_response=True) from exc
                finally:
                    await response.aclose()
            if not truncate:
                await response.aclose()
                raise _too_large(limit)
        parts: list[bytes] = []
        size = 0
        chunks = response.aiter_bytes()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    if not truncate:
                        raise _too_large(limit)
                    parts.append(chunk[: len(chunk) - (size - limit)])
                    break
                parts.append(chunk)
        except httpx.TransportError as exc:
            raise self.transport_error(exc, response.url, after_response=True) from exc
        finally:
            await response.aclose()  # first: the connection is released or closed
            await aclose_iterator(chunks)  # then nothing is left to the garbage collector
        return b"".join(parts)


def _proxy(url: str, auth: tuple[str, str] | None) -> httpx.Proxy | str:
    """The proxy to use, or why it cannot be used (a plain sentence)."""
    try:
        proxy = httpx.Proxy(url, auth=auth)
    except (ValueError, TypeError, httpx.InvalidURL):
        return "The proxy address is not valid (use http://host:port or socks5://host:port)"
    if proxy.url.scheme in ("socks5", "socks5h") and not socks_available():
        return SOCKS_MISSING
    return proxy


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


async def aclose_iterator(iterator: AsyncIterator[bytes]) -> None:
    """Close an httpx byte iterator (an async generator) instead of leaving it to the GC.

    Call it after ``response.aclose()``: the generators nested inside it then finish at once.
    """
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"The answer is larger than {limit / 1_000_000:g} MB",
        advice="The answer passed the size limit; raise it in Settings if you expect this.",
    )


def _retry_transport(exc: RouterError) -> bool:
    if isinstance(exc, RequestTimeout):
        return exc.which in ("connect", "pool")  # a read timeout may mean the router is working
    return isinstance(exc, ConnectionFailed) and not isinstance(exc, TlsFailure)


async def _sleep_at_least(delay: float) -> None:
    """Sleep ``delay`` seconds or more: Qt's coarse timers (under qasync) may fire 5 % early,
    and a server's ``Retry-After`` is a floor."""
    end = time.monotonic() + delay
    left = delay
    for _ in range(100):  # a timer, not a wait for an event; a few rounds at most
        await asyncio.sleep(left)
        left = end - time.monotonic()
        if left <= 0:
            return


def _backoff(attempt: int) -> float:
    """0.5 s doubling up to 8 s, minus up to 25 % jitter (the official SDKs' policy)."""
    return min(0.5 * 2.0**attempt, 8.0) * (1 - 0.25 * random.random())


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _host(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host
