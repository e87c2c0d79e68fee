"""The routing options' wiring: the options dock beside the chat, and the presets toolbar."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from orq_desktop.app.parts import AppParts
    from orq_desktop.ui.options_editor import OptionsEditor
    from orq_desktop.ui.transcript import TranscriptView


def build_options_editor(parts: AppParts, layout: QSettings) -> OptionsEditor:
    """The routing options dock, kept in step with the chat form and the conversation."""
    from PySide6.QtWidgets import QStackedWidget

    from orq_desktop.core.chat_types import Role
    from orq_desktop.core.trace_fetcher import TraceFetcher
    from orq_desktop.ui.options_editor import OptionsEditor
    from orq_desktop.ui.route_timeline import open_timeline

    panel, session = parts.panel, parts.session
    picker = panel.params.model_picker
    editor = OptionsEditor(
        "chat", routing=parts.routing, settings=layout, primary_model=picker.model_id()
    )
    parts.options_stack = QStackedWidget()
    parts.options_stack.addWidget(editor)
    parts.window.options_dock.setWidget(parts.options_stack)
    picker.model_changed.connect(editor.set_primary_model)

    def feed_prompts(*_args: object) -> None:
        texts = [t.text for t in session.turns if t.role is Role.USER]
        editor.set_prompt_texts([panel.system_prompt(), panel.prompt_input.toPlainText(), *texts])

    panel.system_prompt_edit.textChanged.connect(feed_prompts)
    panel.prompt_input.textChanged.connect(feed_prompts)
    session.user_message_added.connect(feed_prompts)
    editor.validity_changed.connect(lambda _reason: panel.refresh())
    transcript = cast("TranscriptView", panel.transcript)
    transcript.timeline_requested.connect(
        lambda trace_id: open_timeline(
            parts.window, lambda parent: TraceFetcher(parts.connection, parent), trace_id
        )
    )
    feed_prompts()
    panel.refresh()
    parts.chat_editor = editor
    return editor


def build_presets_bar(parts: AppParts) -> None:
    """Presets, Paste request and View code, in a toolbar above the tabs."""
    from PySide6.QtWidgets import QToolBar

    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.ui.code_dialog import session_history
    from orq_desktop.ui.presets_bar import PresetsBar

    config = parts.connection

    parts.presets_store = PresetsStore()
    bar = PresetsBar(
        parts.presets_store,
        parts.panel,  # type: ignore[arg-type]  # ChatForm wants prompt_input settable
        parts.routing,
        endpoint=lambda: (config.config.base_url, config.config.path_prefix),
        history=lambda: session_history(parts.session),
    )
    bar.status_message.connect(parts.window.show_status)
    toolbar = QToolBar("Presets", parts.window)
    toolbar.setObjectName("presetsToolbar")
    toolbar.setMovable(False)
    toolbar.addWidget(bar)
    parts.window.addToolBar(toolbar)
    parts.presets_bar = bar
