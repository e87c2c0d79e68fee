"""Response models of the router (CONTRACT §5, §6, §7, §8, §11), lenient on purpose.

Every model keeps unknown fields (``extra="allow"``) and gives almost every field a default, so a
new or missing field in the router's answer never breaks the client. Numbers the SDK types as
float are accepted as int or float. The simulator builds its answers from these same models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatMessage",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Delta",
    "ErrorBody",
    "ErrorEnvelope",
    "FunctionCall",
    "ImageData",
    "ImageUsage",
    "ImagesResponse",
    "InputTokensDetails",
    "PromptTokensDetails",
    "ToolCall",
    "Usage",
]

Number = int | float


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PromptTokensDetails(_Lenient):
    cached_tokens: Number | None = None
    cache_creation_tokens: Number | None = None
    audio_tokens: Number | None = None


class CompletionTokensDetails(_Lenient):
    reasoning_tokens: Number | None = None
    accepted_prediction_tokens: Number | None = None
    rejected_prediction_tokens: Number | None = None
    audio_tokens: Number | None = None


class Usage(_Lenient):
    """Token counts of a chat answer (the final chunk of a stream carries them too)."""

    prompt_tokens: Number | None = None
    completion_tokens: Number | None = None
    total_tokens: Number | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class FunctionCall(_Lenient):
    name: str | None = None
    arguments: str | None = None


class ToolCall(_Lenient):
    """A tool call; in a stream, ``function.arguments`` arrives in fragments joined by index."""

    index: Number | None = None
    id: str | None = None
    type: str | None = None
    function: FunctionCall | None = None


class ChatMessage(_Lenient):
    """The assistant message of a non-streamed answer."""

    role: str | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    reasoning: str | None = None
    reasoning_signature: str | None = None
    redacted_reasoning: str | None = None
    audio: dict[str, Any] | None = None


class Choice(_Lenient):
    index: Number = 0
    finish_reason: str | None = None
    message: ChatMessage = Field(default_factory=ChatMessage)
    logprobs: Any = None


class ChatCompletion(_Lenient):
    """A non-streamed chat answer (``object == "chat.completion"``)."""

    id: str = ""
    object: str = "chat.completion"
    created: Number = 0
    model: str = ""
    system_fingerprint: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    usage: Usage | None = None

    @property
    def text(self) -> str:
        """The first choice's content ("" when there is none)."""
        if not self.choices:
            return ""
        return self.choices[0].message.content or ""


class Delta(_Lenient):
    """What one chunk adds to the answer."""

    role: str | None = None
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None
    reasoning: str | None = None
    reasoning_signature: str | None = None
    redacted_reasoning: str | None = None
    audio: dict[str, Any] | None = None


class ChunkChoice(_Lenient):
    index: Number = 0
    finish_reason: str | None = None
    delta: Delta = Field(default_factory=Delta)
    logprobs: Any = None


class ChatCompletionChunk(_Lenient):
    """One streamed piece (``object == "chat.completion.chunk"``)."""

    id: str = ""
    object: str = "chat.completion.chunk"
    created: Number = 0
    model: str = ""
    system_fingerprint: str | None = None
    choices: list[ChunkChoice] = Field(default_factory=list)
    usage: Usage | None = None

    @property
    def text(self) -> str:
        """The content this chunk adds to the first choice ("" when none)."""
        for choice in self.choices:
            if choice.index == 0:
                return choice.delta.content or ""
        return ""


class InputTokensDetails(_Lenient):
    image_tokens: Number | None = None
    text_tokens: Number | None = None


class ImageUsage(_Lenient):
    input_tokens: Number | None = None
    output_tokens: Number | None = None
    total_tokens: Number | None = None
    input_tokens_details: InputTokensDetails | None = None


class ImageData(_Lenient):
    """One generated image: base64 bytes or a URL (which expires), and the revised prompt."""

    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


class ImagesResponse(_Lenient):
    created: Number = 0
    data: list[ImageData] = Field(default_factory=list)
    usage: ImageUsage | None = None


class ErrorBody(_Lenient):
    code: str | int | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None


class ErrorEnvelope(_Lenient):
    """The router's error body: ``{"error": {"code", "message", "param", "type"}}``."""

    error: ErrorBody
