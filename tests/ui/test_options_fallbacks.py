"""Fallbacks: add from the model picker, refuse the primary and duplicates, reorder three ways."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QListWidget

from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui

MODELS = ["openai/gpt-5", "anthropic/claude-4-opus", "google/gemini-2.5-pro"]


@pytest.fixture
def editor(qtbot: Any) -> OptionsEditor:
    widget = OptionsEditor("chat", primary_model="openai/gpt-4o")
    qtbot.addWidget(widget)
    widget.set_orq({"fallbacks": [{"model": m} for m in MODELS]})
    return widget


def order(editor: OptionsEditor) -> list[str]:
    return [f["model"] for f in editor.orq()["fallbacks"]]


def test_the_list_has_its_automation_name(editor: OptionsEditor) -> None:
    found = editor.findChild(QListWidget, "fallbackList")
    assert found is editor.fallbacks.list
    assert found.dragDropMode() == QListWidget.DragDropMode.InternalMove


def test_add_through_the_picker(editor: OptionsEditor) -> None:
    picker = editor.fallbacks.picker
    picker.set_model_id("mistral/mistral-large-latest")
    editor.fallbacks.add_button.click()
    assert order(editor)[-1] == "mistral/mistral-large-latest"
    assert picker.model_id() == ""  # ready for the next one


def test_primary_and_duplicates_are_refused_with_a_reason(editor: OptionsEditor) -> None:
    fb = editor.fallbacks
    assert not fb.add_model("openai/gpt-4o")
    assert fb.add_message.text() == (
        "openai/gpt-4o is the primary model: a fallback must be a different model."
    )
    assert not fb.add_model("openai/gpt-5")
    assert fb.add_message.text() == "openai/gpt-5 is already a fallback."
    assert not fb.add_model("gpt-5")
    assert "Add the provider" in fb.add_message.text()
    assert order(editor) == MODELS
    assert fb.add_model("openai/o3")
    assert fb.add_message.isHidden()


def test_moving_rows_through_the_model_reorders_the_wire_list(editor: OptionsEditor) -> None:
    model = editor.fallbacks.list.model()
    changes: list[dict[str, Any]] = []
    editor.changed.connect(changes.append)
    assert model.moveRow(QModelIndex(), 0, QModelIndex(), 3)  # first to last, as a drop does
    assert order(editor) == [MODELS[1], MODELS[2], MODELS[0]]
    assert changes[-1]["fallbacks"][2] == {"model": MODELS[0]}
    assert editor.folds["fallbacks"].summary() == "claude-4-opus → gemini-2.5-pro → gpt-5"


def test_move_buttons_for_keyboard_users(editor: OptionsEditor) -> None:
    fb = editor.fallbacks
    fb.list.setCurrentRow(2)
    assert not fb.down_button.isEnabled()
    fb.up_button.click()
    assert order(editor) == [MODELS[0], MODELS[2], MODELS[1]]
    assert fb.list.currentRow() == 1
    fb.up_button.click()
    assert order(editor) == [MODELS[2], MODELS[0], MODELS[1]]
    assert not fb.up_button.isEnabled()
    fb.down_button.click()
    assert order(editor) == [MODELS[0], MODELS[2], MODELS[1]]
    fb.remove_button.click()
    assert order(editor) == [MODELS[0], MODELS[1]]


def test_more_than_three_is_a_warning_not_an_error(editor: OptionsEditor) -> None:
    editor.fallbacks.add_model("openai/o3")
    assert editor.fallbacks.note.text().startswith("4 fallbacks: the router recommends at most 3")
    assert editor.validity() is None
    assert "4 fallbacks" in editor.route_view.warnings.text()


def test_a_fallback_that_becomes_the_primary_blocks_sending(editor: OptionsEditor) -> None:
    with_reason: list[str] = []
    editor.validity_changed.connect(with_reason.append)
    editor.set_primary_model("openai/gpt-5")
    reason = "Fallbacks: openai/gpt-5 is now the primary model: remove it from the fallbacks."
    assert editor.validity() == reason
    assert with_reason == [reason]
    editor.set_primary_model("openai/gpt-4o")
    assert editor.validity() is None
    assert with_reason == [reason, ""]


def test_loaded_duplicates_are_flagged(editor: OptionsEditor) -> None:
    editor.set_orq({"fallbacks": [{"model": "openai/gpt-5"}, {"model": "openai/gpt-5"}]})
    assert editor.validity() == "Fallbacks: openai/gpt-5 is listed twice: remove one."
    assert editor.fallbacks.message.text() == "openai/gpt-5 is listed twice: remove one."


def test_more_than_five_is_refused_when_added_and_blocks_when_loaded(
    editor: OptionsEditor,
) -> None:
    for model in ("openai/o3", "openai/o4-mini"):
        assert editor.fallbacks.add_model(model)
    assert editor.fallbacks.list.count() == 5 and editor.validity() is None
    assert not editor.fallbacks.add_model("openai/gpt-4.1-mini")
    assert editor.fallbacks.add_message.text() == (
        "At most 5 fallbacks: remove one before adding another."
    )
    six = [{"model": f"openai/m{i}"} for i in range(6)]
    editor.set_orq({"fallbacks": six})
    assert editor.validity() == "Fallbacks: 6 fallbacks: at most 5 can be sent; remove 1."


def test_each_row_at_fault_carries_its_reason(editor: OptionsEditor) -> None:
    editor.set_orq(
        {"fallbacks": [{"model": "openai/o3"}, {"model": "gpt-5"}, {"model": "openai/o3"}]}
    )
    fb = editor.fallbacks
    assert editor.validity() == (
        "Fallbacks: Fallback 2: Add the provider: a model id looks like provider/model, "
        "for example openai/gpt-4o."
    )
    assert fb.list.item(0).icon().isNull()
    assert not fb.list.item(1).icon().isNull()
    assert fb.list.item(1).toolTip().endswith("for example openai/gpt-4o.")
    assert fb.list.item(2).toolTip().endswith("openai/o3 is listed twice: remove one.")
    fb.list.setCurrentRow(1)
    fb.remove_current()
    assert fb.list.item(1).toolTip().endswith("listed twice: remove one.")
    fb.list.setCurrentRow(1)
    fb.remove_current()
    assert editor.validity() is None and fb.list.item(0).icon().isNull()
