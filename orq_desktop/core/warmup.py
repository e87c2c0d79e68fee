"""Import the request machinery in a worker thread right after the first paint.

The client, the pydantic models and the simulator are kept out of start-up (the window paints
first), but importing them on the first Send would freeze the UI for a few hundred ms. This does
that work in a thread while the user is still typing.
"""

from __future__ import annotations

import asyncio
import importlib

MODULES = (
    "orq_desktop.api.models",
    "orq_desktop.api.client",
    "orq_desktop.api.errors",
    "orq_desktop.core.error_cards",
)


def _import_all(names: tuple[str, ...]) -> None:
    for name in names:
        importlib.import_module(name)


async def warm_up(extra: tuple[str, ...] = ()) -> None:
    await asyncio.to_thread(_import_all, MODULES + extra)
