"""Request models for the Orq AI Router: `ChatRequest`, `ImageRequest` and the routing object.

`ChatRequest.model_validate(d)` / `ImageRequest.model_validate(d)` take the dictionary the official
SDK's keyword arguments take (`orq.router.chat_completions(**d)` / `images_generate(**d)` of
`orq-ai-sdk` 4.1.15), nested dicts included, and also the newer API's fields (top-level routing
copies, `variables`, `plugins`, ...) and the object form of `load_balancer`. Unknown keys are
refused; documented ranges are checked with messages in plain words (see `friendly_errors`).

`to_wire(path_prefix)` gives the JSON body: for `/v2/gateway`, equal by value to what SDK 4.1.15
sends for the same arguments (its defaults included); for `/v2/router` (or any other prefix), the
newer shapes and defaults (CONTRACT §0). Fields the chosen API generation does not know are sent as
given: the caller set them on purpose.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Tag, ValidationInfo, field_validator

from orq_desktop.api.models_base import (
    GATEWAY_PREFIX,
    ROUTER_PREFIX,
    WireModel,
    flavour_for,
    wire_context,
)
from orq_desktop.api.models_messages import (
    AssistantMessage,
    AudioPart,
    CacheControl,
    DeveloperMessage,
    FileData,
    FilePart,
    ImagePart,
    ImageUrl,
    InputAudio,
    Message,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolCallFunction,
    ToolMessage,
    UserMessage,
)
from orq_desktop.api.models_params import (
    AudioOutput,
    FunctionDef,
    FunctionParameters,
    Guardrail,
    JsonSchemaFormat,
    JsonSchemaSpec,
    PiiRedactionPlugin,
    Plugin,
    ResponseFormat,
    StreamOptions,
    Thinking,
    ThinkingEnabled,
    Tool,
    ToolChoice,
)
from orq_desktop.api.models_routing import (
    Cache,
    Fallback,
    FallbackCodes,
    Identity,
    ImageOrq,
    InputItem,
    KnowledgeBase,
    LoadBalancer,
    LoadBalancerEntry,
    LoadBalancerField,
    LoadBalancerModel,
    Orq,
    PromptRef,
    RerankConfig,
    Retry,
    Thread,
    Timeout,
    as_load_balancer,
)
from orq_desktop.api.validation import (
    at_least,
    bad_value,
    between,
    count_between,
    friendly_errors,
    max_chars,
    shape,
    show,
)

__all__ = [
    "GATEWAY_PREFIX",
    "ROUTER_PREFIX",
    "AssistantMessage",
    "AudioOutput",
    "AudioPart",
    "Cache",
    "CacheControl",
    "ChatRequest",
    "DeveloperMessage",
    "Fallback",
    "FileData",
    "FilePart",
    "FunctionDef",
    "FunctionParameters",
    "Guardrail",
    "Identity",
    "ImageOrq",
    "ImagePart",
    "ImageRequest",
    "ImageUrl",
    "InputAudio",
    "InputItem",
    "JsonSchemaFormat",
    "JsonSchemaSpec",
    "KnowledgeBase",
    "LoadBalancer",
    "LoadBalancerEntry",
    "LoadBalancerModel",
    "Message",
    "Orq",
    "PiiRedactionPlugin",
    "PromptRef",
    "ReasoningEffort",
    "RerankConfig",
    "Retry",
    "StreamOptions",
    "SystemMessage",
    "TextPart",
    "ThinkingEnabled",
    "Thread",
    "Timeout",
    "Tool",
    "ToolCall",
    "ToolCallFunction",
    "ToolMessage",
    "UserMessage",
    "as_load_balancer",
    "flavour_for",
    "friendly_errors",
]

ReasoningEffort = Literal["none", "instant", "minimal", "low", "medium", "high", "xhigh", "max"]
ImageQuality = Literal["auto", "high", "medium", "low", "hd", "standard"]
ImageStyle = Literal["vivid", "natural"]
ImageBackground = Literal["transparent", "opaque", "auto"]
ImageFormat = Literal["png", "jpeg", "webp"]

Metadata = Annotated[
    dict[
        Annotated[str, max_chars(64, "Metadata key")],
        Annotated[str, max_chars(512, "Metadata value")],
    ],
    count_between(0, 16, "Metadata pairs"),
]


def _one_or_many(value: Any) -> str | None:
    if isinstance(value, str):
        return "=one"
    if isinstance(value, list):
        return "=many"
    return None


Stop = Annotated[
    Annotated[str, Tag("=one")]
    | Annotated[Annotated[list[str], count_between(0, 4, "Stop sequences")], Tag("=many")],
    shape(_one_or_many, "Stop must be text or a list of up to 4 texts."),
]


class _Request(WireModel):
    def to_wire(self, path_prefix: str = GATEWAY_PREFIX) -> dict[str, Any]:
        """The JSON body for `POST {path_prefix}/...` (see the module docstring)."""
        return self.model_dump(mode="json", by_alias=True, context=wire_context(path_prefix))


class ChatRequest(_Request):
    """`POST /chat/completions` (CONTRACT §3). Field order follows the SDK's."""

    wire_nullable = frozenset(
        {
            "audio",
            "frequency_penalty",
            "max_tokens",
            "max_completion_tokens",
            "logprobs",
            "top_logprobs",
            "n",
            "presence_penalty",
            "seed",
            "stop",
            "stream_options",
            "temperature",
            "top_p",
            "top_k",
            "modalities",
        }
    )

    messages: list[Message]
    model: str
    metadata: Metadata | None = None
    name: str | None = None  # newer API: the trace name
    audio: AudioOutput | None = None
    frequency_penalty: Annotated[float, between(-2, 2, "Frequency penalty")] | None = None
    max_tokens: int | None = None  # deprecated: max_completion_tokens
    max_completion_tokens: Annotated[int, at_least(1, "Max completion tokens")] | None = None
    logprobs: bool | None = None
    top_logprobs: Annotated[int, between(0, 20, "Top log probabilities")] | None = None
    n: Annotated[int, at_least(1, "Number of answers")] | None = None
    presence_penalty: Annotated[float, between(-2, 2, "Presence penalty")] | None = None
    response_format: ResponseFormat | None = None
    reasoning_effort: ReasoningEffort | None = None
    verbosity: str | None = None
    seed: int | None = None
    stop: Stop | None = None
    stream_options: StreamOptions | None = None
    thinking: Thinking | None = None
    temperature: Annotated[float, between(0, 2, "Temperature")] | None = None
    top_p: Annotated[float, between(0, 1, "Top P")] | None = None
    top_k: int | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    modalities: list[Literal["text", "audio"]] | None = None
    guardrails: list[Guardrail] | None = None
    # Newer API (SDK >= 4.2): plugins, top-level copies of the routing options, variables, caching.
    plugins: list[Plugin] | None = None
    fallback_on_codes: FallbackCodes | None = None
    fallbacks: list[Fallback] | None = None
    retry: Retry | None = None
    cache: Cache | None = None
    load_balancer: LoadBalancerField | None = None
    timeout: Timeout | None = None
    variables: dict[str, Any] | None = None
    cache_control: CacheControl | None = None
    prompt_cache_key: str | None = None
    orq: Orq | None = None
    stream: bool | None = False


