"""The history sidebar: saved conversations newest first, search, filters, and thread actions.

Built empty with the window's first paint (it imports nothing from ``core`` until bound), then
``bind(history)`` connects it to a :class:`~orq_desktop.core.history_session.HistorySession`.
It never touches the database: it asks the history session and shows what its signals bring.
Requests that a newer one replaces are cancelled, and late answers to them are ignored.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.history_queries import PAGE, HistoryFilters, SearchQuery, ThreadQuery
from orq_desktop.ui import history_dialogs as dialogs
from orq_desktop.ui.history_list import HistoryList
from orq_desktop.ui.history_row_actions import RowActions
from orq_desktop.ui.layout import em, hbox, spacing

# The history session (``orq_desktop.core.history_session.HistorySession``) is duck-typed here:
# importing it would bring the store into the ui layer.
HistorySession = Any

SEARCH_DELAY_MS = 200
MAX_RELOAD = 500  # rows reloaded at most when the list changes under the user
UNDO_SHOWN_MS = 15_000


def popup(menu: QMenu, pos: QPoint) -> None:
    """Show a row's menu (tests replace this to pick an action without a modal loop)."""
    menu.exec(pos)


class HistorySidebar(RowActions):
    """The conversation list on the left (``historySearch`` above ``historyList``).

    Signals:
        status_message(text): a short line for the window's status bar.
    """

    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historySidebar")
        self._history: HistorySession | None = None
        self._list_query: Any = None
        self._more_query: Any = None
        self._search_query: Any = None
        self._pending: asyncio.Task[Any] | None = None
        self._more = False
        self._current: str | None = None

        title = QLabel("History", self)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.menu_button = QToolButton(self)
        self.menu_button.setObjectName("historyMenu")
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip("Import conversations, filters")
        self.menu_button.setAccessibleName("History menu")
        self.menu_button.setAutoRaise(True)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        self.import_action = menu.addAction("&Import conversations…", self.import_file)
        self.filters_action = menu.addAction("Show &filters")
        self.filters_action.setCheckable(True)
        self.menu_button.setMenu(menu)

        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Search conversations")
        self.search.setAccessibleName("Search conversations")
        self.search.setClearButtonEnabled(True)
        self.model_filter = self._combo("historyModelFilter", "All models", "Model")
        self.tag_filter = self._combo("historyTagFilter", "All tags", "Tag")
        self.identity_filter = self._combo("historyIdentityFilter", "Anyone", "For")
        self.filter_row = QWidget(self)
        gap = spacing(self)
        rows = QVBoxLayout(self.filter_row)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(gap // 2)
        for combo in (self.model_filter, self.tag_filter, self.identity_filter):
            rows.addWidget(combo)
        self.filter_row.hide()

        self.list = HistoryList(self)
        self.empty = QLabel("No saved conversations yet.", self)
        self.empty.setObjectName("historyEmpty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        self.note = QLabel("", self)
        self.note.setObjectName("historyNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        self.undo_bar = QFrame(self)
        self.undo_bar.setObjectName("historyUndoBar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_label = QLabel("", self.undo_bar)
        self.undo_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton("Undo", self.undo_bar)
        self.undo_button.setObjectName("historyUndo")
        self.undo_button.setToolTip("Bring the conversation back (Ctrl+Z)")
        self.undo_bar.setLayout(hbox(gap // 2, gap, self.undo_label, self.undo_button))
        self.undo_bar.layout().setStretch(0, 1)
        self.undo_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, 0, gap)
        layout.setSpacing(gap)
        layout.addLayout(hbox(0, gap, title, None, self.menu_button))
        layout.addWidget(self.search)
        layout.addWidget(self.filter_row)
        layout.addWidget(self.note)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        self.setMinimumWidth(em(self, 10))

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._reload_timer = QTimer(self, singleShot=True, interval=60)
        self._undo_timer = QTimer(self, singleShot=True, interval=UNDO_SHOWN_MS)
        self.undo_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        self.undo_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._connect_signals()
        self._update_empty()

    # -- binding ----------------------------------------------------------------------------

    def bind(self, history: HistorySession) -> None:
        """Show ``history`` from now on and act on it; the first page is asked for at once."""
        self._history = history
        h = history
        h.threads_listed.connect(self._on_history_threads_listed)
        h.search_done.connect(self._on_history_search_done)
        h.choices_loaded.connect(self._on_history_choices_loaded)
        h.threads_changed.connect(self._reload_timer.start)
        h.current_thread_changed.connect(self._on_history_current_thread_changed)
        h.thread_deleted.connect(self._on_history_thread_deleted)
        h.thread_restored.connect(self._on_history_thread_restored)
        h.import_ready.connect(self._on_history_import_ready)
        h.import_refused.connect(self._on_history_import_refused)
        h.ready.connect(self._on_history_ready)
        self._current = h.current_thread_id
        self._show_state()
        self.reload()
        if self.filter_row.isVisibleTo(self):
            h.load_choices()

    @property
    def history(self) -> HistorySession | None:
        return self._history

    # -- what is shown ----------------------------------------------------------------------

    def filters(self) -> HistoryFilters:
        return HistoryFilters(
            model=self.model_filter.currentData(),
            tag=self.tag_filter.currentData(),
            identity_id=self.identity_filter.currentData(),
        )

    def reload(self) -> None:
        """Ask again for what the search box and filters describe (a list or search hits)."""
        h = self._history
        if h is None:
            return
        text = self.search.text().strip()
        self._search_timer.stop()
        if text:
            self._search_query = SearchQuery(text, self.filters())
            self._list_query = None
            self._request(h.search(self._search_query))
        else:
            loaded = self.list.count() if self._list_query is not None else 0
            limit = min(max(PAGE, loaded), MAX_RELOAD)
            self._list_query = ThreadQuery(self.filters(), None, limit)
            self._search_query = self._more_query = None
            self._request(h.list_threads(self._list_query))

    def load_more(self) -> None:
        """The next page of threads, after the last row shown."""
        h = self._history
        if h is None or self._list_query is None or not self._more or self._more_query:
            return
        last = self.list.record_at(self.list.count() - 1)
        if last is None:
            return
        self._more_query = ThreadQuery(self._list_query.filters, (last.updated_at, last.id))
        h.list_threads(self._more_query)

    # -- internals --------------------------------------------------------------------------

    def _combo(self, name: str, everything: str, label: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(f"Filter by {label.lower()}")
        combo.setProperty("label", label)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _request(self, task: asyncio.Task[Any]) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()  # its answer is stale now
        self._pending = task

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self.reload)
        self._search_timer.timeout.connect(self.reload)
        self._reload_timer.timeout.connect(self._on_reload_timer_timeout)
        self._undo_timer.timeout.connect(self.undo_bar.hide)
        for combo in (self.model_filter, self.tag_filter, self.identity_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.filters_action.toggled.connect(self._on_filters_toggled)
        self.list.open_requested.connect(self.open_record)
        self.list.delete_requested.connect(self.delete_record)
        self.list.rename_requested.connect(self.rename_record)
        self.list.menu_requested.connect(self._on_list_menu_requested)
        self.list.near_end.connect(self.load_more)
        self.undo_button.clicked.connect(self.undo)
        self.undo_shortcut.activated.connect(self.undo)

    def _update_empty(self) -> None:
        searching = bool(self.search.text().strip())
        self.empty.setText("No matches." if searching else "No saved conversations yet.")
        self.empty.setVisible(self.list.count() == 0)

    def _show_state(self) -> None:
        h = self._history
        text = ""
        if h is not None and h.read_only:
            text = "Read-only: this history was saved by a newer version. New chats are not kept."
        elif h is not None and not h.available and h.save_kind == "off":
            text = "History unavailable: conversations are not saved."
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _set_choices(self, combo: QComboBox, values: tuple[str, ...]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(f"{combo.property('label')}: {value}", value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(0, index))
        finally:
            combo.blockSignals(False)

    # -- slots ------------------------------------------------------------------------------

    def _on_history_threads_listed(self, query: Any, page: list[Any]) -> None:
        if query is self._list_query:
            self.list.set_records(page)
        elif query is self._more_query:
            self._more_query = None
            self.list.add_records(page)
        else:
            return  # an answer to a question no longer asked
        self._more = len(page) >= query.limit
        self.list.select_thread(self._current)
        self._update_empty()

    def _on_history_search_done(self, query: Any, hits: list[Any]) -> None:
        if query is self._search_query:
            self.list.set_records(hits)
            self._more = False
            self._update_empty()

    def _on_history_choices_loaded(self, choices: Any) -> None:
        self._set_choices(self.model_filter, choices.models)
        self._set_choices(self.tag_filter, choices.tags)
        self._set_choices(self.identity_filter, choices.identities)

    def _on_history_current_thread_changed(self, thread_id: str) -> None:
        self._current = thread_id or None
        self.list.select_thread(self._current)

    def _on_history_thread_deleted(self, _thread_id: str, title: str) -> None:
        self.undo_label.setText(f"“{title or 'Untitled'}” deleted.")
        self.undo_bar.show()
        self._undo_timer.start()

    def _on_history_thread_restored(self, _thread_id: str) -> None:
        if self._history is None or not self._history.can_undo:
            self.undo_bar.hide()

    def _on_history_import_ready(self, offer: Any) -> None:
        if self._history is not None and dialogs.confirm_import(self, offer.preview, offer.path):
            self._history.apply_import(offer)

    def _on_history_import_refused(self, reason: str) -> None:
        self.status_message.emit(reason)
        dialogs.show_refusal(self, "Import conversations", reason)

    def _on_history_ready(self, _ok: bool) -> None:
        self._show_state()
        self.reload()

    def _on_reload_timer_timeout(self) -> None:
        self.reload()
        if self._history is not None and self.filter_row.isVisibleTo(self):
            self._history.load_choices()

    def _on_filters_toggled(self, shown: bool) -> None:
        # The choices are read only when wanted: on a big history they take a scan of the runs.
        self.filter_row.setVisible(shown)
        if shown and self._history is not None:
            self._history.load_choices()

    def _on_search_text_changed(self, text: str) -> None:
        if text.strip():
            self._search_timer.start()  # wait for a pause in the typing
        else:
            self.reload()  # back to the list at once

    def _on_filter_changed(self, _index: int) -> None:
        count = self.filters().active
        self.filters_action.setText(f"Show &filters ({count} on)" if count else "Show &filters")
        self.reload()

    def _on_list_menu_requested(self, record: Any, pos: QPoint) -> None:
        popup(self.menu_for(record), pos)
