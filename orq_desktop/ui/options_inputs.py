"""Inputs: a field for every ``{{variable}}`` in the prompts; values go out in ``orq.inputs``."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QToolButton, QWidget

from orq_desktop.domain.variables import find_variables, missing_values
from orq_desktop.ui.layout import hbox, spacing, vbox
from orq_desktop.ui.options_base import (
    NoteLabel,
    Section,
    Validator,
    compact_form,
    without_location,
)
from orq_desktop.ui.options_inputs_json import InputsJsonEditor, without_values
from orq_desktop.ui.widgets_labels import QuietLabel


def _braced(names: list[str]) -> str:
    quoted = [f"{{{{{n}}}}}" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _shape_reason(line: str, key: str) -> str:
    """ "inputs › #1 › key: Key must be text (you entered 5)." -> "Item #1 › key: Key must be
    text." (the place in the list, never the value)."""
    where, sep, text = line.partition(": ")
    prefix = f"{key} › "
    if sep and where.startswith(prefix):
        line = f"Item {where.removeprefix(prefix)}: {text}"
    return without_values(without_location(line, key))


def _plain_item(item: Any) -> bool:
    """An item of the list form that is surely fine: ``{"key": text, "value"?, "is_pii"?}``."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("key"), str)
        and isinstance(item.get("is_pii", False), bool)
        and set(item) <= {"key", "value", "is_pii"}
    )


def _pii_names(value: Any) -> set[str]:
    """The names the list form marks ``"is_pii": true`` (the map form cannot mark any)."""
    if not isinstance(value, list):
        return set()
    return {str(i.get("key")) for i in value if isinstance(i, dict) and i.get("is_pii") is True}


def _as_map(value: Any) -> dict[str, Any]:
    """``{"name": value}`` from either wire form (:func:`_pii_names` keeps the PII marks)."""
    if isinstance(value, list):
        value = {str(i.get("key")): i.get("value") for i in value if isinstance(i, dict)}
    return dict(value) if isinstance(value, dict) else {}


class InputsSection(Section):
    """``inputs``: ``{"name": value, …}``, the values the router puts in place of ``{{name}}``.

    Fields follow the prompts (:meth:`set_prompt_texts`): a placeholder typed adds its field, one
    deleted hides it (its value is remembered, not sent). Inputs loaded with :meth:`load` that no
    prompt uses are kept and sent too, with a button to drop them. A used variable without a
    value is an error: the router would send ``{{name}}`` to the model as it is.

    "Edit as JSON" (:meth:`set_json_mode`) shows the same inputs as one JSON text instead: text
    that is not JSON, or JSON of the wrong shape, is an error (with its line and column, never
    quoting a value) until it is fixed; the last valid inputs are what the editor holds.

    Signals:
        variables_changed(names): the set of variables in the prompts changed.
    """

    KEY = "inputs"
    TITLE = "Inputs"
    SWITCH = None

    variables_changed = Signal(list)

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self._variables: list[str] = []
        self._pinned: list[str] = []  # loaded names, sent even when no prompt uses them
        self._values: dict[str, Any] = {}  # typed text, or a loaded value of any JSON type
        self.edits: dict[str, QLineEdit] = {}
        self._json_problem: str | None = None  # the JSON text's problem (JSON mode only)
        self._kept_json: str | None = None  # unfinished JSON text left for the fields
        self._pii: set[str] = set()  # names the list form marks "is_pii": true
        self.json_toggle = QToolButton(self.body)
        self.json_toggle.setObjectName("inputsJsonToggle")
        self.json_toggle.setText("Edit as JSON")
        self.json_toggle.setCheckable(True)
        self.json_toggle.setToolTip("Edit every input as one JSON object (paste them at once).")
        self.fields = QWidget(self.body)
        self._empty = QuietLabel("Type {{name}} in a prompt to add a variable here.", self.fields)
        self._form: QFormLayout = compact_form(self.fields)
        self._form.addRow(self._empty)
        self._kept_note = NoteLabel(self.fields)
        self._kept_note.setObjectName("inputsJsonKept")
        self._kept_note.set_text(
            "Your unfinished JSON is kept: Edit as JSON goes back to it (editing a field here "
            "drops it)."
        )
        self._kept_note.setVisible(False)
        self._form.addRow(self._kept_note)
        self.fields.setLayout(self._form)
        self.json = InputsJsonEditor(self.body)
        self.json.setVisible(False)
        self.body.setLayout(
            vbox(0, spacing(self) // 2, hbox(0, 0, None, self.json_toggle), self.fields, self.json)
        )
        self.json_toggle.toggled.connect(self.set_json_mode)
        self.json.edited.connect(self.edited)
        self.json.parsed.connect(self._on_json_parsed)

    # -- the variables ----------------------------------------------------------------------------

    def variables(self) -> list[str]:
        return list(self._variables)

    def set_prompt_texts(self, texts: list[str]) -> bool:
        """Find the variables in ``texts``; True (and the fields rebuilt) when they changed."""
        found = find_variables(texts)
        if found == self._variables:
            return False
        self._variables = found
        self._rebuild()
        self.refresh()
        self.variables_changed.emit(list(found))
        return True

    def names(self) -> list[str]:
        """The fields shown: the prompts' variables, then loaded inputs no prompt uses."""
        return [*self._variables, *(n for n in self._pinned if n not in self._variables)]

    def set_value(self, name: str, text: str) -> None:
        """Type ``text`` into the field of ``name`` (as the user would)."""
        edit = self.edits.get(name)
        if edit is not None:
            edit.setText(text)
            self._on_text_edited(name, text)

    def missing(self) -> list[str]:
        texts = {n: _as_text(v) for n, v in self._values.items()}
        return missing_values(self._variables, texts)

    def json_mode(self) -> bool:
        return self.json_toggle.isChecked()

    def set_json_mode(self, on: bool) -> None:
        """Show the inputs as one JSON text (on) or as a field per variable (off).

        Leaving JSON mode while the text has a problem keeps the text (never lost) while the
        fields show the last valid inputs; coming back shows that text again, unless a field
        was edited in between.
        """
        if self.json_toggle.isChecked() != on:
            self.json_toggle.setChecked(on)  # comes back here through toggled
            return
        self.json_toggle.setText("Edit as fields" if on else "Edit as JSON")
        if on and self._kept_json is not None:
            self.json.text_edit.setPlainText(self._kept_json)
            self.json.parse()
            self._set_kept(None)
        elif on:
            shown = {n: self._values[n] for n in self.names() if n in self._values}
            self.json.set_value(self._wire_form(shown))
        else:
            if self.json.pending:  # switched within the debounce: the last keystrokes count
                self.json.parse()
                self._apply_json()
            if self._json_problem is not None:
                self._set_kept(self.json.text_edit.toPlainText())
            self._json_problem = None
            self._rebuild()
        self.fields.setVisible(not on)
        self.json.setVisible(on)
        self.edited()

    def drop(self, name: str) -> None:
        """Stop sending a loaded input that no prompt uses."""
        if name in self._pinned:
            self._pinned.remove(name)
            self._values.pop(name, None)
            self._rebuild()
            self.edited()

    # -- Section hooks ------------------------------------------------------------------------

    def load(self, value: Any) -> None:
        """Load ``{"name": value}`` (or the list form ``[{"key", "value"}]``); None clears."""
        self._set_kept(None)
        self._values = _as_map(value)
        self._pii = _pii_names(value)
        self._pinned = list(self._values)
        self._rebuild()
        if self.json_mode():
            self._loading = True  # the parse below must not report a user edit
            try:
                self.json.set_value(self._wire_form(self._values))
            finally:
                self._loading = False
        self.refresh()

    def load_value(self, value: Any) -> None:  # load() is overridden: no switch to set
        self.load(value)

    def value(self) -> dict[str, Any] | list[dict[str, Any]] | None:
        out = {}
        for name in self.names():
            value = self._values.get(name)
            if value is not None and _as_text(value).strip():
                out[name] = value
        return self._wire_form(out) if out else None

    def _wire_form(self, values: dict[str, Any]) -> dict[str, Any] | list[dict[str, Any]]:
        """The map form, or the list form when an input is marked as personal data (only the
        list form can carry ``is_pii``)."""
        if not self._pii & set(values):
            return values
        return [
            {"key": n, "value": v, **({"is_pii": True} if n in self._pii else {})}
            for n, v in values.items()
        ]

    def local_error(self) -> str | None:
        if self.json_mode():
            if self.json.pending:
                return "Checking the JSON…"
            if self._json_problem:
                return self._json_problem
        missing = self.missing()
        if not missing:
            return None
        pronoun = "it" if len(missing) == 1 else "them"
        return f"Give a value for {_braced(missing)}: the prompt uses {pronoun}."

    def summary_on(self) -> str:
        names = self.names()
        if not names:
            return "no {{variables}} in the prompts"
        missing = self.missing()
        text = f"{len(names)} variable{'s' if len(names) != 1 else ''}"
        return f"{text}, {len(missing)} without a value" if missing else text

    # -- internals ------------------------------------------------------------------------------

    def _rebuild(self) -> None:
        while self._form.rowCount() > 2:  # the empty hint and the kept-JSON note stay
            self._form.removeRow(2)
        self.edits = {}
        for name in self.names():
            edit = QLineEdit(self.body)
            edit.setObjectName(f"input_{name}")
            edit.setAccessibleName(f"Value of {{{{{name}}}}}")
            edit.setText(_as_text(self._values[name]) if name in self._values else "")
            edit.textEdited.connect(lambda text, n=name: self._on_text_edited(n, text))
            label = QLabel(f"{{{{{name}}}}}", self.body)
            label.setBuddy(edit)
            if name in self._pii:
                label.setText(f"{{{{{name}}}}} (personal)")
                label.setToolTip("Marked as personal data (is_pii): the router treats it as such.")
            if name in self._variables:
                edit.setPlaceholderText("value (required)")
                self._form.addRow(label, edit)
            else:
                drop = QToolButton(self.body)
                drop.setText("✕")
                drop.setAutoRaise(True)
                drop.setToolTip(f"No prompt uses {{{{{name}}}}}: click to stop sending it.")
                drop.setAccessibleName(f"Stop sending {name}")
                drop.clicked.connect(lambda _=False, n=name: self.drop(n))
                edit.setToolTip(f"No prompt uses {{{{{name}}}}}; it is sent as loaded.")
                self._form.addRow(label, hbox(0, spacing(self) // 2, edit, drop))
            self.edits[name] = edit
        self._empty.setVisible(not self.edits)

    def _on_json_parsed(self) -> None:
        if self.json_mode():
            self._apply_json()

    def _apply_json(self) -> None:
        value, problem = self.json.value, self.json.problem
        reason = problem.reason if problem else None
        if reason is None and value is not None:
            reason = self._shape_problem(value)
        self._json_problem = reason
        if reason is None:
            self._values = _as_map(value)
            self._pii = _pii_names(value)
            self._pinned = list(self._values)
        self.edited()

    def _shape_problem(self, value: Any) -> str | None:
        """The first reason ``value`` is not inputs. A long list is checked with the models
        one item at a time, only for its first suspect item: 20,000 wrong items explained at
        once took 13 s."""
        if isinstance(value, list):
            bad = next((i for i, item in enumerate(value) if not _plain_item(item)), None)
            if bad is None:
                return None
            lines = self._validator({self.KEY: [value[bad]]})
            if not lines:
                return None
            return _shape_reason(lines[0].replace(" › #1", f" › #{bad + 1}", 1), self.KEY)
        lines = self._validator({self.KEY: value})
        return _shape_reason(lines[0], self.KEY) if lines else None

    def _set_kept(self, text: str | None) -> None:
        self._kept_json = text
        self._kept_note.setVisible(text is not None)

    def _on_text_edited(self, name: str, text: str) -> None:
        self._set_kept(None)  # the fields are newer than the unfinished JSON now
        previous = self._values.get(name)
        if previous is None or _as_text(previous) != text:
            self._values[name] = text
        self.edited()
