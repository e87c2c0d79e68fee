"""RouterClient: the Orq AI Router's chat completions and image generation on one httpx client.

    client = RouterClient(api_key, base_url="https://api.orq.ai", path_prefix="/v2/gateway")
    result = await client.complete(ChatRequest(...))           # ChatResult
    async with client.stream(ChatRequest(...)) as s:           # ChatStream
        async for chunk in s:                                  # ChatCompletionChunk
            ...
    answer = s.result()                                        # ChatResult
    images = await client.generate_images(ImageRequest(...))   # ImageResult
    await client.aclose()

``path_prefix="/v2/router"`` selects the newer endpoints and wire shapes (CONTRACT §0). Requests
carry the headers the official SDK sends (CONTRACT §2, §10) with our own user-agent. Every failure
is a typed ``RouterError`` (``orq_desktop.api.errors``); nothing is retried unless ``max_retries``
is set, and then only before the first response byte. The API key is sent only to the base URL's
origin and never appears in an error text, a ``repr`` or a log line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import httpx
from pydantic import ValidationError

from orq_desktop import __version__
from orq_desktop.api.client_errors import malformed
from orq_desktop.api.client_http import DEFAULT_TIMEOUT, HttpCore, Opened
from orq_desktop.api.client_results import ChatResult, GeneratedImage, ImageResult, Timings
from orq_desktop.api.client_stream import ChatStream
from orq_desktop.api.errors import AuthenticationError
from orq_desktop.api.responses import ImagesResponse

if TYPE_CHECKING:
    import ssl

    from orq_desktop.api.models import ChatRequest, ImageRequest

__all__ = [
    "CHAT_ACCEPT",
    "DEFAULT_TIMEOUT",
    "ChatResult",
    "ChatStream",
    "GeneratedImage",
    "ImageResult",
    "RouterClient",
    "Timings",
]

CHAT_ACCEPT: Final = "application/json;q=1, text/event-stream;q=0"  # what the SDK sends, always
IMAGE_ACCEPT: Final = "application/json"
USER_AGENT: Final = f"orq-desktop/{__version__}"
DEFAULT_DEADLINE_S: Final = 600.0  # the SDK's own timeout, here for the whole request
DEFAULT_MAX_BYTES: Final = 20_000_000
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what an HTTP header can carry as is


class RouterClient:
    """The router's two operations on one ``httpx.AsyncClient``; close it with ``aclose()``.

    Args:
        api_key: sent as ``Authorization: Bearer <key>`` (a leading ``Bearer `` is not doubled).
        base_url: the router's origin, e.g. ``https://api.orq.ai``.
        path_prefix: ``/v2/gateway`` (SDK 4.1) or ``/v2/router`` (newer endpoints and shapes).
        timeout: connect/read/write/pool timeouts (a number sets all four).
        deadline: seconds for the whole request, reading a stream included (None: no limit).
        max_retries: retries before the first response byte on connection errors, 408, 429 and
            5xx, honouring ``Retry-After`` up to 60 s. 0 (the default): the router retries, the
            user decides.
        max_response_bytes: limit on a non-streamed body; ``ResponseTooLarge`` past it.
        max_stream_bytes: limit on a streamed answer's text; ``ResponseTooLarge`` past it.
        headers: extra headers sent with every request.
        transport: an httpx transport to use instead of the network (tests).
        proxy: an explicit proxy for every request (``http://``, ``https://``, ``socks5://`` or
            ``socks5h://`` host and port); SOCKS needs the optional ``socksio`` package. A proxy
            that cannot be used fails each request with ``ConnectionFailed`` (nothing is sent).
        proxy_auth: the proxy's user name and password (sent as ``Proxy-Authorization``).
        trust_env: use the system's proxy settings (``HTTPS_PROXY``, ``NO_PROXY``, ...); False
            connects directly. Ignored when ``proxy`` is given.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.orq.ai",
        path_prefix: str = "/v2/gateway",
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE_S,
        max_retries: int = 0,
        max_response_bytes: int = DEFAULT_MAX_BYTES,
        max_stream_bytes: int = DEFAULT_MAX_BYTES,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: str | None = None,
        proxy_auth: tuple[str, str] | None = None,
        trust_env: bool = True,
    ) -> None:
        self.base_url = _checked_base_url(base_url)
        self.path_prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
        key = api_key.strip()
        if key[:7].lower() == "bearer ":
            key = key[7:].strip()
        self._key_ok = bool(_KEY_CHARS.fullmatch(key))
        self._chat_url = httpx.URL(f"{self.base_url}{self.path_prefix}/chat/completions")
        self._image_url = httpx.URL(f"{self.base_url}{self.path_prefix}/images/generations")
        self.max_response_bytes = max_response_bytes
        self.max_stream_bytes = max_stream_bytes
        self._core = HttpCore(
            # An unusable key is never handed to httpx (its header errors would quote it).
            auth_header=f"Bearer {key}" if self._key_ok else "Bearer",
            secret=key,
            headers={
                "accept": CHAT_ACCEPT,
                "user-agent": USER_AGENT,
                "content-type": "application/json",
                **(headers or {}),
            },
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            deadline_s=deadline,
            max_retries=max_retries,
            transport=transport,
            proxy=proxy,
            proxy_auth=proxy_auth,
            trust_env=trust_env and not proxy,
        )

    def __repr__(self) -> str:
        return f"RouterClient(base_url={self.base_url!r}, path_prefix={self.path_prefix!r})"

    @property
    def timeout(self) -> httpx.Timeout:
        return self._core.timeout

    @property
    def deadline(self) -> float | None:
        return self._core.deadline_s

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context every HTTPS request uses (verifying, no key log)."""
        return self._core.ssl_context

    @property
    def is_closed(self) -> bool:
        return self._core.is_closed

    async def aclose(self) -> None:
        await self._core.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- chat ----------------------------------------------------------------------------------

    def stream(
        self, request: ChatRequest, *, headers: Mapping[str, str] | None = None
    ) -> ChatStream:
        """A streamed answer (``stream: true`` is forced); use it under ``async with``."""
        body = request.to_wire(self.path_prefix)
        body["stream"] = True
        return self._chat_stream(body, headers)

    async def complete(
        self, request: ChatRequest, *, headers: Mapping[str, str] | None = None
    ) -> ChatResult:
        """The whole answer. Sends ``stream`` as the request sets it (false by default, left out
        when set to None, as the SDK does), and reads the answer by its Content-Type: JSON, or
        events put together."""
        body = request.to_wire(self.path_prefix)
        async with self._chat_stream(body, headers) as answer:
            await answer.drain()
            return answer.result()

    def _chat_stream(self, body: dict[str, Any], headers: Mapping[str, str] | None) -> ChatStream:
        # The client's own headers carry the chat Accept; only extra headers are merged here.
        extra = dict(headers) if headers else None
        opener = partial(
            self._open, self._chat_url, _encode(body), extra, body_limit=self.max_response_bytes
        )
        return ChatStream(self._core, opener, max_stream_bytes=self.max_stream_bytes)

    # --- images --------------------------------------------------------------------------------

    async def generate_images(
        self, request: ImageRequest, *, headers: Mapping[str, str] | None = None
    ) -> ImageResult:
        """Generate images (never streamed); the images come back as base64 or URLs."""
        content = _encode(request.to_wire(self.path_prefix))
        opened = await self._open(
            self._image_url,
            content,
            {**(headers or {}), "accept": IMAGE_ACCEPT},
            self._core.deadline_at(),
            body_limit=self.max_response_bytes,
        )
        body = opened.body
        if body is None:  # an event stream: images never stream
            await opened.response.aclose()
            body = b""
        try:
            parsed = ImagesResponse.model_validate_json(body)
        except ValidationError:
            content_type = opened.response.headers.get("content-type", "none")
            raise malformed(
                body, self._core.secret, what="image answer", content_type=content_type
            ) from None
        response = opened.response
        return ImageResult(
            images=tuple(GeneratedImage.from_wire(item) for item in parsed.data),
            created=parsed.created,
            usage=parsed.usage,
            status=response.status_code,
            trace_id=response.headers.get("x-orq-trace-id"),
            timings=Timings(
                ttfb_s=opened.ttfb_s,
                ttft_s=None,
                total_s=opened.elapsed(),
            ),
        )

    # --- shared --------------------------------------------------------------------------------

    async def _open(
        self,
        url: httpx.URL,
        content: bytes,
        headers: Mapping[str, str] | None,
        deadline_at: float | None,
        *,
        body_limit: int | None = None,
    ) -> Opened:
        if not self._key_ok:
            raise AuthenticationError(
                "The API key is empty or contains spaces or characters that cannot be sent",
                advice="Paste the API key again in Settings.",
            )
        return await self._core.open(url, content, headers, deadline_at, body_limit=body_limit)


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _checked_base_url(base_url: str) -> str:
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        raise ValueError("The base URL is not a valid address") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("The base URL must start with https:// (or http://) and name a host")
    if url.query or url.fragment:
        raise ValueError("The base URL must not have a query or a fragment")
    return str(url).rstrip("/")
