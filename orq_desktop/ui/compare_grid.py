"""The Compare tab's columns side by side, and which of them shows which of the run's columns.

grid = ColumnGrid(gap, parent)
column = grid.add(config)          # a new CompareColumn at the right end
grid.bind_run(count)               # a run started: its column i is grid.columns[i]
grid.column_for(i)                 # the widget showing the run's column i, if still shown
grid.drop(column)                  # removed from the view (the run's index stays unshown)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QWidget

from orq_desktop.core.compare_types import ColumnConfig
from orq_desktop.ui.compare_chart import series_colors
from orq_desktop.ui.compare_column import CompareColumn


class ColumnGrid(QScrollArea):
    """The columns (``compareColumns``) in a horizontal scroll area (``compareScroll``)."""

    def __init__(self, gap: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareScroll")
        self.columns: list[CompareColumn] = []
        # The run's column i is shown by this widget (None: removed from the view since).
        self.run_columns: list[CompareColumn | None] = []
        self.strip = QWidget()
        self.strip.setObjectName("compareColumns")
        self._strip_layout = QHBoxLayout(self.strip)
        self._strip_layout.setContentsMargins(0, 0, 0, 0)
        self._strip_layout.setSpacing(gap)
        self.setWidget(self.strip)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def add(self, config: ColumnConfig) -> CompareColumn:
        column = CompareColumn(config, self.strip)
        self.columns.append(column)
        self._strip_layout.addWidget(column, 1)
        return column

    def drop(self, column: CompareColumn) -> None:
        self.columns.remove(column)
        if column in self.run_columns:
            self.run_columns[self.run_columns.index(column)] = None
        self._strip_layout.removeWidget(column)
        column.hide()
        column.deleteLater()

    def renumber(self, palette: QPalette) -> None:
        """Number the columns 1..n from the left, each in its series colour."""
        colors = series_colors(palette, len(self.columns))
        for i, column in enumerate(self.columns):
            column.set_number(i + 1, colors[i])

    # -- the run's columns ----------------------------------------------------------------------

    def bind_run(self, count: int) -> None:
        """A run started with the first ``count`` columns."""
        self.run_columns = list(self.columns[:count])

    def forget_run(self) -> None:
        """What is shown no longer comes from a run (a compare from the history)."""
        self.run_columns = []

    def column_for(self, index: int) -> CompareColumn | None:
        return self.run_columns[index] if 0 <= index < len(self.run_columns) else None

    def run_index(self, column: CompareColumn) -> int | None:
        """The run's index of ``column``; None when it was added after the run started."""
        return self.run_columns.index(column) if column in self.run_columns else None

    def run_results_shown(self) -> list[CompareColumn]:
        """The run's columns still shown that have a result."""
        return [c for c in self.run_columns if c is not None and c.result is not None]


__all__ = ["ColumnGrid"]
