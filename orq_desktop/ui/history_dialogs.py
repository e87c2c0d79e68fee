"""The history's small dialogs: file choosers, a one-line question, the import preview.

The sidebar calls them through this module (``history_dialogs.ask_save_path(...)``), so a test
replaces any of them with ``monkeypatch.setattr`` and no modal dialog ever blocks it.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.layout import em, line_height, spacing

EXPORT_FILTERS = {"md": "Markdown (*.md)", "json": "Orq Desktop conversation (*.json)"}
IMPORT_FILTER = "Orq Desktop conversations (*.json);;All files (*)"
_UNSAFE = re.compile(r"[^\w\- ]+")


def export_name(title: str, kind: str) -> str:
    """A file name for a thread: its title without anything a file system could object to."""
    stem = " ".join(_UNSAFE.sub(" ", title).split())[:60].strip() or "conversation"
    return f"{stem}.{kind}"


def ask_save_path(
    parent: QWidget | None, title: str, suggested: str, name_filter: str
) -> str | None:
    start = str(Path.home() / suggested)
    path, _chosen = QFileDialog.getSaveFileName(parent, title, start, name_filter)
    return path or None


def ask_open_path(parent: QWidget | None, title: str, name_filter: str) -> str | None:
    path, _chosen = QFileDialog.getOpenFileName(parent, title, str(Path.home()), name_filter)
    return path or None


def ask_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def show_refusal(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def confirm_import(parent: QWidget | None, preview: Any, source: str) -> bool:
    """Show what an import adds; True when the user chooses to add it."""
    dialog = ImportPreviewDialog(preview, source, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


class ImportPreviewDialog(QDialog):
    """The threads an import file would add, before anything is written."""

    def __init__(self, preview: Any, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreview")
        self.setWindowTitle("Import conversations")
        n, m = len(preview.threads), preview.message_count
        self.summary = QLabel(
            f"{Path(source).name} holds {n} conversation{'s' if n != 1 else ''} with "
            f"{m} message{'s' if m != 1 else ''}. They will be added as new conversations; "
            "nothing already in your history is changed.",
            self,
        )
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("importList")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["Title", "Messages", "Started"])
        for t in preview.threads:
            started = (
                time.strftime("%Y-%m-%d", time.localtime(t.created_at)) if t.created_at else ""
            )
            kind = " (compare)" if t.kind == "compare" else ""
            item = QTreeWidgetItem([f"{t.title}{kind}", str(t.message_count), started])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            self.list.addTopLevelItem(item)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.notes = QLabel("\n".join(preview.notes), self)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(preview.notes))
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton(
            f"Add {n} conversation{'s' if n != 1 else ''}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("importConfirm")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(spacing(self))
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)
        self.setMinimumWidth(em(self, 36))
        self.resize(em(self, 44), line_height(self, 18))

    def titles(self) -> list[str]:
        return [self.list.topLevelItem(i).text(0) for i in range(self.list.topLevelItemCount())]
