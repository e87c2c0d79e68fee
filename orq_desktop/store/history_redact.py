"""Keep secrets out of the history: strip key-like fields from JSON and key-like text from strings.

The API key must never reach SQLite (RELIABILITY.md §0.2). Callers should not hand one in, but the
store does not trust them: every options, request and settings dictionary goes through
:func:`strip_secrets` before it is written, and error texts through :func:`redact_text`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Field names compared after lower-casing and dropping everything but letters and digits, so
# "api_key", "apiKey", "X-API-Key" and "Authorization" all match; "max_tokens" does not.
_SECRET_NAMES = frozenset(
    {
        "apikey",
        "authorization",
        "proxyauthorization",
        "auth",
        "bearer",
        "password",
        "passwd",
        "secret",
        "clientsecret",
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "sessiontoken",
        "authtoken",
        "bearertoken",
        "privatekey",
        "secretkey",
        "credentials",
        "cookie",
        "setcookie",
    }
)
_SECRET_SUFFIXES = ("apikey", "secret", "password", "authorization", "accesstoken")

# An Orq key (``sk-orq-...``), any other ``sk-...`` style key, or a bearer credential.
_KEY_TEXT = re.compile(r"(?i)\b(?:bearer\s+\S+|sk-[a-z0-9][a-z0-9_\-]{6,})")


def is_secret_name(name: str) -> bool:
    norm = re.sub(r"[^a-z0-9]", "", name.lower())
    return norm in _SECRET_NAMES or norm.endswith(_SECRET_SUFFIXES)


def redact_text(text: str) -> str:
    """Replace anything that looks like a key or a bearer credential."""
    return _KEY_TEXT.sub(REDACTED, text)


def strip_secrets(value: Any) -> Any:
    """A copy of a JSON-like value without key-like fields; key-like strings are redacted."""
    if isinstance(value, Mapping):
        return {str(k): strip_secrets(v) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, list | tuple):
        return [strip_secrets(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
