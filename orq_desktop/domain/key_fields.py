"""The one rule for "this looks like a key", used wherever a request or its settings are kept or
shown: presets (saving, exporting, importing), "View code", pasted requests and image metadata.

A field counts as a credential by its **name** or by its **value**:

- Names are split into words (``openai_api_key``, ``openaiApiKey``, ``X-API-Key`` and
  ``ORQ_API_KEY2`` are all ``openai``/``orq``, ``api``, ``key``; digits at a word's end are
  dropped) and compared without case. A name is a credential when it is one (``token``,
  ``authorization``, ``password``, ``apikey``…), ends with one written as one word
  (``openaiapikey``, ``clientsecret``, ``dbpassword``…), or has two or more words and the last is
  ``key``, ``token``, ``secret``, ``password``, ``auth``, ``credential(s)`` or ``cookie``
  (``access_key``, ``oauth_token``). A bare ``key`` is not (the router's ``inputs`` list is
  ``[{"key": "name", "value": …}]``), nor are plurals and counts (``max_tokens``,
  ``budget_tokens``, ``token_count``: numbers of tokens, not tokens), nor the router's own
  ``prompt_cache_key`` (a cache bucket name).
- Values: a text is a key when it is a whole ``Bearer …`` value, a whole ``sk-…`` key (with a
  digit in it: ``sk-learn-basics`` is a word), or holds anything
  :func:`~orq_desktop.domain.secret_scan.find_secrets` finds (Orq and OpenAI keys, JWTs, cloud
  tokens, long random tokens). In an inputs item ``{"key": "openai_api_key", "value": …}`` the
  value is a key because of the name beside it.

Only paths are ever reported, never the values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from orq_desktop.domain.secret_scan import find_secrets

__all__ = ["find_key_fields", "is_bearer_text", "is_key_name", "is_key_value"]

# Whole names (words joined, lower case) that hold credentials.
_KEY_NAMES = frozenset(
    {
        "apikey",
        "xapikey",
        "auth",
        "authorization",
        "proxyauthorization",
        "bearer",
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "credential",
        "credentials",
        "cookie",
        "setcookie",
    }
)
# Name endings that are a credential however the words before them are written.
_KEY_ENDINGS = (
    "apikey",
    "apikeys",
    "accesskey",
    "secretkey",
    "privatekey",
    "signingkey",
    "accesstoken",
    "authtoken",
    "bearertoken",
    "refreshtoken",
    "sessiontoken",
    "idtoken",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "authorization",
)
# The last word of a name of two or more words that makes it a credential.
_KEY_LAST_WORDS = frozenset(
    {"key", "token", "secret", "password", "pwd", "auth", "credential", "credentials", "cookie"}
)
# Names the rule above would catch that are not credentials (the router's wire fields).
_NOT_KEYS = frozenset({"promptcachekey", "cachekey", "idempotencykey"})

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# A whole text that is an Authorization value ("Bearer sk-…"), not prose that starts with "Bearer".
_BEARER = re.compile(r"^\s*bearer\s+[A-Za-z0-9._~+/=-]{12,}\s*$", re.IGNORECASE)
# A whole text that is an sk-… key, however short its random part.
_SK_KEY = re.compile(r"\s*sk-(?=[A-Za-z_\-]*[0-9])[A-Za-z0-9_\-]{12,}\s*")


def _words(name: str) -> list[str]:
    """``name`` as lower-case words without trailing digits (``ORQ_API_KEY2`` -> orq, api, key)."""
    return [w.lower() for w in _WORDS.findall(name) if not w.isdigit()]


@functools.lru_cache(maxsize=4096)
def is_key_name(name: str) -> bool:
    """True when a field, header or argument called ``name`` would hold a credential."""
    words = _words(name)
    joined = "".join(words)
    if not joined or joined in _NOT_KEYS:
        return False
    if joined in _KEY_NAMES or joined.endswith(_KEY_ENDINGS):
        return True
    return len(words) >= 2 and words[-1] in _KEY_LAST_WORDS


def is_bearer_text(value: object) -> bool:
    """True when ``value`` is a whole ``Bearer <token>`` text (an Authorization value)."""
    return isinstance(value, str) and _BEARER.match(value) is not None


def is_key_value(value: object) -> bool:
    """True when ``value`` is a text that is or holds a key (see the module docstring)."""
    if not isinstance(value, str) or len(value) < 8:
        return False
    return bool(is_bearer_text(value) or _SK_KEY.fullmatch(value) or find_secrets(value))


def find_key_fields(value: Any, path: str = "") -> list[str]:
    """Where ``value`` holds something key-like: the paths of credential-named fields and of
    key-like texts. The values themselves are never part of the answer."""
    found: list[str] = []
    if is_key_value(value):
        return [path or "(the text)"]
    _find(value, [path] if path else [], found)
    return found


def _find(value: Any, where: list[str], found: list[str]) -> None:
    """Depth-first search; ``where`` holds the path pieces (joined only for a hit)."""
    if isinstance(value, Mapping):
        named = value.get("key")
        named_key = isinstance(named, str) and is_key_name(named)  # {"key": "api_key", "value"…}
        for key, item in value.items():
            name = str(key)
            where.append(f".{name}" if where else name)
            if is_key_name(name) or is_key_value(item) or (named_key and name == "value"):
                found.append("".join(where))
            elif isinstance(item, Mapping | list):
                _find(item, where, found)
            where.pop()
    elif isinstance(value, list):
        for i, item in enumerate(value):
            where.append(f"[{i}]")
            if is_key_value(item):
                found.append("".join(where))
            elif isinstance(item, Mapping | list):
                _find(item, where, found)
            where.pop()
