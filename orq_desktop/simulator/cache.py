"""The router's exact-match cache: model + messages + every parameter, kept for ``ttl`` seconds."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

# Fields that change how an answer is delivered, not what it says.
_DELIVERY_FIELDS = frozenset({"stream", "stream_options"})


def cache_key(path_kind: str, body: Mapping[str, Any]) -> str:
    """A digest of the whole request except its delivery fields (thread, metadata included)."""
    keyed = {k: v for k, v in body.items() if k not in _DELIVERY_FIELDS}
    canonical = json.dumps([path_kind, keyed], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AnswerCache[T]:
    """Stored answers by key with an expiry time; the oldest are dropped beyond ``limit``.

    ``clock`` gives seconds (monotonic by default); tests pass one they can move forward.
    """

    def __init__(self, clock: Callable[[], float], limit: int = 512) -> None:
        self._clock = clock
        self._limit = limit
        self._items: OrderedDict[str, tuple[float, T]] = OrderedDict()

    def get(self, key: str) -> T | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if self._clock() >= expires:
            del self._items[key]
            return None
        return value

    def put(self, key: str, value: T, ttl_s: float) -> None:
        self._items[key] = (self._clock() + ttl_s, value)
        self._items.move_to_end(key)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
