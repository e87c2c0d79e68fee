"""The Compare tab's wiring: the run, its view, its history, and a column opened as a chat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orq_desktop.app.parts import AppParts


def build_compare(parts: AppParts) -> None:
    """The Compare tab: one prompt to 2-6 columns, kept in the history as one entry."""
    from orq_desktop.core.compare_history import HistoryCompareRecorder
    from orq_desktop.core.compare_run import CompareRun
    from orq_desktop.core.trace_fetcher import TraceFetcher
    from orq_desktop.ui.compare_view import CompareView
    from orq_desktop.ui.route_timeline import open_timeline

    history, window = parts.history, parts.window
    recorder = HistoryCompareRecorder(history) if history is not None else None
    run = CompareRun(parts.connection.prepared, recorder=recorder)
    panel = parts.panel
    view = CompareView(
        run,
        routing=parts.routing,
        current_options=panel.options,
        current_system_prompt=panel.system_prompt,
        presets=parts.presets_store,
    )
    window.add_panel(view, "Co&mpare")
    view.status_message.connect(window.show_status)
    view.use_as_primary.connect(panel.params.model_picker.set_model_id)
    view.open_as_chat.connect(
        lambda system_prompt, turns, options, info: open_column_as_chat(
            parts, system_prompt, turns, options, info
        )
    )
    view.error_action.connect(lambda action_id: parts.actions.handle("", action_id))
    view.timeline_requested.connect(
        lambda trace_id: open_timeline(
            window, lambda parent: TraceFetcher(parts.connection, parent), trace_id
        )
    )
    if history is not None:

        def show_saved(saved: object) -> None:
            window.tabs.setCurrentWidget(view)
            view.show_saved(saved)  # type: ignore[arg-type]

        history.compare_opened.connect(show_saved)
    parts.compare_run, parts.compare_view = run, view


def open_column_as_chat(
    parts: AppParts,
    system_prompt: str,
    turns: list[list[str]],
    options: dict[str, Any],
    info: object,
) -> None:
    """Continue a compare column as a normal conversation in the Chat tab."""
    import uuid

    from orq_desktop.core.chat_session import Turn
    from orq_desktop.core.chat_types import AnswerInfo, Role

    loaded = [Turn(f"c{uuid.uuid4().hex[:12]}", Role(role), text) for role, text in turns]
    if loaded and loaded[-1].role is Role.ASSISTANT and isinstance(info, AnswerInfo):
        last = loaded[-1]
        loaded[-1] = Turn(last.msg_id, last.role, last.text, last.state, info)
    if not parts.session.load(None, loaded):  # the next send starts a saved thread
        return
    parts.panel.set_system_prompt(system_prompt)
    parts.panel.set_options({k: v for k, v in options.items() if k != "orq"})
    if isinstance(options.get("orq"), dict):
        parts.routing.set_orq(options["orq"])
    parts.window.tabs.setCurrentWidget(parts.panel)
