"""B1-B3 end to end: the real options editor wired to a real chat on the scripted router.

B1: the inputs typed as JSON that is not JSON; B2: JSON of the wrong shape and a 10 MB paste;
B3: fallbacks refused by the list widget. Each is refused in the editor (its inline reason), Send
stays disabled (and the panel refuses Ctrl+Enter), the router sees 0 requests, and the kept
options (the routing state and the history's thread row) do not change. B4-B5 (retry) are in
test_rel_options_retry.py; the wiring is test_rel_options_env.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from rel_checks import check_heartbeat, widget_strings
from test_rel_options_env import MODEL, OptionsEnv, options_env_factory

pytestmark = pytest.mark.gui


@pytest.fixture
def make_options(qtbot: Any, aloop: Any, rel_dir: Path) -> Iterator[Callable[[str], OptionsEnv]]:
    """``make_options(router.url)`` -> an ``OptionsEnv`` (closed after the test)."""
    yield from options_env_factory(qtbot, rel_dir)


def open_json(env: OptionsEnv) -> Any:
    inputs = env.editor.inputs
    assert inputs is not None
    env.click(inputs.json_toggle)
    assert inputs.json_mode() and inputs.json.isVisible()
    return inputs


def type_json(env: OptionsEnv, text: str) -> None:
    inputs = env.editor.inputs
    assert inputs is not None
    edit = inputs.json.text_edit
    edit.selectAll()
    env.qtbot.keyClick(edit, Qt.Key.Key_Delete)
    for number, line in enumerate(text.split("\n")):
        if number:
            env.qtbot.keyClick(edit, Qt.Key.Key_Return)
        env.qtbot.keyClicks(edit, line)
    env.qtbot.waitUntil(lambda: not inputs.json.pending, timeout=2000)


def refused_everywhere(env: OptionsEnv, router: Any, seen_before: int) -> None:
    """Send is disabled; clicking it and Ctrl+Enter both send nothing."""
    assert env.blocked()
    env.click_send()
    env.press_send_shortcut()
    env.qtbot.wait(100)
    assert len(router.seen) == seen_before
    assert env.panel.composer.notice.text() == env.panel.send_blocker()


@pytest.mark.scenario("B1")
def test_b1_inputs_that_are_not_json_are_refused_with_line_and_column(
    router: Any, make_options: Any
) -> None:
    env: OptionsEnv = make_options(router.url)
    env.send_and_wait("Hello")
    saved = env.config_hash()
    env.type_prompt("Write to {{a}} about {{b}}")
    inputs = open_json(env)
    type_json(env, '{"a": 1,\n "b": 2,')
    reason = "Not valid JSON: line 2, column 9: Expecting property name enclosed in double quotes."
    assert inputs.message.text() == reason and inputs.message.isVisible()
    assert env.editor.validity() == f"Inputs: {reason}"
    refused_everywhere(env, router, 1)
    assert env.panel.composer.send_button.toolTip() == f"Inputs: {reason}"
    # The drafts are kept: the prompt and the JSON as typed; nothing kept changed.
    assert env.panel.prompt_input.toPlainText() == "Write to {{a}} about {{b}}"
    assert inputs.json.text_edit.toPlainText() == '{"a": 1,\n "b": 2,'
    assert env.config_hash() == saved
    # Fixed, it goes out as typed.
    type_json(env, '{"a": 1,\n "b": "two"}')
    assert env.editor.validity() is None and not env.blocked()
    env.click_send()
    env.qtbot.waitUntil(lambda: env.finished() == 2, timeout=15_000)
    sent = json.loads(router.seen[-1].body)
    assert sent["orq"]["inputs"] == {"a": 1, "b": "two"}


WRONG_SHAPES = [
    ('["x-secret-1", "x-secret-2"]', "Item #1: Inputs must be an object with named values."),
    ('[{"key": {"n": "x-secret"}, "value": "v"}]', "Item #1 › key: Key must be text."),
    ('[{"key": "a", "value": "v", "is_pii": "x-secret"}]',
     "Item #1 › is_pii: Is pii must be true or false."),
    ('"x-secret"', 'Inputs must be an object {"name": value} or a list of {"key", "value"}.'),
]  # fmt: skip


@pytest.mark.scenario("B2")
@pytest.mark.parametrize(("text", "reason"), WRONG_SHAPES)
def test_b2_json_of_the_wrong_shape_is_named_without_its_values(
    router: Any, make_options: Any, heartbeat: Any, text: str, reason: str
) -> None:
    env: OptionsEnv = make_options(router.url)
    router.seen.clear()
    heartbeat.start()
    env.type_prompt("Hello {{a}}")
    inputs = open_json(env)
    saved = env.config_hash()
    type_json(env, text)
    assert inputs.message.text() == reason
    assert env.editor.validity() == f"Inputs: {reason}"
    refused_everywhere(env, router, 0)
    shown = widget_strings(env.host)
    assert not [s for s in shown if "x-secret" in s and s != text]  # only the text itself
    assert env.config_hash() == saved
    check_heartbeat(heartbeat)


@pytest.mark.scenario("B2")
def test_b2_a_10_mb_paste_is_refused_without_stalling_the_window(
    router: Any, make_options: Any, heartbeat: Any
) -> None:
    env: OptionsEnv = make_options(router.url)
    env.type_prompt("Hello {{a}}")
    inputs = open_json(env)
    type_json(env, '{"a": "short"}')
    assert env.editor.validity() is None
    saved = env.config_hash()
    big = json.dumps([{"key": "a", "value": "x-secret " * 20}] * 53_000)
    megabytes = len(big) / (1024 * 1024)
    assert 10 < megabytes < 11
    QApplication.clipboard().setText(big)
    heartbeat.start()
    edit = inputs.json.text_edit
    edit.setFocus()
    edit.selectAll()
    env.qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    env.qtbot.wait(300)
    gap = check_heartbeat(heartbeat)
    assert inputs.json.message.text() == (
        f"Nothing was pasted: the text is {megabytes:.1f} MB, and the inputs can be at most 256 KB."
    )
    assert edit.toPlainText() == '{"a": "short"}'
    assert env.editor.validity() is None and env.config_hash() == saved
    assert not [s for s in widget_strings(env.host) if "x-secret" in s]
    assert len(router.seen) == 0 and gap < 250
    # A paste under the cap (200 KB of the wrong shape) is parsed once typing pauses.
    QApplication.clipboard().setText(json.dumps(["x-secret"] * 20_000))
    heartbeat.start()
    edit.selectAll()
    env.qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert env.blocked()  # checking: not sendable until parsed
    env.qtbot.waitUntil(lambda: not inputs.json.pending, timeout=2000)
    env.qtbot.wait(100)
    check_heartbeat(heartbeat)
    assert env.editor.validity() == "Inputs: Item #1: Inputs must be an object with named values."
    refused_everywhere(env, router, 0)
    QApplication.clipboard().clear()


def add_fallback(env: OptionsEnv, text: str) -> str:
    """Type ``text`` into the fallback picker and click Add; the reason shown (or "")."""
    fb = env.editor.fallbacks
    line = fb.picker.lineEdit()
    line.selectAll()
    env.qtbot.keyClick(line, Qt.Key.Key_Delete)
    if text:
        env.qtbot.keyClicks(line, text)
    popup = fb.picker.completer().popup()
    if popup.isVisible():  # the suggestions: Escape closes them, keeping the text
        env.qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert fb.picker.currentText() == text
    env.click(fb.add_button)
    return fb.add_message.text()


@pytest.mark.scenario("B3")
def test_b3_fallback_names_are_refused_per_row_and_the_saved_options_kept(
    router: Any, make_options: Any
) -> None:
    env: OptionsEnv = make_options(router.url)
    fb = env.editor.fallbacks
    assert fb.switch is not None
    env.click_check_box(fb.switch)
    assert fb.switch.isChecked()
    assert add_fallback(env, "anthropic/claude-sonnet-4") == ""
    env.send_and_wait("Hello")
    assert env.saved_options()[0]["orq"]["fallbacks"] == [{"model": "anthropic/claude-sonnet-4"}]
    saved = env.config_hash()

    refusals = {
        "": "Choose a model (for example openai/gpt-4o).",
        "   ": "Choose a model (for example openai/gpt-4o).",
        "anthropic/claude-sonnet-4": "anthropic/claude-sonnet-4 is already a fallback.",
        MODEL: f"{MODEL} is the primary model: a fallback must be a different model.",
        "gpt-5": "Add the provider: a model id looks like provider/model, for example "
        "openai/gpt-4o.",
        "open ai/gpt-5": "A model id has no spaces (you entered “open ai/gpt-5”).",
    }
    for text, reason in refusals.items():
        assert add_fallback(env, text) == reason, text
        assert fb.models() == ["anthropic/claude-sonnet-4"]
        assert env.config_hash() == saved

    # Up to 3 is quiet, 4 and 5 are a warning, the 6th is refused.
    env.type_prompt("next")
    for model, note in [
        ("openai/gpt-4o-mini", ""),
        ("google/gemini-2.5-pro", ""),
        ("openai/o3", "4 fallbacks: the router recommends at most 3"),
        ("openai/o4-mini", "5 fallbacks: the router recommends at most 3"),
    ]:
        assert add_fallback(env, model) == ""
        assert fb.note.text().startswith(note) and fb.note.isVisible() == bool(note)
        assert env.editor.validity() is None and not env.blocked()
    five = env.config_hash()
    assert add_fallback(env, "openai/gpt-4.1") == (
        "At most 5 fallbacks: remove one before adding another."
    )
    assert len(fb.models()) == 5 and env.config_hash() == five

    # A list loaded with faults (a pasted request, an old preset): each row says what is wrong,
    # Send stays disabled, and nothing goes out.
    bad = [MODEL, "gpt-5", "openai/o3", "openai/o3", *[f"openai/m{i}" for i in range(3)]]
    env.routing.set_orq({"fallbacks": [{"model": m} for m in bad]})
    tips = [fb.list.item(i).toolTip().splitlines()[-1] for i in range(fb.list.count())]
    assert tips[0] == f"{MODEL} is now the primary model: remove it from the fallbacks."
    assert tips[1].startswith("Fallback 2: Add the provider")
    assert tips[3] == "openai/o3 is listed twice: remove one."
    assert [fb.list.item(i).icon().isNull() for i in range(4)] == [False, False, True, False]
    assert fb.message.text() == tips[0] and env.blocked()
    for row in (3, 1, 0):  # remove the three faulty rows: 4 left, a warning only
        fb.list.setCurrentRow(row)
        env.click(fb.remove_button)
    assert env.editor.validity() is None
    env.routing.set_orq({"fallbacks": [{"model": f"openai/m{i}"} for i in range(6)]})
    assert fb.message.text() == "6 fallbacks: at most 5 can be sent; remove 1." and env.blocked()
    refused_everywhere(env, router, 1)
    assert env.saved_options()[0]["orq"]["fallbacks"] == [{"model": "anthropic/claude-sonnet-4"}]
