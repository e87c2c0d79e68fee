"""Model output is untrusted: hostile markdown renders inert, fetches nothing, opens nothing.

A loopback HTTP server counts every request while hostile answers are streamed, painted and
their links "clicked". Only an https link may open, and only after the user confirmed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QPixmap, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

from orq_desktop.core.chat_types import ErrorInfo, MessageState
from orq_desktop.ui.message_view import LinkGuard, MessageView
from orq_desktop.ui.message_widgets import AssistantMessage, UserMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


class _CountingHandler(BaseHTTPRequestHandler):
    def _count(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    def do_GET(self) -> None:
        self._count()

    def do_POST(self) -> None:
        self._count()

    def do_HEAD(self) -> None:
        self._count()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tracker() -> Iterator[ThreadingHTTPServer]:
    """A loopback server that records every request it receives."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hostile_answer(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    return (
        f"# Totally normal answer\n\n"
        f"![x]({base}/a.png)\n\n"
        f"<img src={base}/b.png>\n\n"
        f'<img src="x" onerror="fetch(\'{base}/onerror\')">\n\n'
        f"<script>fetch('{base}/script')</script>\n\n"
        f"[x](javascript:alert(1)) [y](file:///etc/passwd) "
        f"[z](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)\n\n"
        f'<a href="javascript:alert(2)">raw html link</a>\n\n'
        f"[plain http]({base}/http-link) <{base}/autolink> www.example.com\n\n"
        f"Tracking pixel: ![]({base}/pixel.gif?leak=secret)\n\n"
        f"![ref][px]\n\n[px]: {base}/reference.png\n\n"
        f"![local](file:///etc/hosts)\n\n"
        f'<span style="font-size:300pt">HUGE</span>\n'
    )


def anchors(document: QTextDocument) -> list[str]:
    found = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            href = it.fragment().charFormat().anchorHref()
            if href:
                found.append(href)
            it += 1
        block = block.next()
    return found


@pytest.fixture
def guard(monkeypatch) -> dict[str, list[str]]:
    """Record LinkGuard's confirmation questions and browser launches instead of doing them."""
    calls: dict[str, list[str]] = {"confirm": [], "open": [], "answer": []}

    def confirm(cls: type[LinkGuard], parent: QWidget | None, url: QUrl) -> bool:
        calls["confirm"].append(url.toString())
        return bool(calls["answer"]) and calls["answer"][-1] == "yes"

    def open_url(cls: type[LinkGuard], url: QUrl) -> bool:
        calls["open"].append(url.toString())
        return True

    monkeypatch.setattr(LinkGuard, "confirm", classmethod(confirm))
    monkeypatch.setattr(LinkGuard, "open", classmethod(open_url))
    return calls


@pytest.fixture
def view(qtbot) -> TranscriptView:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(800, 900)
    transcript.show()
    return transcript


def click_anchor(qtbot, browser: QTextBrowser, href: str) -> None:
    """A real left click on the first anchor with this href (mouse press and release)."""
    qtbot.waitUntil(browser.isVisible, timeout=1000)
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(browser.document())
                cursor.setPosition(fragment.position() + 1)
                point = browser.cursorRect(cursor).center()
                qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no anchor {href!r}")


def click_everything(browser: QTextBrowser, extra: list[str]) -> list[str]:
    hrefs = anchors(browser.document())
    for href in [*hrefs, *extra]:
        browser.anchorClicked.emit(QUrl(href))
    return hrefs


