"""Image links: only http(s), no key, no redirect to another origin, a size cap while streaming."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orq_desktop.api.downloads import (
    ImageDownloader,
    ImageDownloadError,
    ImageTooLargeDownloadError,
    download_image,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


class LinkServer:
    """``/ok`` the bytes, ``/big`` 2 MB declared, ``/stream`` 2 MB undeclared, redirects, 404."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # a body without Content-Length ends when we close

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/ok":
                    self._send(200, PNG, length=True)
                elif self.path == "/big":
                    self._send(200, b"\0" * 2_000_000, length=True)
                elif self.path == "/stream":
                    self._send(200, b"\0" * 2_000_000, length=False)
                elif self.path == "/same-origin":
                    self._redirect("/ok")
                elif self.path.startswith("/elsewhere"):
                    self._redirect(self.path.split("?to=", 1)[1])
                elif self.path == "/loop":
                    self._redirect("/loop")
                elif self.path == "/slow":
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(50):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.05)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                else:
                    self._send(404, b"not here", length=True)

            def _send(self, status: int, body: bytes, *, length: bool) -> None:
                self.send_response(status)
                self.send_header("content-type", "image/png")
                if length:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                # The client may stop reading at its size cap.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def links() -> Iterator[LinkServer]:
    server = LinkServer()
    yield server
    server.close()


def fetch(url: str, max_bytes: int = 1_000_000, **kwargs: Any) -> bytes:
    return asyncio.run(download_image(url, max_bytes, **kwargs))


def test_an_image_link_is_fetched_without_the_key(links: LinkServer) -> None:
    assert fetch(links.url + "/ok") == PNG
    ((path, headers),) = links.requests
    assert path == "/ok"
    assert "authorization" not in headers
    assert headers["accept"].startswith("image/")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/x.png", "data:image/png;base64,AAAA", "javascript:x"],
)
def test_only_http_and_https_links_are_fetched(url: str) -> None:
    with pytest.raises(ImageDownloadError, match="only http and https") as caught:
        fetch(url)
    assert "Nothing was saved" in caught.value.advice


def test_a_same_origin_redirect_is_followed(links: LinkServer) -> None:
    assert fetch(links.url + "/same-origin") == PNG
    assert [p for p, _ in links.requests] == ["/same-origin", "/ok"]


def test_a_redirect_to_another_origin_is_not_followed(links: LinkServer) -> None:
    other = LinkServer("127.0.0.2")
    try:
        with pytest.raises(ImageDownloadError, match="was not followed") as caught:
            fetch(f"{links.url}/elsewhere?to={other.url}/ok")
        assert caught.value.status == 302
        assert other.requests == []
    finally:
        other.close()


def test_endless_redirects_stop(links: LinkServer) -> None:
    with pytest.raises(ImageDownloadError, match="too many times"):
        fetch(links.url + "/loop")
    assert len(links.requests) == 4


def test_a_declared_size_over_the_cap_is_refused_unread(links: LinkServer) -> None:
    with pytest.raises(ImageTooLargeDownloadError, match="larger than"):
        fetch(links.url + "/big", max_bytes=1_000_000)


def test_an_undeclared_size_is_capped_while_streaming(links: LinkServer) -> None:
    with pytest.raises(ImageTooLargeDownloadError):
        fetch(links.url + "/stream", max_bytes=100_000)
    assert len(fetch(links.url + "/stream", max_bytes=3_000_000)) == 2_000_000


def test_an_error_status_names_the_host_not_the_link(links: LinkServer) -> None:
    with pytest.raises(ImageDownloadError) as caught:
        fetch(links.url + "/missing?signature=SECRET-SIGNATURE")
    assert caught.value.status == 404
    assert "SECRET-SIGNATURE" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_the_whole_download_has_a_deadline(links: LinkServer) -> None:
    started = time.monotonic()
    with pytest.raises(ImageDownloadError, match="took longer"):
        fetch(links.url + "/slow", deadline_s=0.5)
    assert time.monotonic() - started < 2.0


def test_nothing_listening_is_a_download_error() -> None:
    server = LinkServer()
    url = server.url
    server.close()
    with pytest.raises(ImageDownloadError, match="could not be downloaded"):
        fetch(url + "/ok")


def test_one_downloader_fetches_several_links(links: LinkServer) -> None:
    async def go() -> list[bytes]:
        async with ImageDownloader() as downloader:
            return [await downloader.fetch(links.url + "/ok", 1000) for _ in range(3)]

    assert asyncio.run(go()) == [PNG] * 3
