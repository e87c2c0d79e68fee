"""The routing options editor wired to a chat the way the app wires them (app.py's
``build_options_editor``), for the options scenarios (B1-B5): a real ChatPanel whose Send asks
the editor's validity, a real ChatSession and RouterClient on the scripted loopback router, a
real history file, and the editor bound to the conversation's RoutingState.

Where the options live: the editor writes every valid change to the ``RoutingState``; each
request carries it, and the history saves it in the thread's ``options`` column (SQLite) when a
turn is sent. ``config_hash`` covers both. This module holds no tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget
from rel_app import run
from rel_checks import db_rows
from rel_state import suite_canary

from orq_desktop.api.client import RouterClient
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.chat_types import Role
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.options_editor import OptionsEditor
from orq_desktop.ui.transcript import TranscriptView

MODEL = "openai/gpt-4o"


@dataclass
class OptionsEnv:
    host: QWidget
    panel: ChatPanel
    editor: OptionsEditor
    session: ChatSession
    routing: RoutingState
    history: HistorySession
    client: RouterClient
    db: Path
    qtbot: Any
    events: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def finished(self) -> int:
        return sum(1 for n, _ in self.events if n in ("answer_finished", "answer_failed"))

    def type_prompt(self, text: str) -> None:
        prompt = self.panel.prompt_input
        prompt.clear()
        self.qtbot.keyClicks(prompt, text)

    def click(self, widget: QWidget, pos: QPoint | None = None) -> None:
        """A mouse click, once the widget is laid out (a layout change squeezes a widget to
        zero height until the layout request is handled; no one can click it then)."""
        self.qtbot.waitUntil(lambda: widget.height() > 0, timeout=5000)
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())

    def click_check_box(self, box: QCheckBox) -> None:
        """A click on the box's indicator (the middle of a wide check box is not on it)."""
        self.qtbot.waitUntil(lambda: box.height() > 0, timeout=5000)
        self.click(box, QPoint(6, box.height() // 2))

    def click_send(self) -> None:
        self.click(self.panel.composer.send_button)

    def press_send_shortcut(self) -> None:
        """Ctrl+Enter: the panel's own check runs even though the button is disabled."""
        self.panel.send_action.setEnabled(True)
        self.panel.send_action.trigger()

    def send_and_wait(self, prompt: str) -> None:
        before = self.finished()
        self.type_prompt(prompt)
        assert self.panel.composer.send_button.isEnabled(), self.panel.send_blocker()
        self.click_send()
        self.qtbot.waitUntil(
            lambda: self.finished() > before and not self.session.busy, timeout=15_000
        )
        self.wait_saved()

    def wait_saved(self) -> None:
        """Until the history's database thread has written the last turn."""
        users = [t.text for t in self.session.turns if t.role is Role.USER]
        self.qtbot.waitUntil(
            lambda: (
                len(db_rows(self.db, "SELECT id FROM messages WHERE role = 'user'")) == len(users)
            ),
            timeout=10_000,
        )

    def saved_options(self) -> list[dict[str, Any]]:
        """The ``options`` column of every thread row (what the next turn continues with)."""
        return [json.loads(o) for (o,) in db_rows(self.db, "SELECT options FROM threads")]

    def config_hash(self) -> str:
        """A hash of every place the routing options are kept: the state and the history."""
        rows = db_rows(self.db, "SELECT id, options FROM threads ORDER BY id")
        state = json.dumps(self.routing.orq(), sort_keys=True)
        return hashlib.sha256(json.dumps([rows, state]).encode()).hexdigest()

    def blocked(self) -> bool:
        return not self.panel.composer.send_button.isEnabled()


def options_env_factory(qtbot: Any, folder: Path) -> Iterator[Callable[[str], OptionsEnv]]:
    made: list[OptionsEnv] = []

    def make(url: str) -> OptionsEnv:
        client = RouterClient(
            suite_canary(),
            url,
            timeout=httpx.Timeout(5.0, read=10.0),
            deadline=30.0,
            max_retries=0,
            trust_env=False,
        )
        session = ChatSession(lambda: client)
        routing = RoutingState()
        box: list[OptionsEditor] = []
        panel = ChatPanel(
            session,
            TranscriptView(),
            orq=routing.orq,
            orq_validity=lambda: box[0].validity() if box else None,
        )
        history = HistorySession(session, routing=routing)
        db = folder / f"history-{len(made)}.sqlite3"
        assert run(qtbot, history.open(db))
        # As AppParts.build_options_editor does it.
        layout = QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)
        picker = panel.params.model_picker
        picker.set_model_id(MODEL)
        editor = OptionsEditor(
            "chat", routing=routing, settings=layout, primary_model=picker.model_id()
        )
        box.append(editor)
        picker.model_changed.connect(editor.set_primary_model)

        def feed_prompts(*_args: object) -> None:
            texts = [t.text for t in session.turns if t.role is Role.USER]
            editor.set_prompt_texts(
                [panel.system_prompt(), panel.prompt_input.toPlainText(), *texts]
            )

        panel.system_prompt_edit.textChanged.connect(feed_prompts)
        panel.prompt_input.textChanged.connect(feed_prompts)
        session.user_message_added.connect(feed_prompts)
        editor.validity_changed.connect(lambda _reason: panel.refresh())
        feed_prompts()
        panel.refresh()

        host = QWidget()
        row = QHBoxLayout(host)
        row.addWidget(panel, 3)
        row.addWidget(editor, 2)
        qtbot.addWidget(host)
        host.resize(1300, 900)
        host.show()
        editor.set_all_expanded(True)
        laid_out = (editor.fallbacks.add_button, panel.composer.send_button)
        qtbot.waitUntil(lambda: all(w.height() > 0 for w in laid_out), timeout=5000)
        env = OptionsEnv(host, panel, editor, session, routing, history, client, db, qtbot)
        for name in ("answer_finished", "answer_failed", "send_refused"):
            getattr(session, name).connect(lambda *a, n=name: env.events.append((n, a)))
        made.append(env)
        return env

    yield make
    for env in made:
        run(qtbot, env.session.aclose())
        run(qtbot, env.history.aclose())
        run(qtbot, env.client.aclose())
