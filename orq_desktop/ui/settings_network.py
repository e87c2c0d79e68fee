"""The Settings dialog's network section: system proxy, no proxy, or a custom HTTP/SOCKS proxy.

The proxy password is masked and never shown again once saved (it lives in the keyring); an
empty password field keeps the stored one.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from orq_desktop.ui.layout import spacing, vbox
from orq_desktop.ui.settings_key import note_label
from orq_desktop.ui.widgets_inline import InlineMessage

MODES = ("system", "none", "custom")


class NetworkSection(QWidget):
    """How requests reach the router: ``mode()`` is ``system``, ``none`` or ``custom``.

    ``socks``: whether SOCKS proxies can be used (httpx needs the ``socksio`` package).
    """

    def __init__(self, socks: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.system_radio = QRadioButton("Use the system's proxy settings", self)
        self.system_radio.setObjectName("proxySystem")
        self.system_radio.setToolTip("HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY are honoured")
        self.none_radio = QRadioButton("No proxy: connect directly", self)
        self.none_radio.setObjectName("proxyNone")
        self.custom_radio = QRadioButton("Use this proxy:", self)
        self.custom_radio.setObjectName("proxyCustom")
        self.group = QButtonGroup(self)
        for index, radio in enumerate((self.system_radio, self.none_radio, self.custom_radio)):
            self.group.addButton(radio, index)
        self.url_field = QLineEdit(self)
        self.url_field.setObjectName("proxyUrl")
        self.url_field.setAccessibleName("Proxy address")
        self.url_field.setPlaceholderText("http://host:3128 or socks5://host:1080")
        self.user_field = QLineEdit(self)
        self.user_field.setObjectName("proxyUser")
        self.user_field.setAccessibleName("Proxy user name")
        self.user_field.setPlaceholderText("only if the proxy asks for one")
        self.password_field = QLineEdit(self)
        self.password_field.setObjectName("proxyPassword")
        self.password_field.setAccessibleName("Proxy password")
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.url_error = InlineMessage(self)
        socks_text = (
            "SOCKS proxies (socks5://) work too."
            if socks
            else "SOCKS needs the socksio package, which is not installed: use an HTTP proxy."
        )
        self.socks_note = note_label(
            f"{socks_text} The password is kept in the system keyring, never in a file.", self
        )
        self.socks_note.setObjectName("socksNote")
        fields = QFormLayout()
        fields.setContentsMargins(gap * 4, 0, 0, 0)
        fields.setSpacing(gap)
        fields.addRow("Address", self.url_field)
        fields.addRow("", self.url_error)
        fields.addRow("User name", self.user_field)
        fields.addRow("Password", self.password_field)
        fields.addRow("", self.socks_note)
        self.setLayout(
            vbox(
                gap,
                gap,
                self.system_radio,
                self.none_radio,
                self.custom_radio,
                fields,
                None,
            )
        )
        self.group.idToggled.connect(lambda _id, _on: self._refresh())
        self.url_field.textChanged.connect(lambda _text: self.url_error.set_text(None))

    def set_values(
        self, mode: str, url: str | None, user: str | None, *, has_password: bool
    ) -> None:
        self.group.button(MODES.index(mode) if mode in MODES else 0).setChecked(True)
        self.url_field.setText(url or "")
        self.user_field.setText(user or "")
        self.password_field.clear()
        self.password_field.setPlaceholderText(
            "stored in the system keyring (type to replace)" if has_password else ""
        )
        self._refresh()

    def mode(self) -> str:
        return MODES[max(0, self.group.checkedId())]

    def url(self) -> str | None:
        return self.url_field.text().strip() or None

    def user(self) -> str | None:
        return self.user_field.text().strip() or None

    def password(self) -> str | None:
        """A newly typed password, or None to keep the stored one."""
        return self.password_field.text() or None

    def clear_password(self) -> None:
        self.password_field.clear()

    def _refresh(self) -> None:
        custom = self.mode() == "custom"
        for widget in (self.url_field, self.user_field, self.password_field):
            widget.setEnabled(custom)
        if not custom:
            self.url_error.set_text(None)
