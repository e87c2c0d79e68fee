"""The Settings dialog's API key section: masked entry, where the key in force comes from.

The key in force is never put into a widget: the field is for a new key only, masked, and shown
only when the user presses "Show" (it hides itself again after ``REHIDE_MS``). A masked
``QLineEdit`` refuses to copy, so the key reaches the clipboard only by the user's own act.
When the keyring was locked at start, "Retry" looks for the saved key again once it is unlocked.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from orq_desktop.ui.layout import em, hbox, spacing, vbox
from orq_desktop.ui.widgets_inline import InlineMessage


class KeyStatusLike(Protocol):
    """What ``SettingsController.key_status()`` gives (plain data)."""

    source: str
    label: str
    hint: str


def note_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """Secondary text that wraps, in the palette's placeholder colour."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
    )
    label.setPalette(palette)
    return label


class KeySection(QGroupBox):
    """Enter a new key (``apiKeyField``); see where the key in force comes from.

    Signals:
        remember_requested(): "Save this key in the keyring" (for a key from the environment or
            one kept for this session only).
        forget_requested(): "Remove stored key", confirmed by a second click.
        retry_requested(): "Retry": look in the keyring again (the user unlocked it).
    """

    remember_requested = Signal()
    forget_requested = Signal()
    retry_requested = Signal()

    REHIDE_MS = 30_000
    CONFIRM_MS = 5_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("API key", parent)
        gap = spacing(self)
        self.source_label = QLabel(self)
        self.source_label.setObjectName("keySourceLabel")
        self.source_label.setTextFormat(Qt.TextFormat.PlainText)
        self.source_label.setWordWrap(True)
        self.key_field = QLineEdit(self)
        self.key_field.setObjectName("apiKeyField")
        self.key_field.setAccessibleName("New API key")
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setMinimumWidth(em(self, 26))
        self.key_field.setClearButtonEnabled(True)
        self.show_button = QPushButton("Show", self)
        self.show_button.setObjectName("showKeyButton")
        self.show_button.setCheckable(True)
        self.show_button.setToolTip("Show the key you typed (it hides again after 30 s)")
        self.remember = QCheckBox("Remember it in the system keyring", self)
        self.remember.setObjectName("rememberKeyCheck")
        self.remember.setChecked(True)
        self.remember_button = QPushButton("Save this key in the keyring", self)
        self.remember_button.setObjectName("rememberKeyButton")
        self.remember_button.setToolTip(
            "Store the key in force in the system keyring, so it is there next time"
        )
        self.forget_button = QPushButton("Remove stored key", self)
        self.forget_button.setObjectName("forgetKeyButton")
        self.forget_button.setToolTip("Delete the key from the system keyring and stop using it")
        self.message = InlineMessage(self)
        self.message.setObjectName("keyMessage")
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName("retryKeyringButton")
        self.retry_button.setToolTip("Look for the saved key again, once the keyring is unlocked")
        self.retry_button.setVisible(False)
        self.field_error = InlineMessage(self)
        self._rehide = QTimer(self)
        self._rehide.setSingleShot(True)
        self._rehide.setInterval(self.REHIDE_MS)
        self._confirm = QTimer(self)
        self._confirm.setSingleShot(True)
        self._confirm.setInterval(self.CONFIRM_MS)
        self.setLayout(
            vbox(
                gap,
                gap,
                self.source_label,
                hbox(0, gap, self.key_field, self.show_button),
                self.field_error,
                hbox(0, gap, self.remember, None, self.remember_button, self.forget_button),
                hbox(0, gap, self.message, self.retry_button),
            )
        )
        self.show_button.toggled.connect(self._on_show_toggled)
        self._rehide.timeout.connect(lambda: self.show_button.setChecked(False))
        self._confirm.timeout.connect(self._reset_forget)
        self.remember_button.clicked.connect(self.remember_requested)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.forget_button.clicked.connect(self._on_forget_clicked)
        self.key_field.textChanged.connect(lambda _text: self.field_error.set_text(None))

    # -- state --------------------------------------------------------------------------------

    def set_status(self, status: KeyStatusLike) -> None:
        """Show where the key in force comes from, and offer what fits that source."""
        text = f"Key in use: {status.label}"
        if status.hint:
            text += f" ({status.hint})"
        self.source_label.setText(text + ".")
        self.remember_button.setVisible(status.source in ("environment", "session"))
        self.forget_button.setVisible(status.source == "keyring")
        self._reset_forget()
        if status.source == "none":
            self.key_field.setPlaceholderText("Paste your Orq API key")
        elif status.source == "demo":
            self.key_field.setPlaceholderText("Paste a key to leave demo mode")
        else:
            self.key_field.setPlaceholderText("Paste a new key to replace the one in use")

    def set_keyring_locked(self, locked: bool) -> None:
        """Offer "Retry" while the keyring was locked and no key is in force."""
        self.retry_button.setVisible(locked)
        self.retry_button.setEnabled(True)
        self.retry_button.setText("Retry")

    def typed_key(self) -> str | None:
        text = self.key_field.text().strip()
        return text or None

    def clear_key(self) -> None:
        """Forget the typed key (once it is handed over) and mask the field again."""
        self.key_field.clear()
        self.show_button.setChecked(False)

    # -- slots --------------------------------------------------------------------------------

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_field.setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")
        if shown:
            self._rehide.start()
        else:
            self._rehide.stop()

    def _on_retry_clicked(self) -> None:
        self.retry_button.setEnabled(False)  # until the keyring answered (key_state)
        self.retry_button.setText("Trying…")
        self.retry_requested.emit()

    def _on_forget_clicked(self) -> None:
        if self._confirm.isActive():
            self._reset_forget()
            self.forget_requested.emit()
            return
        self.forget_button.setText("Click again to remove")
        self._confirm.start()

    def _reset_forget(self) -> None:
        self._confirm.stop()
        self.forget_button.setText("Remove stored key")
