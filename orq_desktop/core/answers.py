"""What an answer's footer shows, from the client's result (chat and compare alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orq_desktop.core.chat_types import AnswerInfo

if TYPE_CHECKING:
    from orq_desktop.api.client import ChatResult


def answer_info(primary: str, result: ChatResult) -> AnswerInfo:
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
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
