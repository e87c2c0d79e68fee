""" "Paste request": a big text box, a live preview of what will be filled and what is not used,
and Apply / Cancel.

The text is read by ``orq_desktop.domain.paste.parse_pasted`` (checked against the router's
request models), a moment after typing stops; a long text is read off the UI thread
(``core.paste_job.PasteReader``) and only the newest reading is shown. The preview's sentences come
capped and redacted from the domain; every line shown is redacted and shortened again here, since
the prompts it quotes are the pasted text itself. Apply emits ``applied(PasteResult)``;
``apply_chat_fill`` puts a chat request into the chat form and the routing state.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QWidget,
)

from orq_desktop.core.paste_job import PasteReader
from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.paste import FormFill, PasteResult, parse_pasted
from orq_desktop.domain.paste_notes import safe_line
from orq_desktop.domain.presets import RequestKind, keep_thread_id
from orq_desktop.ui.layout import em, error_colour, line_height, spacing, vbox

_KINDS = {
    "json": "a JSON request body",
    "orq": "an orq object (routing options only)",
    "curl": "a cURL command",
    "python": "a Python SDK call",
}
_SHORT_TEXT = 90


class ChatForm(Protocol):
    """What filling the chat form needs (``ChatPanel`` has all of it)."""

    prompt_input: Any

    def options(self) -> dict[str, Any]: ...
    def set_options(self, options: dict[str, Any]) -> list[str]: ...
    def system_prompt(self) -> str: ...
    def set_system_prompt(self, text: str) -> None: ...


class Routing(Protocol):
    """``RoutingState``'s part that holds the ``orq`` object."""

    def orq(self) -> dict[str, Any]: ...
    def set_orq(self, orq: dict[str, Any]) -> None: ...


def apply_chat_fill(fill: FormFill, form: ChatForm, routing: Routing) -> list[str]:
    """Put a pasted chat request into the form; returns notes on values the form did not take.
    A pasted ``thread`` keeps this conversation's thread id (``keep_thread_id``)."""
    notes: list[str] = []
    if fill.params is not None or fill.model is not None:
        options = dict(fill.params) if fill.params is not None else form.options()
        options.pop("orq", None)
        options["model"] = fill.model or form.options().get("model", "")
        notes += form.set_options(options)
    if fill.system_prompt is not None:
        form.set_system_prompt(fill.system_prompt)
    if fill.prompt is not None:
        form.prompt_input.setPlainText(fill.prompt)
    if fill.orq is not None:
        routing.set_orq(keep_thread_id(fill.orq, routing.orq()))
    return notes


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > _SHORT_TEXT:
        one_line = one_line[: _SHORT_TEXT - 1] + "…"
    return f"“{one_line}”" if one_line else "(empty)"


def _orq_summary(orq: dict[str, Any]) -> str:
    if not orq:
        return "none (the current ones are cleared)"
    parts = []
    for key, value in orq.items():
        count = f" ({len(value)})" if isinstance(value, list) else ""
        parts.append(f"{key}{count}")
    return ", ".join(parts)


def fill_lines(fill: FormFill) -> list[str]:
    """What applying ``fill`` changes, one plain line each."""
    lines: list[str] = []
    if fill.model is not None:
        lines.append(f"Model: {fill.model}")
    if fill.params is not None:
        shown = ", ".join(
            f"{k} {'on' if v else 'off'}" if isinstance(v, bool) else f"{k} {v}"
            for k, v in fill.params.items()
        )
        lines.append(f"Parameters: {shown or 'the model’s defaults'}")
    if fill.system_prompt is not None:
        lines.append(f"System prompt: {_short(fill.system_prompt)}")
    if fill.prompt is not None:
        box = "Image prompt" if fill.target == "image" else "Prompt box"
        lines.append(f"{box}: {_short(fill.prompt)}")
    if fill.orq is not None:
        lines.append(f"Routing options: {_orq_summary(fill.orq)}")
        if "thread" in fill.orq:
            lines.append("Thread: its tags are taken; the conversation keeps its own thread id")
    return lines


