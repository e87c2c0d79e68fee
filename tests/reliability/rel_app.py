"""The app's chat machinery for the suite: a real ChatPanel over a real ChatSession and a real
RouterClient (canary key, timings shrunk through its constructor), optionally a real history file.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rel_state import suite_canary

from orq_desktop.api.client import RouterClient
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.core.warmup import MODULES
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView

# What the app imports in a worker thread after its first paint (core/warmup.py), imported here
# before any test's heartbeat starts: the first Send must not pay for it on the UI thread.
for _name in MODULES:
    importlib.import_module(_name)

SIGNALS = (
    "user_message_added", "answer_started", "delta", "answer_finished", "answer_failed",
    "send_refused", "busy_changed",
)  # fmt: skip


def run[T](qtbot: Any, work: Awaitable[T], timeout: int = 15_000) -> T:
    """Drive ``work`` on the test's loop until it is done; return its result."""
    future = asyncio.ensure_future(work)
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


@dataclass
class ChatEnv:
    panel: ChatPanel
    session: ChatSession
    client: RouterClient
    qtbot: Any
    routing: RoutingState
    history: HistorySession | None = None
    db: Path | None = None
    events: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    @property
    def transcript(self) -> TranscriptView:
        view = self.panel.transcript
        assert isinstance(view, TranscriptView)
        return view

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [a for n, a in self.events if n == name]

    def ended(self) -> int:
        return len(self.of("answer_finished")) + len(self.of("answer_failed"))

    def type_and_send(self, prompt: str, model: str = "openai/gpt-4o", **options: Any) -> None:
        self.panel.params.model_picker.set_model_id(model)
        if options:
            self.panel.params.set_options({"model": model, **options})
        self.panel.prompt_input.setPlainText(prompt)
        # An answer's end is signalled before its task is done; the panel takes a new Send only
        # once busy_changed(False) came (a click on the disabled button would do nothing).
        self.qtbot.waitUntil(lambda: self.of("busy_changed")[-1:] != [(True,)], timeout=5000)
        self.panel.composer.send_button.click()

    def ask(self, prompt: str, model: str = "openai/gpt-4o", timeout: int = 15_000) -> str:
        """Send through the form and wait until the answer ended; return the answer's id."""
        before = self.ended()
        self.type_and_send(prompt, model)
        self.wait_ended(before + 1, timeout)
        return self.of("answer_started")[-1][0]

    def wait_ended(self, count: int, timeout: int = 15_000) -> None:
        self.qtbot.waitUntil(
            lambda: self.ended() >= count and not self.session.busy, timeout=timeout
        )

    def answer(self, msg_id: str) -> AssistantMessage:
        widget = self.transcript.message_widget(msg_id)
        assert isinstance(widget, AssistantMessage)
        return widget

    def state_of(self, msg_id: str) -> MessageState:
        return self.answer(msg_id).state

    def send_enabled(self) -> bool:
        self.panel.prompt_input.setPlainText("next question")
        enabled = self.panel.composer.send_button.isEnabled()
        self.panel.prompt_input.setPlainText("")
        return enabled


def chat_env_factory(qtbot: Any, db_dir: Path) -> Iterator[Callable[..., ChatEnv]]:
    """Body of the ``make_chat`` fixture: builds envs, closes every client and history after."""
    made: list[ChatEnv] = []

    def make(
        url: str,
        *,
        read_timeout: float = 10.0,
        deadline: float | None = 30.0,
        max_retries: int = 0,
        history: bool = False,
        key: str | None = None,
        **client_options: Any,
    ) -> ChatEnv:
        client = RouterClient(
            key or suite_canary(),
            url,
            timeout=httpx.Timeout(5.0, read=read_timeout),
            deadline=deadline,
            max_retries=max_retries,
            trust_env=False,
            **client_options,
        )
        session = ChatSession(lambda: client)
        routing = RoutingState()
        panel = ChatPanel(session, TranscriptView(), orq=routing.orq)
        qtbot.addWidget(panel)
        panel.resize(900, 700)
        panel.show()
        env = ChatEnv(panel, session, client, qtbot, routing)
        for name in SIGNALS:
            getattr(session, name).connect(lambda *a, n=name: env.events.append((n, a)))
        if history:
            env.history = HistorySession(session, routing=routing)
            env.db = db_dir / f"history-{len(made)}.sqlite3"
            assert run(qtbot, env.history.open(env.db))
        made.append(env)
        return env

    yield make
    for env in made:
        run(qtbot, env.session.aclose())
        if env.history is not None:
            run(qtbot, env.history.aclose())
        run(qtbot, env.client.aclose())
