"""The inputs' JSON mode: line and column for text that is not JSON, shape errors that never
quote a value, a debounced parse, and pastes over the cap refused before they reach the text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QLabel

from orq_desktop.ui.options_editor import OptionsEditor
from orq_desktop.ui.options_inputs_json import MAX_TEXT_CHARS, parse_json_text

pytestmark = pytest.mark.gui

PII = "Is pii must be true or false."
SHAPE = 'Inputs must be an object {"name": value} or a list of {"key", "value"}.'


@pytest.fixture
def editor(qtbot: Any) -> OptionsEditor:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq({})
    editor.set_prompt_texts(["Hello {{name}}"])
    assert editor.inputs is not None
    editor.inputs.set_json_mode(True)
    return editor


def type_json(qtbot: Any, editor: OptionsEditor, text: str) -> None:
    assert editor.inputs is not None
    edit = editor.inputs.json.text_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    assert editor.validity() == "Inputs: Checking the JSON…"  # blocked until parsed
    qtbot.waitUntil(lambda: not editor.inputs.json.pending, timeout=2000)  # type: ignore[union-attr]


def test_text_that_is_not_json_gives_its_line_and_column(qtbot: Any, editor: OptionsEditor) -> None:
    type_json(qtbot, editor, '{"name": 1,')
    reason = "Not valid JSON: line 1, column 12: Expecting property name enclosed in double quotes."
    assert editor.validity() == f"Inputs: {reason}"
    assert editor.inputs is not None and editor.inputs.message.text() == reason
    assert editor.inputs.json.text_edit.toPlainText() == '{"name": 1,'  # the draft is kept
    assert "inputs" not in editor.orq()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('["secret-a", "secret-b"]', "Item #1: Inputs must be an object with named values."),
        ('[{"key": {"secret": "x"}, "value": "v"}]', "Item #1 › key: Key must be text."),
        ('[{"key": "name", "is_pii": "secret-pii"}]', "Item #1 › is_pii: " + PII),
        ('"secret-scalar"', SHAPE),
    ],
)  # fmt: skip
def test_the_wrong_shape_is_named_without_its_value(
    qtbot: Any, editor: OptionsEditor, text: str, reason: str
) -> None:
    type_json(qtbot, editor, text)
    assert editor.validity() == f"Inputs: {reason}"
    assert editor.inputs is not None and editor.inputs.message.text() == reason
    assert "secret" not in editor.validity()  # type: ignore[operator]


def test_valid_json_is_what_the_editor_sends_and_the_fields_show(
    qtbot: Any, editor: OptionsEditor
) -> None:
    type_json(qtbot, editor, '{"name": "Ada", "extra": 2}')
    assert editor.validity() is None
    assert editor.orq()["inputs"] == {"name": "Ada", "extra": 2}
    assert editor.inputs is not None
    editor.inputs.set_json_mode(False)
    assert editor.inputs.edits["name"].text() == "Ada"
    assert editor.inputs.edits["extra"].text() == "2"
    type_list = [{"key": "name", "value": "Bo"}]
    editor.set_orq({"inputs": type_list})
    editor.inputs.set_json_mode(True)
    assert '"name": "Bo"' in editor.inputs.json.text_edit.toPlainText()


def test_a_paste_over_the_cap_is_refused_and_the_text_kept(
    qtbot: Any, editor: OptionsEditor
) -> None:
    assert editor.inputs is not None
    edit = editor.inputs.json.text_edit
    before = edit.toPlainText()
    big = QMimeData()
    big.setText('["' + "x" * (10 * 1024 * 1024) + '"]')
    edit.insertFromMimeData(big)
    assert edit.toPlainText() == before
    assert editor.inputs.json.message.text().startswith("Nothing was pasted: the text is 10.0 MB")
    small = QMimeData()
    small.setText('{"name": "Cy"}')
    edit.selectAll()
    edit.insertFromMimeData(small)
    qtbot.waitUntil(lambda: editor.orq().get("inputs") == {"name": "Cy"}, timeout=2000)


def test_parse_json_text_refuses_text_over_the_cap() -> None:
    value, problem = parse_json_text("[" + "1," * MAX_TEXT_CHARS + "1]")
    assert value is None and problem is not None
    assert problem.reason.startswith("The inputs are 1.0 MB: at most 512 KB of text")
    assert parse_json_text("  ") == (None, None)
    assert parse_json_text('{"a": [1]}') == ({"a": [1]}, None)


def test_a_long_line_is_pasted_indented_when_json_and_refused_when_not(
    qtbot: Any, editor: OptionsEditor
) -> None:
    assert editor.inputs is not None
    edit = editor.inputs.json.text_edit
    one_line = QMimeData()
    one_line.setText(json.dumps({"name": "n" * 20_000, "b": [1, 2]}))
    edit.selectAll()
    edit.insertFromMimeData(one_line)
    assert edit.toPlainText().splitlines()[:2] == ["{", f'  "name": "{"n" * 20_000}",']
    qtbot.waitUntil(lambda: editor.orq().get("inputs", {}).get("b") == [1, 2], timeout=2000)
    not_json = QMimeData()
    not_json.setText("{" + "x" * 20_000)
    before = edit.toPlainText()
    edit.insertFromMimeData(not_json)
    assert edit.toPlainText() == before
    assert editor.inputs.json.message.text() == (
        "Nothing was pasted: one line is 20 KB long. Paste it as JSON (it is indented for you) "
        "or in shorter lines."
    )


def test_unfinished_json_is_kept_across_a_switch_to_the_fields(
    qtbot: Any, editor: OptionsEditor
) -> None:
    """Leaving JSON mode with broken text loses nothing: coming back shows it again, until a
    field is edited (the fields are newer then)."""
    type_json(qtbot, editor, '{"name": "Ada"}')
    type_json(qtbot, editor, '{"name": "Bea",')
    inputs = editor.inputs
    assert inputs is not None
    inputs.set_json_mode(False)
    assert inputs.json_toggle.text() == "Edit as JSON"
    assert inputs.edits["name"].text() == "Ada"  # the last valid inputs
    assert not inputs.findChild(object, "inputsJsonKept").isHidden()
    assert editor.validity() is None
    inputs.set_json_mode(True)
    assert inputs.json_toggle.text() == "Edit as fields"
    assert inputs.json.text_edit.toPlainText() == '{"name": "Bea",'
    assert editor.validity() is not None and "line 1, column 16" in editor.validity()
    inputs.set_json_mode(False)
    qtbot.keyClicks(inputs.edits["name"], "!")
    assert inputs.findChild(object, "inputsJsonKept").isHidden()
    inputs.set_json_mode(True)
    assert json.loads(inputs.json.text_edit.toPlainText()) == {"name": "Ada!"}


def test_a_quick_switch_to_the_fields_keeps_the_last_keystrokes(
    qtbot: Any, editor: OptionsEditor
) -> None:
    """Leaving JSON mode inside the debounce parses the text first: valid JSON is not "kept as
    unfinished" and the fields (and what is sent) show it."""
    inputs = editor.inputs
    assert inputs is not None
    inputs.json.text_edit.setPlainText('{"name": "Quick"}')
    assert inputs.json.pending
    inputs.set_json_mode(False)
    assert inputs.edits["name"].text() == "Quick"
    assert inputs.findChild(object, "inputsJsonKept").isHidden()
    assert editor.orq()["inputs"] == {"name": "Quick"}


def test_inputs_marked_as_personal_data_keep_the_mark(qtbot: Any, editor: OptionsEditor) -> None:
    """Only the list form carries is_pii: a marked input is sent in the list form, with its mark,
    from JSON mode and from the fields alike."""
    inputs = editor.inputs
    assert inputs is not None
    type_json(
        qtbot,
        editor,
        '[{"key": "name", "value": "Ada", "is_pii": true}, {"key": "plan", "value": "pro"}]',
    )
    sent = [{"key": "name", "value": "Ada", "is_pii": True}, {"key": "plan", "value": "pro"}]
    assert editor.validity() is None
    assert editor.orq()["inputs"] == sent
    inputs.set_json_mode(False)
    assert [
        label.text() for label in inputs.findChildren(QLabel) if "(personal)" in label.text()
    ] == ["{{name}} (personal)"]
    inputs.edits["name"].clear()
    qtbot.keyClicks(inputs.edits["name"], "Bea")
    assert editor.orq()["inputs"][0] == {"key": "name", "value": "Bea", "is_pii": True}
    inputs.set_json_mode(True)
    assert json.loads(inputs.json.text_edit.toPlainText())[0]["is_pii"] is True
