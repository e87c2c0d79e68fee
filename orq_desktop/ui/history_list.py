"""The list of the history sidebar (``historyList``): threads or search hits, one record per row.

Keys: Enter opens, Delete deletes, F2 renames; a right click asks for the row's menu. The rows
hold the records themselves (``RECORD_ROLE``); ``HistoryDelegate`` paints them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListWidget, QListWidgetItem, QWidget

from orq_desktop.ui.history_delegate import (
    RECORD_ROLE,
    HistoryDelegate,
    hit_heading,
    one_line,
    short_date,
)


class HistoryList(QListWidget):
    """Rows of threads (``ThreadSummary``) or of search hits (``SearchHit``).

    Signals:
        open_requested(record): clicked, or Enter.
        delete_requested(record): the Delete key.
        rename_requested(record): F2.
        menu_requested(record, QPoint global_pos): a right click on a row.
        near_end(): scrolled close to the last row (time to load the next page).
    """

    open_requested = Signal(object)
    delete_requested = Signal(object)
    rename_requested = Signal(object)
    menu_requested = Signal(object, QPoint)
    near_end = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyList")
        self.setAccessibleName("Conversations")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setUniformItemSizes(True)  # a list holds threads or hits, never both
        self.delegate = HistoryDelegate(self)
        self.setItemDelegate(self.delegate)
        self.itemClicked.connect(self._on_item_clicked)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # -- content ----------------------------------------------------------------------------

    def set_records(self, records: Sequence[Any]) -> None:
        """Replace every row (the scroll position goes back to the top)."""
        self.setUpdatesEnabled(False)
        try:
            self.clear()
            self.add_records(records)
        finally:
            self.setUpdatesEnabled(True)

    def add_records(self, records: Sequence[Any]) -> None:
        for record in records:
            item = QListWidgetItem()
            item.setData(RECORD_ROLE, record)
            item.setData(Qt.ItemDataRole.DisplayRole, _plain(record))
            item.setData(Qt.ItemDataRole.ToolTipRole, _tooltip(record))
            self.addItem(item)

    def records(self) -> list[Any]:
        return [self.item(i).data(RECORD_ROLE) for i in range(self.count())]

    def record_at(self, row: int) -> Any:
        item = self.item(row)
        return None if item is None else item.data(RECORD_ROLE)

    def current_record(self) -> Any:
        item = self.currentItem()
        return None if item is None else item.data(RECORD_ROLE)

    def select_thread(self, thread_id: str | None) -> None:
        """Mark the row of ``thread_id`` (a thread row, not a hit) as the current one."""
        self.blockSignals(True)
        try:
            for i in range(self.count()):
                record = self.item(i).data(RECORD_ROLE)
                if thread_id and not hasattr(record, "highlights") and record.id == thread_id:
                    self.setCurrentRow(i)
                    return
            self.clearSelection()
        finally:
            self.blockSignals(False)

    # -- Qt overrides -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        record = self.current_record()
        key = event.key()
        if record is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit(record)
        elif record is not None and key == Qt.Key.Key_Delete and not _is_hit(record):
            self.delete_requested.emit(record)
        elif record is not None and key == Qt.Key.Key_F2 and not _is_hit(record):
            self.rename_requested.emit(record)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        item = self.itemAt(event.pos())
        if item is None:
            return
        self.setCurrentItem(item)
        self.menu_requested.emit(item.data(RECORD_ROLE), event.globalPos())

    # -- slots ------------------------------------------------------------------------------

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(RECORD_ROLE))

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if bar.maximum() > 0 and value >= bar.maximum() - self.viewport().height() // 2:
            self.near_end.emit()


def _is_hit(record: object) -> bool:
    return hasattr(record, "highlights")


def _plain(record: Any) -> str:
    """The row as plain text (screen readers, keyboard search, tests)."""
    if _is_hit(record):
        return f"{hit_heading(record)}: {one_line(record.snippet)}"
    title = record.title or "Untitled"
    return f"{title} · {' '.join(f'#{t}' for t in record.tags)}" if record.tags else title


def _tooltip(record: Any) -> str:
    """Qt guesses whether a tooltip is rich text: it is made rich on purpose, and escaped."""
    if _is_hit(record):
        text = f"{hit_heading(record)} · {short_date(record.created_at)}"
    else:
        parts = [record.title or "Untitled", f"{record.message_count} messages"]
        if record.model:
            parts.append(record.model)
        if record.identity_id:
            parts.append(f"for {record.identity_id}")
        text = " · ".join(parts)
    return f"<qt>{html.escape(text)}</qt>"
