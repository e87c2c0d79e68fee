"""ChatSession: one conversation, one request at a time, owned as an asyncio task.

Widgets call ``send`` / ``stop`` / ``regenerate`` / ``edit_and_resend`` / ``new_chat`` and listen
to the signals; they never await and never see httpx. Cancelling the task closes the HTTP stream,
so the server sees the connection close when the user presses Stop.

With a recorder (the history, see ``history_hooks``) the answer task first awaits
``before_send``: the user turn is on disk before the request leaves, and a failed write means the
request is not sent. The turn is accepted (``user_message_added``) only after that write.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from orq_desktop.core import history_hooks as hooks
from orq_desktop.core.answers import answer_info
from orq_desktop.core.chat_request import build_request
from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState, Role
from orq_desktop.core.tasks import report_unexpected

if TYPE_CHECKING:
    # The client pulls in httpx and pydantic: imported on first use, after the first paint.
    from orq_desktop.api.client import RouterClient
    from orq_desktop.api.models import ChatRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation: the model is this list, the transcript only shows it."""

    msg_id: str
    role: Role
    text: str
    state: MessageState = MessageState.COMPLETE
    info: AnswerInfo | None = None  # an answer's footer
    error: ErrorInfo | None = None  # the card of an answer that failed


# Either Connection.client (built on first use) or Connection.prepared (built in a thread).
ClientProvider = Callable[[], "RouterClient | Awaitable[RouterClient]"]


