"""The router's error envelope (CONTRACT §8) and the plain words for each status."""

from __future__ import annotations

from typing import Any

# The error `type` the router uses for each status (OpenAI-style names).
_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limit_error",
    501: "not_implemented_error",
    504: "timeout_error",
    529: "overloaded_error",
}

# Plain words for a status, used in error messages and trace reasons.
_WORDS: dict[int, str] = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    408: "request timeout",
    409: "conflict",
    413: "request too large",
    422: "unprocessable request",
    429: "rate limited",
    500: "internal server error",
    501: "not implemented",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
    529: "overloaded",
}


def status_words(status: int) -> str:
    """A short plain description of an HTTP status, e.g. ``"rate limited"``."""
    if status in _WORDS:
        return _WORDS[status]
    return "server error" if status >= 500 else "client error"


def error_type(status: int) -> str:
    """The envelope's ``type`` for a status."""
    if status in _TYPES:
        return _TYPES[status]
    return "server_error" if status >= 500 else "invalid_request_error"


def envelope(status: int, message: str, param: str | None = None) -> dict[str, Any]:
    """The JSON body of an error answer: ``{"error": {code, message, param, type}}``."""
    return {
        "error": {
            "code": str(status),
            "message": message,
            "param": param,
            "type": error_type(status),
        }
    }
