"""Small layout helpers and spacing derived from the font, so forms stay uniform at any DPI."""

from __future__ import annotations

from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetrics,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

Item = QWidget | QLayout | int | None
"""A layout item: a widget, a nested layout, a fixed spacing in pixels, or None for a stretch."""


def em(widget: QWidget, count: float = 1.0) -> int:
    """``count`` times the width of "M" in the widget's font: a DPI-independent length."""
    return round(QFontMetrics(widget.font()).horizontalAdvance("M") * count)


def line_height(widget: QWidget, lines: float = 1.0) -> int:
    """The height of ``lines`` lines of text in the widget's font."""
    return round(QFontMetrics(widget.font()).lineSpacing() * lines)


def spacing(widget: QWidget) -> int:
    """The gap between related controls: half a line, never less than 4 px."""
    return max(4, line_height(widget, 0.5))


def _fill(layout: QBoxLayout, items: tuple[Item, ...]) -> None:
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, int):
            layout.addSpacing(item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)


def hbox(margin: int, gap: int, *items: Item) -> QHBoxLayout:
    """A horizontal box with the given margins and spacing (git-cola's ``qtutils.hbox``)."""
    layout = QHBoxLayout()
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(gap)
    _fill(layout, items)
    return layout


def vbox(margin: int, gap: int, *items: Item) -> QVBoxLayout:
    """A vertical box with the given margins and spacing."""
    layout = QVBoxLayout()
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(gap)
    _fill(layout, items)
    return layout


def form(margin: int, gap: int, *rows: tuple[str | QWidget, QWidget | QLayout]) -> QFormLayout:
    """A form of (label, field) rows; labels on the left, fields growing to the right."""
    layout = QFormLayout()
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.setSpacing(gap)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    for label, field in rows:
        layout.addRow(label, field)
    return layout


def expanding_h(widget: QWidget) -> QWidget:
    """Let a widget grow horizontally but keep its preferred height."""
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return widget


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window colour is dark (a dark theme)."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def error_colour(palette: QPalette) -> QColor:
    """A red that reads well on the palette's window colour (light or dark theme)."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def code_box(
    edit: QPlainTextEdit, *, name: str, label: str, example: str, lines: tuple[int, int]
) -> QPlainTextEdit:
    """Set ``edit`` up as a box for JSON or code: fixed-width font, ``example`` as placeholder,
    Tab moves focus, between ``lines[0]`` and ``lines[1]`` lines high."""
    edit.setObjectName(name)
    edit.setAccessibleName(label)
    edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    edit.setPlaceholderText(example)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(line_height(edit, lines[0]))
    edit.setMaximumHeight(line_height(edit, lines[1]))
    return edit


def mark_error_line(edit: QPlainTextEdit, line: int | None, tooltip: str = "") -> None:
    """Underline line ``line`` (1-based) of ``edit`` with a red wave; None clears the mark."""
    selections: list[QTextEdit.ExtraSelection] = []
    block = edit.document().findBlockByNumber(line - 1) if line else None
    if block is not None and block.isValid():
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(error_colour(edit.palette()))
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
        if tooltip:
            fmt.setToolTip(tooltip)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor  # type: ignore[attr-defined]
        selection.format = fmt  # type: ignore[attr-defined]
        selections.append(selection)
    edit.setExtraSelections(selections)
