"""The presets bar with the real chat panel and routing state: save, switch, restart, import,
export, delete, and the Paste request / View code buttons."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop.core.presets_store import PresetsStore
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.domain.presets import EDITABLE_CHAT_PARAMS
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.code_dialog import CodeDialog
from orq_desktop.ui.params_panel import ParamsPanel
from orq_desktop.ui.paste_dialog import PasteDialog
from orq_desktop.ui.presets_bar import PresetsBar, export_file_name

pytestmark = pytest.mark.gui

CANARY = "sk-orq-CANARY-ba5eba11"
SUPPORT = {
    "model": "openai/gpt-4o",
    "temperature": 0.2,
    "max_completion_tokens": 256,
    "stop": ["END"],
    "stream": False,
}
SUPPORT_ORQ = {
    "retry": {"count": 2, "on_codes": [429, 503]},
    "fallbacks": [{"model": "openai/gpt-4o-mini"}],
    "timeout": {"call_timeout": 20000},
}


class Parts:
    def __init__(self, qtbot: Any, path: Path) -> None:
        self.routing = RoutingState()
        self.panel = ChatPanel(FakeSession(), FakeTranscript(), orq=self.routing.orq)
        self.store = PresetsStore(path)
        self.bar = PresetsBar(
            self.store,
            self.panel,
            self.routing,
            endpoint=lambda: ("https://api.orq.ai", "/v2/gateway"),
        )
        self.status: list[str] = []
        self.bar.status_message.connect(self.status.append)
        qtbot.addWidget(self.panel)
        qtbot.addWidget(self.bar)

    def fill(self, options: dict[str, Any], system: str, orq: dict[str, Any]) -> None:
        self.panel.set_options(options)
        self.panel.set_system_prompt(system)
        self.routing.set_orq(orq)

    def form(self) -> tuple[dict[str, Any], str, dict[str, Any]]:
        options = self.panel.options()
        options.pop("orq", None)
        return options, self.panel.system_prompt(), self.routing.orq()

    def choose(self, name: str) -> None:
        index = self.bar.combo.findText(name)
        assert index >= 0, name
        self.bar.combo.setCurrentIndex(index)
        self.bar.combo.activated.emit(index)  # what a user's pick sends


@pytest.fixture
def parts(qtbot: Any, tmp_path: Path) -> Parts:
    return Parts(qtbot, tmp_path / "presets.json")


def open_dialogs(kind: type) -> list[Any]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_the_form_edits_exactly_what_a_preset_holds() -> None:
    assert ParamsPanel.KEYS - {"model"} == EDITABLE_CHAT_PARAMS


def test_save_switch_and_restart(qtbot: Any, parts: Parts, tmp_path: Path) -> None:
    parts.fill(SUPPORT, "You are a support agent.", SUPPORT_ORQ)
    assert parts.bar.save_as("Support")
    support = parts.form()
    parts.fill({"model": "anthropic/claude-3-5-sonnet", "top_p": 0.5}, "Write poems.", {})
    assert parts.bar.save_as("Poet")
    assert [parts.bar.combo.itemText(i) for i in range(parts.bar.combo.count())] == [
        "No preset",
        "Poet",
        "Support",
    ]
    parts.choose("Support")
    assert parts.form() == support
    assert parts.form()[0] == SUPPORT
    assert parts.routing.orq() == SUPPORT_ORQ
    assert parts.status[-1] == "Preset “Support” applied."

    restarted = Parts(qtbot, tmp_path / "presets.json")
    restarted.choose("Poet")
    options, system, orq = restarted.form()
    assert (options["model"], options["top_p"], system, orq) == (
        "anthropic/claude-3-5-sonnet",
        0.5,
        "Write poems.",
        {},
    )
    restarted.choose("Support")
    assert restarted.form() == support


def test_save_as_through_the_name_dialog_and_replace_only_when_confirmed(
    qtbot: Any, parts: Parts
) -> None:
    parts.fill(SUPPORT, "v1", SUPPORT_ORQ)
    dialog = parts.bar.ask_save_as()
    assert isinstance(dialog, QInputDialog)
    dialog.setTextValue("  Support  ")
    dialog.accept()
    assert parts.store.names() == ["Support"]
    assert parts.bar.current_name() == "Support"

    parts.panel.set_system_prompt("v2")
    assert parts.bar.save_as("Support") is False  # asks first
    (box,) = open_dialogs(QMessageBox)
    box.button(QMessageBox.StandardButton.No).click()
    assert parts.store.get("Support").system_prompt == "v1"  # type: ignore[union-attr]
    parts.bar.save_as("Support")
    (box,) = open_dialogs(QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert parts.store.get("Support").system_prompt == "v2"  # type: ignore[union-attr]


def test_an_invalid_form_is_not_saved(parts: Parts) -> None:
    parts.fill(SUPPORT, "", {"retry": {"count": 9}})
    assert parts.bar.save_as("Broken") is False
    assert parts.store.names() == []
    assert "orq › retry › count: Retry attempts must be between 1 and 5" in (
        parts.bar.message.text()
    )
    assert parts.bar.save_as("   ") is False
    assert "Give the preset a name." in parts.bar.message.text()


def test_delete_asks_then_deletes(parts: Parts, tmp_path: Path) -> None:
    parts.fill(SUPPORT, "", {})
    parts.bar.save_as("Gone soon")
    assert parts.bar.delete_button.isEnabled()
    parts.bar.delete_button.click()
    (box,) = open_dialogs(QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()
    assert parts.store.names() == []
    assert parts.bar.current_name() is None
    assert not parts.bar.delete_button.isEnabled()
    assert not parts.bar.export_button.isEnabled()
    assert PresetsStore(tmp_path / "presets.json").names() == []


def test_export_and_import_between_two_installations(
    qtbot: Any, parts: Parts, tmp_path: Path
) -> None:
    parts.fill(SUPPORT, "Be kind.", SUPPORT_ORQ)
    parts.bar.save_as("Support")
    exported = tmp_path / export_file_name("Support")
    assert exported.name == "Support.orq-preset.json"
    assert parts.bar.export_to(exported)
    data = json.loads(exported.read_text("utf-8"))
    assert data["orq"] == SUPPORT_ORQ
    assert "api_key" not in exported.read_text("utf-8")

    other = Parts(qtbot, tmp_path / "other.json")
    assert other.bar.import_from(exported)
    assert other.store.names() == ["Support"]
    assert other.form() == parts.form()
    assert other.bar.current_name() == "Support"


def test_a_bad_import_shows_the_reason_and_changes_nothing(parts: Parts, tmp_path: Path) -> None:
    parts.fill(SUPPORT, "Keep me.", SUPPORT_ORQ)
    parts.bar.save_as("Kept")
    before_form = parts.form()
    before_file = (tmp_path / "presets.json").read_bytes()
    bad = tmp_path / "bad.json"
    good = json.loads((tmp_path / "presets.json").read_text("utf-8"))["presets"][0]
    bad.write_text(json.dumps({**good, "name": "Evil", "api_key": CANARY}), "utf-8")
    assert parts.bar.import_from(bad) is False
    assert "bad.json was not imported:" in parts.bar.message.text()
    assert "looks like an API key" in parts.bar.message.text()
    assert CANARY not in parts.bar.message.text() + " ".join(parts.status)
    bad.write_text("{oops", "utf-8")
    assert parts.bar.import_from(bad) is False
    assert "not JSON" in parts.bar.message.text()
    assert parts.store.names() == ["Kept"]
    assert parts.form() == before_form
    assert (tmp_path / "presets.json").read_bytes() == before_file


def test_load_problems_are_shown(qtbot: Any, tmp_path: Path) -> None:
    (tmp_path / "presets.json").write_text("garbage", "utf-8")
    parts = Parts(qtbot, tmp_path / "presets.json")
    assert "The presets file could not be read" in parts.bar.message.text()
    assert parts.bar.combo.count() == 1


def test_paste_request_fills_the_form_and_routing(qtbot: Any, parts: Parts) -> None:
    parts.fill(SUPPORT, "", {})
    parts.bar.save_as("Support")
    parts.bar.paste_button.click()
    (dialog,) = open_dialogs(PasteDialog)
    body = {
        "model": "anthropic/claude-3-5-sonnet",
        "messages": [
            {"role": "system", "content": "Pasted system"},
            {"role": "user", "content": "Pasted prompt"},
        ],
        "temperature": 1.1,
        "orq": {"fallbacks": [{"model": "openai/gpt-4o"}]},
    }
    dialog.set_text(
        "curl https://api.orq.ai/v2/gateway/chat/completions "
        f"-H 'Authorization: Bearer {CANARY}' -d '{json.dumps(body)}'"
    )
    assert CANARY not in dialog.preview.toPlainText()
    dialog.apply_button.click()
    options, system, orq = parts.form()
    assert (options["model"], options["temperature"], options["stream"]) == (
        "anthropic/claude-3-5-sonnet",
        1.1,
        False,
    )
    assert "max_completion_tokens" not in options  # every parameter came from the paste
    assert system == "Pasted system"
    assert parts.panel.prompt_input.toPlainText() == "Pasted prompt"
    assert orq == {"fallbacks": [{"model": "openai/gpt-4o"}]}
    assert parts.bar.current_name() is None  # no preset matches the form any more
    assert parts.status[-1] == "Filled in from the pasted request."


def test_view_code_shows_the_forms_request_without_the_key(
    parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORQ_API_KEY", CANARY)
    parts.fill(SUPPORT, "Be brief.", SUPPORT_ORQ)
    parts.panel.prompt_input.setPlainText("What's new?")
    parts.bar.code_button.click()
    (dialog,) = open_dialogs(CodeDialog)
    python = dialog.code("Python")
    assert 'model="openai/gpt-4o",' in python
    assert '"content": "What\'s new?"' in python
    assert '"fallbacks": [{"model": "openai/gpt-4o-mini"}]' in python
    assert dialog.endpoint.text() == "POST https://api.orq.ai/v2/gateway/chat/completions"
    for title in CodeDialog.TABS:
        assert CANARY not in dialog.code(title)
    assert json.loads(dialog.code("JSON"))["temperature"] == 0.2


def test_a_preset_or_paste_keeps_the_conversations_thread_id(parts: Parts) -> None:
    parts.fill(SUPPORT, "", {"thread": {"id": "thread_SAVED", "tags": ["vip"]}})
    parts.bar.save_as("Tagged")
    # A preset never carries one conversation's thread id into another: only the tags are kept.
    assert parts.store.get("Tagged").orq["thread"] == {"tags": ["vip"]}  # type: ignore[union-attr]
    parts.routing.set_orq({"thread": {"id": "thread_NOW"}})  # a new conversation
    parts.choose("Tagged")
    assert parts.routing.orq() == {"thread": {"id": "thread_NOW", "tags": ["vip"]}}
    parts.routing.set_orq({})  # no thread yet: a new id of its own, never the saved one
    parts.choose("Tagged")
    thread = parts.routing.orq()["thread"]
    assert thread["tags"] == ["vip"] and thread["id"].startswith("thread_")
    assert thread["id"] not in ("thread_SAVED", "thread_NOW")

    parts.routing.set_orq({"thread": {"id": "thread_NOW"}})
    parts.bar.paste_button.click()
    (dialog,) = open_dialogs(PasteDialog)
    dialog.set_text('{"thread": {"id": "thread_THEIRS", "tags": ["x"]}, "retry": {"count": 1}}')
    assert "the conversation keeps its own thread id" in dialog.preview.toPlainText()
    dialog.apply_button.click()
    assert parts.routing.orq() == {
        "thread": {"id": "thread_NOW", "tags": ["x"]},
        "retry": {"count": 1},
    }
