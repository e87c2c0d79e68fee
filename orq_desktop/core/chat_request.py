"""The request a conversation sends: its turns as messages, checked by the request model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from orq_desktop.core.chat_types import MessageState, Role

if TYPE_CHECKING:
    from orq_desktop.api.models import ChatRequest
    from orq_desktop.core.chat_session import Turn


def build_request(
    turns: Sequence[Turn], system_prompt: str, options: dict[str, Any]
) -> ChatRequest | str:
    """The request for ``turns``, or why it cannot be sent (the problems, one a line).

    Failed answers and empty stopped ones are left out; a streamed request asks for the usage
    (the footer's tokens in / out) unless ``options`` says otherwise.
    """
    # pydantic and the models load on the first send, after the first paint.
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
        body["stream_options"] = {"include_usage": True}
    try:
        return ChatRequest.model_validate(body)
    except ValidationError as exc:
        return "\n".join(friendly_errors(exc))
