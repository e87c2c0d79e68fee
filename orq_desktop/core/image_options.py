"""Which image options a model takes, the request the image form builds, and re-runs.

The rules come from the catalogue (CONTRACT §7, OpenAI's upstream values). A model typed as free
text may be anything the router knows, so it is offered every option and every value the wire
format allows. A value outside a model's rules is never sent: :func:`clean_options` drops it
and says so.

Requests are the SDK's keyword arguments (``{"prompt", "model", "size", …, "orq": {…}}``); the
same dictionary is saved with the image, so :func:`request_from_settings` rebuilds the identical
request from an image's metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orq_desktop.domain.catalogue import IMAGE_MODELS, find_image_model

__all__ = [
    "ALL_BACKGROUNDS",
    "ALL_MODERATIONS",
    "ALL_OUTPUT_FORMATS",
    "ALL_QUALITIES",
    "ALL_RESPONSE_FORMATS",
    "ALL_SIZES",
    "ALL_STYLES",
    "CHOICE_OPTIONS",
    "COMPRESSED_FORMATS",
    "IMAGE_ORQ_KEYS",
    "MAX_N",
    "OptionRules",
    "build_request",
    "clean_options",
    "image_orq",
    "request_from_settings",
    "rules_for",
]

# The wire format's enums (CONTRACT §7), in the order a form lists them.
ALL_QUALITIES: tuple[str, ...] = ("auto", "high", "medium", "low", "hd", "standard")
ALL_STYLES: tuple[str, ...] = ("vivid", "natural")
ALL_BACKGROUNDS: tuple[str, ...] = ("transparent", "opaque", "auto")
ALL_OUTPUT_FORMATS: tuple[str, ...] = ("png", "jpeg", "webp")
ALL_MODERATIONS: tuple[str, ...] = ("low", "auto")
ALL_RESPONSE_FORMATS: tuple[str, ...] = ("url", "b64_json")
ALL_SIZES: tuple[str, ...] = tuple(
    dict.fromkeys(size for model in IMAGE_MODELS for size in model.sizes)
)
MAX_N = 10
COMPRESSED_FORMATS = frozenset({"jpeg", "webp"})  # output_compression applies to these only

# Option name -> attribute of OptionRules holding its allowed values.
CHOICE_OPTIONS: dict[str, str] = {
    "size": "sizes",
    "quality": "qualities",
    "style": "styles",
    "background": "backgrounds",
    "output_format": "output_formats",
    "moderation": "moderations",
    "response_format": "response_formats",
}
# What an image request's ``orq`` may hold (CONTRACT §4.2; ``ImageOrq`` in the api models).
IMAGE_ORQ_KEYS = frozenset(
    {
        "name",
        "retry",
        "fallback_on_codes",
        "fallbacks",
        "identity",
        "contact",
        "cache",
        "load_balancer",
        "timeout",
    }
)
# Settings saved with an image that are about its result, not part of the request.
_RESULT_KEYS = frozenset({"revised_prompt", "result"})


@dataclass(frozen=True, slots=True)
class OptionRules:
    """The options one model takes; an empty tuple means "not offered, never sent".

    Attributes:
        model_id: the model these rules are for.
        known: True for a catalogued model, False for free text (every option is offered).
        sizes: sizes to offer; ``size_free_text`` allows typing another one.
        default_size: the size the model uses when none is sent (None: unknown).
        compression: ``output_compression`` is offered (with a jpeg or webp output format).
        max_n: the most images one request may ask for.
    """

    model_id: str
    known: bool
    sizes: tuple[str, ...]
    default_size: str | None
    size_free_text: bool
    qualities: tuple[str, ...]
    styles: tuple[str, ...]
    backgrounds: tuple[str, ...]
    output_formats: tuple[str, ...]
    moderations: tuple[str, ...]
    response_formats: tuple[str, ...]
    compression: bool
    max_n: int

    def choices(self, option: str) -> tuple[str, ...]:
        """The values offered for a choice option (``size``, ``quality``, …)."""
        values: tuple[str, ...] = getattr(self, CHOICE_OPTIONS[option])
        return values

    def allows(self, option: str, value: object) -> bool:
        """True when ``value`` may be sent for ``option`` with this model."""
        if option == "size":
            return isinstance(value, str) and (
                value in self.sizes or (self.size_free_text and _looks_like_size(value))
            )
        if option in CHOICE_OPTIONS:
            return value in self.choices(option)
        if option == "n":
            return type(value) is int and 1 <= value <= self.max_n
        if option == "output_compression":
            return self.compression and type(value) is int and 0 <= value <= 100
        return False


def rules_for(model_id: str) -> OptionRules:
    """The option rules for ``model_id``: the catalogue's, or everything for free text."""
    model = find_image_model(model_id.strip())
    if model is None:
        return OptionRules(
            model_id=model_id.strip(),
            known=False,
            sizes=ALL_SIZES,
            default_size=None,
            size_free_text=True,
            qualities=ALL_QUALITIES,
            styles=ALL_STYLES,
            backgrounds=ALL_BACKGROUNDS,
            output_formats=ALL_OUTPUT_FORMATS,
            moderations=ALL_MODERATIONS,
            response_formats=ALL_RESPONSE_FORMATS,
            compression=True,
            max_n=MAX_N,
        )
    return OptionRules(
        model_id=model.id,
        known=True,
        sizes=model.sizes,
        default_size=model.default_size,
        size_free_text=False,
        qualities=model.qualities,
        styles=model.styles,
        backgrounds=model.backgrounds,
        output_formats=model.output_formats,
        moderations=model.moderations,
        response_formats=model.response_formats,
        compression=model.supports_output_compression,
        max_n=model.max_n,
    )


