"""The model picker: an editable combo box of catalogued models, grouped by provider."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from orq_desktop.domain.catalogue import (
    CHAT_MODEL_GROUPS,
    DEFAULT_CHAT_MODEL,
    ModelGroup,
    chat_model_ids,
    describe_model,
    find_chat_model,
    is_valid_model_id,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ModelPicker(QComboBox):
    """Pick a catalogued chat model or type any ``provider/model`` id.

    Provider names are greyed, unselectable headers. The tooltip describes the current model
    (the simulator's models in plain words) or says why a typed id is not usable.

    Signals:
        model_changed(str): the (stripped) model id text changed.
    """

    model_changed = Signal(str)

    def __init__(
        self,
        groups: tuple[ModelGroup, ...] = CHAT_MODEL_GROUPS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # typed ids are not added as items
        self.setMaxVisibleItems(20)
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setAccessibleName("Model")
        self.lineEdit().setPlaceholderText("provider/model, e.g. openai/gpt-4o")
        self.setModel(self._build_model(groups))
        completer = QCompleter(QStringListModel(chat_model_ids(), self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.editTextChanged.connect(self._on_edit_text_changed)
        self.set_model_id(DEFAULT_CHAT_MODEL)

    def model_id(self) -> str:
        return self.currentText().strip()

    def set_model_id(self, model_id: str) -> None:
        index = self.findData(model_id, ID_ROLE)
        if index >= 0:
            self.setCurrentIndex(index)
        self.setEditText(model_id)
        self._on_edit_text_changed(model_id)

    def reason(self) -> str | None:
        """Why the current id cannot be used, or None."""
        return is_valid_model_id(self.model_id())

    def _on_edit_text_changed(self, _text: str) -> None:
        model_id = self.model_id()
        reason = is_valid_model_id(model_id)
        if reason:
            self.setToolTip(reason)
        else:
            model = find_chat_model(model_id)
            description = describe_model(model_id)
            title = f"{model.label} ({model_id})" if model else model_id
            self.setToolTip(f"{title}\n{description}" if description else title)
        self.model_changed.emit(model_id)

    @staticmethod
    def _build_model(groups: tuple[ModelGroup, ...]) -> QStandardItemModel:
        model = QStandardItemModel()
        for group in groups:
            header = QStandardItem(group.name)
            header.setFlags(Qt.ItemFlag.NoItemFlags)  # a title, not a choice
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            header.setAccessibleText(f"{group.name} models")
            model.appendRow(header)
            for entry in group.models:
                item = QStandardItem(entry.id)
                item.setData(entry.id, ID_ROLE)
                item.setToolTip(
                    f"{entry.label}: {entry.description}" if entry.description else entry.label
                )
                model.appendRow(item)
        return model