class PasteDialog(QDialog):
    """Paste a request; the preview updates as you type; Apply fills the form.

    Signals:
        applied(result): Apply was pressed on a readable request (a ``PasteResult``).
    """

    applied = Signal(object)
    PARSE_DELAY_MS = 200  # parse once typing pauses: a big paste is read once, not per key

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        target: RequestKind = "chat",
        accepts: Iterable[RequestKind] = ("chat",),
        parse: Callable[[str], PasteResult] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pasteDialog")
        self.setWindowTitle("Paste a request")
        self._target: RequestKind = target
        self._accepts = frozenset(accepts)
        self._parse = parse or (lambda text: parse_pasted(text, check=check_request, target=target))
        self._result: PasteResult = self._parse("")
        self._reader = PasteReader(self._parse, self)
        self._reader.read.connect(self._show)
        self._apply_when_read = False
        gap = spacing(self)

        intro = QLabel(
            "Paste a request from a teammate: a JSON body, an orq object, a cURL command or a "
            "Python SDK call. Nothing in it is run, and a key in it is never kept.",
            self,
        )
        intro.setWordWrap(True)
        self.input = QPlainTextEdit(self)
        self.input.setObjectName("pasteInput")
        self.input.setAccessibleName("Pasted request")
        self.input.setPlaceholderText(
            "curl https://api.orq.ai/v2/gateway/chat/completions \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            '  -d \'{"model": "openai/gpt-4o", "messages": [...], "orq": {...}}\''
        )
        self.input.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        # Wrapped: a body pasted as one long line stays readable.
        self.input.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.input.setTabChangesFocus(True)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("pastePreview")
        self.preview.setAccessibleName("What will be filled in")
        self.preview.setOpenLinks(False)  # pasted text is shown, never followed
        self.preview.setOpenExternalLinks(False)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.input)
        splitter.addWidget(self.preview)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([em(self, 40), em(self, 32)])

        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton("&Apply", self)
        self.apply_button.setObjectName("pasteApply")
        self.apply_button.setDefault(True)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = vbox(gap, gap, intro, splitter, self.buttons)
        layout.setStretchFactor(splitter, 1)  # the boxes take the height, not the intro
        self.setLayout(layout)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.PARSE_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.input.textChanged.connect(self._timer.start)
        self.finished.connect(self._reader.cancel)
        self.refresh()
        self.resize(em(self, 80), line_height(self, 36))

    # -- state ------------------------------------------------------------------------------------

    def set_text(self, text: str) -> None:
        """Put ``text`` in the box and read it now (no waiting for the pause): at once when it is
        short, else in a worker (``reading()`` is True until the preview shows it)."""
        self.input.setPlainText(text)
        self.refresh()

    def reading(self) -> bool:
        """True while the text in the box is being read (the preview is not up to date)."""
        return self._timer.isActive() or self._reader.is_busy()

    def paste_result(self) -> PasteResult:
        """The reading of the text as it is now."""
        return self._result

    def blocker(self) -> str | None:
        """Why Apply is disabled, or None."""
        result = self._result
        if result.errors:
            return result.errors[0]
        if result.target not in self._accepts:
            return (
                f"This is an {result.target} request; paste it where {result.target}s are made."
                if result.target == "image"
                else f"This is a {result.target} request; paste it in the Chat tab."
            )
        if result.fill.is_empty():
            return "There is nothing to fill in yet."
        return None

    # -- actions ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the text in the box; the preview follows when the reading comes back."""
        self._timer.stop()
        self._reader.submit(self.input.toPlainText())
        if self._reader.is_busy():
            self.apply_button.setEnabled(False)
            self.apply_button.setToolTip("Reading the pasted text…")
            self.preview.setHtml(self._section("", ["Reading the pasted text…"]))

    def _show(self, result: PasteResult) -> None:
        self._result = result
        blocker = self.blocker()
        self.apply_button.setEnabled(blocker is None)
        self.apply_button.setToolTip(
            safe_line(blocker) if blocker else "Fill the form with this request"
        )
        self.preview.setHtml(self._preview_html(blocker))
        if self._apply_when_read:
            self._apply_when_read = False
            self.apply()

    def apply(self) -> None:
        """Apply the reading of the text in the box (once it is read, if it is being read)."""
        if self._timer.isActive():
            self.refresh()
        if self._reader.is_busy():
            self._apply_when_read = True
            return
        if self.blocker() is not None:
            return
        self.applied.emit(self._result)
        self.accept()

    # -- the preview ------------------------------------------------------------------------------

    def _preview_html(self, blocker: str | None) -> str:
        result = self._result
        if result.kind == "empty":
            return self._section("", ["Paste a request on the left; what it fills in shows here."])
        parts: list[str] = []
        if result.kind in _KINDS:
            target = "an image request" if result.target == "image" else "a chat request"
            what = _KINDS[result.kind]
            head = what if result.kind == "orq" else f"{what}: {target}"
            parts.append(f"<p>Read as {html.escape(head)}.</p>")
        red = error_colour(self.palette()).name()
        if result.errors:
            parts.append(self._section("Cannot apply", result.errors, colour=red))
        elif blocker is not None:
            parts.append(self._section("Cannot apply", [blocker], colour=red))
        parts.append(self._section("Will fill in", fill_lines(result.fill)))
        parts.append(self._section("Changed on the way", result.notes))
        parts.append(self._section("Not used", result.ignored))
        return "".join(parts)

    @staticmethod
    def _section(title: str, lines: list[str], colour: str | None = None) -> str:
        if not lines:
            return ""
        style = f' style="color:{colour}"' if colour else ""
        items = "".join(f"<li{style}>{html.escape(safe_line(line))}</li>" for line in lines)
        heading = f"<p><b>{html.escape(title)}</b></p>" if title else ""
        return f"{heading}<ul style='margin-left:0'>{items}</ul>"