def _looks_like_size(value: str) -> bool:
    if value == "auto":
        return True
    width, sep, height = value.partition("x")
    return bool(sep) and width.isdigit() and height.isdigit() and len(value) <= 11


def clean_options(
    rules: OptionRules, options: Mapping[str, object]
) -> tuple[dict[str, Any], list[str]]:
    """The options this model takes, and a plain sentence for each one dropped.

    ``None`` means "not sent" and is dropped silently; ``output_compression`` needs a jpeg or
    webp ``output_format``.
    """
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    label = rules.model_id or "this model"
    for name, value in options.items():
        if value is None:
            continue
        if name == "output_compression" and options.get("output_format") not in COMPRESSED_FORMATS:
            dropped.append("Compression applies only to the jpeg and webp output formats.")
            continue
        if rules.allows(name, value):
            kept[name] = value
        elif name == "n" and type(value) is int:
            dropped.append(f"{label} makes at most {rules.max_n} image(s) per request.")
        elif name in CHOICE_OPTIONS or name in ("n", "output_compression"):
            dropped.append(f"{label} does not take {name.replace('_', ' ')} {value!r}.")
        else:
            dropped.append(f"{name!r} is not an image option.")
    return kept, dropped


def image_orq(orq: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The parts of a routing object an image request takes, and the names left out."""
    if not orq:
        return {}, []
    kept = {k: v for k, v in orq.items() if k in IMAGE_ORQ_KEYS}
    return kept, sorted(k for k in orq if k not in IMAGE_ORQ_KEYS)


def build_request(
    prompt: str,
    model: str,
    options: Mapping[str, object],
    orq: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The request dictionary for the image endpoint, and notes on what was left out.

    ``extra`` carries top-level fields the form does not edit (kept as given on a re-run).
    """
    rules = rules_for(model)
    kept, notes = clean_options(rules, options)
    routing, left_out = image_orq(orq)
    if left_out:
        notes.append(
            "Image requests do not take these routing options: " + ", ".join(left_out) + "."
        )
    request: dict[str, Any] = {"prompt": prompt, "model": model.strip(), **kept}
    for key, value in (extra or {}).items():
        if key not in request and key != "orq":
            request[key] = value
    if routing:
        request["orq"] = routing
    return request, notes


def request_from_settings(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The request saved with an image (its metadata), or None if it holds no usable request.

    The inverse of what :class:`~orq_desktop.core.image_job.ImageJob` saves: prompt, model,
    ``options`` spread at the top level, ``orq``, and any other request field (kept under
    ``extra``). Result fields (the revised prompt, timings) are not part of the request.
    """
    prompt = settings.get("prompt")
    model = settings.get("model")
    if not isinstance(prompt, str) or not isinstance(model, str) or not model.strip():
        return None
    request: dict[str, Any] = {"prompt": prompt, "model": model}
    options = settings.get("options")
    if isinstance(options, Mapping):
        request.update({str(k): v for k, v in options.items() if v is not None})
    extra = settings.get("extra")
    if isinstance(extra, Mapping):
        for key, value in extra.items():
            if key not in _RESULT_KEYS and key not in request:
                request[str(key)] = value
    orq = settings.get("orq")
    if isinstance(orq, Mapping) and orq:
        request["orq"] = dict(orq)
    return request
