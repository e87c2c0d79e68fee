"""Retry (how many times, on which status codes) and the per-attempt timeout."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QToolButton, QWidget

from orq_desktop.domain.route_plan import (
    DEFAULT_RETRY_CODES,
    NEVER_RETRY,
    RoutePlan,
    never_retry_warning,
)
from orq_desktop.ui.layout import em, spacing
from orq_desktop.ui.options_base import SecondsBox, Section, Validator, compact_form
from orq_desktop.ui.widgets_flow import FlowLayout
from orq_desktop.ui.widgets_inline import InlineMessage

# The codes worth retrying, each with the words shown in its tooltip (CONTRACT §8, §12).
COMMON_CODES: dict[int, str] = {
    408: "request timeout",
    429: "rate limited",
    500: "server error",
    502: "bad gateway",
    503: "unavailable",
    504: "gateway timeout",
    529: "overloaded",
}
MIN_CODE, MAX_CODE = 400, 599  # error answers only: retrying a 1xx-3xx makes no sense
MIN_COUNT, MAX_COUNT = 1, 5  # the router's range
DEFAULT_COUNT = 3  # what the SDK sends when only the codes are given
MAX_TIMEOUT_S = 3600.0
DEFAULT_TIMEOUT_S = 30.0


class StatusCodeToggles(QWidget):
    """Status codes as toggle buttons: the common ones always, custom ones once added."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retryCodes")
        self.setAccessibleName("Retry on these status codes")
        self._flow = FlowLayout(self, gap=spacing(self) // 2)
        self._buttons: dict[int, QToolButton] = {}
        self.on_toggle = lambda: None
        for code in COMMON_CODES:
            self._add_button(code)

    def codes(self) -> list[int]:
        return sorted(c for c, b in self._buttons.items() if b.isChecked())

    def set_codes(self, codes: list[int]) -> None:
        for code in codes:
            if code not in self._buttons:
                self._add_button(code)
        for code, button in self._buttons.items():
            button.blockSignals(True)
            button.setChecked(code in codes)
            button.blockSignals(False)
            self._mark(button, code in codes)

    def button(self, code: int) -> QToolButton | None:
        return self._buttons.get(code)

    def add_code(self, code: int) -> None:
        """Show ``code`` (if new) and switch it on."""
        if code not in self._buttons:
            self._add_button(code)
        self._buttons[code].setChecked(True)

    @staticmethod
    def _mark(button: QToolButton, on: bool) -> None:
        # Bold as well as pressed: some styles draw a checked tool button barely differently.
        font = button.font()
        font.setBold(on)
        button.setFont(font)

    def _on_button_toggled(self, button: QToolButton, on: bool) -> None:
        self._mark(button, on)
        self.on_toggle()

    def _add_button(self, code: int) -> None:
        button = QToolButton(self)
        button.setText(str(code))
        button.setCheckable(True)
        button.setObjectName(f"retryCode{code}")
        words = COMMON_CODES.get(code) or NEVER_RETRY.get(code) or "custom code"
        button.setToolTip(f"Retry when the provider answers {code} ({words})")
        button.setAccessibleName(f"Retry on {code}, {words}")
        button.setMinimumWidth(em(self, 3))
        button.toggled.connect(lambda on, b=button: self._on_button_toggled(b, on))
        self._buttons[code] = button
        # Keep the buttons in numeric order as custom codes arrive.
        while self._flow.takeAt(0) is not None:
            pass
        for key in sorted(self._buttons):
            self._flow.addWidget(self._buttons[key])
        self.updateGeometry()


class RetrySection(Section):
    """``retry``: ``{"count": 1..5, "on_codes": [...]}``, the router's own retries.

    Codes are whole numbers from 400 to 599; a code listed twice is sent once. A loaded value
    the controls cannot show as it is (a count of 2.5 or "3", a code of 200 or "abc") is an
    error, never quietly rounded or dropped, until the user edits that control.
    """

    KEY = "retry"
    TITLE = "Retry"
    SWITCH = "Retry the same model"

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self.count = QSpinBox(self.body)
        self.count.setObjectName("retryCount")
        self.count.setRange(0, 9)  # wider than the documented 1-5, so the reason can be shown
        self.count.setValue(DEFAULT_COUNT)
        self.count.setSuffix(" times")
        self.count.setAccessibleName("Retry attempts")
        self.count.setToolTip("Retries after the first try (1 to 5); waits 1, 2, 4, 8, 16 s.")
        self.codes = StatusCodeToggles(self.body)
        self.codes.set_codes(list(DEFAULT_RETRY_CODES))
        self.custom = QLineEdit(self.body)
        self.custom.setObjectName("retryCustomCode")
        self.custom.setPlaceholderText("Other code, e.g. 520")
        self.custom.setAccessibleName("Add another status code")
        self.custom.setMaximumWidth(em(self, 12))
        self.custom_message = InlineMessage(self.body)
        self.custom_message.setObjectName("retryCustomCodeError")
        self._bad_count: str | None = None  # a loaded count the spin box cannot show, as text
        self._bad_codes: list[str] = []  # loaded codes that are not status codes, as text
        form = compact_form(self.body)
        form.addRow("Attempts", self.count)
        form.addRow("On codes", self.codes)
        form.addRow("", self.custom)
        form.addRow("", self.custom_message)
        self.body.setLayout(form)
        self.count.valueChanged.connect(self._on_count_changed)
        self.codes.on_toggle = self._on_codes_changed
        self.custom.returnPressed.connect(self._on_custom_return)

    def add_custom_code(self, text: str) -> bool:
        """Add a typed code; False (with the reason beside the box) when it is not one."""
        text = text.strip()
        if not text.isascii() or not text.isdigit() or not MIN_CODE <= int(text) <= MAX_CODE:
            shown = text if len(text) <= 12 else text[:11] + "…"
            self.custom_message.set_text(
                f"Retry on error codes only: a whole number from {MIN_CODE} to {MAX_CODE} "
                f"(you entered “{shown}”)."
            )
            return False
        code = int(text)
        self.custom_message.set_text(
            f"{code} is already on: each code is sent once." if code in self.codes.codes() else None
        )
        self.codes.add_code(code)
        return True

    def load_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        count = value.get("count", DEFAULT_COUNT)
        whole = _whole(count)
        fits = whole is not None and MIN_COUNT <= whole <= MAX_COUNT
        self.count.setValue(whole if fits and whole is not None else 0)
        codes = value.get("on_codes") or []
        codes = codes if isinstance(codes, list) else [codes]
        good = [w for c in codes if (w := _whole(c)) is not None and MIN_CODE <= w <= MAX_CODE]
        self.codes.set_codes(good)
        # After the controls: setting them counts as the user's choice otherwise.
        self._bad_count = None if fits else _shown(count)
        self._bad_codes = list(dict.fromkeys(_shown(c) for c in codes if _whole(c) not in good))

    def local_error(self) -> str | None:
        if self._bad_count is not None:
            return (
                f"Retry attempts must be a whole number from {MIN_COUNT} to {MAX_COUNT} "
                f"(the options loaded {self._bad_count}): choose the attempts again."
            )
        if self._bad_codes:
            return (
                f"Retry status codes must be whole numbers from {MIN_CODE} to {MAX_CODE} "
                f"(the options loaded {', '.join(self._bad_codes)}): choose the codes again."
            )
        return None

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count.value()}
        if codes := self.codes.codes():
            out["on_codes"] = codes
        return out

    def notes(self) -> list[str]:
        codes = self.codes.codes()
        notes: list[str] = []
        if not codes:
            notes.append("No code chosen: the router retries on 429 only (its default).")
        if warning := never_retry_warning(codes):
            notes.append(warning)
        return notes

    def summary_on(self) -> str:
        codes = self.codes.codes() or list(DEFAULT_RETRY_CODES)
        return f"{self.count.value()}× on {', '.join(str(c) for c in codes)}"

    def _on_custom_return(self) -> None:
        if self.add_custom_code(self.custom.text()):
            self.custom.clear()

    def _on_count_changed(self, _value: int) -> None:
        self._bad_count = None  # the user chose a count: the loaded one is replaced
        self.edited()

    def _on_codes_changed(self) -> None:
        self._bad_codes = []  # the user chose the codes: the unreadable loaded ones are dropped
        self.edited()


