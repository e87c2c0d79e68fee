"""Presets: a whole chat configuration (model, parameters, system prompt, routing) under a name.

A preset file is JSON whose ``orq`` part is exactly the router's wire object, so it can be pasted
into a request body as it is::

    {"format": "orq-desktop-preset", "version": 1, "name": "Support bot",
     "model": "openai/gpt-4o", "params": {"temperature": 0.2, "stream": true},
     "system_prompt": "You are terse.", "orq": {"retry": {"count": 2, "on_codes": [429]}}}

Reading one checks everything and refuses the whole file with every reason found, so a bad file
changes nothing. Checking the parameters and the ``orq`` object against the request models is done
by a ``Checker`` that the caller passes in (``orq_desktop.core.presets_store.check_request``): the
domain layer does not import the router client's models.

No key is ever kept: a field whose name looks like a credential (``api_key``,
``openai_api_key``, ``authorization``, …) anywhere in a preset, and any text that looks like a key
(``Bearer …``, ``sk-…``), refuse it (the rule is :mod:`orq_desktop.domain.key_fields`).

No conversation's thread id is kept either: ``orq.thread.id`` names one chat's thread in the
router's traces, so a preset keeps only the thread's tags and the chat it is applied to brings its
own id (:func:`keep_thread_id`).
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from orq_desktop.domain.ids import thread_id
from orq_desktop.domain.key_fields import find_key_fields as find_key_fields
from orq_desktop.domain.key_fields import is_bearer_text as is_bearer_text
from orq_desktop.domain.key_fields import is_key_name as is_key_name

PRESET_FORMAT = "orq-desktop-preset"
PRESET_VERSION = 1
MAX_PRESET_BYTES = 1024 * 1024  # a preset is a few kilobytes; anything this big is not one
MAX_NAME_CHARS = 80
MAX_DEPTH = 64  # requests nest a dozen levels; deeper JSON would only exhaust the recursion limit
TOO_DEEP = f"This is nested more than {MAX_DEPTH} levels deep, which no request is."

RequestKind = Literal["chat", "image"]
Checker = Callable[[RequestKind, dict[str, Any]], list[str]]
"""``check(kind, body) -> reasons``: validates a request body (SDK keyword arguments) in plain
words; an empty list means it is valid."""
STAND_IN_THREAD_ID = "thread_PRESET"  # only in the body a preset is checked with, never sent

# The chat parameters the app's form edits (``ParamsPanel.KEYS`` without the model).
EDITABLE_CHAT_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_completion_tokens",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "reasoning_effort",
        "stop",
        "response_format",
        "stream",
    }
)
# The image options the image form edits (CONTRACT §7).
EDITABLE_IMAGE_PARAMS = frozenset(
    {
        "n",
        "size",
        "quality",
        "style",
        "background",
        "output_format",
        "output_compression",
        "moderation",
        "response_format",
    }
)


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and objects nest in ``value`` (counted without recursion, and only up
    to ``limit + 1``: deeper is deeper)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping | list):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
            children = item.values() if isinstance(item, Mapping) else item
            stack.extend((child, depth) for child in children if isinstance(child, Mapping | list))
    return deepest


class PresetError(ValueError):
    """A preset was refused; ``reasons`` says why, one plain sentence each."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class Preset:
    """A named chat configuration. ``params`` are SDK keyword arguments the form edits;
    ``orq`` is the routing object as the router takes it ({} when none is set)."""

    name: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)
    system_prompt: str = ""
    orq: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The file's JSON object (copies: editing it never changes the preset)."""
        return {
            "format": PRESET_FORMAT,
            "version": PRESET_VERSION,
            "name": self.name,
            "model": self.model,
            "params": copy.deepcopy(self.params),
            "system_prompt": self.system_prompt,
            "orq": copy.deepcopy(self.orq),
        }

    def options(self) -> dict[str, Any]:
        """The form's options (``ChatPanel.set_options``): the model and the parameters."""
        return {"model": self.model, **copy.deepcopy(self.params)}

    def request_body(self) -> dict[str, Any]:
        """A request body with this configuration and one stand-in user message."""
        body: dict[str, Any] = {
            "messages": [{"role": "user", "content": "(preset check)"}],
            "model": self.model,
            **copy.deepcopy(self.params),
        }
        if self.orq:
            body["orq"] = copy.deepcopy(self.orq)
            thread = body["orq"].get("thread")
            if isinstance(thread, dict) and "id" not in thread:
                thread["id"] = STAND_IN_THREAD_ID  # the chat it is applied to brings its own
        return body


