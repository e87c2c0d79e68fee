"""Validation in plain words: range checks, tagged unions, and `friendly_errors`.

Every range check raises a `PydanticCustomError` whose message a non-programmer can read
("Retry attempts must be between 1 and 5 (you entered 7)."). `friendly_errors` turns a whole
`ValidationError` into lines such as "orq › retry › count: Retry attempts must be between 1 and 5
(you entered 7).", translating pydantic's own messages (missing fields, unknown keys, wrong types,
choices) into the same style.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import AfterValidator, Discriminator, ValidationError
from pydantic_core import PydanticCustomError

# Every key any request model accepts (field names and aliases), filled in by WireModel
# subclasses; used to suggest a spelling when an unknown key is refused.
KNOWN_KEYS: set[str] = set()

# Error types raised by this module (their message is already in plain words).
_OWN_ERRORS = frozenset({"out_of_range", "too_many", "too_long", "not_unique", "bad_value"})
_TAG_ERROR = "unknown_kind"
_TAGS: dict[str, tuple[str, str, str, str]] = {}  # message -> (key, label, choices, item)

SEPARATOR = " › "

# Field names as the UI talks about them.
LABELS: dict[str, str] = {
    "messages": "Messages",
    "orq": "Routing options",
    "id": "ID",
    "url": "URL",
    "uri": "URI",
    "model": "Model",
    "content": "Content",
    "role": "Role",
    "temperature": "Temperature",
    "top_p": "Top P",
    "top_k": "Top K",
    "n": "Number of results",
    "stop": "Stop sequences",
    "seed": "Seed",
    "max_tokens": "Max tokens",
    "max_completion_tokens": "Max completion tokens",
    "frequency_penalty": "Frequency penalty",
    "presence_penalty": "Presence penalty",
    "logprobs": "Log probabilities",
    "top_logprobs": "Top log probabilities",
    "reasoning_effort": "Reasoning effort",
    "verbosity": "Verbosity",
    "modalities": "Output kinds",
    "voice": "Voice",
    "format": "Format",
    "detail": "Image detail",
    "execute_on": "When to run the guardrail",
    "count": "Retry attempts",
    "on_codes": "Retry status codes",
    "fallback_on_codes": "Fallback status codes",
    "ttl": "Cache lifetime",
    "call_timeout": "Call timeout",
    "knowledge_id": "Knowledge base id",
    "search_type": "Search type",
    "threshold": "Threshold",
    "weight": "Weight",
    "email": "Email",
    "tool_call_id": "Tool call id",
    "budget_tokens": "Thinking budget",
    "thinking_level": "Thinking level",
    "quality": "Quality",
    "style": "Style",
    "background": "Background",
    "moderation": "Moderation",
    "output_format": "Output format",
    "output_compression": "Output compression",
    "response_format": "Response format",
    "size": "Size",
    "prompt": "Prompt",
    "stream": "Stream",
    "on_failure": "On failure",
    "mask": "Mask",
}

# Messages for required keys whose bare "is required" would not say enough.
_MISSING: dict[str, str] = {
    "tool_call_id": (
        "A tool message needs “tool_call_id”, the id of the call it answers (it may be null)."
    ),
    "properties": "Tool parameters need “properties” (it may be an empty object).",
}


def show(value: Any) -> str:
    """A value the way the user typed it: 7, 0.5, "text"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return f'"{text}"'
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def label_for(name: str) -> str:
    """How a field is named in messages ("max_completion_tokens" -> "Max completion tokens")."""
    return LABELS.get(name) or name.replace("_", " ").strip().capitalize()


def _fail(kind: str, template: str, **ctx: str) -> PydanticCustomError:
    return PydanticCustomError(kind, template, ctx)


def between(lo: float, hi: float, label: str, unit: str = "") -> AfterValidator:
    """Accept lo <= value <= hi, else "{label} must be between {lo} and {hi}{unit} (...)"."""

    def check(value: Any) -> Any:
        if not lo <= value <= hi:
            raise _fail(
                "out_of_range",
                "{label} must be between {lo} and {hi}{unit} (you entered {value}).",
                label=label,
                lo=show(lo),
                hi=show(hi),
                unit=unit,
                value=show(value),
            )
        return value

    return AfterValidator(check)


def at_least(lo: float, label: str, unit: str = "") -> AfterValidator:
    """Accept value >= lo, else "{label} must be at least {lo}{unit} (you entered ...)"."""

    def check(value: Any) -> Any:
        if value < lo:
            raise _fail(
                "out_of_range",
                "{label} must be at least {lo}{unit} (you entered {value}).",
                label=label,
                lo=show(lo),
                unit=unit,
                value=show(value),
            )
        return value

    return AfterValidator(check)


def count_between(lo: int, hi: int | None, label: str) -> AfterValidator:
    """A list (or dict) with lo..hi items; `hi=None` means no upper limit."""

    def check(value: Any) -> Any:
        size = len(value)
        if size < lo:
            raise _fail(
                "too_many",
                "{label}: give at least {lo} (you gave {size}).",
                label=label,
                lo=str(lo),
                size=str(size),
            )
        if hi is not None and size > hi:
            raise _fail(
                "too_many",
                "{label}: at most {hi} are allowed (you gave {size}).",
                label=label,
                hi=str(hi),
                size=str(size),
            )
        return value

    return AfterValidator(check)


def unique(label: str) -> AfterValidator:
    """A list whose items do not repeat."""

    def check(value: Any) -> Any:
        seen: set[Any] = set()
        for item in value:
            if item in seen:
                raise _fail(
                    "not_unique",
                    "{label} must not repeat ({item} appears more than once).",
                    label=label,
                    item=show(item),
                )
            seen.add(item)
        return value

    return AfterValidator(check)


