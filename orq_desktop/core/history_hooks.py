"""What a chat session tells the history, and when: the recorder hooks and the stream saver.

``ChatSession`` awaits the hooks inside its answer task:

1. ``before_send(plan)`` **before** the HTTP request: the user turn and an empty ``streaming``
   answer are committed. Raising :class:`SendBlockedError` stops the request (the user sees why and
   the draft stays in the prompt box).
2. ``flush(msg_id, text)`` while the answer streams, through a :class:`StreamSaver`: the whole
   text so far, at least once a second.
3. ``answer_finished(...)`` once, with the end state (``complete``, ``stopped``, ``interrupted``
   or ``error``), the footer's facts and the error card, if any: the answer's final write and
   its ``runs`` row.

Only ``before_send`` may raise; the others report their own failures (the answer on screen is
never lost because the disk is full).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState

if TYPE_CHECKING:
    from orq_desktop.core.chat_session import Turn

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.5  # half the one-second promise, so a slow write still keeps it


class SendBlockedError(Exception):
    """The history could not save the turn, so the request is not sent; the text says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SendPlan:
    """One request about to be sent, as the history needs to save it.

    Attributes:
        thread_id: the conversation's saved thread, or None before its first save.
        kept: the turns that stay in front of the new ones.
        dropped: the turns a regenerate or an edit removes (empty for a plain send); the
            history deletes them from the thread, which keeps its id.
        user: the new user turn (None when the last answer is regenerated).
        answer_id: the id of the answer that is about to stream.
        model: the requested model.
        system_prompt: the system prompt sent with the request ("" for none).
        options: the request's options without its messages (model, parameters, ``orq``).
        conversation: which of the chat session's conversations sent it (New chat and opening
            a thread start another); the answer is saved all the same, but shown and kept in
            the session's turns only while that conversation is still the current one.
    """

    thread_id: str | None
    kept: tuple[Turn, ...]
    dropped: tuple[Turn, ...]
    user: Turn | None
    answer_id: str
    model: str
    system_prompt: str
    options: dict[str, Any] = field(default_factory=dict)
    conversation: int = 0


class ChatRecorder(Protocol):
    """The history seen from a chat session (``HistorySession`` implements it)."""

    async def before_send(self, plan: SendPlan) -> str | None:
        """Save the user turn and open the answer; return the thread id (None: not kept).

        Raises SendBlockedError when the turn could not be saved.
        """
        ...

    async def flush(self, msg_id: str, text: str) -> None:
        """Save the text received so far of a streaming answer."""
        ...

    async def answer_finished(
        self,
        plan: SendPlan,
        text: str,
        state: MessageState,
        info: AnswerInfo,
        error: ErrorInfo | None,
    ) -> None:
        """Close the answer with its end state and record the request's run."""
        ...


class StreamSaver:
    """Saves a streaming answer's text: at once for the first piece, then at most every
    ``interval`` seconds while pieces keep arriving, so what is on disk is never more than
    ``interval`` (plus one write) behind what was received.

    Call :meth:`changed` after each piece and :meth:`close` when the stream ends (before the
    final write); saves never overlap, and one is never lost in the loop.
    """

    def __init__(
        self,
        save: Callable[[str], Coroutine[Any, Any, None]],
        text: Callable[[], str],
        *,
        interval: float = FLUSH_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._save = save
        self._text = text
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._dirty = False
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None
        self._closed = False
        self.saves = 0

    def changed(self) -> None:
        self._dirty = True
        if self._closed or self._timer is not None or self._running is not None:
            return  # a save is planned or running; it will pick this piece up
        wait = self._last + self._interval - self._clock()
        if wait <= 0:
            self._fire()
        else:
            self._timer = asyncio.get_running_loop().call_later(wait, self._fire)

    async def close(self) -> None:
        """Cancel a planned save and wait for a running one (the final write follows)."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        running = self._running
        if running is not None:
            await asyncio.shield(running)

    def _fire(self) -> None:
        self._timer = None
        self._dirty = False
        self._last = self._clock()
        self._running = asyncio.ensure_future(self._run(self._text()))

    async def _run(self, text: str) -> None:
        try:
            await self._save(text)
            self.saves += 1
        except Exception:  # the recorder reports its own failures; a bug must not stop the stream
            log.exception("saving the streaming answer failed")
        finally:
            self._running = None
        if self._dirty:
            self.changed()


async def record_end(
    plan: SendPlan,
    recorder: ChatRecorder | None,
    saver: StreamSaver | None,
    text: str,
    state: MessageState,
    info: AnswerInfo,
    error: ErrorInfo | None = None,
) -> None:
    """The answer's final write, shielded: it completes even while the task is being cancelled."""
    if recorder is None:
        return

    async def write() -> None:
        if saver is not None:
            await saver.close()
        await recorder.answer_finished(plan, text, state, info, error)

    try:
        await asyncio.shield(asyncio.ensure_future(write()))
    except asyncio.CancelledError:
        raise
    except Exception:  # the recorder reports its own failures; this is a bug
        log.exception("the final write of answer %s failed unexpectedly", plan.answer_id)
