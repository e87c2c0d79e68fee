"""Knowledge bases to search before answering: id, top K, threshold, search type."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.layout import hbox, spacing
from orq_desktop.ui.options_base import Section, Validator
from orq_desktop.ui.widgets_optional import OptionalNumber

SEARCH_TYPES: tuple[tuple[str, str | None], ...] = (
    ("Default search", None),
    ("Hybrid (words and meaning)", "hybrid_search"),
    ("Vector (meaning)", "vector_search"),
    ("Keyword (exact words)", "keyword_search"),
)
_OWN_KEYS = frozenset({"knowledge_id", "top_k", "threshold", "search_type"})


class KnowledgeBaseRow(QFrame):
    """One knowledge base. Keys this form does not show (filters, reranking, …) are kept."""

    def __init__(self, on_change: Any, on_remove: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._extra: dict[str, Any] = {}
        self.knowledge_id = QLineEdit(self)
        self.knowledge_id.setObjectName("knowledgeId")
        self.knowledge_id.setPlaceholderText("knowledge_01… (from Orq)")
        self.knowledge_id.setAccessibleName("Knowledge base id")
        self.top_k = OptionalNumber(
            "Top K",
            minimum=1,
            maximum=100,
            default=5,
            help_text="How many chunks to give the model.",
            parent=self,
        )
        self.threshold = OptionalNumber(
            "Threshold",
            minimum=0,
            maximum=1,
            default=0.5,
            decimals=2,
            step=0.05,
            help_text="Leave out chunks less relevant than this (0 to 1).",
            parent=self,
        )
        self.search_type = QComboBox(self)
        self.search_type.setObjectName("searchType")
        for text, value in SEARCH_TYPES:
            self.search_type.addItem(text, value)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip("Remove this knowledge base")
        self.remove_button.setAccessibleName("Remove this knowledge base")
        gap = spacing(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(gap // 2, gap // 2, gap // 2, gap // 2)
        grid.setHorizontalSpacing(gap)
        grid.setVerticalSpacing(gap // 2)
        grid.addWidget(self.knowledge_id, 0, 0, 1, 3)
        grid.addWidget(self.remove_button, 0, 3)
        grid.addWidget(self.top_k.check, 1, 0)
        grid.addWidget(self.top_k.spin, 1, 1)
        grid.addWidget(self.threshold.check, 2, 0)
        grid.addWidget(self.threshold.spin, 2, 1)
        grid.addWidget(self.search_type, 3, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        self.knowledge_id.textEdited.connect(on_change)
        self.top_k.changed.connect(on_change)
        self.threshold.changed.connect(on_change)
        self.search_type.currentIndexChanged.connect(on_change)
        self.remove_button.clicked.connect(lambda: on_remove(self))

    def load(self, value: dict[str, Any]) -> list[str]:
        """Show ``value``; returns notes on numbers that had to be brought into range."""
        self._extra = {k: v for k, v in value.items() if k not in _OWN_KEYS}
        self.knowledge_id.setText(str(value.get("knowledge_id", "")))
        notes = []
        for key, number in (("top_k", self.top_k), ("threshold", self.threshold)):
            raw = value.get(key)
            if note := number.set_value(raw if isinstance(raw, int | float) else None):
                notes.append(note)
        index = self.search_type.findData(value.get("search_type"))
        self.search_type.setCurrentIndex(max(index, 0))
        return notes

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"knowledge_id": self.knowledge_id.text().strip()}
        if (top_k := self.top_k.value()) is not None:
            out["top_k"] = top_k
        if (threshold := self.threshold.value()) is not None:
            out["threshold"] = threshold
        if (kind := self.search_type.currentData()) is not None:
            out["search_type"] = kind
        return {**out, **self._extra}


class KnowledgeSection(Section):
    """``knowledge_bases``: ``[{"knowledge_id", "top_k"?, "threshold"?, "search_type"?}, …]``."""

    KEY = "knowledge_bases"
    TITLE = "Knowledge bases"
    SWITCH = "Search knowledge bases"

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self._load_notes: list[str] = []
        self.rows: list[KnowledgeBaseRow] = []
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(spacing(self) // 2)
        self.add_button = QPushButton("Add knowledge base", self.body)
        self.add_button.setObjectName("addKnowledgeBase")
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        layout.addLayout(self._rows_box)
        layout.addLayout(hbox(0, 0, self.add_button, None))
        self.add_button.clicked.connect(self.add_row)

    def add_row(self) -> KnowledgeBaseRow:
        row = KnowledgeBaseRow(self.edited, self.remove_row, self.body)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        self.edited()
        return row

    def remove_row(self, row: KnowledgeBaseRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            self._rows_box.removeWidget(row)
            row.setParent(None)
            row.deleteLater()
            self.edited()

    def load_value(self, value: Any) -> None:
        for row in list(self.rows):
            self.remove_row(row)
        self._load_notes = []
        for entry in value if isinstance(value, list) else []:
            if isinstance(entry, dict):
                self._load_notes += self.add_row().load(entry)

    def value(self) -> list[dict[str, Any]]:
        return [row.value() for row in self.rows]

    def local_error(self) -> str | None:
        if not self.rows:
            return "Add a knowledge base, or switch this off."
        for position, row in enumerate(self.rows, start=1):
            if not row.knowledge_id.text().strip():
                return f"Knowledge base {position} needs its id (it starts with knowledge_)."
        return None

    def notes(self) -> list[str]:
        return list(self._load_notes)

    def summary_on(self) -> str:
        count = len(self.rows)
        return f"{count} knowledge base{'s' if count != 1 else ''}"

    def edited(self, *_args: object) -> None:
        if not self._loading:
            self._load_notes = []
        super().edited()
