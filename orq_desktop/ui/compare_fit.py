"""Fit the chat's answer widgets (message header, footer, error card) into a narrow column.

Those widgets lay their small labels and buttons out in rows as wide as a chat transcript (a
footer with a trace id needs about 800 px on one line). A compare column is a third of that, and
a row's minimum width would widen the whole answer past the column's edge, cutting every line of
text. Here each such row's widgets move into a :class:`WrapLayout`: they flow onto as many lines
as the width needs, and a label longer than a whole line (a trace id) is cut at the edge instead
of widening the column.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QBoxLayout, QLabel, QLayout, QLayoutItem, QWidget

from orq_desktop.ui.layout import spacing
from orq_desktop.ui.widgets_flow import FlowLayout

_WRAPPED = "compareWrapped"


class WrapLayout(FlowLayout):
    """A :class:`FlowLayout` in which no item is wider than the line.

    Its minimum width is that of its widest item that is not a label, so buttons always show
    whole while labels give way.
    """

    def sizeHint(self) -> QSize:
        width = sum(i.sizeHint().width() + self._gap for i in self._shown())
        return QSize(width, self.heightForWidth(max(width, 1)))

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt override)
        width = max(
            (i.minimumSize().width() for i in self._shown() if not isinstance(i.widget(), QLabel)),
            default=0,
        )
        return QSize(width, 0)

    def _shown(self) -> list[QLayoutItem]:
        items = (self.itemAt(i) for i in range(self.count()))
        return [
            i for i in items if i is not None and (i.widget() is None or not i.widget().isHidden())
        ]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        right = rect.x() + max(rect.width(), 1)
        for item in self._shown():
            hint = item.sizeHint()
            width = min(hint.width(), rect.width()) if rect.width() > 0 else hint.width()
            if x + width > right and line_height > 0:
                x, y = rect.x(), y + line_height + self._gap
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()


def _take_widgets(layout: QLayout) -> list[QWidget]:
    """Empty ``layout``: its widgets, in order (stretches and spacings are dropped)."""
    widgets = []
    while (item := layout.takeAt(0)) is not None:
        if (widget := item.widget()) is not None:
            widgets.append(widget)
    return widgets


def _wrap(host: QWidget, widgets: list[QWidget]) -> None:
    layout = WrapLayout(host, max(2, spacing(host) // 2))
    for widget in widgets:
        layout.addWidget(widget)


def _horizontal(layout: object) -> bool:
    return isinstance(layout, QBoxLayout) and layout.direction() in (
        QBoxLayout.Direction.LeftToRight,
        QBoxLayout.Direction.RightToLeft,
    )


def wrap_rows(widget: QWidget, min_widgets: int = 3) -> int:
    """Make ``widget``'s rows wrap; returns how many rows were changed.

    A widget laid out as one row becomes one wrapping row; in a widget laid out as a column,
    each row of ``min_widgets`` or more widgets is replaced by a wrapping row (short rows, such
    as an icon beside a title, are left alone).
    """
    layout = widget.layout()
    if widget.property(_WRAPPED) or not isinstance(layout, QBoxLayout):
        return 0
    widget.setProperty(_WRAPPED, True)
    if _horizontal(layout):
        widgets = _take_widgets(layout)
        shiboken6.delete(layout)  # a widget takes a new layout only once the old one is gone
        _wrap(widget, widgets)
        return 1
    changed = 0
    for index in range(layout.count()):
        item = layout.itemAt(index)
        row = item.layout() if item is not None else None
        if row is None or not _horizontal(row):
            continue
        if sum(1 for i in range(row.count()) if row.itemAt(i).widget() is not None) < min_widgets:
            continue
        widgets = _take_widgets(row)
        layout.takeAt(index)
        shiboken6.delete(row)
        host = QWidget(widget)
        _wrap(host, widgets)
        layout.insertWidget(index, host)
        changed += 1
    return changed
