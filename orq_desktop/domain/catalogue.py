"""The model catalogue: common chat and image models, the simulator's misbehaving models.

Plain data for pickers and forms. The router accepts any ``provider/model`` id, so the
catalogue is a list of suggestions, not a whitelist: :func:`is_valid_model_id` only checks
the shape of a free-text id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CHAT_MODEL_GROUPS",
    "DEFAULT_CHAT_MODEL",
    "DEFAULT_IMAGE_MODEL",
    "IMAGE_MODELS",
    "REASONING_EFFORTS",
    "SIM_GROUP",
    "ChatModel",
    "ImageModel",
    "ModelGroup",
    "chat_model_ids",
    "describe_model",
    "find_chat_model",
    "find_image_model",
    "is_valid_model_id",
]


@dataclass(frozen=True, slots=True)
class ChatModel:
    """One suggested chat model.

    Attributes:
        id: the router's ``provider/model`` id.
        label: a short human name.
        description: one line in plain words (shown as a tooltip).
    """

    id: str
    label: str
    description: str = ""

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class ModelGroup:
    """Models of one provider (or the simulator), in the order a picker lists them."""

    name: str
    models: tuple[ChatModel, ...]
    simulated: bool = False


def _group(name: str, *models: tuple[str, str, str]) -> ModelGroup:
    return ModelGroup(name, tuple(ChatModel(i, label, desc) for i, label, desc in models))


SIM_GROUP = ModelGroup(
    "Simulator (demo mode)",
    (
        ChatModel(
            "sim/status-429",
            "Rate limited (429)",
            "Always answers 429 Too Many Requests with Retry-After: 1. Try retries on 429.",
        ),
        ChatModel(
            "sim/status-503",
            "Unavailable (503)",
            "Always answers 503 Service Unavailable. Try a fallback model.",
        ),
        ChatModel(
            "sim/slow-3000",
            "Slow (3 s)",
            "Waits 3 seconds before the first word, then answers normally. Try a call timeout.",
        ),
        ChatModel(
            "sim/timeout",
            "Never answers",
            "Never answers at all, until the app or a call timeout gives up.",
        ),
        ChatModel(
            "sim/drop-after-20",
            "Connection drops",
            "Streams 20 words, then the connection breaks without warning.",
        ),
        ChatModel(
            "sim/error-after-20",
            "Provider error mid-answer",
            "Streams 20 words, then the provider reports an error inside the stream.",
        ),
        ChatModel(
            "sim/malformed",
            "Garbled answer",
            "Sends a piece of the answer that is not valid JSON.",
        ),
        ChatModel(
            "sim/unknown",
            "Unknown model (404)",
            "Answers 404: the router does not know this model; no fallback is tried.",
        ),
    ),
    simulated=True,
)

CHAT_MODEL_GROUPS: tuple[ModelGroup, ...] = (
    _group(
        "OpenAI",
        ("openai/gpt-4o", "GPT-4o", "OpenAI's fast multimodal flagship."),
        ("openai/gpt-4o-mini", "GPT-4o mini", "Small, cheap and quick."),
        ("openai/gpt-4.1", "GPT-4.1", "Strong at following instructions and long documents."),
        ("openai/gpt-4.1-mini", "GPT-4.1 mini", "A cheaper GPT-4.1."),
        ("openai/gpt-5", "GPT-5", "OpenAI's reasoning flagship."),
        ("openai/gpt-5-mini", "GPT-5 mini", "A cheaper, faster GPT-5."),
        ("openai/o3", "o3", "Reasoning model: thinks before it answers."),
        ("openai/o4-mini", "o4-mini", "A small reasoning model."),
    ),
    _group(
        "Anthropic",
        ("anthropic/claude-4-opus", "Claude 4 Opus", "Anthropic's most capable model."),
        ("anthropic/claude-4-sonnet", "Claude 4 Sonnet", "Balanced quality and speed."),
        ("anthropic/claude-3-7-sonnet", "Claude 3.7 Sonnet", "Hybrid reasoning model."),
        ("anthropic/claude-3-5-sonnet", "Claude 3.5 Sonnet", "A well-rounded earlier model."),
        ("anthropic/claude-3-5-haiku", "Claude 3.5 Haiku", "Anthropic's fastest model."),
    ),
    _group(
        "Google",
        ("google/gemini-2.5-pro", "Gemini 2.5 Pro", "Google's most capable model."),
        ("google/gemini-2.5-flash", "Gemini 2.5 Flash", "Fast and inexpensive."),
        ("google/gemini-2.0-flash", "Gemini 2.0 Flash", "The previous fast model."),
    ),
    _group(
        "Mistral",
        ("mistral/mistral-large-latest", "Mistral Large", "Mistral's flagship model."),
        ("mistral/mistral-small-latest", "Mistral Small", "Small and quick."),
        ("mistral/codestral-latest", "Codestral", "Made for code."),
    ),
    _group(
        "Groq",
        ("groq/llama-3.3-70b-versatile", "Llama 3.3 70B", "Meta's open model, served fast."),
    ),
    _group(
        "DeepSeek",
        ("deepseek/deepseek-chat", "DeepSeek Chat", "DeepSeek's general model."),
        ("deepseek/deepseek-reasoner", "DeepSeek Reasoner", "DeepSeek's reasoning model."),
    ),
    SIM_GROUP,
)

DEFAULT_CHAT_MODEL = "openai/gpt-4o-mini"

# ``reasoning_effort`` values the SDK 4.1 accepts (CONTRACT §3; "instant" and "max" came later).
REASONING_EFFORTS: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh")


@dataclass(frozen=True, slots=True)
class ImageModel:
    """An image model and the options it supports (OpenAI's upstream values, CONTRACT §7).

    An empty tuple means the option does not apply to this model and must not be sent.
    """

    id: str
    label: str
    sizes: tuple[str, ...]
    default_size: str
    max_n: int
    qualities: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    backgrounds: tuple[str, ...] = ()
    output_formats: tuple[str, ...] = ()
    moderations: tuple[str, ...] = ()
    response_formats: tuple[str, ...] = ()
    supports_output_compression: bool = False


IMAGE_MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        "openai/dall-e-2",
        "DALL·E 2",
        sizes=("256x256", "512x512", "1024x1024"),
        default_size="1024x1024",
        max_n=10,
        qualities=("standard",),
        response_formats=("url", "b64_json"),
    ),
    ImageModel(
        "openai/dall-e-3",
        "DALL·E 3",
        sizes=("1024x1024", "1792x1024", "1024x1792"),
        default_size="1024x1024",
        max_n=1,
        qualities=("standard", "hd"),
        styles=("vivid", "natural"),
        response_formats=("url", "b64_json"),
    ),
    ImageModel(
        "openai/gpt-image-1",
        "GPT Image 1",
        sizes=("1024x1024", "1536x1024", "1024x1536", "auto"),
        default_size="auto",
        max_n=10,
        qualities=("auto", "high", "medium", "low"),
        backgrounds=("transparent", "opaque", "auto"),
        output_formats=("png", "jpeg", "webp"),
        moderations=("low", "auto"),
        supports_output_compression=True,
    ),
)

DEFAULT_IMAGE_MODEL = "openai/gpt-image-1"


def chat_model_ids(*, include_simulated: bool = True) -> list[str]:
    """Every catalogued chat model id, in picker order."""
    return [
        m.id for g in CHAT_MODEL_GROUPS if include_simulated or not g.simulated for m in g.models
    ]


def find_chat_model(model_id: str) -> ChatModel | None:
    for group in CHAT_MODEL_GROUPS:
        for model in group.models:
            if model.id == model_id:
                return model
    return None


def find_image_model(model_id: str) -> ImageModel | None:
    for model in IMAGE_MODELS:
        if model.id == model_id:
            return model
    return None


_SIM_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"sim/status-(\d{3})"), "Always answers HTTP status {0}."),
    (re.compile(r"sim/slow-(\d+)"), "Waits {0} ms before the first word, then answers normally."),
    (re.compile(r"sim/drop-after-(\d+)"), "Streams {0} words, then the connection breaks."),
    (
        re.compile(r"sim/error-after-(\d+)"),
        "Streams {0} words, then the provider reports an error.",
    ),
)


def describe_model(model_id: str) -> str:
    """A plain-words description of a chat model id, or "" when there is nothing to say.

    Simulator ids with a number (``sim/status-418``, ``sim/slow-250``) are described even when
    they are not in the catalogue.
    """
    model = find_chat_model(model_id)
    if model is not None:
        return model.description
    for pattern, text in _SIM_PATTERNS:
        match = pattern.fullmatch(model_id)
        if match:
            return text.format(match.group(1))
    if model_id.startswith("sim/"):
        return "An unknown simulator model: answers 404 model not found."
    return ""


_PROVIDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MAX_ID_LENGTH = 200


def _shown(text: str) -> str:
    """A short quote of what the user typed, for a message (never a whole paste)."""
    return text if len(text) <= 40 else text[:37] + "…"


def is_valid_model_id(model_id: str) -> str | None:
    """Why a free-text model id is not shaped like ``provider/model``, or None when it is.

    The model part may itself contain slashes (``togetherai/meta-llama/Llama-3-70b``).
    """
    example = "for example openai/gpt-4o"
    if not model_id.strip():
        return f"Choose a model ({example})."
    if any(ch.isspace() for ch in model_id):
        return f"A model id has no spaces (you entered “{_shown(model_id)}”)."
    if any(not ch.isprintable() for ch in model_id):
        return "The model id contains an invisible character; retype it."
    if len(model_id) > _MAX_ID_LENGTH:
        return f"The model id is too long (at most {_MAX_ID_LENGTH} characters)."
    if "/" not in model_id:
        return f"Add the provider: a model id looks like provider/model, {example}."
    provider, name = model_id.split("/", 1)
    if not provider:
        return f"The provider is missing before the “/”, {example}."
    if not _PROVIDER.fullmatch(provider):
        return f"The provider “{_shown(provider)}” may only use letters, digits, '.', '_' and '-'."
    if not name:
        return f"The model name is missing after “{provider}/”, {example}."
    if "" in name.split("/"):
        return "The model id has an empty part between slashes."
    return None
