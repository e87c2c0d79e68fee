""" "Paste request": turn a teammate's request into what the form can hold.

``parse_pasted(text)`` reads any of:

- a JSON request body (chat: ``messages``; image: ``prompt``), as sent to the router;
- an ``orq`` object alone (``{"retry": …, "fallbacks": …}``, or ``{"orq": {…}}``);
- a cURL command (``paste_curl``);
- a Python SDK call (``paste_python``), parsed and never run.

The answer says what it is (``kind``), the request it kept (``body``), what applying it changes
(``fill``), and, in plain sentences, what it could not use (``ignored``), what it changed on the
way (``notes``) and why it cannot be applied (``errors``). Nothing is dropped without being named
(many of a kind are counted, not listed); a pasted key is always dropped and always mentioned,
never repeated: every sentence is redacted.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from orq_desktop.domain.paste_body import (
    ORQ_CHAT_KEYS,
    FormFill,
    Reading,
    read_body,
    read_orq,
)
from orq_desktop.domain.paste_curl import read_curl
from orq_desktop.domain.paste_notes import tidy_lines
from orq_desktop.domain.paste_python import read_python
from orq_desktop.domain.presets import PRESET_FORMAT, TOO_DEEP, Checker, RequestKind

__all__ = ["MAX_PASTE_CHARS", "FormFill", "PasteKind", "PasteResult", "parse_pasted"]

PasteKind = Literal["json", "orq", "curl", "python", "empty", "unknown"]
MAX_PASTE_CHARS = 2_000_000  # requests are kilobytes; a few megabytes would only stall parsing

_CURL = re.compile(r"^\s*(?:\$\s+)?curl(?:\s|$)")
_WHAT_TO_PASTE = (
    "Paste a JSON request body, an orq object, a cURL command or a Python SDK call "
    "(orq.router.chat_completions(…))."
)


@dataclass(frozen=True)
class PasteResult:
    """What a pasted text holds. ``can_apply`` is True when there is something to fill in and
    nothing is wrong."""

    kind: PasteKind
    body: dict[str, Any]
    ignored: list[str]
    errors: list[str]
    target: RequestKind = "chat"
    notes: list[str] = field(default_factory=list)
    fill: FormFill = field(default_factory=FormFill)

    @property
    def can_apply(self) -> bool:
        return not self.errors and not self.fill.is_empty()


def _result(kind: PasteKind, reading: Reading, before: list[str] | None = None) -> PasteResult:
    return PasteResult(
        kind=kind,
        body=reading.body,
        ignored=[*(before or []), *reading.ignored],
        errors=reading.errors,
        target=reading.target,
        notes=reading.notes,
        fill=reading.fill,
    )


def _refused(kind: PasteKind, errors: list[str], ignored: list[str] | None = None) -> PasteResult:
    return PasteResult(kind=kind, body={}, ignored=list(ignored or []), errors=errors)


def parse_pasted(
    text: str, *, check: Checker | None = None, target: RequestKind = "chat"
) -> PasteResult:
    """Read a pasted request (see the module docstring).

    ``check`` validates the kept request against the router's request models
    (``orq_desktop.core.presets_store.check_request``); without it only the shape is checked.
    ``target`` is the form the paste is meant for, used when the text does not say (an ``orq``
    object alone).

    The sentences (``errors``, ``notes``, ``ignored``) come grouped, capped and with key-shaped
    text redacted (``paste_notes.tidy_lines``): a paste of thousands of unused parts reads as a
    few lines, and a pasted key is never repeated, not even inside an error.
    """
    result = _read(text, check, target)
    return replace(
        result,
        errors=tidy_lines(result.errors),
        notes=tidy_lines(result.notes),
        ignored=tidy_lines(result.ignored),
    )


def _read(text: str, check: Checker | None, target: RequestKind) -> PasteResult:
    if len(text) > MAX_PASTE_CHARS:
        return _refused(
            "unknown", [f"This is too long to be a request (over {MAX_PASTE_CHARS:,} characters)."]
        )
    stripped = text.strip()
    if not stripped:
        return _refused("empty", [f"Nothing to read yet. {_WHAT_TO_PASTE}"])
    if _CURL.match(stripped):
        return _from_curl(stripped, check)
    if stripped[0] in "{[":
        return _from_json(stripped, check, target)
    call = read_python(stripped)
    if call is None:
        return _refused("unknown", [f"This does not look like a request. {_WHAT_TO_PASTE}"])
    reading = read_body(call.kwargs, check=check, hint=call.target)
    result = _result("python", reading, call.ignored)
    result.notes[:0] = call.notes
    result.errors[:0] = call.errors
    return result


def _from_curl(text: str, check: Checker | None) -> PasteResult:
    request = read_curl(text)
    if request.errors or request.data is None:
        return _refused("curl", request.errors, request.ignored)
    try:
        data = json.loads(request.data)
    except RecursionError:
        return _refused("curl", [TOO_DEEP], request.ignored)
    except json.JSONDecodeError as exc:
        return _refused(
            "curl",
            [f"The body is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."],
            request.ignored,
        )
    if not isinstance(data, dict):
        return _refused("curl", ["The body must be a JSON object."], request.ignored)
    reading = read_body(data, check=check, hint=request.target)
    if request.target is not None and request.target != reading.target:
        reading.errors.append(
            f"The address is the {request.target} endpoint but the body is a "
            f"{reading.target} request."
        )
    return _result("curl", reading, request.ignored)


def _loads(text: str) -> tuple[Any, str | None]:
    """JSON, or failing that a Python literal (True/None, single quotes); the error otherwise."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        error = f"This is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    except RecursionError:
        return None, TOO_DEEP
    try:
        value = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None, error
    try:  # only what JSON can hold
        return json.loads(json.dumps(value)), None
    except (TypeError, ValueError, RecursionError):
        return None, error


def _from_json(text: str, check: Checker | None, target: RequestKind) -> PasteResult:
    data, error = _loads(text)
    if error is not None:
        return _refused("json", [error])
    if not isinstance(data, dict):
        return _refused("json", ["A JSON list is not a request: paste one JSON object."])
    if data.get("format") == PRESET_FORMAT:
        return _refused("json", ["This is a preset file: use Import… beside the presets."])
    if set(data) == {"orq"}:
        return _result("orq", read_orq(data["orq"], target, check=check))
    request_keys = {"model", "messages", "prompt"}
    if data and not request_keys & set(data) and set(data) <= ORQ_CHAT_KEYS:
        return _result("orq", read_orq(data, target, check=check))
    if not request_keys & set(data) and "orq" not in data:
        return _refused(
            "json",
            [
                "This JSON is neither a request body (it has no model, messages or prompt) "
                "nor an orq object (retry, fallbacks, timeout, …)."
            ],
        )
    return _result("json", read_body(data, check=check))
