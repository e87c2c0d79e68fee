"""Identity: who the requests are for (id, name, email, logo, tags, metadata), and saved ones."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from orq_desktop.ui.layout import hbox, line_height, spacing
from orq_desktop.ui.options_base import Section, TagsEdit, Validator, compact_form

SETTINGS_KEY = "options/saved_identities"
MAX_SAVED = 50
_TEXT_FIELDS = (
    ("display_name", "Name", "Jane Doe"),
    ("email", "Email", "jane.doe@example.com"),
    ("logo_url", "Logo URL", "https://example.com/avatar.png"),
)
ORIGINAL_ROLE = Qt.ItemDataRole.UserRole + 1


def shown(value: Any) -> str:
    """A metadata value as text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class SavedIdentities:
    """Identities kept in ``QSettings`` (as one JSON list), newest first; never the history."""

    def __init__(self, settings: QSettings | None) -> None:
        self._settings = settings
        self._memory: list[dict[str, Any]] = []

    def all(self) -> list[dict[str, Any]]:
        if self._settings is None:
            return list(self._memory)
        raw = self._settings.value(SETTINGS_KEY, "[]")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except json.JSONDecodeError:
            return []  # a damaged entry is ignored, not fatal
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]

    def save(self, identity: dict[str, Any]) -> None:
        """Keep ``identity`` (replacing the one with the same id)."""
        items = [i for i in self.all() if i.get("id") != identity.get("id")]
        self._store([identity, *items][:MAX_SAVED])

    def forget(self, identity_id: str) -> None:
        self._store([i for i in self.all() if i.get("id") != identity_id])

    def _store(self, items: list[dict[str, Any]]) -> None:
        if self._settings is None:
            self._memory = items
            return
        self._settings.setValue(SETTINGS_KEY, json.dumps(items, ensure_ascii=False))
        self._settings.sync()


