"""The Compare tab against the real simulator: columns side by side, stop, fixes, the actions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import ColumnConfig
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.compare_view import CompareView
from orq_desktop.ui.message_widgets import AssistantMessage

pytestmark = pytest.mark.gui

CHAT = {"model": "openai/gpt-4o", "stream": True, "temperature": 0.3}


@pytest.fixture
def make_view(qtbot, aloop) -> Iterator[Callable[..., CompareView]]:
    """A CompareView on a real CompareRun and Connection; both closed after the test."""
    made: list[tuple[CompareRun, Connection]] = []

    def make(url: str, **kwargs: Any) -> CompareView:
        conn = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        run = CompareRun(conn.prepared, parent=conn)
        made.append((run, conn))
        kwargs.setdefault("current_options", lambda: dict(CHAT))
        view = CompareView(run, **kwargs)
        qtbot.addWidget(view)
        view.resize(1200, 800)
        return view

    yield make

    async def close() -> None:
        for run, conn in made:
            await run.aclose()
            await conn.aclose()

    task = asyncio.ensure_future(close())
    qtbot.waitUntil(task.done, timeout=5000)


def set_models(view: CompareView, *models: str, **options: Any) -> None:
    view.set_columns([ColumnConfig({"model": m, "stream": True, **options}) for m in models])


def wait_idle(qtbot, view: CompareView) -> None:
    qtbot.waitUntil(
        lambda: (
            not view._run.busy
            and all(c.result is not None for c in view.columns)
            and view.renderer.idle
        ),
        timeout=15_000,
    )


def answer_text(column) -> str:
    ids = column.transcript.message_ids()
    widget = column.transcript.message_widget(ids[-1]) if ids else None
    return widget.text() if widget is not None else ""


def test_columns_stream_side_by_side_each_in_its_own_state(qtbot, sim_server, make_view) -> None:
    view = make_view(sim_server.url)
    set_models(view, "openai/gpt-4o", "sim/status-503", "sim/drop-after-5")
    view.form.prompt_edit.setPlainText("Compare tea and coffee")
    statuses: list[str] = []
    view.status_message.connect(statuses.append)
    assert view.compare()
    assert not view.compare_button.isEnabled() and view.stop_all_button.isEnabled()
    wait_idle(qtbot, view)
    healthy, failed, dropped = view.columns
    assert healthy.result.state is MessageState.COMPLETE
    assert answer_text(healthy) == healthy.result.text and healthy.result.text
    message = healthy.transcript.message_widget(healthy.transcript.message_ids()[0])
    assert isinstance(message, AssistantMessage) and message.footer.isVisibleTo(message)
    assert "first token" in message.footer.timing_label.text()
    assert "out tokens" in message.footer.tokens_label.text()
    assert healthy.status.text().startswith("Done in")

    card = failed.transcript.error_card(failed.transcript.message_ids()[0])
    assert card is not None and card.error.status == 503
    assert failed.status.text() == card.error.title
    assert dropped.result.state is MessageState.INTERRUPTED
    assert answer_text(dropped) == dropped.result.text
    assert dropped.transcript.error_card(dropped.transcript.message_ids()[0]) is not None

    rows = view.chart.rows()
    assert [r.label for r in rows] == [
        "1  openai/gpt-4o",
        "2  sim/status-503",
        "3  sim/drop-after-5",
    ]
    assert rows[0].tokens_out == healthy.result.info.tokens_out and rows[0].ttft_s is not None
    assert rows[1].tokens_out is None and rows[1].note == "failed"
    assert view.compare_button.isEnabled() and not view.stop_all_button.isEnabled()
    assert statuses[-1] == "Compare finished: 1 of 3 answered."


def test_each_column_fits_its_width_with_footer_and_error_card(
    qtbot, sim_server, make_view
) -> None:
    view = make_view(sim_server.url)
    set_models(view, "openai/gpt-4o", "openai/gpt-4o-mini", "sim/status-503")
    view.form.prompt_edit.setPlainText("Hello")
    view.show()
    view.compare()
    wait_idle(qtbot, view)
    qtbot.wait(50)
    for column in view.columns:
        inner = column.transcript.widget()
        viewport = column.transcript.viewport()
        assert inner.width() <= viewport.width(), column.model()
        for child in inner.findChildren(QWidget):
            if child.isVisibleTo(inner) and child.width() > 0:
                right = child.mapTo(inner, child.rect().topRight()).x()
                assert right <= viewport.width(), (column.model(), child.objectName())


def test_stop_one_column_with_its_button_the_others_continue(
    qtbot, sim_server_factory, make_view
) -> None:
    sim = sim_server_factory(token_rate=60)
    view = make_view(sim.url)
    view.set_columns(
        [
            ColumnConfig({"model": "openai/gpt-4o", "stream": True, "max_completion_tokens": 400}),
            ColumnConfig(
                {"model": "openai/gpt-4o-mini", "stream": True, "max_completion_tokens": 40}
            ),
        ]
    )
    view.form.prompt_edit.setPlainText("A long story")
    view.compare()
    first, second = view.columns
    qtbot.waitUntil(lambda: len(answer_text(first)) > 10, timeout=10_000)
    assert first.stop_button.isEnabled()
    first.stop_button.click()
    qtbot.waitUntil(lambda: first.result is not None and view.renderer.idle, timeout=5000)
    assert first.result.state is MessageState.STOPPED
    assert second.busy and second.result is None
    assert first.status.text() == "Stopped" and not first.stop_button.isEnabled()
    wait_idle(qtbot, view)
    assert second.result.state is MessageState.COMPLETE


def test_stop_all_stops_every_column(qtbot, sim_server_factory, make_view) -> None:
    sim = sim_server_factory(token_rate=40)
    view = make_view(sim.url)
    set_models(
        view, "openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-4o", max_completion_tokens=400
    )
    view.form.prompt_edit.setPlainText("Go on")
    view.compare()
    qtbot.waitUntil(
        lambda: all(c.status.text() == "Streaming…" for c in view.columns), timeout=10_000
    )
    view.stop_all_button.click()
    wait_idle(qtbot, view)
    assert [c.result.state for c in view.columns] == [MessageState.STOPPED] * 3
    assert all(c.result.text for c in view.columns)


def test_add_to_fallbacks_changes_the_routing_state_and_the_editor(
    qtbot, sim_server, make_view
) -> None:
    from orq_desktop.ui.options_editor import OptionsEditor

    routing = RoutingState({"retry": {"count": 2, "on_codes": [429]}})
    editor = OptionsEditor("chat", routing=routing, primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    view = make_view(sim_server.url, routing=routing)
    statuses: list[str] = []
    view.status_message.connect(statuses.append)
    set_models(view, "openai/gpt-4o", "anthropic/claude-3-5-sonnet")
    second = view.columns[1]
    second.fallback_action.trigger()
    assert routing.orq()["fallbacks"] == [{"model": "anthropic/claude-3-5-sonnet"}]
    assert routing.orq()["retry"] == {"count": 2, "on_codes": [429]}  # the rest is kept
    assert editor.orq()["fallbacks"] == [{"model": "anthropic/claude-3-5-sonnet"}]
    assert editor.fallbacks.list.count() == 1
    assert "added to the chat's fallbacks" in statuses[-1]
    # Twice, or the chat's own model: refused with a reason, nothing changes.
    assert not view.add_to_fallbacks(second)
    assert not view.add_to_fallbacks(view.columns[0])
    assert "already the chat's model" in statuses[-1]
    assert len(routing.orq()["fallbacks"]) == 1


def test_use_as_primary_changes_the_chat_model(qtbot, sim_server, make_view) -> None:
    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.ui.chat_panel import ChatPanel
    from orq_desktop.ui.transcript import TranscriptView

    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="k"))
    panel = ChatPanel(ChatSession(conn.client, parent=conn), TranscriptView())
    qtbot.addWidget(panel)
    view = make_view(sim_server.url, current_options=panel.options)
    view.use_as_primary.connect(panel.params.model_picker.set_model_id)
    set_models(view, "openai/gpt-4o", "anthropic/claude-3-5-sonnet")
    view.columns[1].use_action.trigger()
    assert panel.options()["model"] == "anthropic/claude-3-5-sonnet"
    assert view.sources.primary_model() == "anthropic/claude-3-5-sonnet"
    closing = asyncio.ensure_future(conn.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)


def test_open_as_chat_gives_the_prompt_and_that_column_s_answer(
    qtbot, sim_server, make_view
) -> None:
    view = make_view(sim_server.url)
    set_models(view, "openai/gpt-4o", "openai/gpt-4o-mini", temperature=0.5)
    assert not view.columns[1].open_action.isEnabled()  # no answer yet
    view.form.set_system_prompt("Be brief.")
    view.form.prompt_edit.setPlainText("Hello {{name}}")
    view._refresh()
    assert not view.compare_button.isEnabled()  # the variable has no value yet
    field = view.form.variable_field("name")
    assert field is not None
    field.setText("Ada")
    assert view.compare_button.isEnabled()
    view.compare()
    wait_idle(qtbot, view)
    assert view.columns[1].open_action.isEnabled()
    with qtbot.waitSignal(view.open_as_chat) as blocker:
        view.columns[1].open_action.trigger()
    system_prompt, turns, options, info = blocker.args
    assert system_prompt == "Be brief."
    assert turns == [["user", "Hello {{name}}"], ["assistant", view.columns[1].result.text]]
    assert options["model"] == "openai/gpt-4o-mini" and options["temperature"] == 0.5
    assert options["orq"]["inputs"] == {"name": "Ada"}
    assert info == view.columns[1].result.info and info.tokens_out


def test_an_error_card_fix_edits_that_column_and_asks_it_again(
    qtbot, sim_server, make_view
) -> None:
    routing = RoutingState()
    view = make_view(sim_server.url, routing=routing)
    set_models(view, "openai/gpt-4o", "sim/status-503")
    view.form.prompt_edit.setPlainText("Hi")
    view.compare()
    wait_idle(qtbot, view)
    failed = view.columns[1]
    kept = view.columns[0].result
    card = failed.transcript.error_card(failed.transcript.message_ids()[0])
    before = len(sim_server.recorded_requests())
    card.action_buttons["retry_on_code:503"].click()
    assert failed.routing.orq()["retry"]["on_codes"] == [503]
    assert routing.orq() == {}  # the chat's routing is not touched
    wait_idle(qtbot, view)
    sent = sim_server.recorded_requests()[before:]
    assert [r["body"]["orq"]["retry"]["on_codes"] for r in sent] == [[503]]
    assert view.columns[0].result is kept

    view.ask_model = lambda _parent, exclude: "openai/gpt-4o-mini"
    card = failed.transcript.error_card(failed.transcript.message_ids()[0])
    card.action_buttons["add_fallback"].click()
    wait_idle(qtbot, view)
    assert failed.routing.orq()["fallbacks"] == [{"model": "openai/gpt-4o-mini"}]
    assert failed.result.state is MessageState.COMPLETE  # the fallback answered
    assert failed.result.info.is_fallback


def test_key_problems_go_to_the_app(qtbot, sim_server, make_view) -> None:
    view = make_view(sim_server.url)
    actions: list[str] = []
    view.error_action.connect(actions.append)
    view.handle_error_action(view.columns[0], "reenter_key")
    assert actions == ["reenter_key"]


def test_columns_are_added_up_to_six_and_removed_down_to_two(
    qtbot, sim_server, make_view, tmp_path
) -> None:
    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.domain.presets import Preset

    store = PresetsStore(tmp_path / "presets.json")
    store.save(
        Preset("Careful", "openai/gpt-4o-mini", {"temperature": 0.1}, "", {"retry": {"count": 3}})
    )
    view = make_view(sim_server.url, presets=store)
    assert len(view.columns) == 2
    view.add_menu.aboutToShow.emit()
    entries = [a.text() for a in view.add_menu.actions() if a.text()]
    assert entries[0] == "With the chat's settings" and "Careful" in entries
    next(a for a in view.add_menu.actions() if a.text() == "Careful").trigger()
    preset_column = view.columns[2]
    config = preset_column.config()
    assert (config.model, config.label) == ("openai/gpt-4o-mini", "Careful")
    assert config.params["temperature"] == 0.1 and config.orq == {"retry": {"count": 3}}
    assert preset_column.summary.full_text().startswith("Careful ·")
    while view.add_column() is not None:
        pass
    assert len(view.columns) == 6 and not view.add_button.isEnabled()
    assert [c.number.text() for c in view.columns] == ["1", "2", "3", "4", "5", "6"]
    for column in list(view.columns):
        view.remove_column(column)
    assert len(view.columns) == 2
    assert [c.number.text() for c in view.columns] == ["1", "2"]
    assert len(view.chart.rows()) == 2


def test_a_column_takes_a_preset_or_the_chat_s_settings_from_its_menu(
    qtbot, sim_server, make_view, tmp_path
) -> None:
    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.domain.presets import Preset

    store = PresetsStore(tmp_path / "presets.json")
    view = make_view(sim_server.url, presets=store)
    store.save(Preset("Terse", "openai/gpt-4o-mini", {"max_completion_tokens": 64}))
    column = view.columns[1]
    names = [a.text() for a in column.preset_menu.actions() if not a.isSeparator()]
    assert names == ["The chat's settings", "Terse"]
    next(a for a in column.preset_menu.actions() if a.text() == "Terse").trigger()
    assert column.model() == "openai/gpt-4o-mini"
    assert column.config().params["max_completion_tokens"] == 64
    column.preset_menu.actions()[0].trigger()
    assert column.config().options == {**CHAT}


def test_parameters_and_routing_dialogs_edit_one_column(qtbot, sim_server, make_view) -> None:
    view = make_view(sim_server.url)
    column = view.columns[0]
    dialog = column.edit_params()
    dialog.params.set_options({"model": "openai/gpt-4o-mini", "temperature": 1.5, "seed": 7})
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    config = column.config()
    assert config.model == "openai/gpt-4o-mini"
    assert config.params["temperature"] == 1.5 and config.params["seed"] == 7
    assert "temp 1.5" in column.summary.full_text()

    dialog = column.edit_params()
    dialog.params.model_picker.set_model_id("not a model")
    assert not dialog.ok_button.isEnabled() and dialog.message.text()
    dialog.reject()
    assert column.model() == "openai/gpt-4o-mini"

    routing_dialog = column.edit_routing()
    routing_dialog.editor.set_orq(
        {"timeout": {"call_timeout": 5000}, "fallbacks": [{"model": "openai/gpt-4o"}]}
    )
    assert routing_dialog.ok_button.isEnabled()
    routing_dialog.accept()
    assert column.routing.orq()["timeout"] == {"call_timeout": 5000}
    assert column.config().orq["fallbacks"] == [{"model": "openai/gpt-4o"}]
    assert "1 fallback" in column.summary.full_text()
    assert view.columns[1].config().orq == {}


def test_refusals_are_shown_and_nothing_is_sent(qtbot, sim_server_factory, make_view) -> None:
    sim = sim_server_factory()
    view = make_view(sim.url)
    view.form.prompt_edit.setPlainText("Hi")
    view.columns[1].model_picker.set_model_id("nope")
    assert not view.compare()
    assert view.message.text().startswith("Column 2:")
    view.columns[1].set_config(ColumnConfig({"model": "openai/gpt-4o", "temperature": 9}))
    assert not view.compare()
    assert "Column 2" in view.message.text() and "temperature" in view.message.text().lower()
    qtbot.wait(50)
    assert sim.recorded_requests() == []


def test_the_first_show_copies_the_chat_s_current_settings(qtbot, sim_server, make_view) -> None:
    current = dict(CHAT)
    view = make_view(
        sim_server.url,
        current_options=lambda: dict(current),
        current_system_prompt=lambda: "From the chat.",
    )
    current["model"] = "anthropic/claude-3-5-sonnet"
    view.show()
    qtbot.waitExposed(view)
    assert view.columns[0].model() == "anthropic/claude-3-5-sonnet"
    assert view.columns[0].config().label == "Copy of the chat"
    assert view.columns[1].model() != view.columns[0].model()
    assert view.form.system_prompt() == "From the chat."
    # Once the user has changed something, showing the tab again keeps it.
    view.columns[1].model_picker.set_model_id("openai/o3-mini")
    view.hide()
    view.show()
    assert view.columns[1].model() == "openai/o3-mini"
