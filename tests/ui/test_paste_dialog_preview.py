"""The paste dialog: live preview, what blocks Apply, and filling the real chat form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop.core.routing_state import RoutingState
from orq_desktop.domain.paste import FormFill, PasteResult
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.paste_dialog import PasteDialog, apply_chat_fill, fill_lines

pytestmark = pytest.mark.gui

CANARY = "sk-orq-CANARY-feedf00d"
BODY = {
    "model": "openai/gpt-4o",
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Earlier"},
        {"role": "user", "content": "Now"},
    ],
    "top_p": 0.9,
    "tools": [],
    "orq": {"retry": {"count": 2}, "fallbacks": [{"model": "a/b"}, {"model": "c/d"}]},
}


@pytest.fixture
def dialog(qtbot: Any) -> PasteDialog:
    dialog = PasteDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_preview_says_what_fills_in_and_what_is_not_used(dialog: PasteDialog) -> None:
    dialog.set_text(json.dumps(BODY))
    text = dialog.preview.toPlainText()
    assert "Read as a JSON request body: a chat request." in text
    for line in (
        "Model: openai/gpt-4o",
        "Parameters: top_p 0.9, stream off",
        "System prompt: “Be brief.”",
        "Prompt box: “Now”",
        "Routing options: retry, fallbacks (2)",
        "1 other message(s) of the conversation",
        "the field `tools` (not editable here)",
    ):
        assert line in text, line
    assert dialog.apply_button.isEnabled()


def test_the_preview_follows_typing_after_a_pause(qtbot: Any, dialog: PasteDialog) -> None:
    assert not dialog.apply_button.isEnabled()
    assert "Paste a request on the left" in dialog.preview.toPlainText()
    dialog.input.insertPlainText('{"timeout": {"call_timeout": 5000}}')
    assert not dialog.apply_button.isEnabled()  # not read on every key press
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=2000)
    assert "Read as an orq object (routing options only)." in dialog.preview.toPlainText()
    assert "Routing options: timeout" in dialog.preview.toPlainText()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"retry": {"count": 9}}', "orq › retry › count: Retry attempts must be between 1 and 5"),
        ("curl https://x/v2/gateway/chat/completions -d @req.json", "cannot read"),
        ("what is this", "does not look like a request"),
        (
            '{"prompt": "A cat", "model": "openai/dall-e-3"}',
            "This is an image request; paste it where images are made.",
        ),
    ],
)
def test_apply_is_blocked_with_the_reason(dialog: PasteDialog, text: str, reason: str) -> None:
    dialog.set_text(text)
    assert not dialog.apply_button.isEnabled()
    assert reason in dialog.apply_button.toolTip()
    assert reason in dialog.preview.toPlainText()
    dialog.apply()
    assert dialog.isVisible()  # nothing was applied


def test_an_image_dialog_accepts_image_requests(qtbot: Any) -> None:
    dialog = PasteDialog(target="image", accepts=("image",))
    qtbot.addWidget(dialog)
    dialog.set_text('{"prompt": "A cat", "model": "openai/dall-e-3", "style": "vivid"}')
    assert dialog.apply_button.isEnabled()
    assert "Image prompt: “A cat”" in dialog.preview.toPlainText()
    with qtbot.waitSignal(dialog.applied) as applied:
        dialog.apply_button.click()
    result = applied.args[0]
    assert isinstance(result, PasteResult)
    assert result.fill.params == {"style": "vivid"}


def test_a_pasted_key_is_dropped_and_said_so(qtbot: Any, dialog: PasteDialog) -> None:
    dialog.set_text(
        "orq.router.chat_completions(model='openai/gpt-4o', messages=[], "
        f"http_headers={{'Authorization': 'Bearer {CANARY}'}})"
    )
    text = dialog.preview.toPlainText()
    assert "The Authorization header was dropped: a pasted key is never kept" in text
    assert CANARY not in text + dialog.preview.toHtml() + dialog.apply_button.toolTip()
    with qtbot.waitSignal(dialog.applied) as applied:
        dialog.apply()
    assert CANARY not in repr(applied.args[0])
    assert not dialog.isVisible()


def test_pasted_html_is_shown_as_text(dialog: PasteDialog) -> None:
    dialog.set_text(
        json.dumps(
            {
                "model": "openai/gpt-4o",
                "messages": [{"role": "user", "content": "<b>bold</b> <a href='x'>link</a>"}],
            }
        )
    )
    assert "Prompt box: “<b>bold</b> <a href='x'>link</a>”" in dialog.preview.toPlainText()


def test_apply_chat_fill_on_the_real_form(qtbot: Any) -> None:
    routing = RoutingState({"retry": {"count": 1}})
    panel = ChatPanel(FakeSession(), FakeTranscript(), orq=routing.orq)
    qtbot.addWidget(panel)
    panel.set_options({"model": "openai/gpt-4o-mini", "temperature": 1.5, "seed": 3})
    panel.set_system_prompt("Old system")
    panel.prompt_input.setPlainText("Old prompt")

    # An orq object alone changes only the routing.
    notes = apply_chat_fill(FormFill(orq={"timeout": {"call_timeout": 1000}}), panel, routing)
    assert notes == []
    assert routing.orq() == {"timeout": {"call_timeout": 1000}}
    assert panel.options()["temperature"] == 1.5
    assert panel.system_prompt() == "Old system"

    # A whole request replaces every parameter; without a model the current one stays.
    fill = FormFill(params={"top_p": 0.3, "stream": False}, system_prompt="", prompt="New", orq={})
    apply_chat_fill(fill, panel, routing)
    options = panel.options()
    assert options == {"model": "openai/gpt-4o-mini", "top_p": 0.3, "stream": False}
    assert (panel.system_prompt(), panel.prompt_input.toPlainText()) == ("", "New")
    assert routing.orq() == {}


def test_fill_lines_for_an_empty_routing_and_long_text() -> None:
    lines = fill_lines(FormFill(prompt="word " * 50, orq={}, params={}))
    assert lines[0] == "Parameters: the model’s defaults"
    assert lines[1].startswith("Prompt box: “word word") and lines[1].endswith("…”")
    assert len(lines[1]) < 110
    assert lines[2] == "Routing options: none (the current ones are cleared)"
