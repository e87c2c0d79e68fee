"""The settings panel of one image: prompt, revised prompt, model, options, routing and time.

Everything shown here was saved from a server answer or read back from a file, so every label is
plain text (a prompt or a revised prompt containing tags is shown literally, never rendered).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QSizePolicy, QWidget

from orq_desktop.ui.layout import spacing

MAX_SHOWN = 4000  # characters per field: a huge prompt is cut here, the file keeps all of it

FIELDS = (
    ("prompt", "Prompt"),
    ("revised_prompt", "Revised prompt"),
    ("model", "Model"),
    ("options", "Options"),
    ("orq", "Routing"),
    ("created", "Created"),
    ("file", "File"),
)


def options_text(options: object) -> str:
    """``{"size": "1024x1024", "n": 1}`` → ``size 1024x1024 · n 1``."""
    if not isinstance(options, dict) or not options:
        return ""
    return " · ".join(f"{k.replace('_', ' ')} {v}" for k, v in options.items() if v is not None)


def routing_text(orq: object) -> str:
    if not isinstance(orq, dict) or not orq:
        return "none"
    return json.dumps(orq, ensure_ascii=False, separators=(", ", ": "))


def created_text(value: object) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return value


def file_text(path: str, width: int | None, height: int | None, size_bytes: int | None) -> str:
    facts = [Path(path).name]
    if width and height:
        facts.append(f"{width}×{height}")
    if size_bytes:
        facts.append(f"{size_bytes / 1024:.0f} KB" if size_bytes < 1024 * 1024 else
                     f"{size_bytes / (1024 * 1024):.1f} MB")  # fmt: skip
    return " · ".join(facts)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


class ImageDetails(QWidget):
    """Read-only, selectable fields for the image on show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageDetails")
        layout = QFormLayout(self)
        gap = spacing(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap // 2)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout = layout
        self.labels: dict[str, QLabel] = {}
        for key, title in FIELDS:
            value = QLabel(self)
            value.setObjectName(f"imageDetail_{key}")
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addRow(title, value)
            self.labels[key] = value
        self.clear()

    def clear(self) -> None:
        for key in self.labels:
            self._set(key, "")

    def show_settings(
        self,
        path: str,
        settings: dict[str, Any] | None,
        *,
        width: int | None = None,
        height: int | None = None,
        size_bytes: int | None = None,
    ) -> None:
        s = settings or {}
        prompt = s.get("prompt")
        self._set("prompt", prompt if isinstance(prompt, str) else "(no settings saved)")
        revised = s.get("revised_prompt")
        self._set("revised_prompt", revised if isinstance(revised, str) else "")
        model = s.get("model")
        self._set("model", model if isinstance(model, str) else "")
        self._set("options", options_text(s.get("options")))
        self._set("orq", routing_text(s.get("orq")) if settings else "")
        self._set("created", created_text(s.get("created")))
        self._set("file", file_text(path, width, height, size_bytes) if path else "")

    def text(self, key: str) -> str:
        return self.labels[key].text()

    def _set(self, key: str, text: str) -> None:
        label = self.labels[key]
        label.setText(_clip(text))
        label.setToolTip(text if len(text) > MAX_SHOWN else "")
        self._layout.setRowVisible(label, bool(text))
