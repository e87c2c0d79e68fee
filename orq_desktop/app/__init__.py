"""Composition root: command line, QApplication, the qasync loop, wiring and shutdown.

``startup`` starts the app and owns its shutdown; ``parts`` holds what the composition root
connects; each ``wire_*`` module wires one panel. Importing this package loads no Qt: the
command line answers ``--version`` and ``--help`` without it.
"""

from __future__ import annotations

from orq_desktop.app.parts import AppParts
from orq_desktop.app.startup import Script, main, parse_args, run
from orq_desktop.app.wire_settings import DEMO_BACKOFF_SCALE, DEMO_TOKEN_RATE

__all__ = [
    "DEMO_BACKOFF_SCALE",
    "DEMO_TOKEN_RATE",
    "AppParts",
    "Script",
    "main",
    "parse_args",
    "run",
]
