"""What a row of the history sidebar can do: open, rename, tag, export, delete; import a file.

A mixin of :class:`~orq_desktop.ui.history_sidebar.HistorySidebar` (it supplies ``_history``,
the history session, and ``status_message``). Questions go through ``history_dialogs``, so tests
answer them without a modal dialog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMenu, QWidget

from orq_desktop.ui import history_dialogs as dialogs


class RowActions(QWidget):
    """The sidebar's thread actions (see the module docstring)."""

    _history: Any
    status_message: Any

    def open_record(self, record: Any) -> None:
        h = self._history
        if h is None or record is None:
            return
        if not hasattr(record, "highlights"):
            h.open_thread(record.id)
        elif record.thread_id is not None:
            focus = record.item_id if record.kind == "message" else None
            h.open_thread(record.thread_id, focus_message=focus)
        else:
            self.status_message.emit("That image was made in the Images tab (no conversation).")

    def delete_record(self, record: Any) -> None:
        if self._history is not None and record is not None:
            self._history.delete_thread(record.id, record.title)

    def rename_record(self, record: Any) -> None:
        if self._history is None or record is None:
            return
        title = dialogs.ask_text(self, "Rename conversation", "Title:", record.title)
        if title is not None and title.strip():
            self._history.rename_thread(record.id, title)

    def edit_tags(self, record: Any) -> None:
        if self._history is None or record is None:
            return
        text = dialogs.ask_text(
            self, "Conversation tags", "Tags, separated by commas:", ", ".join(record.tags)
        )
        if text is not None:
            self._history.set_tags(record.id, [t for t in text.split(",") if t.strip()])

    def export_record(self, record: Any, kind: str) -> None:
        if self._history is None or record is None:
            return
        what = "Markdown" if kind == "md" else "JSON"
        path = dialogs.ask_save_path(
            self,
            f"Export conversation as {what}",
            dialogs.export_name(record.title, kind),
            dialogs.EXPORT_FILTERS[kind],
        )
        if path:
            self._history.export_thread(record.id, path, kind)

    def import_file(self) -> None:
        if self._history is None:
            return
        path = dialogs.ask_open_path(self, "Import conversations", dialogs.IMPORT_FILTER)
        if path:
            self._history.prepare_import(path)

    def undo(self) -> None:
        if self._history is not None and self._history.undo_delete() is None:
            self.status_message.emit("Nothing to undo.")

    def menu_for(self, record: Any) -> QMenu:
        """The right-click menu of a row."""
        menu = QMenu(self)
        menu.addAction("&Open", lambda: self.open_record(record))
        if not hasattr(record, "highlights"):
            menu.addAction("&Rename…", lambda: self.rename_record(record))
            menu.addAction("&Tags…", lambda: self.edit_tags(record))
            menu.addSeparator()
            menu.addAction("Export as &Markdown…", lambda: self.export_record(record, "md"))
            menu.addAction("Export as &JSON…", lambda: self.export_record(record, "json"))
            menu.addSeparator()
            menu.addAction("&Delete", lambda: self.delete_record(record))
        return menu