class ImageRequest(_Request):
    """`POST /images/generations` (CONTRACT §7). The SDK always writes `n` (1 unless set)."""

    wire_nullable = frozenset(
        {
            "background",
            "moderation",
            "n",
            "output_compression",
            "output_format",
            "quality",
            "response_format",
            "size",
            "style",
        }
    )

    prompt: str
    model: str
    background: ImageBackground | None = None
    moderation: Literal["low", "auto"] | None = None
    n: Annotated[int, between(1, 10, "Number of images")] | None = 1
    output_compression: Annotated[int, between(0, 100, "Output compression")] | None = None
    output_format: ImageFormat | None = None
    quality: ImageQuality | None = None
    response_format: Literal["url", "b64_json"] | None = None
    size: str | None = None  # free text: the sizes allowed depend on the model
    style: ImageStyle | None = None
    # Newer API (SDK >= 4.2): top-level routing copies, trace name, metadata, plugins.
    metadata: Metadata | None = None
    name: str | None = None
    fallback_on_codes: FallbackCodes | None = None
    fallbacks: list[Fallback] | None = None
    retry: Retry | None = None
    cache: Cache | None = None
    load_balancer: LoadBalancerField | None = None
    timeout: Timeout | None = None
    plugins: list[PiiRedactionPlugin] | None = None
    orq: ImageOrq | None = None

    @field_validator("n")
    @classmethod
    def _dall_e_3_makes_one(cls, n: int | None, info: ValidationInfo) -> int | None:
        model = info.data.get("model")
        if model == "openai/dall-e-3" and n is not None and n != 1:
            raise bad_value(
                "openai/dall-e-3 makes exactly 1 image per request (you asked for {n}).",
                n=show(n),
            )
        return n
