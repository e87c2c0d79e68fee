"""The Settings dialog: API key, router address and "Test connection", network, folders.

    dialog = SettingsDialog(controller, parent=window)            # File → Settings…
    dialog = SettingsDialog(controller, first_start=True, parent=window)   # no key yet
    dialog.demo_requested.connect(parts.start_demo)
    dialog.open()

Everything goes through the ``SettingsController`` (core): the dialog never touches the keyring,
the settings file or the network. Save hands the form over, clears the key and password fields at
once, and closes when everything was kept; when the keyring could not keep a secret, the dialog
stays open and says so in plain words (the secret is in force for this session only).

When the key would go to a router address not confirmed before (``host_to_confirm``), Save and
"Test connection" first ask "Send your API key to HOST?" (``HostQuestion``, Cancel by default):
nothing is handed over while it is open, and Cancel keeps the old address. It is asked even when
no key is in force yet (one may come later). When the key is held back from the address in force
(never confirmed: a settings file edited by hand), the dialog says so and Save asks.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTabWidget,
    QWidget,
)

from orq_desktop.ui.layout import em, spacing, vbox
from orq_desktop.ui.settings_confirm import HostQuestion
from orq_desktop.ui.settings_key import KeySection
from orq_desktop.ui.settings_network import NetworkSection
from orq_desktop.ui.settings_sections import FoldersSection, RouterSection
from orq_desktop.ui.widgets_inline import InlineMessage

FIRST_START = (
    "Orq Desktop sends your prompts to the Orq AI Router with your API key. "
    "Paste the key from your Orq workspace (Settings → API keys). "
    "No key yet? Demo mode answers with a built-in simulator, without a key or a network."
)

HELD_BACK = (
    "Your API key is not sent to {host}: this router address was never confirmed. "
    "Press Save to confirm it, or change it."
)


class SettingsControl(Protocol):
    """What the dialog needs from ``orq_desktop.core.settings_controller.SettingsController``."""

    key_state: Any
    key_problem: Any
    saved: Any
    test_started: Any
    test_finished: Any
    data_dir: Any

    @property
    def settings(self) -> Any: ...
    @property
    def has_proxy_password(self) -> bool: ...
    @property
    def keyring_problem(self) -> str | None: ...
    @property
    def keyring_locked(self) -> bool: ...
    @property
    def held_back_host(self) -> str | None: ...

    def new_form(self, **fields: Any) -> Any: ...
    def socks_available(self) -> bool: ...
    def key_status(self) -> Any: ...
    def env_overrides(self) -> dict[str, str]: ...
    def images_dir(self) -> Any: ...
    def check(self, form: Any) -> dict[str, str]: ...
    def save(self, form: Any) -> dict[str, str]: ...
    def host_to_confirm(self, form: Any) -> str | None: ...
    def confirm_host(self, base_url: str) -> None: ...
    def retry_keyring(self) -> None: ...
    def test_connection(self, form: Any) -> None: ...
    def cancel_test(self) -> None: ...
    def remember_current_key(self) -> None: ...
    def forget_key(self) -> None: ...


class SettingsDialog(QDialog):
    """All settings in one place (``settingsDialog``); tabs Connection, Network and Folders.

    Signals:
        demo_requested(): the user chose demo mode instead of entering a key (first start).
    """

    demo_requested = Signal()

    TABS: ClassVar[dict[str, int]] = {"connection": 0, "network": 1, "folders": 2}
    FIELD_TABS: ClassVar[dict[str, str]] = {
        "api_key": "connection",
        "base_url": "connection",
        "path_prefix": "connection",
        "proxy_url": "network",
        "images_dir": "folders",
    }

    def __init__(
        self,
        controller: SettingsControl,
        *,
        first_start: bool = False,
        explanation: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Welcome to Orq Desktop" if first_start else "Settings")
        self._controller = controller
        self._saving = False
        self.host_question: HostQuestion | None = None  # open while the user decides
        gap = spacing(self)
        self.intro = QLabel(explanation or (FIRST_START if first_start else ""), self)
        self.intro.setObjectName("settingsIntro")
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(self.intro.text()))
        self.key = KeySection(self)
        self.router = RouterSection(self)
        self.network = NetworkSection(controller.socks_available(), self)
        self.folders = FoldersSection(controller.data_dir, controller.data_dir / "images", self)
        connection_tab = QWidget(self)
        connection_tab.setLayout(vbox(gap, gap * 2, self.key, self.router, None))
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(connection_tab, "Connection")
        self.tabs.addTab(self.network, "Network")
        folders_tab = QWidget(self)
        folders_tab.setLayout(vbox(gap, gap, self.folders, None))
        self.tabs.addTab(folders_tab, "Folders")
        self.message = InlineMessage(self)
        self.message.setObjectName("settingsMessage")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.demo_button: QPushButton | None = None
        if first_start:
            self.demo_button = self.buttons.addButton(
                "Try demo mode", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.demo_button.setObjectName("demoButton")
            self.demo_button.clicked.connect(self._on_demo_clicked)
        self.setLayout(vbox(gap * 2, gap, self.intro, self.tabs, self.message, self.buttons))
        self.setMinimumWidth(em(self, 42))
        self._load()
        self._connect_signals()
        self.key.key_field.setFocus()

    # -- filling and reading the form -------------------------------------------------------------

    def _load(self) -> None:
        controller = self._controller
        stored = controller.settings
        self.key.set_status(controller.key_status())
        self.key.message.set_text(controller.keyring_problem)
        self.key.set_keyring_locked(controller.keyring_locked)
        self.router.set_values(stored.base_url, stored.path_prefix, controller.env_overrides())
        held = controller.held_back_host
        if held is not None:  # Save asks the question, and the key goes there once confirmed
            self.router.url_error.set_text(HELD_BACK.format(host=held))
        self.network.set_values(
            stored.proxy_mode,
            stored.proxy_url,
            stored.proxy_username,
            has_password=controller.has_proxy_password,
        )
        self.folders.set_images_dir(stored.images_dir)

    def form(self) -> Any:
        """The form as it stands (the typed key and password included: hand it over at once)."""
        base_url, prefix = self.router.values()
        return self._controller.new_form(
            base_url=base_url,
            path_prefix=prefix,
            images_dir=self.folders.images_dir(),
            proxy_mode=self.network.mode(),
            proxy_url=self.network.url(),
            proxy_username=self.network.user(),
            proxy_password=self.network.password(),
            api_key=self.key.typed_key(),
            remember_key=self.key.remember.isChecked(),
        )

    def _connect_signals(self) -> None:
        controller = self._controller
        controller.key_state.connect(self._on_controller_key_state)
        controller.key_problem.connect(self._on_controller_key_problem)
        controller.saved.connect(self._on_controller_saved)
        controller.test_started.connect(self._on_controller_test_started)
        controller.test_finished.connect(self._on_controller_test_finished)
        self.router.test_requested.connect(self._on_router_test_requested)
        self.key.remember_requested.connect(controller.remember_current_key)
        self.key.forget_requested.connect(controller.forget_key)
        self.key.retry_requested.connect(controller.retry_keyring)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)

    # -- saving -----------------------------------------------------------------------------------

    def _on_save(self) -> None:
        self.message.set_text(None)
        form = self.form()
        problems = self._controller.check(form)
        if problems:
            self._show_problems(problems)
            return
        self._ask_host(form, for_test=False)

    def _ask_host(self, form: Any, *, for_test: bool) -> None:
        """Save or test ``form`` at once, or first ask whether the key may go to its host."""
        host = self._controller.host_to_confirm(form)
        if host is None:
            self._go(form, for_test=for_test)
            return
        question = HostQuestion(host, for_test=for_test, parent=self)
        question.answered.connect(
            lambda send: self._on_host_answered(question, form, send, for_test=for_test)
        )
        self.host_question = question
        question.open()

    def _on_host_answered(
        self, question: HostQuestion, form: Any, send: bool, *, for_test: bool
    ) -> None:
        self.host_question = None
        question.deleteLater()
        if send:
            self._controller.confirm_host(form.base_url)
            self._go(form, for_test=for_test)
            return
        if not for_test:  # Cancel keeps the old address
            self.router.base_url.setText(self._controller.settings.base_url)
        done = "tested" if for_test else "changed"
        self.router.url_error.set_text(f"Not {done}: your API key was not sent to {question.host}.")

    def _go(self, form: Any, *, for_test: bool) -> None:
        if for_test:
            self._controller.test_connection(form)
        else:
            self._save(form)

    def _save(self, form: Any) -> None:
        problems = self._controller.save(form)
        if problems:
            self._show_problems(problems)
            return
        # Handed over: the widgets no longer hold the secrets.
        self.key.clear_key()
        self.network.clear_password()
        self._saving = True
        self.save_button.setEnabled(False)
        self.save_button.setText("Saving…")

    def _show_problems(self, problems: dict[str, str]) -> None:
        targets = {
            "api_key": self.key.field_error,
            "base_url": self.router.url_error,
            "proxy_url": self.network.url_error,
            "images_dir": self.folders.images_error,
        }
        for name, text in problems.items():
            target = targets.get(name)
            if target is not None:
                target.set_text(text)
            else:
                self.message.set_text(text)
        first = next(iter(problems))
        self.tabs.setCurrentIndex(self.TABS[self.FIELD_TABS.get(first, "connection")])

    def _on_controller_saved(self, result: Any) -> None:
        if not self._saving:
            return
        self._saving = False
        self.save_button.setEnabled(True)
        self.save_button.setText("Save")
        if result.ok:
            self.accept()
            return
        # Kept for this session only, or not written: say so, and let the user close.
        self.message.set_text(" ".join(result.problems))
        self.cancel_button.setText("Close")

    # -- the key ----------------------------------------------------------------------------------

    def _on_controller_key_state(self, _source: str, _label: str) -> None:
        self.key.set_status(self._controller.key_status())
        self.key.set_keyring_locked(self._controller.keyring_locked)
        if self._controller.keyring_problem is None:
            self.key.message.set_text(None)

    def _on_controller_key_problem(self, text: str) -> None:
        self.key.message.set_text(text)
        self.key.set_keyring_locked(self._controller.keyring_locked)
        QTimer.singleShot(0, self._fit)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit)  # messages set before showing need their wrapped height

    def _fit(self) -> None:
        """Grow to the height the content asks for, so a wrapped message is never cut off."""
        wanted = self.sizeHint().height()
        if wanted > self.height():
            self.resize(self.width(), wanted)

    # -- testing ----------------------------------------------------------------------------------

    def _on_router_test_requested(self) -> None:
        problems = self._controller.check(self.form())
        shown = {k: v for k, v in problems.items() if k in ("base_url", "proxy_url", "api_key")}
        if shown:
            self._show_problems(shown)
            return
        self._ask_host(self.form(), for_test=True)

    def _on_controller_test_started(self) -> None:
        self.router.set_testing(True)

    def _on_controller_test_finished(self, report: Any) -> None:
        self.router.set_testing(False)
        self.router.result.show_report(report)
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Grow (never shrink) so the new content shows whole at the current width."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        needed = max(needed, self.sizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    # -- closing ----------------------------------------------------------------------------------

    def _on_demo_clicked(self) -> None:
        self.key.clear_key()
        self.demo_requested.emit()
        self.accept()

    def done(self, result: int) -> None:
        question, self.host_question = self.host_question, None
        if question is not None:  # closing the dialog answers nothing: the form is dropped
            question.answered.disconnect()
            question.reject()
            question.deleteLater()
        self._controller.cancel_test()
        self.key.clear_key()
        self.network.clear_password()
        super().done(result)
