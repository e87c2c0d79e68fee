"""The routing options (the ``orq`` object) that every chat request carries.

Held as the wire-shaped dictionary the SDK takes (``{"retry": {...}, "fallbacks": [...]}``), so
presets, pasted requests and the editor all speak the same shape. The error cards' one-click fixes
("Retry on 429", "Add a fallback", "Raise the timeout") edit it through the methods below.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QObject, Signal

DEFAULT_RETRY_COUNT = 2
DEFAULT_CALL_TIMEOUT_MS = 30_000
MAX_CALL_TIMEOUT_MS = 600_000


class RoutingState(QObject):
    """The current ``orq`` object.

    Signals:
        changed(orq): the new ``orq`` dictionary (a copy; empty when nothing is set).
    """

    changed = Signal(dict)

    def __init__(self, orq: dict[str, Any] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._orq: dict[str, Any] = copy.deepcopy(orq or {})

    def orq(self) -> dict[str, Any]:
        return copy.deepcopy(self._orq)

    def set_orq(self, orq: dict[str, Any]) -> None:
        if orq != self._orq:
            self._orq = copy.deepcopy(orq)
            self.changed.emit(self.orq())

    def _edit(self, key: str, value: Any) -> None:
        new = self.orq()
        new[key] = value
        self.set_orq(new)

    def retry_on_code(self, status: int) -> None:
        """Have the router retry on ``status`` (with a couple of attempts if retry was off)."""
        retry = dict(self._orq.get("retry") or {})
        codes = [int(c) for c in retry.get("on_codes", [])]
        if status not in codes:
            codes.append(status)
        retry["on_codes"] = sorted(codes)
        retry.setdefault("count", DEFAULT_RETRY_COUNT)
        self._edit("retry", retry)

    def add_fallback(self, model: str) -> bool:
        """Append ``model`` to the fallbacks; False if it is already there."""
        fallbacks = list(self._orq.get("fallbacks") or [])
        if any(f.get("model") == model for f in fallbacks):
            return False
        fallbacks.append({"model": model})
        self._edit("fallbacks", fallbacks)
        return True

    def raise_timeout(self) -> int:
        """Double the per-attempt timeout (30 s if none was set); returns the new value in ms."""
        current = int((self._orq.get("timeout") or {}).get("call_timeout", 0))
        new = min(current * 2, MAX_CALL_TIMEOUT_MS) if current else DEFAULT_CALL_TIMEOUT_MS
        self._edit("timeout", {"call_timeout": new})
        return new
