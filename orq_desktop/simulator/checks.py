"""Request bodies checked with the app's own wire models, turned into the router's 400 answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from orq_desktop.api.models import ChatRequest, ImageRequest, friendly_errors

Operation = Literal["chat", "images"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a body was refused: a plain-words message and the field it is about (or None)."""

    message: str
    param: str | None = None


def parse_json(raw: bytes) -> dict[str, Any] | Problem:
    """The body as a JSON object, or the problem with it."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Problem("The request body is not UTF-8 text.")
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return Problem(f"The request body is not valid JSON: {exc.msg} ({where}).")
    if not isinstance(body, dict):
        return Problem("The request body must be a JSON object.")
    return body


def _param(exc: ValidationError) -> str | None:
    errors = exc.errors(include_url=False)
    if not errors:
        return None
    parts = [
        str(segment)
        for segment in errors[0]["loc"]
        if isinstance(segment, int) or not str(segment).startswith("=")
    ]
    return ".".join(parts) or None


def check_body(operation: Operation, body: dict[str, Any]) -> Problem | None:
    """None when the body is valid for the operation, else the first problem in plain words."""
    model = ChatRequest if operation == "chat" else ImageRequest
    try:
        model.model_validate(body)
    except ValidationError as exc:
        lines = friendly_errors(exc)
        return Problem(" ".join(lines) or "The request body is not valid.", _param(exc))
    return None
