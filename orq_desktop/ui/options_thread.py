"""Cache (exact match, lifetime in human units) and thread (one id per conversation, tags)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QSpinBox, QWidget

from orq_desktop.domain.ids import thread_id
from orq_desktop.ui.layout import em, hbox, spacing
from orq_desktop.ui.options_base import Section, TagsEdit, Validator, compact_form

# Lifetime units, largest last; a lifetime is shown in the largest unit that divides it.
UNITS: tuple[tuple[str, int], ...] = (
    ("seconds", 1),
    ("minutes", 60),
    ("hours", 3600),
    ("days", 86400),
)
MAX_TTL_S = 259_200  # 3 days (CONTRACT §12)
DEFAULT_TTL_S = 1_800  # the documented default: 30 minutes


def split_ttl(seconds: int) -> tuple[int, int]:
    """``seconds`` as (amount, unit in seconds), in the largest unit that divides it exactly."""
    for _name, size in reversed(UNITS):
        if seconds > 0 and seconds % size == 0:
            return seconds // size, size
    return seconds, 1


def human_duration(seconds: int) -> str:
    """ "30 minutes", "1 hour", "3 days", "90 seconds"."""
    amount, size = split_ttl(seconds)
    name = next(n for n, s in UNITS if s == size)
    return f"{amount} {name[:-1] if amount == 1 else name}"


class CacheSection(Section):
    """``cache``: ``{"type": "exact_match", "ttl": seconds}``, 1 s to 3 days.

    A cache loaded without ``ttl`` is sent back without it (the router's default applies)
    until the lifetime is changed here.
    """

    KEY = "cache"
    TITLE = "Cache"
    SWITCH = "Answer repeats from the cache"

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self._ttl_given = True
        self.kind = QComboBox(self.body)
        self.kind.setObjectName("cacheType")
        self.kind.addItem("Exact match", "exact_match")
        self.kind.setToolTip(
            "Only the same model, messages and options (every character) hit the cache."
        )
        self.amount = QSpinBox(self.body)
        self.amount.setObjectName("cacheTtlAmount")
        self.amount.setRange(0, 99_999)
        self.amount.setAccessibleName("Cache lifetime")
        self.unit = QComboBox(self.body)
        self.unit.setObjectName("cacheTtlUnit")
        self.unit.setAccessibleName("Cache lifetime unit")
        for name, size in UNITS:
            self.unit.addItem(name, size)
        self.set_ttl(DEFAULT_TTL_S)
        self.amount.setMinimumWidth(em(self, 6))
        form = compact_form(self.body)
        form.addRow("Match", self.kind)
        form.addRow("Keep for", hbox(0, spacing(self), self.amount, self.unit, None))
        self.body.setLayout(form)
        self.amount.valueChanged.connect(self._on_ttl_edited)
        self.unit.currentIndexChanged.connect(self._on_ttl_edited)

    def ttl_seconds(self) -> int:
        return int(self.amount.value()) * int(self.unit.currentData())

    def set_ttl(self, seconds: int) -> None:
        amount, size = split_ttl(seconds)
        self.unit.blockSignals(True)
        self.amount.blockSignals(True)
        self.unit.setCurrentIndex(self.unit.findData(size))
        self.amount.setValue(amount)
        self.unit.blockSignals(False)
        self.amount.blockSignals(False)

    def load_value(self, value: Any) -> None:
        ttl = value.get("ttl") if isinstance(value, dict) else None
        self._ttl_given = isinstance(ttl, int | float)
        self.set_ttl(int(ttl) if isinstance(ttl, int | float) else DEFAULT_TTL_S)

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind.currentData()}
        if self._ttl_given:
            out["ttl"] = self.ttl_seconds()
        return out

    def local_error(self) -> str | None:
        ttl = self.ttl_seconds()
        if ttl > MAX_TTL_S:
            return (
                f"The cache can keep answers for at most 3 days (you chose {human_duration(ttl)})."
            )
        if ttl < 1:
            return "The cache must keep answers for at least 1 second."
        return None

    def notes(self) -> list[str]:
        if not self._ttl_given:
            return ["No lifetime given: the router's default applies (30 minutes or 1 hour)."]
        return []

    def summary_on(self) -> str:
        return f"exact match, {human_duration(self.ttl_seconds())}"

    def _on_ttl_edited(self, *_args: object) -> None:
        self._ttl_given = True
        self.edited()


class ThreadSection(Section):
    """``thread``: ``{"id": "thread_<ULID>", "tags": [...]}``; on by default, one id per chat."""

    KEY = "thread"
    TITLE = "Thread"
    SWITCH = "Group the requests in a thread"
    DEFAULT_ON = True

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self.thread_id = QLineEdit(thread_id(), self.body)
        self.thread_id.setCursorPosition(0)
        self.thread_id.setObjectName("threadId")
        self.thread_id.setAccessibleName("Thread id")
        self.thread_id.setToolTip("Requests with the same id are shown together in Orq's Threads.")
        self.new_button = QPushButton("New", self.body)
        self.new_button.setObjectName("newThread")
        self.new_button.setToolTip("Start a new thread id (New chat does this too).")
        self.tags = TagsEdit("tag", self.body)
        self.tags.setObjectName("threadTags")
        form = compact_form(self.body)
        form.addRow("Id", hbox(0, spacing(self), self.thread_id, self.new_button))
        form.addRow("Tags", self.tags)
        self.body.setLayout(form)
        self.thread_id.textEdited.connect(self.edited)
        self.new_button.clicked.connect(self.new_thread)
        self.tags.changed.connect(self.edited)

    def new_thread(self) -> str:
        """A fresh ``thread_<ULID>``, shown and (when on) sent from now on."""
        new = thread_id()
        self.thread_id.setText(new)
        self.thread_id.setCursorPosition(0)
        self.edited()
        return new

    def load_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.thread_id.setText(str(value.get("id", "")))
        self.thread_id.setCursorPosition(0)
        tags = value.get("tags")
        self.tags.set_values([str(t) for t in tags] if isinstance(tags, list) else [])

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.thread_id.text().strip()}
        if tags := self.tags.values():
            out["tags"] = tags
        return out

    def local_error(self) -> str | None:
        if not self.thread_id.text().strip():
            return "A thread needs an id: press New to make one."
        return None

    def summary_on(self) -> str:
        tags = self.tags.values()
        shown = self.thread_id.text().strip()
        shown = shown if len(shown) <= 18 else shown[:16] + "…"
        return f"{shown} · {len(tags)} tag{'s' if len(tags) != 1 else ''}" if tags else shown
