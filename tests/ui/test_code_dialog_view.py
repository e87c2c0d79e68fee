"""The View code dialog, and the request it shows equals what the chat session sends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.domain.code_export import to_curl, to_json, to_python
from orq_desktop.ui.code_dialog import (
    CodeDialog,
    chat_request_body,
    open_code_dialog,
    session_history,
)

pytestmark = pytest.mark.gui

CANARY = "sk-orq-CANARY-c0dec0de"
OPTIONS: dict[str, Any] = {
    "model": "openai/gpt-4o",
    "temperature": 0.4,
    "stream": True,
    "orq": {"retry": {"count": 2, "on_codes": [429]}, "fallbacks": [{"model": "a/b"}]},
}


@pytest.fixture
def dialog(qtbot: Any) -> CodeDialog:
    dialog = CodeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_tabs_show_the_three_snippets_and_copy_the_one_shown(dialog: CodeDialog) -> None:
    body, problems = chat_request_body(OPTIONS, "Be brief.", "Hi “there”", "/v2/router")
    assert problems == [] and body is not None
    dialog.set_request(body, base_url="https://api.orq.ai", path_prefix="/v2/router")
    assert dialog.code("Python") == to_python(body, "https://api.orq.ai", "/v2/router")
    assert dialog.code("cURL") == to_curl(body, "https://api.orq.ai", "/v2/router")
    assert dialog.code("JSON") == to_json(body)
    assert dialog.endpoint.text() == "POST https://api.orq.ai/v2/router/chat/completions"
    dialog.tabs.setCurrentIndex(1)
    assert dialog.copy_button.text() == "&Copy cURL"
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.code("cURL")
    assert dialog.copied.full_text() == "Copied the cURL code."


def test_an_invalid_request_shows_why_and_no_code(dialog: CodeDialog) -> None:
    body, problems = chat_request_body({**OPTIONS, "temperature": 7}, "", "Hi", "/v2/gateway")
    assert body is None
    dialog.set_request(body, base_url="https://h", path_prefix="/v2/gateway", problems=problems)
    assert "Temperature must be between 0 and 2" in dialog.problems.text()
    assert dialog.code("Python") == ""
    assert not dialog.copy_button.isEnabled()


def test_fields_the_old_sdk_cannot_send_are_pointed_out(dialog: CodeDialog) -> None:
    body, _ = chat_request_body({**OPTIONS, "name": "trace"}, "", "Hi", "/v2/gateway")
    dialog.set_request(body, base_url="https://h", path_prefix="/v2/gateway")
    assert "cannot send name" in dialog.notes.text()
    assert dialog.notes.isVisible()


def test_demo_mode_and_an_empty_prompt_are_pointed_out(qtbot: Any) -> None:
    dialog = open_code_dialog(
        None,  # type: ignore[arg-type]
        options=OPTIONS,
        system_prompt="",
        prompt="  ",
        base_url="http://127.0.0.1:8765",
        path_prefix="/v2/gateway",
    )
    qtbot.addWidget(dialog)
    assert dialog.notes.text().splitlines() == [
        "This address is the built-in simulator (demo mode); the real router is at "
        "https://api.orq.ai.",
        "The prompt box is empty, so the request ends without a new message.",
    ]
    assert dialog.isVisible()


def test_no_widget_text_holds_the_key(dialog: CodeDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORQ_API_KEY", CANARY)
    body, _ = chat_request_body(OPTIONS, "", "Hi", "/v2/gateway")
    dialog.set_request(body, base_url="https://h", path_prefix="/v2/gateway")
    texts = [dialog.code(t) for t in CodeDialog.TABS]
    texts += [dialog.endpoint.text(), dialog.key_note.full_text(), dialog.notes.text()]
    assert all(CANARY not in t for t in texts)
    assert "ORQ_API_KEY" in dialog.key_note.full_text()


def test_the_shown_request_is_what_the_session_sends(
    qtbot: Any, aloop: Any, sim_server: Any
) -> None:
    connection = Connection(
        ConnectionConfig(base_url=sim_server.url, api_key="k", path_prefix="/v2/gateway")
    )
    session = ChatSession(connection.client)
    sent: list[dict[str, Any]] = []
    try:
        for prompt in ("First question", "And a second one, with “quotes”"):
            body, problems = chat_request_body(
                OPTIONS, "You are terse.", prompt, "/v2/gateway", session_history(session)
            )
            assert problems == []
            before = len(sim_server.recorded_requests())
            with qtbot.waitSignal(session.answer_finished, timeout=10_000):
                assert session.send(prompt, "You are terse.", OPTIONS)
            record = sim_server.recorded_requests()[before]
            assert record["body"] == body
            sent.append(record["body"])
        assert [m["role"] for m in sent[1]["messages"]] == ["system", "user", "assistant", "user"]
    finally:
        task = asyncio.ensure_future(connection.aclose())
        qtbot.waitUntil(task.done, timeout=5000)
