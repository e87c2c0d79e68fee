""" "View code": the current request as Python, cURL and JSON, each with a Copy button.

The snippets come from ``orq_desktop.domain.code_export``; none holds the key (it is read from
``ORQ_API_KEY`` when the snippet runs). ``chat_request_body`` builds the body exactly as the chat
session does before sending (system prompt, conversation, the prompt box, ``stream_options``), so
what is shown is what the app would send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QWidget,
)

from orq_desktop.domain.code_export import (
    KEY_ENV,
    CodeExportError,
    endpoint_url,
    sdk_unsupported,
    to_curl,
    to_json,
    to_python,
)
from orq_desktop.domain.presets import RequestKind
from orq_desktop.settings import DEFAULT_BASE_URL
from orq_desktop.ui.layout import em, hbox, line_height, spacing, vbox
from orq_desktop.ui.widgets_inline import InlineMessage
from orq_desktop.ui.widgets_labels import QuietLabel

History = Callable[[], Sequence[dict[str, str]]]


def session_history(session: Any) -> list[dict[str, str]]:
    """A ``ChatSession``'s turns as the messages its next request carries (errors and empty
    answers left out, as the session leaves them out)."""
    from orq_desktop.core.chat_types import MessageState, Role

    return [
        {"role": t.role.value, "content": t.text}
        for t in session.turns
        if t.state is not MessageState.ERROR and (t.role is Role.USER or t.text)
    ]


def chat_request_body(
    options: dict[str, Any],
    system_prompt: str,
    prompt: str,
    path_prefix: str,
    history: Sequence[dict[str, str]] = (),
) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON body the chat session would send next, or None and the reasons it cannot."""
    from pydantic import ValidationError

    from orq_desktop.api.models import ChatRequest, friendly_errors

    messages: list[dict[str, Any]] = []
    if system_prompt.strip():
        messages.append({"role": "system", "content": system_prompt})
    messages.extend(dict(m) for m in history)
    if prompt.strip():
        messages.append({"role": "user", "content": prompt})
    body: dict[str, Any] = {**options, "messages": messages}
    if body.get("stream") and "stream_options" not in body:
        body["stream_options"] = {"include_usage": True}
    try:
        return ChatRequest.model_validate(body).to_wire(path_prefix), []
    except ValidationError as exc:
        return None, friendly_errors(exc)


class CodeDialog(QDialog):
    """Three read-only tabs (Python, cURL, JSON) and a Copy button for the tab shown."""

    TABS = ("Python", "cURL", "JSON")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeDialog")
        self.setWindowTitle("View code")
        gap = spacing(self)
        self.endpoint = QLabel(self)
        self.endpoint.setObjectName("codeEndpoint")
        self.endpoint.setTextFormat(Qt.TextFormat.PlainText)
        self.endpoint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.endpoint.font()
        font.setBold(True)
        self.endpoint.setFont(font)
        self.key_note = QuietLabel(
            f"The key is read from the {KEY_ENV} environment variable: "
            "it is never written into the code.",
            self,
        )
        self.problems = InlineMessage(self)
        self.problems.setObjectName("codeProblems")
        self.notes = QLabel(self)
        self.notes.setObjectName("codeNotes")
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("codeTabs")
        self.editors: dict[str, QPlainTextEdit] = {}
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for title in self.TABS:
            editor = QPlainTextEdit(self.tabs)
            editor.setObjectName(f"code{title.capitalize()}")
            editor.setReadOnly(True)
            editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            editor.setFont(fixed)
            editor.setAccessibleName(f"{title} code")
            self.editors[title] = editor
            self.tabs.addTab(editor, title)
        self.copy_button = QPushButton(self)
        self.copy_button.setObjectName("copyCodeButton")
        self.copied = QuietLabel("", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = vbox(
            gap,
            gap,
            self.endpoint,
            self.key_note,
            self.problems,
            self.tabs,
            self.notes,
            hbox(0, gap, self.copy_button, self.copied, None, buttons),
        )
        layout.setStretchFactor(self.tabs, 1)  # the code takes the height
        self.setLayout(layout)
        self.copy_button.clicked.connect(self.copy_current)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._on_tabs_current_changed(0)
        self.resize(em(self, 84), line_height(self, 38))

    # -- content ----------------------------------------------------------------------------------

    def set_request(
        self,
        body: dict[str, Any] | None,
        *,
        base_url: str,
        path_prefix: str,
        kind: RequestKind = "chat",
        problems: Sequence[str] = (),
        notes: Sequence[str] = (),
    ) -> None:
        """Show ``body`` (the JSON body the app sends) as code; with no body, show why."""
        self.endpoint.setText(f"POST {endpoint_url(base_url, path_prefix, kind)}")
        texts = {title: "" for title in self.TABS}
        reasons = list(problems)
        notes = list(notes)
        if body is not None:
            try:
                texts = {
                    "Python": to_python(body, base_url, path_prefix, kind),
                    "cURL": to_curl(body, base_url, path_prefix, kind),
                    "JSON": to_json(body),
                }
            except CodeExportError as exc:
                reasons.append(str(exc))
            if missing := sdk_unsupported(body, path_prefix, kind):
                notes.append(
                    f"The Python SDK (4.1) cannot send {', '.join(missing)}; "
                    "the cURL and JSON versions include them."
                )
        if reasons:
            reasons.insert(0, "The request cannot be sent as it is, so there is no code to show:")
            texts = {title: "" for title in self.TABS}
        self.problems.set_text("\n".join(reasons))
        for title, text in texts.items():
            self.editors[title].setPlainText(text)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        has_code = not reasons
        self.tabs.setEnabled(has_code)
        self.copy_button.setEnabled(has_code)
        self.copied.set_full_text("")

    def code(self, title: str) -> str:
        return self.editors[title].toPlainText()

    def current_title(self) -> str:
        return self.TABS[max(self.tabs.currentIndex(), 0)]

    def copy_current(self) -> None:
        title = self.current_title()
        text = self.code(title)
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.copied.set_full_text(f"Copied the {title} code.")

    # -- slots ------------------------------------------------------------------------------------

    def _on_tabs_current_changed(self, index: int) -> None:
        title = self.TABS[max(index, 0)]
        self.copy_button.setText(f"&Copy {title}")
        self.copy_button.setToolTip(f"Copy the {title} code to the clipboard")
        self.copied.set_full_text("")


def open_code_dialog(
    parent: QWidget,
    *,
    options: dict[str, Any],
    system_prompt: str,
    prompt: str,
    base_url: str,
    path_prefix: str,
    history: Sequence[dict[str, str]] = (),
) -> CodeDialog:
    """Build the chat request and show it in a new dialog (opened without blocking)."""
    body, problems = chat_request_body(options, system_prompt, prompt, path_prefix, history)
    notes = []
    if urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1"):
        notes.append(
            "This address is the built-in simulator (demo mode); the real router is at "
            f"{DEFAULT_BASE_URL}."
        )
    if not prompt.strip():
        notes.append("The prompt box is empty, so the request ends without a new message.")
    dialog = CodeDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.set_request(
        body, base_url=base_url, path_prefix=path_prefix, problems=problems, notes=notes
    )
    dialog.open()
    return dialog
