"""Ask before the API key goes to a router address the user has not confirmed yet.

    question = HostQuestion("127.0.0.2:8123", for_test=False, parent=dialog)
    question.answered.connect(on_answer)      # True: send the key there; False: keep the old one
    question.open()                           # window-modal; Cancel is the default button

The question names the host in plain words and never shows the key. Nothing is sent while it is
open: the caller hands the form over only once the answer is "send".
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

WHY = (
    "Orq Desktop sends your API key with every request to this address, and whoever runs it "
    "can use the key. Only do this for a router you trust."
)
WHY_TEST = (
    '"Test connection" sends your API key to this address, and whoever runs it can use the '
    "key. Only do this for a router you trust."
)


class HostQuestion(QMessageBox):
    """ "Send your API key to HOST?" with "Send key to HOST" and Cancel (the default).

    Signals:
        answered(send): the user chose; ``send`` is True only for "Send key to HOST".
    """

    answered = Signal(bool)

    def __init__(self, host: str, *, for_test: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hostConfirmation")
        self.host = host
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("New router address")
        self.setTextFormat(Qt.TextFormat.PlainText)  # a host name is never markup
        self.setText(f"Send your API key to {host}?")
        self.setInformativeText(WHY_TEST if for_test else WHY)
        self.send_button = self.addButton(f"Send key to {host}", QMessageBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("sendKeyToHost")
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.finished.connect(self._on_finished)

    def _on_finished(self, _result: int) -> None:
        self.answered.emit(self.clickedButton() is self.send_button)
