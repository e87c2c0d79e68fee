"""Reading a request body (the SDK's keyword arguments, or the JSON the router takes) for the form.

What the form can hold is taken: the model, the parameters it edits, the first system message
(the system prompt), the last user message's text (the prompt box) and the ``orq`` object. Every
other thing is named in ``ignored``; nothing is dropped silently. Credentials are removed wherever
they are and the user is told, without ever repeating the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orq_desktop.domain.catalogue import is_valid_model_id
from orq_desktop.domain.key_fields import is_key_value
from orq_desktop.domain.presets import (
    EDITABLE_CHAT_PARAMS,
    EDITABLE_IMAGE_PARAMS,
    MAX_DEPTH,
    TOO_DEEP,
    Checker,
    RequestKind,
    find_key_fields,
    is_key_name,
    nesting_depth,
)

ORQ_CHAT_KEYS = frozenset(
    {
        "name",
        "retry",
        "fallback_on_codes",
        "fallbacks",
        "prompt",
        "identity",
        "contact",
        "thread",
        "inputs",
        "cache",
        "knowledge_bases",
        "load_balancer",
        "timeout",
    }
)
ORQ_IMAGE_KEYS = frozenset(
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
# The newer API (SDK >= 4.2) also takes these at the top level; this app keeps them in ``orq``.
TOP_LEVEL_ROUTING = ("fallbacks", "retry", "cache", "load_balancer", "timeout", "fallback_on_codes")

_WHY_NOT: dict[str, str] = {
    "max_tokens": "deprecated; Max tokens sets max_completion_tokens",
    "stream_options": "the app sets it itself",
}
_STAND_IN_MODEL = "openai/gpt-4o"


def secret_dropped(what: str) -> str:
    """The sentence that tells the user a pasted credential was thrown away."""
    return f"{what} was dropped: a pasted key is never kept (Orq Desktop uses the key in Settings)."


@dataclass(frozen=True)
class FormFill:
    """What applying a pasted request changes; None leaves that part of the form as it is.

    ``params`` replace every parameter (unset ones go back to the model's default); ``orq`` {}
    clears the routing options.
    """

    target: RequestKind = "chat"
    model: str | None = None
    params: dict[str, Any] | None = None
    system_prompt: str | None = None
    prompt: str | None = None
    orq: dict[str, Any] | None = None

    def is_empty(self) -> bool:
        return all(
            v is None for v in (self.model, self.params, self.system_prompt, self.prompt, self.orq)
        )


@dataclass
class Reading:
    """A body as read so far: the request kept, what fills the form, and what was said."""

    target: RequestKind = "chat"
    body: dict[str, Any] = field(default_factory=dict)
    fill: FormFill = field(default_factory=FormFill)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def drop_key_fields(value: Any, ignored: list[str], where: str = "") -> Any:
    """``value`` without credential-named fields or ``Bearer`` texts (a cleaned copy when there
    were any; ``value`` itself otherwise); each one dropped is reported in ``ignored`` by its
    path, never its value."""
    found = find_key_fields(value, where)
    if not found:
        return value
    for path in found:
        ignored.append(secret_dropped(f"The field `{path}`"))
    return _without_keys(value)


def _without_keys(value: Any) -> Any:
    """``value`` without what :func:`find_key_fields` reports (the same rule, so whatever the
    preview says was dropped really is)."""
    if isinstance(value, dict):
        named = value.get("key")
        named_key = isinstance(named, str) and is_key_name(named)  # {"key": "api_key", "value"…}
        return {
            k: _without_keys(v)
            for k, v in value.items()
            if not (is_key_name(str(k)) or is_key_value(v) or (named_key and k == "value"))
        }
    if isinstance(value, list):
        return [_without_keys(v) for v in value if not is_key_value(v)]
    return value


def read_orq(
    orq: Any, target: RequestKind, *, check: Checker | None = None, hint: RequestKind | None = None
) -> Reading:
    """An ``orq`` object pasted on its own."""
    reading = Reading(target=hint or target)
    if nesting_depth(orq) > MAX_DEPTH:
        reading.errors.append(TOO_DEEP)
        return reading
    cleaned = drop_key_fields(orq, reading.ignored, "orq")
    kept = _fit_orq(dict(cleaned) if isinstance(cleaned, dict) else cleaned, reading)
    reading.body = {"orq": kept}
    reading.fill = FormFill(target=reading.target, orq=kept)
    if check is not None:
        stand_in = _stand_in(reading.target, {"orq": kept})
        reading.errors += check(reading.target, stand_in)
    return reading


def read_body(
    raw: dict[str, Any], *, check: Checker | None = None, hint: RequestKind | None = None
) -> Reading:
    """A request body: chat when it has ``messages``, image when it has a ``prompt`` (or the
    ``hint`` from the URL or the call says so)."""
    reading = Reading()
    if nesting_depth(raw) > MAX_DEPTH:
        reading.errors.append(TOO_DEEP)
        return reading
    data: dict[str, Any] = dict(drop_key_fields(raw, reading.ignored))  # popped from below
    if "messages" in data:
        reading.target = "chat"
    elif "prompt" in data:
        reading.target = "image"
    else:
        reading.target = hint or "chat"
    body: dict[str, Any] = {}
    fill: dict[str, Any] = {"target": reading.target}

    model = data.pop("model", None)
    if isinstance(model, str):
        body["model"] = fill["model"] = model.strip()
        if reason := is_valid_model_id(model.strip()):
            reading.errors.append(reason)
    elif model is not None:
        reading.errors.append("The model must be text, such as “openai/gpt-4o”.")

    orq = data.pop("orq", None)
    if orq is not None and not isinstance(orq, dict):
        reading.errors.append("`orq` must be an object (the router's routing options).")
        orq = None
    orq = _fold_top_level_routing(data, dict(orq or {}), reading)

    if reading.target == "chat":
        _read_messages(data, body, fill, reading)
        editable = EDITABLE_CHAT_PARAMS
    else:
        _read_image_prompt(data, body, fill, reading)
        editable = EDITABLE_IMAGE_PARAMS

    params: dict[str, Any] = {}
    for key, value in data.items():
        if key in editable:
            if value is None:
                reading.ignored.append(f"the field `{key}` (null: left unset)")
            else:
                params[key] = value
        else:
            why = _WHY_NOT.get(key, "not editable here")
            reading.ignored.append(f"the field `{key}` ({why})")
    if reading.target == "chat":
        params.setdefault("stream", False)  # the SDK's default, so the request is reproduced
    body.update(params)
    fill["params"] = params
    kept_orq = _fit_orq(orq, reading)
    if kept_orq:
        body["orq"] = kept_orq
    fill["orq"] = kept_orq
    reading.body = body
    reading.fill = FormFill(**fill)
    if check is not None:
        reading.errors += check(reading.target, _stand_in(reading.target, body))
    return reading


def _stand_in(target: RequestKind, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` completed with stand-ins for what a pasted fragment may lack, for checking."""
    full = dict(body)  # only the top level changes
    full.setdefault("model", _STAND_IN_MODEL)
    if target == "chat":
        if not any(m.get("role") == "user" for m in full.get("messages", [])):
            full["messages"] = [*full.get("messages", []), {"role": "user", "content": "-"}]
    else:
        full.setdefault("prompt", "-")
    return full


def _fold_top_level_routing(
    data: dict[str, Any], orq: dict[str, Any], reading: Reading
) -> dict[str, Any]:
    for key in TOP_LEVEL_ROUTING:
        if key not in data:
            continue
        value = data.pop(key)
        if key in orq:
            reading.ignored.append(f"the top-level `{key}` (`orq` has its own `{key}`)")
        else:
            orq[key] = value
            reading.notes.append(
                f"The top-level `{key}` was moved into `orq`, where Orq Desktop keeps "
                "routing options."
            )
    if "variables" in data and reading.target == "chat":
        variables = data.pop("variables")
        if "inputs" in orq:
            reading.ignored.append("the field `variables` (`orq` has its own `inputs`)")
        else:
            orq["inputs"] = variables
            reading.notes.append("The `variables` were moved into `orq.inputs`.")
    return orq


def _fit_orq(orq: Any, reading: Reading) -> dict[str, Any]:
    """Drop what an image request's ``orq`` cannot take, saying so."""
    if not isinstance(orq, dict):
        reading.errors.append("`orq` must be an object (the router's routing options).")
        return {}
    if reading.target == "image":
        for key in [k for k in orq if k in ORQ_CHAT_KEYS - ORQ_IMAGE_KEYS]:
            del orq[key]
            reading.ignored.append(f"the routing option `{key}` (image requests do not take it)")
    return orq


def _text_of(content: Any, what: str, reading: Reading) -> str | None:
    """A message's text; attachments and other parts are named in ``ignored``."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts: list[str] = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text":
                texts.append(str(part.get("text", "")))
            else:
                kind = part.get("type", "unknown") if isinstance(part, dict) else "unknown"
                reading.ignored.append(f"a part of type `{kind}` in {what} (not loaded)")
        return "\n".join(texts)
    if content is not None:
        reading.errors.append(f"The content of {what} is neither text nor a list of parts.")
    return None


def _read_messages(
    data: dict[str, Any], body: dict[str, Any], fill: dict[str, Any], reading: Reading
) -> None:
    if "messages" not in data:
        return
    messages = data.pop("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        reading.errors.append("`messages` must be a list of {role, content} objects.")
        return
    system_index = next(
        (i for i, m in enumerate(messages) if m.get("role") in ("system", "developer")), None
    )
    user_index = next(
        (i for i in reversed(range(len(messages))) if messages[i].get("role") == "user"), None
    )
    kept: list[dict[str, Any]] = []
    system = ""
    if system_index is not None:
        text = _text_of(messages[system_index].get("content"), "the system message", reading)
        system = text or ""
        if system:
            kept.append({"role": "system", "content": system})
    prompt = ""
    if user_index is not None:
        text = _text_of(messages[user_index].get("content"), "the last user message", reading)
        prompt = text or ""
        kept.append({"role": "user", "content": prompt})
    others = [i for i in range(len(messages)) if i not in (system_index, user_index)]
    if others:
        extra_system = sum(1 for i in others if messages[i].get("role") in ("system", "developer"))
        rest = len(others) - extra_system
        if extra_system:
            reading.ignored.append(
                f"{extra_system} more system message(s) (the first one is the system prompt)"
            )
        if rest:
            reading.ignored.append(
                f"{rest} other message(s) of the conversation "
                "(only the last user message goes into the prompt box)"
            )
    body["messages"] = kept
    fill["system_prompt"] = system
    fill["prompt"] = prompt


def _read_image_prompt(
    data: dict[str, Any], body: dict[str, Any], fill: dict[str, Any], reading: Reading
) -> None:
    if "prompt" not in data:
        return
    prompt = data.pop("prompt")
    if isinstance(prompt, str):
        body["prompt"] = fill["prompt"] = prompt
    else:
        reading.errors.append("The image prompt must be text.")
