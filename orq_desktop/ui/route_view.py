"""The route preview: what the router will do with a request, drawn and said in plain words.

Primary model (or the load balancer's pool), its retries, then each fallback with its own
retries, one block under the other so it fits a narrow dock; the sentences come from
``domain.route_plan.plan_route`` and the warnings name the router's documented limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyle, QVBoxLayout, QWidget

from orq_desktop.domain.route_plan import BACKOFF_S, FALLBACK_CODES, RoutePlan, plan_route
from orq_desktop.ui.layout import em, line_height, spacing
from orq_desktop.ui.options_base import NoteLabel


def _wait(seconds: float) -> str:
    return f"{seconds:g}s"


class RouteDiagram(QWidget):
    """Painted blocks: one per model, a dot per attempt with the backoff between, arrows."""

    BLOCK = 2.5  # a block's height, in lines
    ARROW = 1.3  # the arrow between two blocks, in lines

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routeDiagram")
        self._plan: RoutePlan | None = None
        self._balanced = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_plan(self, plan: RoutePlan, *, balanced: bool = False) -> None:
        self._plan = plan
        self._balanced = balanced
        self.setAccessibleDescription(plan.describe())
        self.setFixedHeight(self._height())
        self.update()

    def _row(self) -> float:
        return float(line_height(self))

    def _height(self) -> int:
        if self._plan is None:
            return 0
        blocks = len(self._plan.models)
        row = self._row()
        # Per block: a title line and a dots line; an arrow line between blocks; the end line.
        return int(blocks * self.BLOCK * row + (blocks - 1) * self.ARROW * row + 1.4 * row + 2)

    def sizeHint(self) -> QSize:
        return QSize(em(self, 24), self._height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self._plan is None:
            return
        plan = self._plan
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        accent = palette.color(QPalette.ColorRole.Highlight)
        row = self._row()
        pad = em(self, 0.5)
        width = self.width() - 1
        bold = QFont(self.font())
        bold.setBold(True)
        y = 0.5
        for index, model in enumerate(plan.models):
            block = QRectF(0.5, y, width, self.BLOCK * row - 2)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(block, 6, 6)
            role = "Primary" if index == 0 else f"Fallback {index}"
            if index == 0 and self._balanced:
                role = "Load balancer"
            painter.setFont(self.font())
            painter.setPen(quiet)
            role_width = painter.fontMetrics().horizontalAdvance(role + "  ")
            title = QRectF(
                block.left() + pad, block.top() + 0.2 * row, block.width() - 2 * pad, row
            )
            painter.drawText(
                title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, role
            )
            painter.setFont(bold)
            painter.setPen(text)
            name_rect = title.adjusted(role_width, 0, 0, 0)
            shown = painter.fontMetrics().elidedText(
                model, Qt.TextElideMode.ElideMiddle, int(name_rect.width())
            )
            painter.drawText(
                name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown
            )
            self._paint_attempts(painter, block, row, pad, accent if index == 0 else text, quiet)
            y = block.bottom() + 2
            if index + 1 < len(plan.models):
                self._paint_arrow(painter, y, row, quiet)
                y += self.ARROW * row
        painter.setFont(self.font())
        painter.setPen(quiet)
        end = QRectF(pad, y + 0.2 * row, width - pad, row)
        painter.drawText(
            end,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            "→ the first answer, or the last error",
        )
        painter.end()

    def _paint_attempts(
        self, painter: QPainter, block: QRectF, row: float, pad: float, colour: Any, quiet: Any
    ) -> None:
        """Dots for the attempts on one line, the backoff written on the link between them."""
        plan = self._plan
        assert plan is not None
        radius = row * 0.28
        cy = block.top() + 1.65 * row
        x = block.left() + pad + radius
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        painter.setFont(small)
        metrics = painter.fontMetrics()
        for attempt in range(plan.retry_count + 1):
            if attempt:
                wait = _wait(BACKOFF_S[min(attempt - 1, 4)])
                link = metrics.horizontalAdvance(wait) + em(self, 1.2)
                painter.setPen(QPen(quiet, 1))
                piece = em(self, 0.3)
                left, right = x + radius, x + radius + link
                painter.drawLine(QPointF(left + 2, cy), QPointF(left + piece, cy))
                painter.drawLine(QPointF(right - piece, cy), QPointF(right - 2, cy))
                painter.drawText(
                    QRectF(left + piece, cy - row / 2, link - 2 * piece, row),
                    Qt.AlignmentFlag.AlignCenter,
                    wait,
                )
                x = right + radius
            painter.setPen(QPen(colour, 1.5))
            painter.setBrush(colour if attempt == 0 else Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(x, cy), radius, radius)
        label = "1 try" if plan.retry_count == 0 else f"1 try + {plan.retry_count} retries"
        if plan.call_timeout_s is not None:
            label += f", ≤{plan.call_timeout_s:g} s each"
        left = x + radius + em(self, 0.6)
        room = int(block.right() - pad - left)
        painter.setPen(quiet)
        painter.drawText(
            QRectF(left, cy - row / 2, max(room, 0), row),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(room, 0)),
        )

    def _paint_arrow(self, painter: QPainter, y: float, row: float, quiet: Any) -> None:
        x = em(self, 1.2)
        painter.setPen(QPen(quiet, 1.2))
        painter.drawLine(QPointF(x, y + 0.1 * row), QPointF(x, y + 1.1 * row))
        head = QPainterPath(QPointF(x - 4, y + 0.8 * row))
        head.lineTo(QPointF(x, y + 1.15 * row))
        head.lineTo(QPointF(x + 4, y + 0.8 * row))
        painter.drawPath(head)
        codes = ", ".join(str(c) for c in FALLBACK_CODES)
        painter.drawText(
            QRectF(x + em(self, 0.8), y, self.width() - x - em(self, 1), 1.2 * row),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                f"still failing ({codes}) or timed out",
                Qt.TextElideMode.ElideRight,
                int(self.width() - x - em(self, 1)),
            ),
        )


class RouteView(QWidget):
    """The diagram, the worst case in one line, the plan in sentences, and warnings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routeView")
        self._plan: RoutePlan | None = None
        self.diagram = RouteDiagram(self)
        self.worst = QLabel(self)
        self.worst.setObjectName("routeWorstCase")
        self.worst.setWordWrap(True)
        font = QFont(self.worst.font())
        font.setBold(True)
        self.worst.setFont(font)
        self.description = QLabel(self)
        self.description.setObjectName("routeDescription")
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings = NoteLabel(self, QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.warnings.setObjectName("routeWarnings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        layout.addWidget(self.diagram)
        layout.addWidget(self.worst)
        layout.addWidget(self.description)
        layout.addWidget(self.warnings)

    def plan(self) -> RoutePlan | None:
        return self._plan

    def text(self) -> str:
        """Everything the preview says, as plain text (worst case, sentences, warnings)."""
        parts = [self.worst.text(), self.description.text(), self.warnings.text()]
        return "\n".join(p for p in parts if p)

    def set_route(self, model: str, orq: Mapping[str, Any] | None) -> RoutePlan:
        plan = plan_route(model, orq)
        self._plan = plan
        balanced = bool(orq and orq.get("load_balancer"))
        self.diagram.set_plan(plan, balanced=balanced)
        attempts = plan.worst_attempts
        worst = f"Worst case: {attempts} attempt{'s' if attempts != 1 else ''}"
        if plan.worst_time_s is not None:
            total = plan.worst_time_s
            worst += (
                f" in about {total:.1f} s" if total < 120 else f" in about {total / 60:.1f} min"
            )
        else:
            worst += ", with no time limit per attempt"
        self.worst.setText(worst + ".")
        self.description.setText(plan.describe())
        self.warnings.set_text("\n".join(plan.warnings))
        return plan
