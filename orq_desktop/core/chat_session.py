"""ChatSession: one conversation, one request at a time, owned as an asyncio task.

Widgets call ``send`` / ``stop`` / ``regenerate`` / ``edit_and_resend`` / ``new_chat`` and listen
to the signals; they never await and never see httpx. Cancelling the task closes the HTTP stream,
so the server sees the connection close when the user presses Stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState, Role
from orq_desktop.core.tasks import report_unexpected

if TYPE_CHECKING:
    # The client pulls in httpx and pydantic: imported on first use, after the first paint.
    from orq_desktop.api.client import ChatResult, RouterClient
    from orq_desktop.api.models import ChatRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the conversation: the model is this list, the transcript only shows it."""

    msg_id: str
    role: Role
    text: str
    state: MessageState = MessageState.COMPLETE


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
        send_refused(reason): the request could not be built; nothing was sent.
        messages_removed_from(msg_id): that message and everything after it are gone
            (regenerate, edit and resend).
        busy_changed(busy)
        conversation_cleared()
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

    _ids = itertools.count(1)

    def __init__(self, client: ClientProvider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client = client
        self._turns: list[Turn] = []
        self._task: asyncio.Task[None] | None = None

    # -- state ------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def turns(self) -> tuple[Turn, ...]:
        return tuple(self._turns)

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
        self._turns.append(user)
        self.user_message_added.emit(user.msg_id, prompt)
        self._start(request)
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
        if last_user + 1 < len(self._turns):
            self._truncate(last_user + 1)
        self._start(request)
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
        self._truncate(index)
        self._turns.append(user)
        self.user_message_added.emit(user.msg_id, new_text)
        self._start(request)
        return True

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def new_chat(self) -> None:
        self.stop()
        self._turns.clear()
        self.conversation_cleared.emit()

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
        from pydantic import ValidationError

        from orq_desktop.api.models import ChatRequest, friendly_errors

        messages: list[dict[str, Any]] = []
        if system_prompt.strip():
            messages.append({"role": "system", "content": system_prompt})
        messages.extend(
            {"role": t.role.value, "content": t.text}
            for t in turns
            if t.state is not MessageState.ERROR and (t.role is Role.USER or t.text)
        )
        body = {**options, "messages": messages}
        if body.get("stream") and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}  # tokens in / out for the footer
        try:
            return ChatRequest.model_validate(body)
        except ValidationError as exc:
            self.send_refused.emit("\n".join(friendly_errors(exc)))
            return None

    def _start(self, request: ChatRequest) -> None:
        msg_id = self._new_id()
        self.answer_started.emit(msg_id, request.model)
        self._task = asyncio.create_task(self._answer(msg_id, request), name=f"answer-{msg_id}")
        self._task.add_done_callback(report_unexpected)
        self._task.add_done_callback(lambda _t: self.busy_changed.emit(False))
        self.busy_changed.emit(True)

    async def _answer(self, msg_id: str, request: ChatRequest) -> None:
        from orq_desktop.api.errors import RouterError
        from orq_desktop.core.error_cards import error_card

        parts: list[str] = []
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
                    result = stream.result()
            else:
                result = await client.complete(request)
                if result.text:
                    parts.append(result.text)
                    self.delta.emit(msg_id, result.text)
            info = _answer_info(request.model, result)
        except asyncio.CancelledError:
            self._finish(
                msg_id,
                parts,
                MessageState.STOPPED,
                replace(info, ttft_s=first_token, total_s=time.monotonic() - started),
            )
            raise
        except Exception as exc:  # every failure is shown where the user is looking
            if not isinstance(exc, RouterError):
                log.exception("answer %s failed unexpectedly", msg_id)
            card: ErrorInfo = error_card(exc)
            if parts:
                self._finish(
                    msg_id,
                    parts,
                    MessageState.INTERRUPTED,
                    replace(
                        info,
                        ttft_s=first_token,
                        total_s=time.monotonic() - started,
                        trace_id=card.trace_id,
                    ),
                )
            else:
                self._turns.append(Turn(msg_id, Role.ASSISTANT, "", MessageState.ERROR))
            self.answer_failed.emit(msg_id, card)
            return
        self._finish(msg_id, parts, MessageState.COMPLETE, info)

    def _finish(self, msg_id: str, parts: list[str], state: MessageState, info: AnswerInfo) -> None:
        text = "".join(parts)
        self._turns.append(Turn(msg_id, Role.ASSISTANT, text, state))
        self.answer_finished.emit(msg_id, text, state.value, info)


def _answer_info(primary: str, result: ChatResult) -> AnswerInfo:
    usage = result.usage
    return AnswerInfo(
        primary_model=primary,
        answered_model=result.model,
        ttft_s=result.timings.ttft_s,
        total_s=result.timings.total_s,
        tokens_in=_int_or_none(getattr(usage, "prompt_tokens", None)),
        tokens_out=_int_or_none(getattr(usage, "completion_tokens", None)),
        finish_reason=result.finish_reason,
        trace_id=result.trace_id,
    )


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None
