""" "Test connection": one small authenticated request that proves the host, the path and the key.

The request is a real, non-streamed chat completion: one user message ("ping") to a cheap model
(``openai/gpt-4o-mini``) with ``max_completion_tokens: 1``, on a one-off client with the settings
under test. Why this and nothing cheaper:

- The router has no documented endpoint under the path prefix that only checks the key.
- A body the router must refuse (an empty ``messages``) costs nothing, but its 400 proves little:
  any HTTP server (a wrong host, a captive portal, a proxy's error page) can answer 400, and a
  server that validates before it authenticates answers 400 to a wrong key too.
- Only a 200 carrying a chat completion the client can read proves all three at once: the host is
  the router, the path exists, the key is accepted. It costs one short message and one token.

The outcome is a ``ProbeReport`` (plain data) that says exactly what came back: the status, the
router's own message, the trace id, the answering model and the time, and in plain words what a
wrong host (connection refused, DNS failure), a wrong path (404) or a wrong key (401) means.
``probe()`` never raises (except ``CancelledError``) and the key never appears in the report.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import httpx
from pydantic import ValidationError

from orq_desktop.api import errors
from orq_desktop.api.client_errors import scrub
from orq_desktop.api.client_http import PROXY_UNUSABLE_CODE

if TYPE_CHECKING:
    from orq_desktop.api.client import RouterClient
    from orq_desktop.api.client_results import ChatResult
    from orq_desktop.api.models import ChatRequest

__all__ = ["PROBE_MESSAGE", "PROBE_MODEL", "ProbeReport", "probe"]

PROBE_MODEL: Final = "openai/gpt-4o-mini"
PROBE_MESSAGE: Final = "ping"
PROBE_TIMEOUT: Final = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=5.0)
PROBE_DEADLINE_S: Final = 45.0
MAX_REPLY_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """What one test request gave.

    ``kind``: ``ok``, ``no_key``, ``bad_url``, ``auth`` (401 or a key that cannot be sent),
    ``forbidden`` (403), ``not_found`` (404), ``proxy`` (the proxy failed or refused),
    ``rate_limited`` (429), ``refused`` (4xx), ``server`` (5xx), ``dns``, ``connection_refused``,
    ``tls``, ``timeout``, ``redirect``, ``not_router`` (an answer that is not the router's),
    ``connection`` (another network failure) or ``error`` (a bug).
    """

    ok: bool
    kind: str
    headline: str
    url: str
    status: int | None = None
    message: str = ""  # the router's message, or what failed on the network
    advice: str = ""
    trace_id: str | None = None
    model: str | None = None  # the model that answered
    reply: str | None = None  # the answer's text (one token)
    elapsed_s: float = 0.0

    def details(self) -> list[tuple[str, str]]:
        """(label, value) rows for display, in a fixed order; empty values are left out."""
        rows = [
            ("Status", str(self.status) if self.status is not None else "no HTTP answer"),
            ("Router's message" if self.status else "What happened", self.message),
            ("Answered by", self.model or ""),
            ("Reply", repr(self.reply) if self.reply is not None else ""),
            ("Trace id", self.trace_id or ""),
            ("Time", f"{self.elapsed_s:.2f} s"),
            ("Request", f"POST {self.url}"),
            ("What to do", self.advice),
        ]
        return [(label, value) for label, value in rows if value]

    def as_text(self) -> str:
        """The headline and the details, one per line (what "Copy" puts on the clipboard)."""
        return "\n".join([self.headline, *(f"{label}: {value}" for label, value in self.details())])


async def probe(
    base_url: str,
    path_prefix: str,
    api_key: str | None,
    *,
    model: str = PROBE_MODEL,
    proxy: str | None = None,
    proxy_auth: tuple[str, str] | None = None,
    trust_env: bool = True,
    timeouts: httpx.Timeout | float = PROBE_TIMEOUT,
    deadline: float = PROBE_DEADLINE_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ProbeReport:
    """Send the test request with these settings (not the app's shared client) and report.

    The client and the request are built in a worker thread: loading the CA bundle (and, the
    first time, importing the models) would otherwise stall the event loop for 50-600 ms.
    """
    url = _url(base_url, path_prefix)
    if not api_key or not api_key.strip():
        return ProbeReport(
            ok=False,
            kind="no_key",
            headline="No API key to test: paste your key first.",
            url=url,
            advice="Paste the key from your Orq workspace (Settings → API keys).",
        )
    options: dict[str, Any] = {
        "base_url": base_url,
        "path_prefix": path_prefix,
        "timeout": timeouts,
        "deadline": deadline,
        "proxy": proxy,
        "proxy_auth": proxy_auth,
        "trust_env": trust_env,
        "transport": transport,
    }
    try:
        client, request = await asyncio.to_thread(_build, api_key, model, options)
    except ValidationError:
        return ProbeReport(
            ok=False, kind="error", headline=f"No test request for the model {model!r}.", url=url
        )
    except ValueError as exc:
        return ProbeReport(
            ok=False,
            kind="bad_url",
            headline=f"{exc}.",
            url=url,
            advice="Use the router's address, such as https://api.orq.ai.",
        )
    started = time.perf_counter()
    try:
        async with client:
            result = await client.complete(request)
    except errors.RouterError as exc:
        elapsed = time.perf_counter() - started
        return _failure(exc, url, _host(base_url), model, elapsed, proxy=proxy)
    except Exception as exc:  # never let a bug in here look like a network answer
        return ProbeReport(
            ok=False,
            kind="error",
            headline="The test could not run (a bug in Orq Desktop).",
            url=url,
            message=scrub(f"{type(exc).__name__}: {exc}", api_key.strip()),
            elapsed_s=time.perf_counter() - started,
        )
    elapsed = time.perf_counter() - started
    if not _router_like(result):
        return ProbeReport(
            ok=False,
            kind="not_router",
            headline=f"{_host(base_url)} answered {result.status}, but not with a chat completion: "
            "it is not the Orq router. Check the base URL.",
            url=url,
            status=result.status,
            trace_id=result.trace_id,
            elapsed_s=elapsed,
            advice="Use the router's address, such as https://api.orq.ai.",
        )
    return ProbeReport(
        ok=True,
        kind="ok",
        headline="Connected: the router accepted the key and answered.",
        url=url,
        status=result.status,
        trace_id=result.trace_id,
        model=result.model,
        reply=result.text[:MAX_REPLY_CHARS],
        elapsed_s=elapsed,
    )


def _build(api_key: str, model: str, options: dict[str, Any]) -> tuple[RouterClient, ChatRequest]:
    """The one-off client and the test request (run in a worker thread)."""
    from orq_desktop.api.client import RouterClient
    from orq_desktop.api.models import ChatRequest

    client = RouterClient(api_key, **options)
    request = ChatRequest.model_validate(
        {
            "model": model,
            "messages": [{"role": "user", "content": PROBE_MESSAGE}],
            "max_completion_tokens": 1,
            "stream": False,
        }
    )
    return client, request


def _router_like(result: ChatResult) -> bool:
    """A chat completion with at least one choice: the lenient response model alone would
    accept ``{}`` from any JSON server as an (empty) completion."""
    completion = result.completion
    if completion is None:  # an event stream put together: it had chunks with a model
        return bool(result.model)
    return "choices" in completion.model_fields_set and bool(completion.choices)


def _failure(
    exc: errors.RouterError,
    url: str,
    host: str,
    model: str,
    elapsed: float,
    *,
    proxy: str | None,
) -> ProbeReport:
    kind, headline = _explain(exc, host, model)
    to_proxy = kind in ("dns", "connection_refused", "connection") or (
        kind == "timeout" and getattr(exc, "which", "") == "connect"
    )
    if proxy and to_proxy:
        # The connection that failed was the one to the proxy, not to the router.
        kind, headline = "proxy", f"No connection through the proxy {_host(proxy)}: {exc.title}."
    return ProbeReport(
        ok=False,
        kind=kind,
        headline=headline,
        url=url,
        status=exc.status,
        message=exc.message,
        advice=exc.advice,
        trace_id=exc.trace_id,
        elapsed_s=elapsed,
    )


def _explain(exc: errors.RouterError, host: str, model: str) -> tuple[str, str]:
    """The report's kind and its headline in plain words."""
    status = exc.status
    match exc:
        case errors.AuthenticationError() if status is None:
            return "auth", "The API key cannot be sent: it is empty or has spaces in it."
        case errors.AuthenticationError():
            return "auth", f"API key rejected ({status}): {host} answered, but refused the key."
        case errors.PermissionDeniedError():
            return "forbidden", f"The key was accepted, but it may not use {model} ({status})."
        case errors.NotFoundError():
            return (
                "not_found",
                f"Not found ({status}): {host} answered, but has nothing at this path. "
                "Check the path prefix and the base URL.",
            )
        case errors.HttpStatusError() if status == 407:
            return "proxy", "The proxy wants a user name and password (407)."
        case errors.RateLimitError():
            return "rate_limited", f"Rate limited ({status}): the router is busy; try again soon."
        case errors.ServerError():
            return "server", f"The router answered with an error ({status})."
        case errors.HttpStatusError():
            return "refused", f"The router refused the test request ({status})."
        case errors.DnsFailure():
            return "dns", f"Host not found: the name {host} could not be resolved (DNS failure)."
        case errors.ConnectionRefused():
            return "connection_refused", f"Connection refused: nothing answers at {host}."
        case errors.TlsFailure():
            return "tls", f"Secure connection to {host} failed: its certificate is not trusted."
        case errors.RequestTimeout():
            return "timeout", f"No answer from {host} in time."
        case errors.UnexpectedRedirect():
            return "redirect", "The server sent the request somewhere else: check the base URL."
        case errors.MalformedResponse():
            return "not_router", f"{host} answered, but not like the Orq router: check the URL."
        case errors.ConnectionFailed() if exc.code == PROXY_UNUSABLE_CODE:
            return "proxy", f"{exc.message}."
        case errors.ConnectionFailed() if isinstance(exc.__cause__, httpx.ProxyError):
            return "proxy", "The proxy did not let the request through."
        case errors.ConnectionFailed():
            return "connection", f"No connection to {host}."
        case _:
            return "error", exc.title


def _url(base_url: str, path_prefix: str) -> str:
    prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
    return f"{base_url.strip().rstrip('/')}{prefix}/chat/completions"


def _host(base_url: str) -> str:
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        return base_url
    return f"{url.host}:{url.port}" if url.port else url.host or base_url
