"""The image form: prompt, model, and only the options the chosen model takes.

An option the model does not take is hidden, so an unsupported combination cannot be chosen; a
model typed as free text shows every option. Each choice starts at "Default" (not sent, the
model's own default applies), so loading a saved request back gives exactly that request.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.image_options import (
    COMPRESSED_FORMATS,
    OptionRules,
    build_request,
    rules_for,
)
from orq_desktop.domain.catalogue import DEFAULT_IMAGE_MODEL, IMAGE_MODELS, is_valid_model_id
from orq_desktop.ui.layout import hbox, line_height, spacing
from orq_desktop.ui.widgets_flow import FlowLayout

DEFAULT = "Default"
# option -> (label, objectName, tooltip)
CHOICES: dict[str, tuple[str, str, str]] = {
    "size": ("Size", "imageSize", "Width × height in pixels"),
    "quality": ("Quality", "imageQuality", "Higher quality takes longer and costs more"),
    "style": ("Style", "imageStyle", "Vivid: dramatic and hyper-real. Natural: more realistic."),
    "background": ("Background", "imageBackground", "Transparent needs png or webp output"),
    "output_format": ("Format", "imageOutputFormat", "The file format the model returns"),
    "moderation": ("Moderation", "imageModeration", "Low: less strict content filtering"),
    "response_format": (
        "Returned as",
        "imageResponseFormat",
        "url: a link that expires (downloaded at once). b64_json: the image inside the answer.",
    ),
}


class ImageForm(QWidget):
    """Prompt, model and options; builds the request and loads a saved one back.

    Signals:
        changed(): anything in the form changed.
        model_changed(model_id): the model (and so the options on offer) changed.
    """

    changed = Signal()
    model_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.prompt = QPlainTextEdit(self)
        self.prompt.setObjectName("imagePrompt")
        self.prompt.setAccessibleName("Image prompt")
        self.prompt.setPlaceholderText("Describe the image: subject, style, light, composition…")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setFixedHeight(line_height(self, 3.5) + 2 * gap)

        self.model = QComboBox(self)
        self.model.setObjectName("imageModel")
        self.model.setAccessibleName("Image model")
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setMinimumContentsLength(18)
        self.model.lineEdit().setPlaceholderText("provider/model")
        for entry in IMAGE_MODELS:
            self.model.addItem(entry.id)
            self.model.setItemData(self.model.count() - 1, entry.label, Qt.ItemDataRole.ToolTipRole)

        self.combos: dict[str, QComboBox] = {}
        self.cells: dict[str, QWidget] = {}
        host = QWidget(self)
        flow = FlowLayout(host, gap=gap)
        flow.addWidget(self._cell("model", "Model", self.model))
        for name, (label, object_name, tip) in CHOICES.items():
            combo = QComboBox(self)
            combo.setObjectName(object_name)
            combo.setAccessibleName(label)
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self.combos[name] = combo
            flow.addWidget(self._cell(name, label, combo))
        self.compression = QSpinBox(self)
        self.compression.setObjectName("imageCompression")
        self.compression.setAccessibleName("Compression")
        self.compression.setRange(-1, 100)
        self.compression.setSpecialValueText(DEFAULT)
        self.compression.setSuffix(" %")
        self.compression.setValue(-1)
        flow.addWidget(self._cell("output_compression", "Compression", self.compression))
        self.count = QSpinBox(self)
        self.count.setObjectName("imageCount")
        self.count.setAccessibleName("Number of images")
        self.count.setRange(1, 10)
        flow.addWidget(self._cell("n", "Images", self.count))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(gap)
        layout.addWidget(self.prompt)
        layout.addWidget(host)

        self._rules = rules_for("")
        self.model.setCurrentText(DEFAULT_IMAGE_MODEL)
        self._apply_rules()
        self.model.editTextChanged.connect(self._on_model_text_changed)
        self.prompt.textChanged.connect(self.changed.emit)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._on_option_changed)
            combo.editTextChanged.connect(self._on_option_changed)
        self.compression.valueChanged.connect(self._on_option_changed)
        self.count.valueChanged.connect(self._on_option_changed)

    # -- reading ----------------------------------------------------------------------------------

    def rules(self) -> OptionRules:
        return self._rules

    def model_id(self) -> str:
        return self.model.currentText().strip()

    def prompt_text(self) -> str:
        return self.prompt.toPlainText()

    def options(self) -> dict[str, Any]:
        """The options on offer that are set (Default ones are left out); ``n`` always."""
        out: dict[str, Any] = {}
        for name, combo in self.combos.items():
            if not self.cells[name].isHidden():
                value = self._combo_value(combo)
                if value is not None:
                    out[name] = value
        compression = self.compression
        offered = not self.cells["output_compression"].isHidden()
        if offered and compression.isEnabled() and compression.value() >= 0:
            out["output_compression"] = compression.value()
        out["n"] = self.count.value()
        return out

    def request(
        self, orq: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[str]]:
        """The request for the image endpoint and notes on anything left out."""
        return build_request(self.prompt_text(), self.model_id(), self.options(), orq, extra)

    def validity(self) -> str | None:
        """Why the form cannot be sent as it is, or None."""
        if not self.prompt_text().strip():
            return "Describe the image first."
        if reason := is_valid_model_id(self.model_id()):
            return reason
        size = self._combo_value(self.combos["size"])
        if size is not None and not self._rules.allows("size", size):
            return f"The size “{size}” is not width×height (for example 1024x1024) or auto."
        return None

    def summary(self) -> str:
        """A short line for a grid cell: model and the options set."""
        short = self.model_id().rsplit("/", 1)[-1]
        parts = [short] + [str(v) for k, v in self.options().items() if k != "n"]
        n = self.count.value()
        return " · ".join(parts) + (f" · ×{n}" if n > 1 else "")

    # -- writing ----------------------------------------------------------------------------------

    def set_request(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Load a saved request; returns the fields the form does not edit and notes.

        ``orq`` and other top-level fields (trace name, metadata, …) come back in the first
        value so the caller can send them along unchanged.
        """
        notes: list[str] = []
        if "prompt" in request:
            self.prompt.setPlainText(str(request.get("prompt") or ""))
        self.model.setCurrentText(str(request.get("model") or ""))
        self._apply_rules()
        for combo in self.combos.values():
            combo.setCurrentIndex(0)
        self.compression.setValue(-1)
        self.count.setValue(1)
        rest: dict[str, Any] = {}
        for key, value in request.items():
            if key in ("prompt", "model"):
                continue
            if key in self.combos:
                if not self._select(key, value):
                    notes.append(f"{self.model_id()} does not take {key} {value!r}; left out.")
            elif key == "n":
                if self._rules.allows("n", value):
                    self.count.setValue(int(value))
                else:
                    notes.append(f"{self.model_id()} cannot make {value!r} images; 1 instead.")
            elif key != "output_compression":
                rest[key] = value
        compression = request.get("output_compression")
        if compression is not None:
            if self._rules.allows("output_compression", compression):
                self.compression.setValue(int(compression))
            else:
                notes.append(f"Compression {compression!r} does not apply here; left out.")
        self._update_compression()
        self.changed.emit()
        return rest, notes

    def clear_prompt(self) -> None:
        self.prompt.clear()

    # -- internals --------------------------------------------------------------------------------

    def _cell(self, name: str, label: str, field: QWidget) -> QWidget:
        cell = QWidget(self)
        caption = QLabel(label, cell)
        caption.setBuddy(field)
        cell.setLayout(hbox(0, spacing(self) // 2, caption, field))
        self.cells[name] = cell
        return cell

    @staticmethod
    def _combo_value(combo: QComboBox) -> str | None:
        if combo.isEditable():
            text = combo.currentText().strip()
            return None if not text or text == DEFAULT or text.startswith(DEFAULT + " (") else text
        value = combo.currentData()
        return value if isinstance(value, str) else None

    def _select(self, name: str, value: object) -> bool:
        combo = self.combos[name]
        if self.cells[name].isHidden() or not self._rules.allows(name, value):
            return False
        index = combo.findData(value)
        if index < 0 and combo.isEditable():
            combo.addItem(str(value), str(value))
            index = combo.count() - 1
        if index < 0:
            return False
        combo.setCurrentIndex(index)
        return True

    def _apply_rules(self) -> None:
        """Offer exactly what the current model takes; keep values that are still allowed."""
        rules = rules_for(self.model_id())
        self._rules = rules
        for name, combo in self.combos.items():
            current = self._combo_value(combo)
            values = rules.choices(name)
            with QSignalBlocker(combo):
                combo.clear()
                default = DEFAULT
                if name == "size" and rules.default_size:
                    default = f"{DEFAULT} ({rules.default_size})"
                combo.addItem(default, None)
                for value in values:
                    combo.addItem(value, value)
                combo.setEditable(name == "size" and rules.size_free_text)
                index = combo.findData(current) if current is not None else 0
                if index < 0 and combo.isEditable() and current and rules.allows(name, current):
                    combo.addItem(current, current)
                    index = combo.count() - 1
                combo.setCurrentIndex(max(0, index))
            self.cells[name].setVisible(bool(values))
        self.cells["output_compression"].setVisible(rules.compression)
        with QSignalBlocker(self.count):
            self.count.setRange(1, rules.max_n)
        self.count.setEnabled(rules.max_n > 1)
        self.count.setToolTip(
            "This model makes one image per request."
            if rules.max_n == 1
            else f"How many images (1 to {rules.max_n})"
        )
        self._update_compression()

    def _update_compression(self) -> None:
        applies = self._combo_value(self.combos["output_format"]) in COMPRESSED_FORMATS
        self.compression.setEnabled(applies)
        self.compression.setToolTip(
            "How much to compress, 0 to 100 (Default: the model decides)"
            if applies
            else "Compression applies to jpeg and webp output only: choose one of them as Format."
        )

    def _on_model_text_changed(self, _text: str) -> None:
        self._apply_rules()
        self.model_changed.emit(self.model_id())
        self.changed.emit()

    def _on_option_changed(self, *_args: object) -> None:
        self._update_compression()
        self.changed.emit()
