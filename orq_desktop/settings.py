"""Non-secret settings: a versioned pydantic model saved atomically as JSON.

Secrets never live here: the API key and proxy password belong to ``credentials``. A file that
does not validate is kept aside as ``settings.json.bad`` and the defaults are used.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orq_desktop.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_BASE_URL = "https://api.orq.ai"
PATH_PREFIXES = ("/v2/gateway", "/v2/router")


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

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(
                "The base URL must start with https:// (or http:// for a local server)."
            )
        return value


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
