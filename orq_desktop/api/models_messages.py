"""Chat messages and their content parts (CONTRACT §3.1)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Tag, model_validator

from orq_desktop.api.models_base import WireModel
from orq_desktop.api.validation import bad_value, count_between, shape, tagged


class CacheControl(WireModel):
    """Anthropic prompt caching breakpoint; the SDK always writes `ttl` ("5m" unless set)."""

    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"] | None = "5m"


class TextPart(WireModel):
    type: Literal["text"]
    text: str
    cache_control: CacheControl | None = None


class ImageUrl(WireModel):
    url: str
    detail: Literal["low", "high", "auto"] | None = None


class ImagePart(WireModel):
    type: Literal["image_url"]
    image_url: ImageUrl
    cache_control: CacheControl | None = None


class InputAudio(WireModel):
    data: str
    format: Literal["mp3", "wav"]


class AudioPart(WireModel):
    type: Literal["input_audio"]
    input_audio: InputAudio


class FileData(WireModel):
    """A file for the model: exactly one of inline data, an uploaded file id, or a URI."""

    file_data: str | None = None
    file_id: str | None = None
    uri: str | None = None
    mime_type: str | None = Field(default=None, alias="mimeType")
    filename: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FileData:
        given = [n for n in ("file_data", "file_id", "uri") if getattr(self, n) is not None]
        if len(given) != 1:
            raise bad_value(
                "A file needs exactly one of file_data, file_id or uri (you gave {given}).",
                given=" and ".join(given) if given else "none",
            )
        return self


class FilePart(WireModel):
    type: Literal["file"]
    file: FileData
    cache_control: CacheControl | None = None


class RefusalPart(WireModel):
    type: Literal["refusal"]
    refusal: str | None = None


class ReasoningPart(WireModel):
    type: Literal["reasoning"]
    reasoning: str
    signature: str


class RedactedReasoningPart(WireModel):
    type: Literal["redacted_reasoning"]
    data: str


def _text_or_parts(value: Any) -> str | None:
    if isinstance(value, str):
        return "=text"
    if isinstance(value, list):
        return "=parts"
    return None


_CONTENT_SHAPE = shape(_text_or_parts, "Content must be text or a list of parts.")
_NEEDS_A_PART = count_between(1, None, "A list of content parts")

TextParts = Annotated[list[TextPart], _NEEDS_A_PART]
TextContent = Annotated[
    Annotated[str, Tag("=text")] | Annotated[TextParts, Tag("=parts")], _CONTENT_SHAPE
]

UserPart = Annotated[
    Annotated[TextPart, Tag("=text")]
    | Annotated[ImagePart, Tag("=image_url")]
    | Annotated[AudioPart, Tag("=input_audio")]
    | Annotated[FilePart, Tag("=file")],
    tagged(
        "type", ["text", "image_url", "input_audio", "file"], "Content part type", "A content part"
    ),
]
UserContent = Annotated[
    Annotated[str, Tag("=text")]
    | Annotated[Annotated[list[UserPart], _NEEDS_A_PART], Tag("=parts")],
    _CONTENT_SHAPE,
]

AssistantPart = Annotated[
    Annotated[TextPart, Tag("=text")]
    | Annotated[RefusalPart, Tag("=refusal")]
    | Annotated[ReasoningPart, Tag("=reasoning")]
    | Annotated[RedactedReasoningPart, Tag("=redacted_reasoning")],
    tagged(
        "type",
        ["text", "refusal", "reasoning", "redacted_reasoning"],
        "Content part type",
        "A content part",
    ),
]
AssistantContent = Annotated[
    Annotated[str, Tag("=text")]
    | Annotated[Annotated[list[AssistantPart], _NEEDS_A_PART], Tag("=parts")],
    _CONTENT_SHAPE,
]


class SystemMessage(WireModel):
    role: Literal["system"]
    content: TextContent
    name: str | None = None


class DeveloperMessage(WireModel):
    role: Literal["developer"]
    content: TextContent
    name: str | None = None


class UserMessage(WireModel):
    role: Literal["user"]
    content: UserContent
    name: str | None = None


class AssistantAudio(WireModel):
    id: str


class ToolCallFunction(WireModel):
    name: str | None = None
    arguments: str | None = None


class GoogleExtra(WireModel):
    thought_signature: str | None = None


class ToolCallExtra(WireModel):
    google: GoogleExtra | None = None


class ToolCall(WireModel):
    id: str
    type: Literal["function"]
    function: ToolCallFunction
    thought_signature: str | None = None
    extra_content: ToolCallExtra | None = None  # newer API


class AssistantMessage(WireModel):
    wire_nullable = frozenset({"content", "refusal", "audio"})

    role: Literal["assistant"]
    content: AssistantContent | None = None
    refusal: str | None = None
    name: str | None = None
    audio: AssistantAudio | None = None
    tool_calls: list[ToolCall] | None = None
    reasoning_content: str | None = None  # newer API


class ToolMessage(WireModel):
    """The answer to a tool call. The `tool_call_id` key is required; its value may be null."""

    role: Literal["tool"]
    content: TextContent
    tool_call_id: str | None
    cache_control: CacheControl | None = None


ROLES = ("system", "developer", "user", "assistant", "tool")

Message = Annotated[
    Annotated[SystemMessage, Tag("=system")]
    | Annotated[DeveloperMessage, Tag("=developer")]
    | Annotated[UserMessage, Tag("=user")]
    | Annotated[AssistantMessage, Tag("=assistant")]
    | Annotated[ToolMessage, Tag("=tool")],
    tagged("role", ROLES, "Message role", "A message"),
]
