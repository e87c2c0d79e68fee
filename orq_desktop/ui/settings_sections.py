"""The Settings dialog's router address (with "Test connection" and its result) and folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QWidget,
)

from orq_desktop.ui.layout import em, hbox, spacing, vbox
from orq_desktop.ui.settings_key import note_label
from orq_desktop.ui.widgets_inline import InlineMessage

PREFIXES = (
    ("/v2/gateway", "/v2/gateway (orq-ai-sdk 4.1, the AI Gateway)"),
    ("/v2/router", "/v2/router (newer SDKs, the AI Router)"),
)


class ReportLike(Protocol):
    """What "Test connection" reports (``orq_desktop.api.probe.ProbeReport``, plain data)."""

    ok: bool
    headline: str

    def details(self) -> list[tuple[str, str]]: ...

    def as_text(self) -> str: ...


def _open_folder(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _choose_folder(parent: QWidget, start: str) -> str:
    return QFileDialog.getExistingDirectory(parent, "Folder for generated images", start)


class TestResultView(QWidget):
    """What "Test connection" got back: a headline, then status, message, trace id, model, time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testResult")
        gap = spacing(self)
        self._icon = QLabel(self)
        self.headline = QLabel(self)
        self.headline.setObjectName("testHeadline")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(gap * 2)
        self._grid.setVerticalSpacing(gap // 2)
        self._grid.setColumnStretch(1, 1)
        self.copy_button = QPushButton("Copy details", self)
        self.copy_button.setObjectName("copyTestResult")
        self._report: ReportLike | None = None
        top = hbox(0, gap, self._icon, self.headline)
        top.setStretch(1, 1)
        self.setLayout(vbox(0, gap, top, self._grid, hbox(0, 0, None, self.copy_button)))
        self.copy_button.clicked.connect(self._on_copy)
        self.setVisible(False)

    @property
    def report(self) -> ReportLike | None:
        return self._report

    def show_running(self, where: str) -> None:
        self._report = None
        self._set_icon(QStyle.StandardPixmap.SP_BrowserReload)
        self.headline.setText(f"Testing {where} …")
        self._fill([])
        self.copy_button.setVisible(False)
        self.setVisible(True)

    def show_report(self, report: ReportLike) -> None:
        self._report = report
        ok, bad = (
            QStyle.StandardPixmap.SP_DialogApplyButton,
            QStyle.StandardPixmap.SP_MessageBoxCritical,
        )
        self._set_icon(ok if report.ok else bad)
        self.headline.setText(report.headline)
        self._fill(report.details())
        self.copy_button.setVisible(True)
        self.setVisible(True)

    def detail(self, label: str) -> str | None:
        """The value shown for ``label`` (tests and accessibility)."""
        for row in range(self._grid.rowCount()):
            name, value = self._grid.itemAtPosition(row, 0), self._grid.itemAtPosition(row, 1)
            if name and value and name.widget().text() == f"{label}:":
                return value.widget().text()
        return None

    def _fill(self, rows: list[tuple[str, str]]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for row, (label, value) in enumerate(rows):
            name = note_label(f"{label}:", self)
            name.setWordWrap(False)
            shown = QLabel(value, self)
            shown.setTextFormat(Qt.TextFormat.PlainText)  # the router's words, never markup
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(shown, row, 1)

    def _set_icon(self, which: QStyle.StandardPixmap) -> None:
        size = self.headline.fontMetrics().height()
        self._icon.setPixmap(self.style().standardIcon(which).pixmap(size, size))

    def _on_copy(self) -> None:
        if self._report is not None:
            QGuiApplication.clipboard().setText(self._report.as_text())


class RouterSection(QGroupBox):
    """Base URL, path prefix, and "Test connection" with what came back.

    Signals:
        test_requested(): the user pressed "Test connection".
    """

    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Router", parent)
        gap = spacing(self)
        self.base_url = QLineEdit(self)
        self.base_url.setObjectName("baseUrlField")
        self.base_url.setAccessibleName("Base URL")
        self.base_url.setPlaceholderText("https://api.orq.ai")
        self.prefix = QComboBox(self)
        self.prefix.setObjectName("pathPrefixCombo")
        self.prefix.setAccessibleName("Path prefix")
        for value, text in PREFIXES:
            self.prefix.addItem(text, value)
        self.url_error = InlineMessage(self)
        self.env_note = note_label("", self)
        self.env_note.setObjectName("envNote")
        self.test_button = QPushButton("Test connection", self)
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setToolTip(
            "Send one tiny request (one token from a cheap model) with these settings"
        )
        self.result = TestResultView(self)
        fields = QFormLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.setSpacing(gap)
        fields.addRow("Base URL", self.base_url)
        fields.addRow("", self.url_error)
        fields.addRow("Path prefix", self.prefix)
        fields.addRow("", self.env_note)
        self.setLayout(vbox(gap, gap, fields, hbox(0, gap, self.test_button, None), self.result))
        self.test_button.clicked.connect(self.test_requested)
        self.base_url.textChanged.connect(lambda _text: self.url_error.set_text(None))

    def set_values(self, base_url: str, prefix: str, overrides: dict[str, str]) -> None:
        self.base_url.setText(base_url)
        index = self.prefix.findData(prefix)
        self.prefix.setCurrentIndex(max(0, index))
        names = " and ".join(sorted(overrides))
        self.env_note.setText(
            f"{names} {'is' if len(overrides) == 1 else 'are'} set in the environment: "
            "at start they win over what is saved here."
            if overrides
            else ""
        )
        self.env_note.setVisible(bool(overrides))

    def values(self) -> tuple[str, str]:
        return self.base_url.text().strip(), str(self.prefix.currentData())

    def set_testing(self, running: bool) -> None:
        self.test_button.setEnabled(not running)
        self.test_button.setText("Testing…" if running else "Test connection")
        if running:
            self.result.show_running(self.base_url.text().strip() or "the router")


class FoldersSection(QWidget):
    """The data folder (shown, opened) and the images folder (chosen)."""

    def __init__(self, data_dir: Path, default_images: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.data_dir = data_dir
        self.default_images = default_images
        self.open_folder: Callable[[Path], None] = _open_folder  # tests replace these two
        self.choose_folder: Callable[[QWidget, str], str] = _choose_folder
        self.data_field = QLineEdit(str(data_dir), self)
        self.data_field.setObjectName("dataDirField")
        self.data_field.setReadOnly(True)
        self.data_field.setCursorPosition(0)
        self.data_field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.data_field.setMinimumWidth(em(self, 24))
        self.open_data = QPushButton("Open", self)
        self.open_data.setObjectName("openDataDir")
        data_note = note_label(
            "History and settings live here. To use another folder, start Orq Desktop with "
            "--data-dir FOLDER or set ORQ_DESKTOP_DATA_DIR.",
            self,
        )
        self.images_field = QLineEdit(self)
        self.images_field.setObjectName("imagesDirField")
        self.images_field.setReadOnly(True)
        self.images_field.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.choose_images = QPushButton("Choose…", self)
        self.choose_images.setObjectName("chooseImagesDir")
        self.default_button = QPushButton("Default", self)
        self.default_button.setObjectName("defaultImagesDir")
        self.default_button.setToolTip(f"Keep images in {default_images}")
        self.images_error = InlineMessage(self)
        self._images: str | None = None
        fields = QFormLayout()
        fields.setContentsMargins(gap, gap, gap, gap)
        fields.setSpacing(gap)
        fields.addRow("Data folder", hbox(0, gap, self.data_field, self.open_data))
        fields.addRow("", data_note)
        fields.addRow(
            "Images folder",
            hbox(0, gap, self.images_field, self.choose_images, self.default_button),
        )
        fields.addRow("", self.images_error)
        self.setLayout(fields)
        self.open_data.clicked.connect(lambda: self.open_folder(self.data_dir))
        self.choose_images.clicked.connect(self._on_choose)
        self.default_button.clicked.connect(lambda: self.set_images_dir(None))

    def set_images_dir(self, folder: str | None) -> None:
        self._images = folder or None
        self.images_field.setText(folder or f"{self.default_images} (default)")
        self.images_field.setCursorPosition(0)
        self.default_button.setEnabled(self._images is not None)
        self.images_error.set_text(None)

    def images_dir(self) -> str | None:
        return self._images

    def _on_choose(self) -> None:
        chosen = self.choose_folder(self, self._images or str(self.default_images))
        if chosen:
            self.set_images_dir(chosen)