class IdentitySection(Section):
    """``identity``: ``{"id", "display_name"?, "email"?, "logo_url"?, "tags"?, "metadata"?}``.

    Metadata is a key/value table, sent as the SDK's ``[{"key": value, …}]``. Values loaded as
    numbers or objects are kept as they were unless their text is edited.
    """

    KEY = "identity"
    TITLE = "Identity"
    SWITCH = "Say who the requests are for"

    def __init__(
        self, validator: Validator, settings: QSettings | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(validator, parent)
        self.saved = SavedIdentities(settings)
        gap = spacing(self)
        self.saved_combo = QComboBox(self.body)
        self.saved_combo.setObjectName("savedIdentities")
        self.saved_combo.setAccessibleName("Saved identities")
        self.use_button = QPushButton("Use", self.body)
        self.use_button.setObjectName("useIdentity")
        self.save_button = QPushButton("Save", self.body)
        self.save_button.setObjectName("saveIdentity")
        self.save_button.setToolTip("Keep this identity to pick it again later.")
        self.forget_button = QPushButton("Forget", self.body)
        self.forget_button.setObjectName("forgetIdentity")
        self.identity_id = QLineEdit(self.body)
        self.identity_id.setObjectName("identityId")
        self.identity_id.setPlaceholderText("Your id for this user, e.g. user_42")
        self.fields: dict[str, QLineEdit] = {}
        form = compact_form(self.body)
        form.addRow("Saved", hbox(0, gap, self.saved_combo, self.use_button))
        form.addRow("", hbox(0, gap, self.save_button, self.forget_button, None))
        form.addRow("Id", self.identity_id)
        for key, label, example in _TEXT_FIELDS:
            edit = QLineEdit(self.body)
            edit.setObjectName(f"identity_{key}")
            edit.setPlaceholderText(example)
            edit.setAccessibleName(label)
            edit.textEdited.connect(self.edited)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.tags = TagsEdit("tag", self.body)
        self.tags.setObjectName("identityTags")
        form.addRow("Tags", self.tags)
        self.metadata = QTableWidget(0, 2, self.body)
        self.metadata.setObjectName("identityMetadata")
        self.metadata.setHorizontalHeaderLabels(["Key", "Value"])
        self.metadata.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.metadata.verticalHeader().setVisible(False)
        self.metadata.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.metadata.setMaximumHeight(line_height(self, 7))
        self.add_row_button = QPushButton("Add row", self.body)
        self.add_row_button.setObjectName("addMetadataRow")
        self.remove_row_button = QPushButton("Remove row", self.body)
        self.remove_row_button.setObjectName("removeMetadataRow")
        form.addRow("Metadata", self.metadata)
        form.addRow("", hbox(0, gap, self.add_row_button, self.remove_row_button, None))
        self.body.setLayout(form)

        self.identity_id.textEdited.connect(self.edited)
        self.tags.changed.connect(self.edited)
        self.metadata.itemChanged.connect(self.edited)
        self.add_row_button.clicked.connect(lambda: self.add_metadata_row("", ""))
        self.remove_row_button.clicked.connect(self._on_remove_row_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.save_button.clicked.connect(self.save_current)
        self.forget_button.clicked.connect(self._on_forget_clicked)
        self._fill_saved()

    # -- metadata ---------------------------------------------------------------------------------

    def add_metadata_row(self, key: str, value: Any) -> None:
        self.metadata.blockSignals(True)
        row = self.metadata.rowCount()
        self.metadata.insertRow(row)
        self.metadata.setItem(row, 0, QTableWidgetItem(key))
        item = QTableWidgetItem(shown(value))
        item.setData(ORIGINAL_ROLE, json.dumps([value], ensure_ascii=False))
        self.metadata.setItem(row, 1, item)
        self.metadata.blockSignals(False)
        self.edited()

    def metadata_pairs(self) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        for row in range(self.metadata.rowCount()):
            key_item, value_item = self.metadata.item(row, 0), self.metadata.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            text = value_item.text() if value_item else ""
            original = value_item.data(ORIGINAL_ROLE) if value_item else None
            value: Any = text
            if isinstance(original, str):
                kept = json.loads(original)[0]
                value = kept if shown(kept) == text else text
            pairs.append((key, value))
        return pairs

    # -- saved identities -------------------------------------------------------------------------

    def save_current(self) -> bool:
        """Keep the identity as typed (it needs an id); False when there is none."""
        if not self.identity_id.text().strip():
            self.message.set_text("Give the identity an id before saving it.")
            return False
        self.saved.save(self.value())
        self._fill_saved(select=self.identity_id.text().strip())
        return True

    def use_saved(self, identity_id: str) -> bool:
        found = next((i for i in self.saved.all() if i.get("id") == identity_id), None)
        if found is None:
            return False
        self._loading = True
        try:
            self.load_value(found)
            self.set_on(True)
        finally:
            self._loading = False
        self.edited()
        return True

    # -- Section hooks ------------------------------------------------------------------------

    def load_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.identity_id.setText(str(value.get("id", "")))
        for key, edit in self.fields.items():
            edit.setText(str(value.get(key) or ""))
        tags = value.get("tags")
        self.tags.set_values([str(t) for t in tags] if isinstance(tags, list) else [])
        self.metadata.setRowCount(0)
        for group in value.get("metadata") or []:
            for key, item in group.items() if isinstance(group, dict) else []:
                self.add_metadata_row(str(key), item)

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.identity_id.text().strip()}
        for key, edit in self.fields.items():
            if text := edit.text().strip():
                out[key] = text
        if tags := self.tags.values():
            out["tags"] = tags
        pairs = [(k, v) for k, v in self.metadata_pairs() if k or v != ""]
        if pairs:
            out["metadata"] = [dict(pairs)]
        return out

    def local_error(self) -> str | None:
        if not self.identity_id.text().strip():
            return "An identity needs an id (for example the user's id in your own system)."
        keys: set[str] = set()
        for row, (key, value) in enumerate(self.metadata_pairs(), start=1):
            if not key and value != "":
                return f"Metadata row {row} has a value but no key."
            if key in keys:
                return f"The metadata key “{key}” appears twice."
            if key:
                keys.add(key)
        return None

    def summary_on(self) -> str:
        name = self.fields["display_name"].text().strip()
        ident = self.identity_id.text().strip() or "no id yet"
        return f"{name} ({ident})" if name else ident

    # -- internals ------------------------------------------------------------------------------

    def _fill_saved(self, select: str | None = None) -> None:
        self.saved_combo.clear()
        for item in self.saved.all():
            label = item.get("display_name") or item["id"]
            self.saved_combo.addItem(
                f"{label} ({item['id']})" if label != item["id"] else label, item["id"]
            )
        if select is not None:
            self.saved_combo.setCurrentIndex(max(self.saved_combo.findData(select), 0))
        has_saved = self.saved_combo.count() > 0
        self.saved_combo.setEnabled(has_saved)
        self.use_button.setEnabled(has_saved)
        self.forget_button.setEnabled(has_saved)
        if not has_saved:
            self.saved_combo.setPlaceholderText("None saved yet")

    def _on_use_clicked(self) -> None:
        if (identity_id := self.saved_combo.currentData()) is not None:
            self.use_saved(identity_id)

    def _on_forget_clicked(self) -> None:
        if (identity_id := self.saved_combo.currentData()) is not None:
            self.saved.forget(identity_id)
            self._fill_saved()

    def _on_remove_row_clicked(self) -> None:
        row = self.metadata.currentRow()
        if row >= 0:
            self.metadata.removeRow(row)
            self.edited()