def keep_thread_id(orq: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """``orq`` for this conversation: a ``thread`` in it takes the conversation's thread id (from
    ``current``), so a preset or a pasted request never files this conversation under another
    one's thread. A ``thread`` with no id (a preset's) and no current id gets a new one. Tags and
    everything else come from ``orq``."""
    out = copy.deepcopy(dict(orq))
    thread = out.get("thread")
    if not isinstance(thread, dict):
        return out
    own = current.get("thread")
    if isinstance(own, Mapping) and own.get("id"):
        thread["id"] = own["id"]
    elif not thread.get("id"):
        thread["id"] = thread_id()
    return out


def without_thread_id(orq: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``orq`` whose ``thread`` keeps its tags but not its id."""
    out = copy.deepcopy(dict(orq))
    thread = out.get("thread")
    if isinstance(thread, dict):
        thread.pop("id", None)
    return out


def preset_to_bytes(preset: Preset) -> bytes:
    """The preset as a UTF-8 JSON file (indented, non-ASCII text kept readable)."""
    return (json.dumps(preset.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def clean_name(name: object) -> str:
    """A preset name trimmed; raises ``PresetError`` when it is empty, too long or not text."""
    if not isinstance(name, str):
        raise PresetError(["The preset's name must be text."])
    text = " ".join(name.split())
    if not text:
        raise PresetError(["Give the preset a name."])
    if len(text) > MAX_NAME_CHARS:
        raise PresetError([f"A preset name can have at most {MAX_NAME_CHARS} characters."])
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise PresetError(["A preset name cannot contain control characters."])
    return text


def make_preset(
    name: object,
    options: Mapping[str, Any],
    system_prompt: str,
    orq: Mapping[str, Any],
    *,
    check: Checker | None = None,
) -> Preset:
    """A preset from the form's current state (``ChatPanel.options()`` may carry ``orq`` too;
    the routing state's ``orq`` wins). Raises ``PresetError`` like :func:`preset_from_json`."""
    params = {k: copy.deepcopy(v) for k, v in options.items() if k not in ("model", "orq")}
    return preset_from_json(
        {
            "format": PRESET_FORMAT,
            "version": PRESET_VERSION,
            "name": name,
            "model": options.get("model", ""),
            "params": params,
            "system_prompt": system_prompt,
            "orq": copy.deepcopy(dict(orq)),
        },
        check=check,
    )


def parse_preset(data: bytes | str, *, check: Checker | None = None) -> Preset:
    """Read a preset file's content; raises ``PresetError`` with every reason it is refused."""
    if len(data) > MAX_PRESET_BYTES:
        raise PresetError(
            [f"This file is too large to be a preset (over {MAX_PRESET_BYTES // 1024} KB)."]
        )
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise PresetError(["This file is not text (it is not UTF-8)."]) from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PresetError(
            [f"This file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."]
        ) from None
    except RecursionError:
        raise PresetError([TOO_DEEP]) from None
    return preset_from_json(parsed, check=check)


def preset_from_json(data: object, *, check: Checker | None = None) -> Preset:
    """A preset from its JSON object, checked in full (see the module docstring)."""
    if not isinstance(data, dict):
        raise PresetError(["This is not a preset: the file must hold one JSON object."])
    if nesting_depth(data) > MAX_DEPTH:
        raise PresetError([TOO_DEEP])
    if data.get("format") != PRESET_FORMAT:
        raise PresetError(
            [f'This is not an Orq Desktop preset ("format" is not "{PRESET_FORMAT}").']
        )
    version = data.get("version")
    if version != PRESET_VERSION or isinstance(version, bool):
        raise PresetError(
            [
                f"This preset is version {json.dumps(version)}; "
                f"this version of Orq Desktop reads version {PRESET_VERSION}."
            ]
        )
    scanned = dict(data)  # a thread id is dropped below, so it is never a reason to refuse
    if isinstance(scanned.get("orq"), dict):
        scanned["orq"] = without_thread_id(scanned["orq"])
    if keys := find_key_fields(scanned):
        raise PresetError(
            [
                f"This preset holds what looks like an API key ({', '.join(keys)}); "
                "presets never keep keys, so it was not loaded."
            ]
        )
    reasons: list[str] = []
    known = {"format", "version", "name", "model", "params", "system_prompt", "orq"}
    if extra := [k for k in data if k not in known]:
        reasons.append(f"Unknown fields in the preset: {', '.join(sorted(map(str, extra)))}.")
    name = ""
    try:
        name = clean_name(data.get("name"))
    except PresetError as exc:
        reasons += exc.reasons
    model = data.get("model")
    if not isinstance(model, str) or not model.strip():
        reasons.append("The preset has no model.")
        model = ""
    params = data.get("params", {})
    if not isinstance(params, dict):
        reasons.append("The preset's params must be a JSON object.")
        params = {}
    if other := sorted(k for k in params if k not in EDITABLE_CHAT_PARAMS):
        reasons.append(
            "These parameters cannot be set in Orq Desktop, so a preset cannot hold them: "
            f"{', '.join(other)}."
        )
    system_prompt = data.get("system_prompt", "")
    if not isinstance(system_prompt, str):
        reasons.append("The preset's system_prompt must be text.")
        system_prompt = ""
    orq = data.get("orq", {})
    if orq is None:
        orq = {}
    if not isinstance(orq, dict):
        reasons.append("The preset's orq must be a JSON object (the router's routing options).")
        orq = {}
    if reasons:
        raise PresetError(reasons)
    preset = Preset(
        name, model.strip(), copy.deepcopy(params), system_prompt, without_thread_id(orq)
    )
    if check is not None and (problems := check("chat", preset.request_body())):
        raise PresetError(problems)
    return preset
