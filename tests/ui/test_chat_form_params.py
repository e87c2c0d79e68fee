"""The parameters section: unset means absent, the SDK kwargs it gives, and why it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from orq_desktop.domain.catalogue import DEFAULT_CHAT_MODEL, SIM_GROUP
from orq_desktop.ui.params_panel import ParamsPanel

pytestmark = pytest.mark.gui

FULL: dict[str, Any] = {
    "model": "anthropic/claude-3-5-sonnet",
    "temperature": 0.7,
    "top_p": 0.9,
    "max_completion_tokens": 256,
    "seed": 42,
    "frequency_penalty": -0.5,
    "presence_penalty": 1.25,
    "stop": ["END", "\n\n"],
    "reasoning_effort": "high",
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
            "strict": True,
        },
    },
    "stream": False,
}


@pytest.fixture
def panel(qtbot: Any) -> ParamsPanel:
    widget = ParamsPanel()
    qtbot.addWidget(widget)
    return widget


def test_untouched_form_sends_only_model_and_stream(panel: ParamsPanel) -> None:
    assert panel.options() == {"model": DEFAULT_CHAT_MODEL, "stream": True}
    assert panel.validity() is None
    assert panel.summary() == "model defaults · streamed"


def test_each_parameter_appears_only_once_set(panel: ParamsPanel) -> None:
    numbers = panel._numbers
    numbers["temperature"].check.setChecked(True)
    numbers["temperature"].spin.setValue(0.3)
    numbers["max_completion_tokens"].check.setChecked(True)
    numbers["max_completion_tokens"].spin.setValue(300)
    assert panel.options() == {
        "model": DEFAULT_CHAT_MODEL,
        "stream": True,
        "temperature": 0.3,
        "max_completion_tokens": 300,
    }
    assert isinstance(panel.options()["max_completion_tokens"], int)
    numbers["temperature"].check.setChecked(False)  # back to unset: gone again
    assert "temperature" not in panel.options()
    assert not numbers["temperature"].spin.isEnabled()


def test_set_options_round_trips_every_field(panel: ParamsPanel) -> None:
    assert panel.set_options(FULL) == []
    assert panel.options() == FULL
    again = ParamsPanel()
    assert again.set_options(panel.options()) == []
    assert again.options() == FULL
    summary = panel.summary()
    assert "temp 0.7" in summary and "2 stop sequences" in summary and "not streamed" in summary


def test_set_options_clears_what_the_new_options_leave_out(panel: ParamsPanel) -> None:
    panel.set_options(FULL)
    panel.set_options({"model": "openai/gpt-4o", "temperature": 1.5})
    assert panel.options() == {"model": "openai/gpt-4o", "temperature": 1.5, "stream": True}


def test_set_options_reports_what_it_could_not_take(panel: ParamsPanel) -> None:
    notes = panel.set_options(
        {
            "model": "openai/gpt-4o",
            "temperature": 3,
            "top_p": "high",
            "reasoning_effort": "ludicrous",
            "stop": "END",
            "orq": {"retry": {"count": 2}},  # not this form's: ignored quietly
        }
    )
    assert len(notes) == 3
    assert "Temperature 3 is outside 0 to 2" in notes[0]
    assert "Top P" in notes[1] and "ludicrous" in notes[2]
    assert panel.options() == {
        "model": "openai/gpt-4o",
        "temperature": 2.0,
        "stop": ["END"],
        "stream": True,
    }


def test_spin_boxes_hold_the_documented_ranges(panel: ParamsPanel) -> None:
    ranges = {key: (n.minimum, n.maximum) for key, n in panel._numbers.items()}
    assert ranges["temperature"] == (0, 2)
    assert ranges["top_p"] == (0, 1)
    assert ranges["frequency_penalty"] == ranges["presence_penalty"] == (-2, 2)
    assert ranges["max_completion_tokens"][0] == 1
    temperature = panel._numbers["temperature"]
    temperature.check.setChecked(True)
    temperature.spin.setValue(5)  # the spin box cannot hold an out-of-range temperature
    assert panel.options()["temperature"] == 2.0
    assert panel.validity() is None


def test_json_object_and_text_formats(panel: ParamsPanel) -> None:
    fmt = panel._format
    fmt.setCurrentIndex(fmt.findData("json_object"))
    assert panel.options()["response_format"] == {"type": "json_object"}
    fmt.setCurrentIndex(fmt.findData("text"))
    assert panel.options()["response_format"] == {"type": "text"}
    assert panel._schema.isHidden()
    fmt.setCurrentIndex(0)
    assert "response_format" not in panel.options()


def test_schema_editor_marks_bad_json_with_line_and_column(panel: ParamsPanel, qtbot: Any) -> None:
    panel._format.setCurrentIndex(panel._format.findData("json_schema"))
    assert not panel._schema.isHidden()
    panel._schema.name_edit.setText("answer")
    panel._schema.text_edit.setPlainText('{\n  "type": "object",\n  "properties": {"a": 1,}\n}')
    reason = panel.validity()
    assert reason is not None
    assert "not valid JSON: line 3, column 25" in reason
    assert "double quotes" in reason
    # shown inline, and the bad line carries a wavy underline
    qtbot.waitUntil(lambda: panel._schema._message.text() == reason)
    (selection,) = panel._schema.text_edit.extraSelections()
    assert selection.cursor.block().blockNumber() == 2
    panel._schema.text_edit.setPlainText('{"type": "object"}')
    assert panel.validity() is None
    assert panel._schema.text_edit.extraSelections() == []
    assert panel.options()["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}},
    }


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("", '{"type": "object"}', "Give the JSON schema a name"),
        ("my schema", '{"type": "object"}', "may only use letters"),
        ("ok", "[1, 2]", "must be a JSON object"),
        ("ok", '"just text"', "must be a JSON object"),
        ("ok", "{", "line 1, column 2"),
    ],
)
def test_schema_problems_block_sending(
    panel: ParamsPanel, name: str, text: str, needle: str
) -> None:
    panel._format.setCurrentIndex(panel._format.findData("json_schema"))
    panel._schema.name_edit.setText(name)
    panel._schema.text_edit.setPlainText(text)
    reason = panel.validity()
    assert reason is not None and needle in reason


def test_schema_loaded_with_extra_keys_keeps_them(panel: ParamsPanel) -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "n", "description": "what it is", "strict": False},
    }
    panel.set_options({"model": "openai/gpt-4o", "response_format": fmt})
    assert panel.options()["response_format"] == fmt


def test_stop_sequences_typed_with_escapes_and_removed_by_chip(panel: ParamsPanel) -> None:
    stops = panel._stops
    stops.line_edit.setText(r"END\n")
    stops.line_edit.returnPressed.emit()
    stops.line_edit.setText("END\\n")  # a duplicate is not added twice
    stops.line_edit.returnPressed.emit()
    stops.line_edit.setText("")  # nor an empty one
    stops.line_edit.returnPressed.emit()
    assert panel.options()["stop"] == ["END\n"]
    chips = [c for c in stops._chips_host.children() if c.property("stopValue") is not None]
    assert [c.property("stopValue") for c in chips] == ["END\n"]
    chips[0].click()
    assert "stop" not in panel.options()


def test_four_stop_sequences_fill_the_list_and_five_are_refused(panel: ParamsPanel) -> None:
    stops = panel._stops
    for value in "abcd":
        assert stops.add(value)
    assert not stops.line_edit.isEnabled()  # the fifth cannot be typed
    assert panel.validity() is None
    panel.set_options({"model": "openai/gpt-4o", "stop": list("abcde")})
    reason = panel.validity()
    assert reason is not None and "At most 4 stop sequences" in reason and "you have 5" in reason
    assert panel._stop_message.text() == reason


def test_invalid_model_id_is_marked_beside_the_picker(panel: ParamsPanel) -> None:
    panel.model_picker.setEditText("gpt-4o")
    reason = panel.validity()
    assert reason is not None and "provider" in reason
    assert panel._model_message.text() == reason
    assert panel.model_picker.toolTip() == reason
    panel.model_picker.setEditText("acme/any-model")  # free text is fine when well formed
    assert panel.validity() is None
    assert panel._model_message.isHidden()
    assert panel.options()["model"] == "acme/any-model"


def test_picker_lists_groups_with_unselectable_headers(panel: ParamsPanel) -> None:
    picker = panel.model_picker
    texts = [picker.itemText(i) for i in range(picker.count())]
    assert texts[0] == "OpenAI"
    assert not picker.model().item(0).flags() & Qt.ItemFlag.ItemIsEnabled
    assert "openai/gpt-4o" in texts and "sim/drop-after-20" in texts
    index = texts.index("sim/timeout")
    picker.setCurrentIndex(index)
    assert panel.options()["model"] == "sim/timeout"
    sim_timeout = next(m for m in SIM_GROUP.models if m.id == "sim/timeout")
    assert sim_timeout.description in picker.toolTip()


def test_changed_fires_for_each_kind_of_edit(panel: ParamsPanel, qtbot: Any) -> None:
    edits = [
        lambda: panel.model_picker.setEditText("openai/gpt-5"),
        lambda: panel._numbers["seed"].check.setChecked(True),
        lambda: panel._effort.setCurrentIndex(2),
        lambda: panel._stream.setChecked(False),
        lambda: panel._stops.add("x"),
        lambda: panel._format.setCurrentIndex(1),
    ]
    for edit in edits:
        with qtbot.waitSignal(panel.changed, timeout=1000):
            edit()


def test_options_validate_as_a_chat_request_and_match_the_sdk_wire(panel: ParamsPanel) -> None:
    from orq_desktop.api.models import ChatRequest

    panel.set_options(FULL)
    messages = [{"role": "user", "content": "hi"}]
    request = ChatRequest.model_validate({**panel.options(), "messages": messages})
    wire = request.to_wire()
    for key, value in FULL.items():
        if key != "response_format":
            assert wire[key] == value, key
    assert (
        wire["response_format"]["json_schema"]["schema"]
        == FULL["response_format"]["json_schema"]["schema"]
    )
    assert "top_k" not in wire and "n" not in wire  # nothing the form never set
