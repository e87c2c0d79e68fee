"""The presets bar: switch presets from a combo; Save as…, Delete, Import…, Export…; and the
"Paste request…" and "View code…" buttons for the chat form.

A preset is the whole chat configuration: model, parameters, system prompt and the ``orq``
object (``orq_desktop.domain.presets``). Choosing one puts it into the chat form and the routing
state; a thread in it keeps the current conversation's thread id (``keep_thread_id``).

Every dialog opens without blocking (``open()`` and signals); the methods they end in
(``save_as``, ``delete_current``, ``import_from``, ``export_to``) can be called directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from orq_desktop.core.presets_store import PresetsStore, PresetsStoreError, check_request
from orq_desktop.domain.paste import PasteResult
from orq_desktop.domain.presets import PresetError, keep_thread_id, make_preset
from orq_desktop.settings import DEFAULT_BASE_URL, PATH_PREFIXES
from orq_desktop.ui.code_dialog import CodeDialog, open_code_dialog
from orq_desktop.ui.layout import em, hbox, spacing, vbox
from orq_desktop.ui.paste_dialog import ChatForm, PasteDialog, Routing, apply_chat_fill
from orq_desktop.ui.widgets_inline import InlineMessage

Endpoint = Callable[[], tuple[str, str]]
"""Gives (base URL, path prefix) of the connection in force (``Connection.config``)."""
FILE_FILTER = "Orq Desktop presets (*.json);;All files (*)"


def export_file_name(name: str) -> str:
    """A file name for a preset: letters, digits, spaces, dots and dashes only."""
    safe = re.sub(r"[^\w .-]+", "-", name, flags=re.UNICODE).strip(" .-") or "preset"
    return f"{safe[:60]}.orq-preset.json"


class PresetsBar(QWidget):
    """Preset combo and buttons, plus Paste request… and View code….

    Signals:
        status_message(text): a short line for the window's status bar.
        preset_applied(name): a preset was put into the form.
    """

    status_message = Signal(str)
    preset_applied = Signal(str)

    def __init__(
        self,
        store: PresetsStore,
        form: ChatForm,
        routing: Routing,
        *,
        endpoint: Endpoint | None = None,
        history: Callable[[], Sequence[dict[str, str]]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presetsBar")
        self._store = store
        self._form = form
        self._routing = routing
        self._endpoint = endpoint or (lambda: (DEFAULT_BASE_URL, PATH_PREFIXES[0]))
        self._history = history
        gap = spacing(self)

        self.combo = QComboBox(self)
        self.combo.setObjectName("presetCombo")
        self.combo.setAccessibleName("Preset")
        self.combo.setMinimumContentsLength(16)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setToolTip(
            "Switch to a saved configuration (model, parameters, system prompt, routing)"
        )
        label = QLabel("Pre&set", self)
        label.setBuddy(self.combo)
        self.save_button = self._button(
            "Save &as…",
            "presetSaveAs",
            self.ask_save_as,
            "Save the model, parameters, system prompt and routing under a name",
        )
        self.delete_button = self._button(
            "Delete", "presetDelete", self.ask_delete, "Delete the chosen preset"
        )
        self.import_button = self._button(
            "&Import…", "presetImport", self.ask_import, "Add a preset from a file"
        )
        self.export_button = self._button(
            "E&xport…", "presetExport", self.ask_export, "Save the chosen preset as a file to share"
        )
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        self.paste_button = self._button(
            "&Paste request…",
            "pasteRequestButton",
            self.open_paste_dialog,
            "Fill the form from a JSON body, cURL command or SDK call",
        )
        self.code_button = self._button(
            "View co&de…",
            "viewCodeButton",
            self.open_code_dialog,
            "Show this request as Python, cURL and JSON",
        )
        self.message = InlineMessage(self)
        self.message.setObjectName("presetMessage")
        row = hbox(
            0,
            gap,
            label,
            self.combo,
            self.save_button,
            self.delete_button,
            self.import_button,
            self.export_button,
            gap,
            line,
            gap,
            self.paste_button,
            self.code_button,
            None,
        )
        self.setLayout(vbox(0, gap // 2, row, self.message))
        self.combo.setMaximumWidth(em(self, 28))

        self._store.changed.connect(self._reload)
        self.combo.activated.connect(self._on_combo_activated)
        self.combo.currentIndexChanged.connect(self._update_buttons)
        self._reload()
        if store.load_problems:
            self.message.set_text("\n".join(store.load_problems))

    # -- state ------------------------------------------------------------------------------------

    def current_name(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    # -- presets ----------------------------------------------------------------------------------

    def apply_preset(self, name: str) -> bool:
        """Put a preset into the form and the routing state."""
        preset = self._store.get(name)
        if preset is None:
            return False
        notes = self._form.set_options(preset.options())
        self._form.set_system_prompt(preset.system_prompt)
        self._routing.set_orq(keep_thread_id(preset.orq, self._routing.orq()))
        self._select(name)
        self.message.set_text("\n".join(notes))
        self.status_message.emit(f"Preset “{name}” applied.")
        self.preset_applied.emit(name)
        return True

    def save_as(self, name: str, *, replace: bool = False) -> bool:
        """Save the form as a preset; asks before replacing one of the same name."""
        try:
            preset = make_preset(
                name,
                self._form.options(),
                self._form.system_prompt(),
                self._routing.orq(),
                check=check_request,
            )
        except PresetError as exc:
            self._fail("The preset was not saved:", exc.reasons)
            return False
        if preset.name in self._store and not replace:
            self._confirm(
                "Replace preset?",
                f"A preset called “{preset.name}” exists. Replace it with the current settings?",
                lambda: self.save_as(preset.name, replace=True),
            )
            return False
        try:
            self._store.save(preset)
        except PresetsStoreError as exc:
            self._fail(str(exc))
            return False
        self._select(preset.name)
        self.message.set_text(None)
        self.status_message.emit(f"Saved preset “{preset.name}”.")
        return True

    def delete_current(self, *, confirmed: bool = False) -> bool:
        name = self.current_name()
        if name is None:
            return False
        if not confirmed:
            self._confirm(
                "Delete preset?",
                f"Delete the preset “{name}”? This cannot be undone.",
                lambda: self.delete_current(confirmed=True),
            )
            return False
        try:
            self._store.delete(name)
        except PresetsStoreError as exc:
            self._fail(str(exc))
            return False
        self.message.set_text(None)
        self.status_message.emit(f"Deleted preset “{name}”.")
        return True

    def import_from(self, path: Path) -> bool:
        """Add the preset in ``path`` and apply it; a bad file is refused with its reasons."""
        try:
            preset = self._store.import_file(path)
        except PresetError as exc:
            self._fail(f"{path.name} was not imported:", exc.reasons)
            return False
        except PresetsStoreError as exc:
            self._fail(str(exc))
            return False
        self.apply_preset(preset.name)
        self.status_message.emit(f"Imported preset “{preset.name}”.")
        return True

    def export_to(self, path: Path) -> bool:
        name = self.current_name()
        if name is None:
            self._fail("Choose a preset to export.")
            return False
        try:
            self._store.export_file(name, path)
        except PresetsStoreError as exc:
            self._fail(str(exc))
            return False
        self.message.set_text(None)
        self.status_message.emit(f"Exported “{name}” to {path.name}.")
        return True

    # -- dialogs ----------------------------------------------------------------------------------

    def ask_save_as(self) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setObjectName("presetNameDialog")
        dialog.setWindowTitle("Save preset")
        dialog.setLabelText("Name of the preset:")
        dialog.setTextValue(self.current_name() or "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda text: self.save_as(text))
        dialog.open()
        return dialog

    def ask_delete(self) -> None:
        self.delete_current()

    def ask_import(self) -> QFileDialog:
        dialog = QFileDialog(self, "Import a preset", "", FILE_FILTER)
        dialog.setObjectName("presetImportDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()
        return dialog

    def ask_export(self) -> QFileDialog | None:
        name = self.current_name()
        if name is None:
            return None
        dialog = QFileDialog(self, "Export the preset", "", FILE_FILTER)
        dialog.setObjectName("presetExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.selectFile(export_file_name(name))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()
        return dialog

    def open_paste_dialog(self) -> PasteDialog:
        dialog = PasteDialog(self.window(), target="chat", accepts=("chat",))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self._on_paste_applied)
        dialog.open()
        return dialog

    def open_code_dialog(self) -> CodeDialog:
        base_url, path_prefix = self._endpoint()
        return open_code_dialog(
            self.window(),
            options=self._form.options(),
            system_prompt=self._form.system_prompt(),
            prompt=self._form.prompt_input.toPlainText(),
            base_url=base_url,
            path_prefix=path_prefix,
            history=self._history() if self._history is not None else (),
        )

    # -- internals --------------------------------------------------------------------------------

    def _button(self, text: str, name: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        return button

    def _confirm(self, title: str, text: str, then: Callable[[], object]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setObjectName("presetConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = QMessageBox.StandardButton.Yes.value
        box.finished.connect(lambda result: then() if result == yes else None)
        box.open()
        return box

    def _fail(self, text: str, reasons: Sequence[str] = ()) -> None:
        self.message.set_text("\n".join([text, *(f"• {r}" for r in reasons)]))
        self.status_message.emit(text if not reasons else f"{text} {reasons[0]}")

    def _select(self, name: str) -> None:
        index = self.combo.findData(name)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def _reload(self) -> None:
        current = self.current_name()
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            self.combo.addItem("No preset", None)
            for name in self._store.names():
                self.combo.addItem(name, name)
            index = self.combo.findData(current) if current is not None else 0
            self.combo.setCurrentIndex(max(index, 0))
        finally:
            self.combo.blockSignals(False)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.current_name() is not None
        self.delete_button.setEnabled(chosen)
        self.export_button.setEnabled(chosen)

    def _on_combo_activated(self, index: int) -> None:
        name = self.combo.itemData(index)
        if isinstance(name, str):
            self.apply_preset(name)

    def _on_paste_applied(self, result: PasteResult) -> None:
        notes = apply_chat_fill(result.fill, self._form, self._routing)
        self.combo.setCurrentIndex(0)  # the form no longer matches a preset
        self.message.set_text("\n".join(notes))
        self.status_message.emit("Filled in from the pasted request.")
