"""Chat parameters that are objects: audio, response format, thinking, tools, plugins, ..."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Tag

from orq_desktop.api.models_base import WireModel
from orq_desktop.api.validation import at_least, shape, tagged


class AudioOutput(WireModel):
    voice: Literal["alloy", "echo", "fable", "onyx", "nova", "shimmer"]
    format: Literal["wav", "mp3", "flac", "opus", "pcm16"]


class TextFormat(WireModel):
    type: Literal["text"]


class JsonObjectFormat(WireModel):
    type: Literal["json_object"]


class JsonSchemaSpec(WireModel):
    """The schema the answer must follow; the SDK always writes `strict` (false unless set)."""

    name: str
    description: str | None = None
    schema_: Any = Field(default=None, alias="schema")
    strict: bool | None = False


class JsonSchemaFormat(WireModel):
    type: Literal["json_schema"]
    json_schema: JsonSchemaSpec


ResponseFormat = Annotated[
    Annotated[TextFormat, Tag("=text")]
    | Annotated[JsonObjectFormat, Tag("=json_object")]
    | Annotated[JsonSchemaFormat, Tag("=json_schema")],
    tagged(
        "type", ["text", "json_object", "json_schema"], "Response format type", "Response format"
    ),
]


class ThinkingDisabled(WireModel):
    type: Literal["disabled"]


class ThinkingEnabled(WireModel):
    type: Literal["enabled"]
    budget_tokens: Annotated[int, at_least(1024, "Thinking budget", " tokens")]
    thinking_level: Literal["minimal", "low", "medium", "high"] | None = None


class ThinkingAdaptive(WireModel):
    """Newer API only."""

    type: Literal["adaptive"]


Thinking = Annotated[
    Annotated[ThinkingDisabled, Tag("=disabled")]
    | Annotated[ThinkingEnabled, Tag("=enabled")]
    | Annotated[ThinkingAdaptive, Tag("=adaptive")],
    tagged("type", ["disabled", "enabled", "adaptive"], "Thinking type", "Thinking"),
]


class FunctionParameters(WireModel):
    """A JSON Schema object. Keys beyond the four below (`$defs`, `description`, ...) are kept
    and sent: JSON Schema is open-ended. (The 4.1 SDK silently drops them; CONTRACT §3.1.)"""

    model_config = ConfigDict(extra="allow")

    type: Literal["object"]
    properties: dict[str, Any]
    required: list[str] | None = None
    additional_properties: bool | None = Field(default=None, alias="additionalProperties")


class FunctionDef(WireModel):
    name: str
    description: str | None = None
    parameters: FunctionParameters | None = None
    strict: bool | None = None


class Tool(WireModel):
    function: FunctionDef
    type: Literal["function"] | None = None


class ToolChoiceName(WireModel):
    name: str


class ToolChoiceFunction(WireModel):
    function: ToolChoiceName
    type: Literal["function"] | None = None


def _mode_or_function(value: Any) -> str | None:
    if isinstance(value, str):
        return "=mode"
    if isinstance(value, dict | ToolChoiceFunction):
        return "=function"
    return None


ToolChoice = Annotated[
    Annotated[Literal["none", "auto", "required"], Tag("=mode")]
    | Annotated[ToolChoiceFunction, Tag("=function")],
    shape(
        _mode_or_function,
        'Tool choice must be "none", "auto", "required" or {"function": {"name": ...}}.',
    ),
]


class Guardrail(WireModel):
    """A guardrail: one of Orq's (`orq_pii_detection`, ...) or the id of your own."""

    id: str
    execute_on: Literal["input", "output"]


class StreamOptions(WireModel):
    include_usage: bool | None = None


class PiiRedactionPlugin(WireModel):
    id: Literal["pii_redaction"]
    language: str | None = None
    regions: list[str] | None = None
    entities: list[str] | None = None
    entity_thresholds: dict[str, float] | None = None
    threshold: float | None = None
    on_failure: Literal["block", "passthrough"] | None = None


class ResponseHealingPlugin(WireModel):
    id: Literal["response_healing"]


class TraceScrubbingPlugin(WireModel):
    id: Literal["trace_scrubbing"]
    mask: list[Literal["all", "system", "input", "output", "metadata", "variables"]]


Plugin = Annotated[
    Annotated[PiiRedactionPlugin, Tag("=pii_redaction")]
    | Annotated[ResponseHealingPlugin, Tag("=response_healing")]
    | Annotated[TraceScrubbingPlugin, Tag("=trace_scrubbing")],
    tagged("id", ["pii_redaction", "response_healing", "trace_scrubbing"], "Plugin", "A plugin"),
]
