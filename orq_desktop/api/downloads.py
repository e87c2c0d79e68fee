"""Download an image the router answered with as a link (such links expire: fetch them at once).

    async with ImageDownloader() as downloader:
        data = await downloader.fetch(url, max_bytes=32_000_000)

Only ``http`` and ``https`` links are fetched, without the API key (the link points at the
provider's storage, not at the router), with TLS verification, separate timeouts plus a deadline
for the whole download, no redirect to another origin, and a size cap checked against
``Content-Length`` and again while the body streams in. What the bytes are is not decided here:
the caller checks them (``orq_desktop.store.images.check_image``) before keeping anything.

Errors are :class:`ImageDownloadError` (a ``RouterError``); their texts name the host only, never
the whole link (a signed link's query is a credential of its own).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Final, Self

import httpx

from orq_desktop import __version__
from orq_desktop.api.client_errors import error_for_transport
from orq_desktop.api.client_http import aclose_iterator, build_ssl_context
from orq_desktop.api.errors import RouterError

__all__ = [
    "DOWNLOAD_TIMEOUT",
    "ImageDownloadError",
    "ImageDownloader",
    "ImageTooLargeDownloadError",
    "download_image",
]

DOWNLOAD_TIMEOUT: Final = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=5.0)
DEFAULT_DEADLINE_S: Final = 120.0
MAX_REDIRECTS: Final = 3
ACCEPT: Final = "image/png, image/jpeg, image/webp, image/gif;q=0.9, image/*;q=0.8"


class ImageDownloadError(RouterError):
    """The image behind a link could not be fetched; nothing was saved."""

    title_text = "Image download failed"
    default_advice = (
        "Nothing was saved. Generate the image again: image links expire after a short while."
    )
    retryable = True


class ImageTooLargeDownloadError(ImageDownloadError):
    """The linked file is larger than the size cap; the download stopped there."""

    title_text = "Image too large"
    default_advice = "Nothing was saved. Choose a smaller size or a compressed output format."
    retryable = False


class ImageDownloader:
    """Fetches image links on one ``httpx.AsyncClient``; close it with ``aclose()``.

    Args:
        timeout: connect/read/write/pool timeouts.
        deadline_s: seconds for a whole download, redirects included (None: no limit).
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(
        self,
        *,
        timeout: httpx.Timeout = DOWNLOAD_TIMEOUT,
        deadline_s: float | None = DEFAULT_DEADLINE_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._deadline_s = deadline_s
        self._http = httpx.AsyncClient(
            headers={"accept": ACCEPT, "user-agent": f"orq-desktop/{__version__}"},
            timeout=timeout,
            verify=build_ssl_context(),
            follow_redirects=False,  # followed by hand, and only within the link's origin
            trust_env=True,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        """The bytes behind ``url`` (at most ``max_bytes``), or :class:`ImageDownloadError`."""
        target = _checked_url(url)
        try:
            async with asyncio.timeout(self._deadline_s):
                response = await self._open(target)
                return await self._read(response, max_bytes)
        except TimeoutError:
            raise ImageDownloadError(
                f"Downloading the image from {_host(target)} took longer than "
                f"{self._deadline_s:g} s"
            ) from None

    async def _open(self, url: httpx.URL) -> httpx.Response:
        for hop in range(MAX_REDIRECTS + 1):
            request = self._http.build_request("GET", url)
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                mapped = error_for_transport(exc, host=_host(url), timeout=self._timeout)
                raise ImageDownloadError(
                    f"The image could not be downloaded from {_host(url)}: {mapped.message}"
                ) from exc
            status = response.status_code
            if 300 <= status < 400:
                location = response.headers.get("location", "")
                await response.aclose()
                target = url.join(location) if location else url
                if not location or _origin(target) != _origin(url):
                    raise ImageDownloadError(
                        f"The image link at {_host(url)} redirected to "
                        f"{_host(target) if location else 'nowhere'}; it was not followed",
                        status=status,
                    )
                if hop == MAX_REDIRECTS:
                    break
                url = target
                continue
            if status >= 400:
                await response.aclose()
                raise ImageDownloadError(
                    f"{_host(url)} answered {status} instead of the image", status=status
                )
            return response
        raise ImageDownloadError(f"The image link at {_host(url)} redirected too many times")

    async def _read(self, response: httpx.Response, max_bytes: int) -> bytes:
        host = _host(response.url)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await response.aclose()
            raise _too_large(host, max_bytes)
        parts: list[bytes] = []
        size = 0
        chunks = response.aiter_bytes()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(host, max_bytes)
                parts.append(chunk)
        except httpx.TransportError as exc:
            mapped = error_for_transport(exc, host=host, timeout=self._timeout, after_response=True)
            raise ImageDownloadError(
                f"The image download from {host} broke off: {mapped.message}"
            ) from exc
        finally:
            await response.aclose()
            await aclose_iterator(chunks)
        return b"".join(parts)


async def download_image(
    url: str,
    max_bytes: int,
    *,
    deadline_s: float | None = DEFAULT_DEADLINE_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> bytes:
    """Fetch one image link on a client of its own (see :class:`ImageDownloader`)."""
    async with ImageDownloader(deadline_s=deadline_s, transport=transport) as downloader:
        return await downloader.fetch(url, max_bytes)


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        raise ImageDownloadError("The server's image link is not a valid address") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        scheme = parsed.scheme or "no scheme"
        raise ImageDownloadError(
            f"The server's image link uses {scheme}; only http and https links are downloaded",
            advice="Nothing was saved. Ask for base64 images (response format b64_json) instead.",
        )
    return parsed


def _too_large(host: str, limit: int) -> ImageTooLargeDownloadError:
    return ImageTooLargeDownloadError(
        f"The image at {host} is larger than {limit / (1024 * 1024):g} MB; the download stopped"
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _host(url: httpx.URL) -> str:
    return f"{url.host}:{url.port}" if url.port else url.host