def max_chars(limit: int, label: str) -> AfterValidator:
    """A string of at most `limit` characters."""

    def check(value: Any) -> Any:
        if len(value) > limit:
            raise _fail(
                "too_long",
                "{label} can be at most {limit} characters (yours has {size}).",
                label=label,
                limit=str(limit),
                size=str(len(value)),
            )
        return value

    return AfterValidator(check)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def email_shaped(value: str) -> str:
    """Refuse text that does not look like name@domain.tld."""
    if not _EMAIL.match(value):
        raise _fail(
            "bad_value",
            "Email does not look like an email address (you entered {value}).",
            value=show(value),
        )
    return value


def bad_value(template: str, **ctx: str) -> PydanticCustomError:
    """A plain-words error for checks made in model validators."""
    return _fail("bad_value", template, **ctx)


def tagged(key: str, choices: Sequence[str], label: str, item: str = "This") -> Discriminator:
    """A discriminator on `key` (e.g. "role") whose failure lists the allowed choices.

    `item` names the whole object ("A message") for when it is not an object at all. Tags are the
    choices prefixed with "=", so that `friendly_errors` can drop them from locations.
    """

    def pick(value: Any) -> str | None:
        found = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        return f"={found}" if isinstance(found, str) and found in choices else None

    message = f"{label} must be one of: {_or_list(choices)}."
    _TAGS[message] = (key, label, _or_list(choices), item)
    # (No custom_error_context: typing hashes Annotated metadata, and a dict is unhashable.)
    return Discriminator(pick, custom_error_type=_TAG_ERROR, custom_error_message=message)


def shape(pick: Callable[[Any], str | None], message: str) -> Discriminator:
    """A discriminator on the value's shape (text or list, list or object, ...)."""
    return Discriminator(
        pick,
        custom_error_type="wrong_shape",
        custom_error_message=message,
    )


def _or_list(items: Sequence[str]) -> str:
    return ", ".join(items)


def _where(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for segment in loc:
        if isinstance(segment, int):
            parts.append(f"#{segment + 1}")
        elif segment == "[key]":
            continue  # pydantic marks an error in a dict key this way; the key itself precedes
        elif not segment.startswith("="):
            parts.append(segment if len(segment) <= 40 else segment[:37] + "…")
    return SEPARATOR.join(parts)


def _last_name(loc: tuple[int | str, ...]) -> str | None:
    for segment in reversed(loc):
        if isinstance(segment, str) and not segment.startswith(("=", "[")):
            return segment
    return None


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _unknown_key(key: str) -> str:
    if key in KNOWN_KEYS:
        return f"“{key}” is not available here."
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.75)
    hint = f"Did you mean “{close[0]}”?" if close else "Check the spelling."
    return f"“{key}” is not a known option here. {hint}"


def _explain(err: Any) -> str:
    kind: str = err["type"]
    loc: tuple[int | str, ...] = tuple(err["loc"])
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    name = _last_name(loc)
    label = label_for(name) if name else "This value"
    if name and name not in KNOWN_KEYS and len(loc) >= 2 and loc[-1] == name:
        parent = loc[-2]
        if isinstance(parent, str) and parent in KNOWN_KEYS:
            label = f"{label_for(parent)} value"  # a user-chosen key inside a free-form object
    if kind in _OWN_ERRORS or kind == "wrong_shape":
        return str(err["msg"])
    if kind == _TAG_ERROR and err["msg"] in _TAGS:
        key, what, choices, item = _TAGS[err["msg"]]
        if not isinstance(value, dict):
            return f"{item} must be an object with “{key}” (you entered {show(value)})."
        if key not in value:
            return f"{what} is missing: give “{key}” as one of {choices}."
        return f"{what} must be one of: {choices} (you entered {show(value[key])})."
    if kind == "missing":
        return _MISSING.get(name or "", f"{label} is required.")
    if kind == "extra_forbidden":
        return _unknown_key(str(name))
    if kind in ("literal_error", "enum"):
        choices = _choices(ctx.get("expected", ""))
        return f"{label} must be one of: {choices} (you entered {show(value)})."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{label} must be a whole number (you entered {show(value)})."
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{label} must be a number (you entered {show(value)})."
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} must be true or false (you entered {show(value)})."
    if kind == "string_type":
        return f"{label} must be text (you entered {show(value)})."
    if kind in ("list_type", "tuple_type"):
        return f"{label} must be a list (you entered {show(value)})."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{label} must be an object with named values (you entered {show(value)})."
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{label}: {err['msg']}."


MAX_EXPLAINED = 100


def friendly_errors(exc: ValidationError, *, limit: int = MAX_EXPLAINED) -> list[str]:
    """One plain-words line per problem: "<where>: <what is wrong> (you entered <value>).".

    A pasted body can hold tens of thousands of errors: the first ``limit`` are explained and
    one last line counts the rest, so the answer stays quick and readable.
    """
    errors = exc.errors(include_url=False)
    lines: dict[str, None] = {}  # ordered, and O(1) to test for a repeat
    for err in errors[:limit]:
        where = _where(tuple(err["loc"]))
        text = _explain(err)
        lines.setdefault(f"{where}: {text}" if where else text)
    if len(errors) > limit:
        rest = len(errors) - limit
        lines.setdefault(f"… and {rest} more problem{'s' if rest != 1 else ''} like these.")
    return list(lines)
