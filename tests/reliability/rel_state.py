"""The suite's session state shared with helpers that are not fixtures: the canary and the root."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATE: dict[str, Any] = {}


def captured_path(name: str) -> Path:
    """Where a test keeps a subprocess's stdout/stderr so that the canary scan reads it."""
    root: Path = STATE["root"]
    path = root / "captured" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def suite_canary() -> str:
    return str(STATE["canary"])
