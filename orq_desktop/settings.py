"""Non-secret settings: a versioned pydantic model saved atomically as JSON.

Secrets never live here: the API key and proxy password belong to ``credentials``. A file that
does not validate is kept aside as ``settings.json.bad`` and the defaults are used.

``confirmed_origins`` are the router addresses (``scheme://host:port``, see ``origin_of``) the user
agreed to send the API key to: an origin is not a secret, and it is asked for once per new host.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orq_desktop.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_BASE_URL = "https://api.orq.ai"
PATH_PREFIXES = ("/v2/gateway", "/v2/router")
MAX_CONFIRMED_ORIGINS = 50
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _split(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, explicit port) of an http(s) URL; None when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, f"[{host}]" if ":" in host else host, port


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an http(s) URL, the port spelled out; None when not a URL.

    Two addresses with the same origin reach the same server: a path or a prefix changes nothing.
    """
    split = _split(url)
    if split is None:
        return None
    scheme, host, port = split
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS[scheme]}"


def host_label(url: str) -> str:
    """The host as a person reads it: ``127.0.0.2:8123``, ``router.example.com``."""
    split = _split(url)
    if split is None:
        return url.strip()
    _scheme, host, port = split
    return f"{host}:{port}" if port is not None else host


DEFAULT_ORIGIN = origin_of(DEFAULT_BASE_URL)


class AppSettings(BaseModel):
    """Everything the user can set that is not a secret."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    schema_version: int = SCHEMA_VERSION
    base_url: str = DEFAULT_BASE_URL
    path_prefix: Literal["/v2/gateway", "/v2/router"] = "/v2/gateway"
    images_dir: str | None = None
    proxy_mode: Literal["system", "none", "custom"] = "system"
    proxy_url: str | None = None
    proxy_username: str | None = None  # the password lives in the keyring (user proxy-password)
    last_model: str = "openai/gpt-4o"
    recent_models: list[str] = Field(default_factory=list, max_length=20)
    confirmed_origins: list[str] = Field(default_factory=list)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(
                "The base URL must start with https:// (or http:// for a local server)."
            )
        return value

    @field_validator("confirmed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        """Origins only (anything else is dropped), once each, the newest ``MAX_...`` kept."""
        origins = [o for o in (origin_of(v) for v in value) if o is not None]
        return list(dict.fromkeys(origins))[-MAX_CONFIRMED_ORIGINS:]


def load(path: Path) -> AppSettings:
    """Read settings; a missing file gives defaults, a broken one is moved aside first."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return AppSettings()
    try:
        return AppSettings.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        bad = path.with_name(path.name + ".bad")
        os.replace(path, bad)
        log.warning("settings file did not validate (%s); kept as %s", type(exc).__name__, bad.name)
        return AppSettings()


def save(settings: AppSettings, path: Path) -> None:
    data = json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True).encode()
    atomic_write_bytes(path, data + b"\n")
