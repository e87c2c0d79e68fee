"""The paste dialog with long pastes: the window keeps painting, the newest reading wins, and the
preview never repeats a pasted key."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fixtures_qt import Heartbeat

from orq_desktop.core.paste_job import SYNC_CHARS
from orq_desktop.domain.paste_notes import PER_KIND
from orq_desktop.ui.paste_dialog import PasteDialog

pytestmark = pytest.mark.gui

MAX_GAP_MS = 250
KEY = "sk-orq-CANARY-3e9a1c5b-7d2f-4a8e-b6c0-1f5d9e3a7b24"


def python_call(count: int) -> str:
    """An SDK call (~30 bytes a message) whose messages each name a variable."""
    messages = ",\n".join('{"role":"user","content":t}' for _ in range(count))
    return f"orq.router.chat_completions(\n  model='openai/gpt-4o',\n  messages=[\n{messages}\n])"


def curl_with_headers(count: int) -> str:
    headers = " ".join(f"-H 'X-Trace-{i}: v{i}'" for i in range(count))
    body = json.dumps({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    return f"curl https://api.orq.ai/v2/gateway/chat/completions {headers} -d '{body}'"


@pytest.fixture
def dialog(qtbot: Any) -> PasteDialog:
    dialog = PasteDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _paste(qtbot: Any, dialog: PasteDialog, text: str, expected: str) -> None:
    dialog.input.setPlainText(text)  # as a paste: read once typing pauses
    qtbot.waitUntil(lambda: not dialog.reading(), timeout=20_000)
    assert expected in dialog.preview.toPlainText()


@pytest.mark.parametrize(
    ("make", "count", "what"),
    [
        # ~150 KB: Python's own parser (ast.parse, C code) holds the GIL while it runs, even in
        # the worker: about 0.1 s here, 0.2 s for 300 KB, so the UI thread waits that long.
        (python_call, 5_000, "Read as a Python SDK call"),
        (curl_with_headers, 8_000, "Read as a cURL"),
    ],
    ids=["python-5000-messages", "curl-8000-headers"],
)
def test_a_long_paste_is_read_while_the_window_keeps_painting(
    aloop: Any,
    qtbot: Any,
    dialog: PasteDialog,
    heartbeat: Heartbeat,
    make: Any,
    count: int,
    what: str,
) -> None:
    text = make(count)
    assert len(text) > SYNC_CHARS  # read in a worker, not on the spot
    heartbeat.start()
    _paste(qtbot, dialog, text, f"… and {count - PER_KIND:,} more like these")
    qtbot.wait(50)
    heartbeat.stop()
    shown = dialog.preview.toPlainText()
    assert what in shown
    assert shown.count("\n") < 60  # a few lines, not one per unused part
    assert "Model: openai/gpt-4o" in shown
    assert heartbeat.ticks > 10
    assert heartbeat.max_gap_ms < MAX_GAP_MS, f"the UI stalled {heartbeat.max_gap_ms:.0f} ms"


def test_a_stale_reading_never_replaces_a_newer_one(
    aloop: Any, qtbot: Any, dialog: PasteDialog
) -> None:
    dialog.set_text(python_call(10_000))  # a long read starts in a worker
    assert dialog.reading()
    assert not dialog.apply_button.isEnabled()
    assert "Reading the pasted text…" in dialog.preview.toPlainText()
    dialog.set_text('{"retry": {"count": 2}}')  # short: read at once
    assert not dialog.reading()
    assert "Routing options: retry" in dialog.preview.toPlainText()
    deadline = time.monotonic() + 5  # long enough for the long read to have come back
    while time.monotonic() < deadline:
        qtbot.wait(50)
    assert "Routing options: retry" in dialog.preview.toPlainText()
    assert "more like these" not in dialog.preview.toPlainText()
    assert dialog.paste_result().kind == "orq"


def test_apply_during_a_long_read_applies_the_reading_when_it_comes(
    aloop: Any, qtbot: Any, dialog: PasteDialog
) -> None:
    dialog.set_text(curl_with_headers(8_000))
    with qtbot.waitSignal(dialog.applied, timeout=20_000) as applied:
        dialog.apply()
        assert dialog.isVisible()  # not yet: the text is still being read
    assert applied.args[0].fill.model == "openai/gpt-4o"


def test_the_preview_never_repeats_a_pasted_key(dialog: PasteDialog) -> None:
    body = {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": f"my key is {KEY}"}],
        "temperature": KEY,
        KEY: 1,
    }
    dialog.set_text(json.dumps(body))
    shown = dialog.preview.toPlainText()
    assert "The field `temperature` was dropped" in shown  # before any check could quote it
    assert "the field `[redacted]` (not editable here)" in shown
    assert "The field `messages[0].content` was dropped" in shown  # a prompt holding a key too
    assert "my key is" not in shown
    everything = shown + dialog.preview.toHtml() + dialog.apply_button.toolTip()
    assert KEY not in everything and "CANARY" not in everything