def _shown(value: Any) -> str:
    """A loaded value in a message: 2.5, "3", true (long text cut)."""
    if isinstance(value, str):
        return f"“{value if len(value) <= 12 else value[:11] + '…'}”"
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "a list" if isinstance(value, list) else "an object"


def _whole(value: Any) -> int | None:
    """``value`` as a whole number when it is one (3 or 3.0; not True, 2.5 or "3")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


class TimeoutSection(Section):
    """``timeout``: ``{"call_timeout": ms}``; every attempt (fallbacks too) gets the full time."""

    KEY = "timeout"
    TITLE = "Timeout"
    SWITCH = "Limit the time of each attempt"

    def __init__(self, validator: Validator, parent: QWidget | None = None) -> None:
        super().__init__(validator, parent)
        self.seconds = SecondsBox(MAX_TIMEOUT_S, self.body)
        self.seconds.setObjectName("callTimeout")
        self.seconds.setValue(DEFAULT_TIMEOUT_S)
        self.seconds.setAccessibleName("Call timeout per attempt")
        self.seconds.setToolTip("How long one attempt may take; sent in milliseconds.")
        self.worst = QLabel(self.body)
        self.worst.setObjectName("worstCase")
        self.worst.setWordWrap(True)
        form = compact_form(self.body)
        form.addRow("Per attempt", self.seconds)
        form.addRow(self.worst)
        self.body.setLayout(form)
        self.seconds.valueChanged.connect(self.edited)

    def set_plan(self, plan: RoutePlan | None) -> None:
        """Show the worst case the whole route implies (all retries and fallbacks timing out)."""
        if plan is None or plan.worst_time_s is None or not self.is_on():
            self.worst.setText("")
            self.worst.setVisible(False)
            return
        total = plan.worst_time_s
        shown = f"{total:.1f} s" if total < 120 else f"{total / 60:.1f} min"
        attempts = plan.worst_attempts
        self.worst.setText(
            f"Worst case: {attempts} attempt{'s' if attempts != 1 else ''} in about {shown}."
        )
        self.worst.setVisible(True)

    def load_value(self, value: Any) -> None:
        ms = value.get("call_timeout") if isinstance(value, dict) else None
        if isinstance(ms, int | float):
            self.seconds.setValue(ms / 1000)

    def value(self) -> dict[str, Any]:
        return {"call_timeout": round(self.seconds.value() * 1000)}

    def summary_on(self) -> str:
        return f"{self.seconds.textFromValue(self.seconds.value())} s per attempt"


__all__ = ["COMMON_CODES", "RetrySection", "StatusCodeToggles", "TimeoutSection"]
