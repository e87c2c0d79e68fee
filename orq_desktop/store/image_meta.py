"""The generation settings saved with each image: a versioned JSON object with no secrets in it.

``{"format": "orq-desktop-image", "version": 1, "prompt": …, "revised_prompt": …, "model": …,
"options": {size, quality, …}, "orq": {…}, "created": …, "app_version": …, "image": {…}}``.

Secrets are removed twice over: any field whose name looks like a credential (``api_key``,
``authorization``, ``headers``, ``token``…) is dropped at every depth, and any string that looks
like a key (``sk-…``, ``Bearer …``, a JWT) or equals a secret the caller names is redacted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from orq_desktop import __version__
from orq_desktop.store.image_check import ImageInfo

META_FORMAT = "orq-desktop-image"
META_VERSION = 1
# Pillow refuses PNG text chunks over 1 MB decompressed, so what we write stays well below that.
MAX_META_BYTES = 512 * 1024
MAX_READ_BYTES = 1024 * 1024
IMAGE_OPTIONS = (
    "size",
    "quality",
    "style",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "n",
    "response_format",
)
REDACTED = "[redacted]"
_HEADER_FIELDS = ("format", "version", "prompt", "created", "app_version", "image")
_MAX_DEPTH = 32

_SECRET_NAMES = frozenset(
    {"authorization", "proxyauthorization", "headers", "cookie", "setcookie", "bearer", "auth",
     "credential", "credentials", "key", "apikeys"}
)  # fmt: skip
_SECRET_SUFFIXES = (
    "apikey", "token", "secret", "password", "passwd", "passphrase", "privatekey", "secretkey",
    "accesskey", "signingkey",
)  # fmt: skip
_SECRET_TEXT = re.compile(
    r"(?i)\bbearer\s+[\w\-.~+/=]+"  # an Authorization value
    r"|\bsk-[\w\-]{16,}"  # sk-… style keys (the test canary is sk-orq-CANARY-…)
    r"|\beyJ[\w\-]{8,}\.[\w\-]{8,}\.[\w\-]+"  # a JWT
)


def is_secret_name(name: str) -> bool:
    """True for field names that may hold a credential (compared without case or punctuation)."""
    norm = re.sub(r"[^a-z0-9]", "", name.lower())
    return norm in _SECRET_NAMES or norm.endswith(_SECRET_SUFFIXES)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    return _SECRET_TEXT.sub(REDACTED, text)


def scrub(value: object, secrets: tuple[str, ...] = (), _depth: int = 0) -> Any:
    """A JSON-ready copy of ``value`` without credential fields or key-like strings."""
    if _depth > _MAX_DEPTH:
        return None
    if isinstance(value, str):
        return redact_text(value, secrets)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {
            str(k): scrub(v, secrets, _depth + 1)
            for k, v in value.items()
            if not is_secret_name(str(k))
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v, secrets, _depth + 1) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return None  # raw bytes have no business in the settings
    return redact_text(str(value), secrets)


def build_metadata(
    settings: Mapping[str, object],
    *,
    prompt: str,
    created: datetime,
    image: ImageInfo,
    index: int,
    secrets: Iterable[str] = (),
    app_version: str = __version__,
) -> dict[str, Any]:
    """The metadata object for one image.

    ``settings`` is the request as the caller holds it: ``model``, ``revised_prompt``, the image
    options (flat or under ``options``) and ``orq``; anything else is kept under ``extra``.
    """
    secret_list = tuple(s for s in secrets if s)
    clean: dict[str, Any] = scrub(settings, secret_list)
    raw_options = clean.pop("options", None)
    options: dict[str, Any] = raw_options if isinstance(raw_options, dict) else {}
    for name in IMAGE_OPTIONS:
        if name in clean:
            options.setdefault(name, clean.pop(name))
    meta: dict[str, Any] = {
        "format": META_FORMAT,
        "version": META_VERSION,
        "prompt": redact_text(prompt, secret_list),
        "revised_prompt": clean.pop("revised_prompt", None),
        "model": clean.pop("model", None),
        "options": options,
        "orq": clean.pop("orq", None),
        "created": created.astimezone().isoformat(timespec="seconds"),
        "app_version": app_version,
        "image": {
            "format": image.format,
            "width": image.width,
            "height": image.height,
            "index": index,
        },
    }
    for name in _HEADER_FIELDS:  # the caller cannot overwrite what identifies the file
        clean.pop(name, None)
    if clean:
        meta["extra"] = clean
    return meta


def encode_metadata(meta: Mapping[str, Any], *, indent: int | None = None) -> bytes:
    """UTF-8 JSON, cut down to :data:`MAX_META_BYTES` if it is absurdly large.

    Oversized metadata loses its ``extra`` and ``orq`` parts first, then the prompts are
    shortened; the image itself is always saved.
    """
    data = _dump(meta, indent)
    if len(data) <= MAX_META_BYTES:
        return data
    slim = {k: v for k, v in meta.items() if k not in ("extra", "orq")}
    slim["truncated"] = True
    data = _dump(slim, indent)
    limit = MAX_META_BYTES // 8  # characters: at most 4 bytes each, two prompts, room to spare
    while len(data) > MAX_META_BYTES:
        for name in ("prompt", "revised_prompt", "model"):
            value = slim.get(name)
            if isinstance(value, str) and len(value) > limit:
                slim[name] = value[:limit]
        if limit == 0:
            slim["options"] = None
        data = _dump(slim, indent)
        limit //= 2
    return data


def _dump(meta: Mapping[str, Any], indent: int | None) -> bytes:
    separators = (",", ": ") if indent is not None else (",", ":")
    text = json.dumps(meta, ensure_ascii=False, indent=indent, separators=separators)
    return text.encode("utf-8", "replace")


def parse_metadata(raw: bytes | str) -> dict[str, Any] | None:
    """The metadata object in ``raw``, or None if it is broken or not ours (never raises)."""
    try:
        if len(raw) > MAX_READ_BYTES:
            return None
        meta = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
        return None
    version = meta.get("version")
    if type(version) is not int or version != META_VERSION:
        return None
    if not isinstance(meta.get("prompt"), str):
        return None
    return meta
