"""The Compare tab: one prompt, 2-6 columns side by side, and a chart of how each one did.

    view = CompareView(run, routing=routing, current_options=panel.options,
                       current_system_prompt=panel.system_prompt, presets=presets)
    view.use_as_primary.connect(panel.params.model_picker.set_model_id)
    view.open_as_chat.connect(...)       # (system_prompt, turns, options)

The view talks to a :class:`~orq_desktop.core.compare_run.CompareRun` through its methods and
signals only; it owns no task and awaits nothing. "Add to fallbacks" edits the chat's
``RoutingState`` (so the options editor shows it); "Use as primary" and "Open as chat" are
signals for the composition root to connect to the chat panel and session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from orq_desktop.core.compare_types import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnConfig,
    ColumnResult,
    ComparePrompt,
    SavedCompare,
    continue_as_chat,
)
from orq_desktop.domain.variables import find_variables
from orq_desktop.ui.compare_chart import CompareChart, chart_row, titled
from orq_desktop.ui.compare_column import CompareColumn
from orq_desktop.ui.compare_grid import ColumnGrid
from orq_desktop.ui.compare_prompt import ComparePromptForm
from orq_desktop.ui.compare_render import SharedRenderer
from orq_desktop.ui.compare_sources import ColumnSources
from orq_desktop.ui.compare_toolbar import CompareToolbar
from orq_desktop.ui.error_actions import ask_fallback_model
from orq_desktop.ui.layout import line_height, spacing

if TYPE_CHECKING:
    from orq_desktop.core.compare_run import CompareRun
    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.core.routing_state import RoutingState


class CompareView(QWidget):
    """The Compare tab (``compareView``).

    Signals:
        use_as_primary(model): make ``model`` the chat's model.
        open_as_chat(system_prompt, turns, options, info): continue a column as a chat;
            ``turns`` is a list of ``[role, text]`` ending with that column's answer, ``options``
            its request options (``model``, parameters, ``orq``), ``info`` its ``AnswerInfo``.
        error_action(action_id): an error card's fix the app handles ("reenter_key",
            "open_settings"); fixes of a column's routing are handled here.
        timeline_requested(trace_id): show the attempts the router made for a column's answer.
        status_message(text): a short line for the window's status bar.
    """

    use_as_primary = Signal(str)
    open_as_chat = Signal(str, list, dict, object)
    error_action = Signal(str)
    timeline_requested = Signal(str)
    status_message = Signal(str)

    def __init__(
        self,
        run: CompareRun,
        *,
        routing: RoutingState | None = None,
        current_options: Callable[[], dict[str, Any]] | None = None,
        current_system_prompt: Callable[[], str] | None = None,
        presets: PresetsStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self._run = run
        self.sources = ColumnSources(
            routing=routing, current_options=current_options, presets=presets
        )
        self._current_system_prompt = current_system_prompt
        self._fresh = True  # nothing was edited or sent: the first show copies the chat's settings
        self.ask_model: Callable[[QWidget, set[str]], str | None] = ask_fallback_model
        gap = spacing(self)

        self.renderer = SharedRenderer(self)
        self.form = ComparePromptForm(self)
        self.toolbar = CompareToolbar(self, gap)
        self.compare_button = self.toolbar.compare_button
        self.stop_all_button = self.toolbar.stop_all_button
        self.add_button = self.toolbar.add_button
        self.add_menu = self.toolbar.add_menu
        self.message = self.toolbar.message

        self.grid = ColumnGrid(gap, self)
        self.columns = self.grid.columns  # the same list: left to right
        self.chart = CompareChart(self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("compareSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(titled("How they did", self.chart))
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([line_height(self, 30), self.chart.sizeHint().height()])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addWidget(self.form)
        layout.addLayout(self.toolbar.row)
        layout.addWidget(self.splitter, 1)

        self.compare_action = self._action("Compare", ["Ctrl+Return", "Ctrl+Enter"], self.compare)
        self.stop_action = self._action("Stop all", ["Esc"], self.stop_all)
        self._connect_signals()
        self.reset_columns()
        self._fresh = True
        self._on_run_busy_changed(False)

    # -- columns --------------------------------------------------------------------------------

    def reset_columns(self) -> None:
        """Two columns with the chat's settings: its model, and another model beside it."""
        self.set_columns(self.sources.default_pair())

    def set_columns(self, configs: list[ColumnConfig]) -> None:
        for column in list(self.columns):
            self._drop(column)
        for config in configs[:MAX_COLUMNS]:
            self.add_column(config)

    def add_column(self, config: ColumnConfig | None = None) -> CompareColumn | None:
        if len(self.columns) >= MAX_COLUMNS or self._run.busy:
            return None
        column = self.grid.add(config or self.sources.chat())
        column.stop_requested.connect(lambda: self._stop_column(column))
        column.retry_requested.connect(lambda: self.retry(column))
        column.remove_requested.connect(lambda: self.remove_column(column))
        column.use_as_primary_requested.connect(lambda: self._use_as_primary(column))
        column.add_to_fallbacks_requested.connect(lambda: self.add_to_fallbacks(column))
        column.open_as_chat_requested.connect(lambda: self._open_as_chat(column))
        column.error_action.connect(lambda action: self.handle_error_action(column, action))
        column.changed.connect(self._on_column_changed)
        column.timeline_requested.connect(self.timeline_requested)
        self.sources.fill_menu(column.preset_menu, column.set_config, "The chat's settings")
        self._renumber()
        self._fresh = False
        return column

    def remove_column(self, column: CompareColumn) -> bool:
        if len(self.columns) <= MIN_COLUMNS or column.busy or column not in self.columns:
            return False
        self._drop(column)
        self._renumber()
        return True

    # -- actions ----------------------------------------------------------------------------------

    def prompt(self) -> ComparePrompt:
        return self.form.compare_prompt()

    def compare(self) -> bool:
        """Send the prompt to every column."""
        invalid = [
            f"Column {i + 1}: {r}" for i, c in enumerate(self.columns) if (r := c.validity())
        ]
        if reason := (invalid[0] if invalid else self.form.blocker()):
            self.message.set_text(reason)
            return False
        self.message.set_text(None)
        columns = list(self.columns)
        run_id = self._run.start(self.prompt(), [c.config() for c in columns])
        if run_id is None:
            return False
        self._fresh = False
        return True

    def stop_all(self) -> None:
        if self._run.busy:
            self._run.stop_all()
            self.status_message.emit("Stopped: the text so far is kept.")

    def retry(self, column: CompareColumn) -> bool:
        """Ask one column again with its current settings; the others are kept."""
        if (index := self.grid.run_index(column)) is None:
            self.message.set_text("This column was added after the last compare: press Compare.")
            return False
        if reason := column.validity():
            self.message.set_text(reason)
            return False
        return self._run.retry_column(index, column.config())

    def add_to_fallbacks(self, column: CompareColumn) -> bool:
        """Append the column's model to the chat's fallbacks (the routing state)."""
        model, routing = column.model(), self.sources.routing
        if routing is None:
            return False
        if model == self.sources.primary_model():
            self.status_message.emit(f"{model} is already the chat's model.")
            return False
        if not routing.add_fallback(model):
            self.status_message.emit(f"{model} is already one of the chat's fallbacks.")
            return False
        self.status_message.emit(f"{model} added to the chat's fallbacks.")
        return True

    def handle_error_action(self, column: CompareColumn, action_id: str) -> None:
        """An error card's fix: edit this column's routing and ask it again, or ask the app."""
        name = action_id.partition(":")[0]
        if name == "retry":
            self.retry(column)
        elif name in ("retry_on_code", "raise_timeout", "add_fallback"):
            if column.fix_routing(action_id, lambda taken: self.ask_model(self, taken)):
                self.retry(column)
        else:
            self.error_action.emit(action_id)

    def show_saved(self, saved: SavedCompare) -> bool:
        """Show a compare from the history: its prompt, columns and answers."""
        if self._run.busy:
            self.message.set_text("Answers are still arriving: stop them first.")
            return False
        self.form.set_prompt(saved.prompt)
        self.set_columns(list(saved.columns))
        self.grid.forget_run()
        for column, result in zip(self.columns, saved.results, strict=False):
            if result is not None:
                column.show_result(result)
        self.message.set_text(" ".join(saved.notes) or None)
        self._update_chart()
        self._fresh = False
        return True

    # -- Qt overrides ---------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._fresh:  # the chat's settings as they are now, not as they were at start-up
            self.reset_columns()
            if self._current_system_prompt is not None:
                self.form.set_system_prompt(self._current_system_prompt())
            self._fresh = True
        self._refresh()

    # -- internals ----------------------------------------------------------------------------

    def _action(self, text: str, keys: list[str], slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _connect_signals(self) -> None:
        run = self._run
        run.run_started.connect(self._on_run_started)
        run.column_started.connect(self._on_run_column_started)
        run.column_delta.connect(self._on_run_column_delta)
        run.column_finished.connect(self._on_run_column_finished)
        run.column_busy_changed.connect(self._on_run_column_busy_changed)
        run.busy_changed.connect(self._on_run_busy_changed)
        run.start_refused.connect(self.message.set_text)
        run.history_problem.connect(self.status_message)
        self.compare_button.clicked.connect(self.compare)
        self.stop_all_button.clicked.connect(self.stop_all)
        self.form.changed.connect(self._on_form_changed)
        self.add_menu.aboutToShow.connect(
            lambda: self.sources.fill_menu(
                self.add_menu, self.add_column, "With the chat's settings"
            )
        )
        if self.sources.presets is not None:
            self.sources.presets.changed.connect(self._on_presets_changed)

    def _drop(self, column: CompareColumn) -> None:
        self.renderer.drop(column)
        self.grid.drop(column)

    def _renumber(self) -> None:
        self.grid.renumber(self.palette())
        self._update_chart()
        self._refresh()

    def _update_chart(self) -> None:
        columns = enumerate(self.columns, 1)
        self.chart.set_rows([chart_row(f"{n}  {c.model()}", c.result, c.busy) for n, c in columns])

    def _refresh(self) -> None:
        busy = self._run.busy
        can_add = len(self.columns) < MAX_COLUMNS
        self.toolbar.refresh(busy=busy, blocker=self.form.blocker(), can_add=can_add)
        self.compare_action.setEnabled(not busy)
        self.stop_action.setEnabled(busy)
        self.form.set_variable_names(
            find_variables([self.form.system_prompt(), self.form.prompt_text()]),
            self.sources.routing_inputs(),
        )

    def _stop_column(self, column: CompareColumn) -> None:
        if (index := self.grid.run_index(column)) is not None:
            self._run.stop(index)

    def _use_as_primary(self, column: CompareColumn) -> None:
        self.use_as_primary.emit(column.model())
        self.status_message.emit(f"The chat now uses {column.model()}.")

    def _open_as_chat(self, column: CompareColumn) -> None:
        result = column.result
        if result is None or not result.text:
            return
        system_prompt, turns, options = continue_as_chat(self.form.compare_prompt(), result)
        self.open_as_chat.emit(system_prompt, [list(t) for t in turns], options, result.info)
        self.status_message.emit(f"Column {self.columns.index(column) + 1} continues as a chat.")

    def _on_run_started(self, _run_id: str, count: int) -> None:
        self.grid.bind_run(count)
        for column in self.columns:
            column.clear_answer()
        self._update_chart()

    def _on_run_column_started(self, index: int, model: str) -> None:
        if (column := self.grid.column_for(index)) is not None:
            self.renderer.flush_column(column)  # an earlier answer of a column asked again
            column.begin(model)

    def _on_run_column_delta(self, index: int, text: str) -> None:
        if (column := self.grid.column_for(index)) is not None:
            self.renderer.add(column, text)

    def _on_run_column_finished(self, index: int, result: ColumnResult) -> None:
        if (column := self.grid.column_for(index)) is not None:
            column.set_result(result)  # what it ended with is known (and charted) at once
            self.renderer.finish_later(column, lambda: column.finish(result))
            self._update_chart()

    def _on_run_column_busy_changed(self, index: int, busy: bool) -> None:
        if (column := self.grid.column_for(index)) is not None:
            column.set_busy(busy)
            self._update_chart()

    def _on_run_busy_changed(self, busy: bool) -> None:
        self._refresh()
        shown = self.grid.run_results_shown()
        if not busy and shown:
            complete = sum(1 for c in shown if c.result is not None and not c.result.failed)
            self.status_message.emit(f"Compare finished: {complete} of {len(shown)} answered.")

    def _on_form_changed(self) -> None:
        self._fresh = False
        self._refresh()

    def _on_column_changed(self) -> None:
        self._fresh = False
        self._update_chart()

    def _on_presets_changed(self) -> None:
        for column in self.columns:
            self.sources.fill_menu(column.preset_menu, column.set_config, "The chat's settings")


__all__ = ["CompareView"]