def test_hostile_output_is_inert(qtbot, view, tracker, guard) -> None:
    port = tracker.server_address[1]
    text = hostile_answer(port)
    view.add_user_message("u1", text)
    view.begin_assistant_message("a1", "sim/hostile")
    for i in range(0, len(text), 7):
        view.append_delta("a1", text[i : i + 7])
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    view.add_error_card("e1", ErrorInfo(title="500", message=text, advice="none"))
    answer = view.message_widget("a1")
    user = view.message_widget("u1")
    assert isinstance(answer, AssistantMessage)
    assert isinstance(user, UserMessage)
    qtbot.waitUntil(lambda: answer.stream.is_caught_up, timeout=2000)
    for widget in (view, answer, user):
        widget.grab()  # paint everything: an image would be loaded now
    qtbot.wait(100)

    rendered = answer.view.toPlainText()
    assert "<script>" in rendered  # raw HTML is shown as text (MarkdownNoHTML)
    assert "<img src=" in rendered
    hrefs = click_everything(
        answer.view,
        extra=[
            f"http://127.0.0.1:{port}/direct",
            "javascript:alert(3)",
            "file:///etc/passwd",
            "data:text/html,hi",
            "ftp://example.com/x",
            "https:///no-host",
        ],
    )
    # The markdown links are live anchors (Qt keeps them); clicking them must do nothing.
    assert "javascript:alert(1)" in hrefs
    assert "file:///etc/passwd" in hrefs
    click_everything(user.view, extra=[])
    clicked: list[str] = []
    answer.view.anchorClicked.connect(lambda url: clicked.append(url.toString()))
    for href in ("file:///etc/passwd", "javascript:alert(1)", f"http://127.0.0.1:{port}/http-link"):
        click_anchor(qtbot, answer.view, href)  # through QTextBrowser's own click handling
    qtbot.wait(100)
    assert clicked == [
        "file:///etc/passwd",
        "javascript:alert(1)",
        f"http://127.0.0.1:{port}/http-link",
    ]

    assert tracker.hits == []  # type: ignore[attr-defined]
    assert guard["confirm"] == []
    assert guard["open"] == []
    assert answer.view.toPlainText() == rendered  # the view did not navigate anywhere
    assert answer.view.source() == QUrl()
    assert view.message_text("a1") == text


@pytest.fixture
def local_png(tmp_path: Path) -> QUrl:
    path = tmp_path / "private.png"
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    assert image.save(str(path))
    return QUrl.fromLocalFile(str(path))


def test_a_default_browser_would_show_a_local_image(qtbot, local_png) -> None:
    # Why loadResource is overridden: Qt alone reads local files that an image link names.
    plain = QTextBrowser()
    qtbot.addWidget(plain)
    image = plain.document().resource(QTextDocument.ResourceType.ImageResource, local_png)
    assert isinstance(image, QImage | QPixmap)
    assert not image.isNull()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x.png",
        "file:///etc/hosts",
        "/etc/hosts",
        "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
        "qrc:/qt-project.org/styles/commonstyle/images/up-16.png",
    ],
)
def test_no_resource_is_ever_loaded(qtbot, url) -> None:
    view = MessageView()
    qtbot.addWidget(view)
    image = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(url))
    assert isinstance(image, QImage)
    assert image.isNull()


def test_an_image_link_to_a_local_file_shows_nothing(qtbot, view, local_png) -> None:
    text = f"![private]({local_png.toString()})"
    view.begin_assistant_message("a1", "m")
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    message = view.message_widget("a1")
    assert isinstance(message, AssistantMessage)
    message.grab()
    image = message.view.document().resource(QTextDocument.ResourceType.ImageResource, local_png)
    assert isinstance(image, QImage)
    assert image.isNull()


def answer_with_link(view: TranscriptView) -> AssistantMessage:
    text = "See [the docs](https://example.com/docs?q=1) for more."
    view.begin_assistant_message("a1", "m")
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    message = view.message_widget("a1")
    assert isinstance(message, AssistantMessage)
    assert anchors(message.view.document()) == ["https://example.com/docs?q=1"]
    return message


def test_an_https_link_opens_only_after_the_user_confirms(qtbot, view, guard) -> None:
    message = answer_with_link(view)
    before = message.view.toPlainText()

    guard["answer"].append("no")
    with qtbot.assertNotEmitted(view.link_clicked):
        message.view.anchorClicked.emit(QUrl("https://example.com/docs?q=1"))
    assert guard["confirm"] == ["https://example.com/docs?q=1"]
    assert guard["open"] == []

    guard["answer"].append("yes")
    with qtbot.waitSignal(view.link_clicked) as signal:
        click_anchor(qtbot, message.view, "https://example.com/docs?q=1")
    assert guard["open"] == ["https://example.com/docs?q=1"]
    assert signal.args == [QUrl("https://example.com/docs?q=1")]
    assert message.view.toPlainText() == before
    assert message.view.source() == QUrl()


def test_the_confirmation_shows_the_address_as_plain_text(monkeypatch) -> None:
    seen: dict[str, object] = {}

    def fake_exec(box: QMessageBox) -> int:
        seen["text"] = box.text()
        seen["format"] = box.textFormat()
        return int(QMessageBox.StandardButton.Cancel.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    url = QUrl("https://example.com/<b>bold</b>")
    assert LinkGuard.confirm(None, url) is False
    assert url.toDisplayString() in str(seen["text"])
    assert seen["format"] == Qt.TextFormat.PlainText