class ChatSession(QObject):
    """Runs one chat request at a time for one conversation and keeps its turns.

    Signals:
        user_message_added(msg_id, text): the user turn was accepted (the draft may be cleared).
        answer_started(msg_id, model): an assistant message begins.
        delta(msg_id, text): a piece of the answer, in order.
        answer_finished(msg_id, text, state, info): the answer ended (``MessageState`` value;
            ``AnswerInfo`` or None).
        answer_failed(msg_id, error): an ``ErrorInfo`` card for that message.
        send_refused(reason): the request could not be built or saved; nothing was sent.
        messages_removed_from(msg_id): that message and everything after it are gone
            (regenerate, edit and resend).
        busy_changed(busy)
        conversation_cleared()
        thread_changed(thread_id): the saved thread this conversation continues ("" for none);
            a regenerate or an edit cuts that thread short and keeps its id.
    """

    user_message_added = Signal(str, str)
    answer_started = Signal(str, str)
    delta = Signal(str, str)
    answer_finished = Signal(str, str, str, object)
    answer_failed = Signal(str, object)
    send_refused = Signal(str)
    messages_removed_from = Signal(str)
    busy_changed = Signal(bool)
    conversation_cleared = Signal()
    thread_changed = Signal(str)

    _ids = itertools.count(1)

    def __init__(
        self,
        client: ClientProvider,
        parent: QObject | None = None,
        *,
        recorder: hooks.ChatRecorder | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._recorder = recorder
        self._turns: list[Turn] = []
        self._thread_id: str | None = None
        self._conversation = 0  # New chat and load start another; an answer keeps its own
        self._task: asyncio.Task[str | None] | None = None

    def set_recorder(self, recorder: hooks.ChatRecorder | None) -> None:
        """Save every turn through ``recorder`` from the next request on (None: keep nothing)."""
        self._recorder = recorder

    # -- state ------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(self._turns)

    @property
    def thread_id(self) -> str | None:
        """The saved thread this conversation continues (None until its first save)."""
        return self._thread_id

    # -- actions ----------------------------------------------------------------------------------

    def send(self, prompt: str, system_prompt: str, options: dict[str, Any]) -> bool:
        """Add a user turn and start the answer. Returns False (and says why) when refused."""
        if self.busy:
            self.send_refused.emit("An answer is still arriving: stop it first.")
            return False
        if not prompt.strip():
            self.send_refused.emit("Type a prompt first.")
            return False
        user = Turn(self._new_id(), Role.USER, prompt)
        request = self._build_request([*self._turns, user], system_prompt, options)
        if request is None:
            return False
        self._begin(request, system_prompt, options, len(self._turns), user)
        return True

    def regenerate(self, system_prompt: str, options: dict[str, Any]) -> bool:
        """Answer the last user turn again, replacing the answer that followed it."""
        if self.busy:
            return False
        last_user = next(
            (i for i in reversed(range(len(self._turns))) if self._turns[i].role is Role.USER), None
        )
        if last_user is None:
            self.send_refused.emit("Nothing to regenerate yet.")
            return False
        request = self._build_request(self._turns[: last_user + 1], system_prompt, options)
        if request is None:
            return False
        self._begin(request, system_prompt, options, last_user + 1, None)
        return True

    def edit_and_resend(
        self, msg_id: str, new_text: str, system_prompt: str, options: dict[str, Any]
    ) -> bool:
        """Replace an earlier user turn with ``new_text`` and continue the conversation from it."""
        if self.busy:
            return False
        index = next((i for i, t in enumerate(self._turns) if t.msg_id == msg_id), None)
        if index is None or self._turns[index].role is not Role.USER:
            self.send_refused.emit("That message can no longer be edited.")
            return False
        user = Turn(self._new_id(), Role.USER, new_text)
        request = self._build_request([*self._turns[:index], user], system_prompt, options)
        if request is None:
            return False
        self._begin(request, system_prompt, options, index, user)
        return True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def new_chat(self) -> None:
        """Start an empty conversation; an answer still arriving stops and is saved in its own."""
        self._conversation += 1
        self.stop()
        self._turns.clear()
        self.conversation_cleared.emit()
        self._set_thread(None)

    def load(self, thread_id: str | None, turns: Sequence[Turn]) -> bool:
        """Continue a conversation; refused (False) while an answer is arriving.

        The turns are replayed through the usual signals (``conversation_cleared``, then user
        turns, answers and error cards), so a panel shows them as it showed the live ones.
        ``thread_id`` is the saved thread they come from, or None for turns not saved yet (a
        compare column): the next send then starts a new thread.
        """
        if self.busy:
            self.send_refused.emit("An answer is still arriving: stop it first.")
            return False
        self._conversation += 1
        self._turns = [t for t in turns if t.role is not Role.SYSTEM]
        self.conversation_cleared.emit()
        for turn in self._turns:
            self._replay(turn)
        self._set_thread(thread_id)
        return True

    async def aclose(self) -> None:
        """Cancel a running answer and wait for it; call before the loop stops."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # -- internals --------------------------------------------------------------------------------

    def _new_id(self) -> str:
        return f"m{next(self._ids)}"

    def _truncate(self, index: int) -> None:
        removed = self._turns[index].msg_id
        del self._turns[index:]
        self.messages_removed_from.emit(removed)

    def _build_request(
        self, turns: list[Turn], system_prompt: str, options: dict[str, Any]
    ) -> ChatRequest | None:
        request = build_request(turns, system_prompt, options)
        if isinstance(request, str):
            self.send_refused.emit(request)
            return None
        return request

    def _set_thread(self, thread_id: str | None) -> None:
        if thread_id != self._thread_id:
            self._thread_id = thread_id
            self.thread_changed.emit(thread_id or "")

    def _replay(self, turn: Turn) -> None:
        if turn.role is Role.USER:
            self.user_message_added.emit(turn.msg_id, turn.text)
            return
        self.answer_started.emit(turn.msg_id, _model_of(turn.info))
        if turn.state is MessageState.ERROR and turn.error is not None and not turn.text:
            self.answer_failed.emit(turn.msg_id, turn.error)
        else:
            self.answer_finished.emit(turn.msg_id, turn.text, turn.state.value, turn.info)

    def _begin(
        self,
        request: ChatRequest,
        system_prompt: str,
        options: dict[str, Any],
        keep: int,
        user: Turn | None,
    ) -> None:
        plan = hooks.SendPlan(
            thread_id=self._thread_id,
            kept=tuple(self._turns[:keep]),
            dropped=tuple(self._turns[keep:]),
            user=user,
            answer_id=self._new_id(),
            model=request.model,
            system_prompt=system_prompt,
            options=dict(options),
            conversation=self._conversation,
        )
        if self._recorder is None:
            self._accept(plan)
        self._task = asyncio.create_task(
            self._answer(plan, request, self._recorder), name=f"answer-{plan.answer_id}"
        )
        self._task.add_done_callback(report_unexpected)
        self._task.add_done_callback(lambda _t: self.busy_changed.emit(False))
        self._task.add_done_callback(self._on_task_done)  # a refusal comes once idle again
        self.busy_changed.emit(True)

    def _on_task_done(self, task: asyncio.Task[str | None]) -> None:
        if not task.cancelled() and task.exception() is None and (reason := task.result()):
            self.send_refused.emit(reason)

    def _current(self, plan: hooks.SendPlan) -> bool:
        """True while the conversation that sent ``plan`` is still the one shown."""
        return plan.conversation == self._conversation

    def _accept(self, plan: hooks.SendPlan, saved_in: str | None = None) -> None:
        """The turn is on (in the thread ``saved_in``, when saved): trim what it replaces, show
        the user turn and open the answer; nothing if the user has left that conversation."""
        if not self._current(plan):
            return
        self._set_thread(saved_in or self._thread_id)
        if len(plan.kept) < len(self._turns):
            self._truncate(len(plan.kept))
        if plan.user is not None:
            self._turns.append(plan.user)
            self.user_message_added.emit(plan.user.msg_id, plan.user.text)
        self.answer_started.emit(plan.answer_id, plan.model)

    async def _save_turn(self, plan: hooks.SendPlan, recorder: hooks.ChatRecorder) -> str | None:
        """Await ``before_send``; the reason when the request must not go (None: it may)."""
        saving = asyncio.ensure_future(recorder.before_send(plan))
        try:
            thread_id = await asyncio.shield(saving)
        except asyncio.CancelledError:
            # Stopped while the turn was being written: the write ends (SQLite cannot stop half
            # way), then what it opened is closed as stopped (and shown, unless the user has
            # left that conversation meanwhile: New chat must stay empty).
            with contextlib.suppress(Exception):
                self._accept(plan, await saving)
                info = AnswerInfo(primary_model=plan.model)
                self._finish(plan, [], MessageState.STOPPED, info)
                await hooks.record_end(plan, recorder, None, "", MessageState.STOPPED, info)
            raise
        except hooks.SendBlockedError as exc:
            return exc.reason
        except Exception as exc:
            log.exception("saving the turn failed unexpectedly")
            return f"The history could not save this message ({exc})."
        self._accept(plan, thread_id)
        return None

    async def _answer(
        self, plan: hooks.SendPlan, request: ChatRequest, recorder: hooks.ChatRecorder | None
    ) -> str | None:
        """The answer task; returns why the request was not sent (None when it was)."""
        from orq_desktop.api.errors import RouterError
        from orq_desktop.core.connection import MissingApiKeyError
        from orq_desktop.core.error_cards import error_card

        if recorder is not None and (refused := await self._save_turn(plan, recorder)):
            return refused
        msg_id = plan.answer_id
        parts: list[str] = []
        saver = None
        if recorder is not None:
            saver = hooks.StreamSaver(
                lambda text: recorder.flush(msg_id, text), lambda: "".join(parts)
            )
        started = time.monotonic()
        first_token: float | None = None
        info = AnswerInfo(primary_model=request.model)
        try:
            provided = self._client()
            client = await provided if inspect.isawaitable(provided) else provided
            if request.stream:
                async with client.stream(request) as stream:
                    async for chunk in stream:
                        for choice in chunk.choices:
                            text = getattr(choice.delta, "content", None)
                            if text:
                                if first_token is None:
                                    first_token = time.monotonic() - started
                                parts.append(text)
                                self.delta.emit(msg_id, text)
                                if saver is not None:
                                    saver.changed()
                    result = stream.result()
            else:
                result = await client.complete(request)
                if result.text:
                    parts.append(result.text)
                    self.delta.emit(msg_id, result.text)
            info = answer_info(request.model, result)
        except asyncio.CancelledError:
            info = replace(info, ttft_s=first_token, total_s=time.monotonic() - started)
            text = self._finish(plan, parts, MessageState.STOPPED, info)
            await hooks.record_end(plan, recorder, saver, text, MessageState.STOPPED, info)
            raise
        except Exception as exc:  # every failure is shown where the user is looking
            if not isinstance(exc, RouterError | MissingApiKeyError):
                log.exception("answer %s failed unexpectedly", msg_id)
            card: ErrorInfo = error_card(exc)
            total = time.monotonic() - started
            info = replace(info, ttft_s=first_token, total_s=total, trace_id=card.trace_id)
            state = MessageState.INTERRUPTED if parts else MessageState.ERROR
            if parts:
                self._finish(plan, parts, state, info)
            elif self._current(plan):
                self._turns.append(Turn(msg_id, Role.ASSISTANT, "", state, info, card))
            if self._current(plan):
                self.answer_failed.emit(msg_id, card)
            await hooks.record_end(plan, recorder, saver, "".join(parts), state, info, card)
            return None
        text = self._finish(plan, parts, MessageState.COMPLETE, info)
        await hooks.record_end(plan, recorder, saver, text, MessageState.COMPLETE, info)
        return None

    def _finish(
        self, plan: hooks.SendPlan, parts: list[str], state: MessageState, info: AnswerInfo
    ) -> str:
        """The answer's text; added to the conversation only if it is still the one shown."""
        text = "".join(parts)
        if self._current(plan):
            self._turns.append(Turn(plan.answer_id, Role.ASSISTANT, text, state, info))
            self.answer_finished.emit(plan.answer_id, text, state.value, info)
        return text


def _model_of(info: AnswerInfo | None) -> str:
    return (info.answered_model or info.primary_model) if info else "Assistant"
