"""Ask for the API key: masked, shown only on request, remembered in the keyring if wanted."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from orq_desktop.ui.layout import em, hbox, spacing, vbox

FIRST_START = (
    "Orq Desktop sends your prompts to the Orq AI Router with your API key. "
    "Paste the key from your Orq workspace (Settings → API keys). "
    "No key yet? Demo mode answers with a built-in simulator, without a key or a network."
)


class KeyDialog(QDialog):
    """Enter the key (``apiKeyField``).

    Signals:
        key_entered(key, remember): the user saved a key.
        demo_requested(): the user chose demo mode instead.
    """

    key_entered = Signal(str, bool)
    demo_requested = Signal()

    def __init__(self, explanation: str = FIRST_START, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Orq API key")
        self.setObjectName("keyDialog")
        gap = spacing(self)
        text = QLabel(explanation)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        self.key_field = QLineEdit()
        self.key_field.setObjectName("apiKeyField")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("Paste your Orq API key")
        self.key_field.setMinimumWidth(em(self, 28))
        self.show_button = QPushButton("Show")
        self.show_button.setCheckable(True)
        self.show_button.setToolTip("Show the key you typed")
        self.remember = QCheckBox("Remember it in the system keyring")
        self.remember.setChecked(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.demo_button = self.buttons.addButton(
            "Try demo mode", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.setLayout(
            vbox(
                gap * 2,
                gap,
                text,
                hbox(0, gap, self.key_field, self.show_button),
                self.remember,
                self.buttons,
            )
        )
        self.show_button.toggled.connect(self._on_show_toggled)
        self.key_field.textChanged.connect(self._refresh)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        self.demo_button.clicked.connect(self._on_demo)
        self._refresh()

    def _refresh(self) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        empty = not self.key_field.text().strip()
        save.setEnabled(not empty)
        save.setToolTip("Type or paste a key first" if empty else "")

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_field.setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")

    def _on_save(self) -> None:
        key = self.key_field.text().strip()
        if key:
            self.key_entered.emit(key, self.remember.isChecked())
            self.key_field.clear()  # the widget does not keep the key once it is handed over
            self.accept()

    def _on_demo(self) -> None:
        self.key_field.clear()
        self.demo_requested.emit()
        self.accept()
