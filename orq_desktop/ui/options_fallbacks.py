"""Fallbacks: an ordered list of models tried in turn when the primary keeps failing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.domain.catalogue import (
    CHAT_MODEL_GROUPS,
    IMAGE_MODELS,
    SIM_GROUP,
    ChatModel,
    ModelGroup,
    describe_model,
    is_valid_model_id,
)
from orq_desktop.domain.route_plan import MAX_FALLBACKS, RECOMMENDED_MAX_FALLBACKS
from orq_desktop.ui.layout import em, hbox, line_height, spacing
from orq_desktop.ui.model_picker import ModelPicker
from orq_desktop.ui.options_base import Section, Validator
from orq_desktop.ui.widgets_inline import InlineMessage


def model_groups(kind: str) -> tuple[ModelGroup, ...]:
    """The picker's groups: chat models, or image models (plus the simulator's) for images."""
    if kind != "image":
        return CHAT_MODEL_GROUPS
    images = tuple(ChatModel(m.id, m.label) for m in IMAGE_MODELS)
    return (ModelGroup("OpenAI images", images), SIM_GROUP)


def add_picker(kind: str, name: str, parent: QWidget) -> tuple[ModelPicker, QPushButton]:
    """An empty model picker and its Add button."""
    picker = ModelPicker(model_groups(kind), parent)
    picker.setObjectName(f"{name}Picker")
    picker.setAccessibleName("Model to add")
    picker.setMinimumContentsLength(12)  # the dock is narrow; the popup shows whole ids
    picker.setMinimumWidth(em(parent, 10))
    picker.set_model_id("")
    picker.setCurrentIndex(-1)
    button = QPushButton("Add", parent)
    button.setObjectName(f"{name}Add")
    return picker, button


class FallbacksSection(Section):
    """``fallbacks``: ``[{"model": …}, …]`` in the order they are tried.

    Reorder by dragging rows (``fallbackList`` moves rows internally) or with Move up / Move
    down for the keyboard. The primary model, duplicates, ids without ``provider/`` and a
    fallback past ``MAX_FALLBACKS`` are refused when added; a loaded list with any of them is
    an error, and each row at fault carries a warning icon and its reason as its tooltip.
    Over ``RECOMMENDED_MAX_FALLBACKS`` is a warning only.
    """

    KEY = "fallbacks"
    TITLE = "Fallbacks"
    SWITCH = "Fall back to other models"

    def __init__(self, validator: Validator, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self._primary = ""
        self.list = QListWidget(self.body)
        self.list.setObjectName("fallbackList")
        self.list.setAccessibleName("Fallback models, tried in this order")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumHeight(line_height(self, 3.5))
        self.list.setMaximumHeight(line_height(self, 7))
        self.picker, self.add_button = add_picker(kind, "fallback", self.body)
        self.add_message = InlineMessage(self.body)
        self.add_message.setObjectName("fallbackAddError")
        self.up_button = QPushButton("Move up", self.body)
        self.up_button.setObjectName("fallbackUp")
        self.down_button = QPushButton("Move down", self.body)
        self.down_button.setObjectName("fallbackDown")
        self.remove_button = QPushButton("Remove", self.body)
        self.remove_button.setObjectName("fallbackRemove")
        gap = spacing(self)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(gap // 2)
        add_row = hbox(0, gap, self.picker, self.add_button)
        add_row.setStretch(0, 1)
        layout.addLayout(add_row)
        layout.addWidget(self.add_message)
        layout.addWidget(self.list)
        layout.addLayout(hbox(0, gap, self.up_button, self.down_button, self.remove_button, None))

        model: QAbstractItemModel = self.list.model()
        for signal in (model.rowsMoved, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._on_rows_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.picker.lineEdit().returnPressed.connect(self._on_add_clicked)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.remove_button.clicked.connect(self.remove_current)
        self.list.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- the list ---------------------------------------------------------------------------------

    def models(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_primary_model(self, model: str) -> None:
        self._primary = model
        self.refresh()

    def refusal(self, model: str) -> str | None:
        """Why ``model`` cannot be added, or None."""
        if reason := is_valid_model_id(model):
            return reason
        if model == self._primary:
            return f"{model} is the primary model: a fallback must be a different model."
        if model in self.models():
            return f"{model} is already a fallback."
        if self.list.count() >= MAX_FALLBACKS:
            return f"At most {MAX_FALLBACKS} fallbacks: remove one before adding another."
        return None

    def add_model(self, model: str) -> bool:
        """Append ``model``; False, with the reason beside the picker, when it is refused."""
        model = model.strip()
        if reason := self.refusal(model):
            self.add_message.set_text(reason)
            return False
        self.add_message.set_text(None)
        self._append(model)
        self.list.setCurrentRow(self.list.count() - 1)
        return True

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        # moveRow through the model keeps the item (and emits rowsMoved once).
        destination = target + 1 if step > 0 else target
        self.list.model().moveRow(QModelIndex(), row, QModelIndex(), destination)
        self.list.setCurrentRow(target)

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)

    # -- Section hooks ------------------------------------------------------------------------

    def load_value(self, value: Any) -> None:
        self.list.clear()
        for entry in value if isinstance(value, list) else []:
            model = entry.get("model") if isinstance(entry, dict) else None
            self._append(str(model or ""))
        self.add_message.set_text(None)

    def value(self) -> list[dict[str, str]]:
        return [{"model": m} for m in self.models()]

    def row_problems(self) -> list[str | None]:
        """Why each row cannot be sent (None: it can)."""
        problems: list[str | None] = []
        seen: set[str] = set()
        for position, model in enumerate(self.models(), start=1):
            if reason := is_valid_model_id(model):
                problems.append(f"Fallback {position}: {reason}")
            elif model == self._primary:
                problems.append(f"{model} is now the primary model: remove it from the fallbacks.")
            elif model in seen:
                problems.append(f"{model} is listed twice: remove one.")
            else:
                problems.append(None)
            seen.add(model)
        return problems

    def local_error(self) -> str | None:
        if reason := next((r for r in self.row_problems() if r), None):
            return reason
        count = self.list.count()
        if count > MAX_FALLBACKS:
            return (
                f"{count} fallbacks: at most {MAX_FALLBACKS} can be sent; "
                f"remove {count - MAX_FALLBACKS}."
            )
        return None

    def refresh(self) -> None:
        super().refresh()
        self._mark_rows()

    def notes(self) -> list[str]:
        count = self.list.count()
        if count == 0:
            return ["Add a model to fall back to."]
        if count > RECOMMENDED_MAX_FALLBACKS:
            return [
                f"{count} fallbacks: the router recommends at most {RECOMMENDED_MAX_FALLBACKS}; "
                "each one adds a full set of attempts to the worst case."
            ]
        return []

    def summary_on(self) -> str:
        models = self.models()
        return " → ".join(m.split("/", 1)[-1] for m in models) if models else "none yet"

    # -- internals --------------------------------------------------------------------------------

    def _append(self, model: str) -> None:
        item = QListWidgetItem(model)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        description = describe_model(model)
        item.setToolTip(f"{model}\n{description}" if description else model)
        self.list.addItem(item)

    def _mark_rows(self) -> None:
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for row, reason in enumerate(self.row_problems()):
            item = self.list.item(row)
            model = item.text()
            description = describe_model(model)
            tip = f"{model}\n{description}" if description else model
            item.setIcon(warning if reason else QIcon())
            item.setToolTip(f"{tip}\n{reason}" if reason else tip)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, reason or "")

    def _on_add_clicked(self) -> None:
        if self.add_model(self.picker.model_id()):
            self.picker.set_model_id("")

    def _on_rows_changed(self, *_args: object) -> None:
        self._update_buttons()
        self.edited()

    def _update_buttons(self, *_args: object) -> None:
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)
        self.remove_button.setEnabled(row >= 0)
