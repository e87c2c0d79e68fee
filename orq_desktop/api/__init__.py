"""The router client: request models, response models, the SSE decoder, typed errors, RouterClient.

Names are loaded on first use, so importing one part (the simulator imports only the models)
does not pull in httpx or the client:

    from orq_desktop.api import RouterClient, ChatRequest
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orq_desktop.api.client import (
        ChatResult,
        ChatStream,
        GeneratedImage,
        ImageResult,
        RouterClient,
        Timings,
    )
    from orq_desktop.api.errors import RouterError
    from orq_desktop.api.models import ChatRequest, ImageRequest
    from orq_desktop.api.sse import SseDecoder, SseEvent

__all__ = [
    "ChatRequest",
    "ChatResult",
    "ChatStream",
    "GeneratedImage",
    "ImageRequest",
    "ImageResult",
    "RouterClient",
    "RouterError",
    "SseDecoder",
    "SseEvent",
    "Timings",
]

_HOMES = {
    "ChatResult": "client",
    "ChatStream": "client",
    "GeneratedImage": "client",
    "ImageResult": "client",
    "RouterClient": "client",
    "Timings": "client",
    "RouterError": "errors",
    "ChatRequest": "models",
    "ImageRequest": "models",
    "SseDecoder": "sse",
    "SseEvent": "sse",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
