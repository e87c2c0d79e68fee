"""The routing options editor: the ``orq`` object, one collapsible section per field, and the
route preview under it. It lives in the main window's options dock.

    editor = OptionsEditor("chat", routing=routing_state, settings=qsettings)
    editor.set_primary_model("openai/gpt-4o")        # follows the model picker
    editor.set_prompt_texts([system_prompt, draft])  # finds the {{variables}}
    editor.orq()          # the wire dict: only the sections that are on
    editor.set_orq(orq)   # presets, pasted requests, history
    editor.validity()     # the first reason it cannot be sent, or None

With ``routing``, the editor loads the ``RoutingState``, writes every valid change back to it,
and shows changes made elsewhere (the error cards' one-click fixes) in the sections they touch.
Keys the editor has no control for (``name``, ``prompt``, ``fallback_on_codes``, ``contact``)
are kept and sent as they were loaded.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from orq_desktop.domain.catalogue import DEFAULT_CHAT_MODEL, DEFAULT_IMAGE_MODEL
from orq_desktop.ui.layout import em, line_height, spacing, vbox
from orq_desktop.ui.options_balancer import LoadBalancerSection
from orq_desktop.ui.options_base import NoteLabel, Section, model_validator
from orq_desktop.ui.options_fallbacks import FallbacksSection
from orq_desktop.ui.options_identity import IdentitySection
from orq_desktop.ui.options_inputs import InputsSection
from orq_desktop.ui.options_knowledge import KnowledgeSection
from orq_desktop.ui.options_retry import RetrySection, TimeoutSection
from orq_desktop.ui.options_thread import CacheSection, ThreadSection
from orq_desktop.ui.route_view import RouteView
from orq_desktop.ui.widgets_collapsible import CollapsibleSection

if TYPE_CHECKING:
    from orq_desktop.core.routing_state import RoutingState

Kind = Literal["chat", "image"]


class OptionsEditor(QWidget):
    """Edits the ``orq`` object of chat requests (``kind="chat"``) or of image requests
    (``kind="image"``: no thread, inputs or knowledge bases, CONTRACT §4.2).

    Signals:
        changed(orq): the user (or ``set_orq``) changed the options; ``orq`` is :meth:`orq`.
        validity_changed(reason): the first reason the options cannot be sent changed
            ("" when they can); :meth:`validity` gives it as ``str | None``.
    """

    changed = Signal(dict)
    validity_changed = Signal(str)
    ROUTE_SHARE = 0.45

    def __init__(
        self,
        kind: Kind = "chat",
        *,
        routing: RoutingState | None = None,
        settings: QSettings | None = None,
        primary_model: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("routingOptions")
        self.kind: Kind = kind
        self._validate = model_validator(kind)
        self._primary = primary_model or (
            DEFAULT_IMAGE_MODEL if kind == "image" else DEFAULT_CHAT_MODEL
        )
        self._extra: dict[str, Any] = {}
        self._routing: RoutingState | None = None
        self._synced: dict[str, Any] = {}
        self._validity: str | None = None
        self._quiet = False
        self._sized = False

        v = self._validate
        self.retry = RetrySection(v)
        self.fallbacks = FallbacksSection(v, kind)
        self.timeout = TimeoutSection(v)
        self.load_balancer = LoadBalancerSection(v, kind)
        self.cache = CacheSection(v)
        self.identity = IdentitySection(v, settings)
        self.thread: ThreadSection | None = None
        self.inputs: InputsSection | None = None
        self.knowledge: KnowledgeSection | None = None
        sections: list[Section] = []
        if kind == "chat":
            self.inputs = InputsSection(v)
            self.thread = ThreadSection(v)
            self.knowledge = KnowledgeSection(v)
            sections.append(self.inputs)
        sections += [self.retry, self.fallbacks, self.timeout, self.load_balancer, self.cache]
        if self.thread is not None and self.knowledge is not None:
            sections += [self.thread, self.identity, self.knowledge]
        else:
            sections.append(self.identity)
        self.sections: dict[str, Section] = {s.KEY: s for s in sections}
        self.fallbacks.set_primary_model(self._primary)
        self.load_balancer.set_primary_model(self._primary)

        gap = spacing(self)
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(gap, gap, gap, gap)
        column.setSpacing(gap)
        self.folds: dict[str, CollapsibleSection] = {}
        for section in sections:
            fold = CollapsibleSection(section.TITLE, section, parent=host)
            fold.setObjectName(f"{section.KEY}Fold")
            self.folds[section.KEY] = fold
            fold.expanded_changed.connect(lambda _open: self._fit_width())
            column.addWidget(fold)
            section.changed.connect(self._on_section_changed)
        self.extra_note = NoteLabel(host)
        self.extra_note.setObjectName("extraOptions")
        column.addWidget(self.extra_note)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("optionsScroll")
        self.scroll.setWidget(host)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.route_view = RouteView()
        route_title = QLabel("Route preview")
        font = QFont(route_title.font())
        font.setBold(True)
        route_title.setFont(font)
        route_host = QWidget()
        route_host.setLayout(vbox(gap, gap // 2, route_title, self.route_view, None))
        self.route_scroll = QScrollArea()
        self.route_scroll.setObjectName("routeScroll")
        self.route_scroll.setWidget(route_host)
        self.route_scroll.setWidgetResizable(True)
        self.route_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.route_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A splitter, not a column: each part scrolls in the height the user gives it, so a long
        # route never pushes the sections out of the dock (or over each other).
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("optionsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.route_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setMinimumWidth(em(self, 22))
        if self.inputs is not None:
            self.inputs.variables_changed.connect(self._on_inputs_variables_changed)

        for section in sections:
            section.refresh()
        orq = self.orq()
        self._update_views(orq)
        self._validity = self._compute_validity(orq)
        if routing is not None:
            self.bind(routing)

    # -- Qt overrides -----------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(em(self, 30), line_height(self, 40))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_width()
        if not self._sized:
            # The route preview starts with 45% of the height (it grows with every fallback);
            # the splitter keeps whatever the user chooses after that.
            self._sized = True
            total = max(self.splitter.height(), 1)
            route = int(total * self.ROUTE_SHARE)
            self.splitter.setSizes([total - route, route])

    def _fit_width(self) -> None:
        """Never narrower than the sections' content: the dock cannot squeeze it out of view."""
        host = self.scroll.widget()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(host.minimumSizeHint().width() + bar)

    # -- the object -----------------------------------------------------------------------------

    def orq(self) -> dict[str, Any]:
        """The ``orq`` wire dict: only the sections that are on, plus keys kept as loaded."""
        out: dict[str, Any] = {}
        for key, section in self.sections.items():
            value = section.dump()
            if value is not None:
                out[key] = value
        for key, value in self._extra.items():
            out.setdefault(key, copy.deepcopy(value))
        return out

    def set_orq(self, orq: dict[str, Any]) -> None:
        """Show ``orq``; absent fields switch their section off (their controls keep values)."""
        orq = orq if isinstance(orq, dict) else {}
        self._extra = {k: copy.deepcopy(v) for k, v in orq.items() if k not in self.sections}
        for key, section in self.sections.items():
            section.load(orq.get(key))
        self._after_change()

    def validity(self) -> str | None:
        """The first reason these options cannot be sent (naming the section), or None."""
        return self._validity

    def section(self, key: str) -> Section:
        return self.sections[key]

    def set_all_expanded(self, expanded: bool) -> None:
        for fold in self.folds.values():
            fold.set_expanded(expanded)

    # -- what the rest of the window feeds in ---------------------------------------------------

    def primary_model(self) -> str:
        return self._primary

    def set_primary_model(self, model: str) -> None:
        """The request's model: fallbacks may not repeat it; the preview starts from it."""
        if model == self._primary:
            return
        self._primary = model
        self.fallbacks.set_primary_model(model)
        self.load_balancer.set_primary_model(model)
        self._after_change(emit=False)

    def set_prompt_texts(self, texts: list[str]) -> None:
        """The system prompt and messages, searched for ``{{variables}}`` (chat only)."""
        if self.inputs is not None and self.inputs.set_prompt_texts(texts):
            self._after_change(emit=False)

    def new_thread(self) -> str | None:
        """A new ``thread_<ULID>`` for a new conversation (None for the image editor)."""
        if self.thread is None:
            return None
        return self.thread.new_thread()

    # -- RoutingState -----------------------------------------------------------------------------

    def bind(self, routing: RoutingState) -> None:
        """Edit ``routing`` from now on. An empty state takes the editor's defaults (a thread)."""
        self._routing = routing
        current = routing.orq()
        if current:
            self.set_orq(current)
        self._synced = current
        routing.changed.connect(self._on_routing_changed)
        self._write_back()

    def _write_back(self, orq: dict[str, Any] | None = None) -> None:
        if self._routing is None or self._validity is not None:
            return
        orq = self.orq() if orq is None else orq
        self._synced = orq
        self._quiet = True
        try:
            self._routing.set_orq(orq)
        finally:
            self._quiet = False

    def _on_routing_changed(self, new: dict[str, Any]) -> None:
        if self._quiet:
            return
        # Only the fields that changed are reloaded, so edits still in progress elsewhere (a
        # variable not filled in yet) survive a one-click fix from an error card.
        old, self._synced = self._synced, new
        for key in set(old) | set(new):
            if old.get(key) == new.get(key):
                continue
            if key in self.sections:
                self.sections[key].load(new.get(key))
            elif key in new:
                self._extra[key] = copy.deepcopy(new[key])
            else:
                self._extra.pop(key, None)
        self._after_change()

    # -- internals ------------------------------------------------------------------------------

    def _on_section_changed(self) -> None:
        self._after_change()

    def _on_inputs_variables_changed(self, names: list[str]) -> None:
        if names and self.inputs is not None and self.inputs.missing():
            self.folds["inputs"].set_expanded(True)

    def _compute_validity(self, orq: dict[str, Any]) -> str | None:
        for section in self.sections.values():
            if reason := section.last_error:
                return f"{section.TITLE}: {reason}"
        if not self._extra:  # every field has been checked by its own section
            return None
        lines = self._validate(orq)
        return f"Routing options: {lines[0]}" if lines else None

    def _update_views(self, orq: dict[str, Any]) -> None:
        self._fit_width()
        for key, fold in self.folds.items():
            summary = self.sections[key].summary()
            if summary != fold.summary():
                fold.set_summary(summary)
        plan = self.route_view.set_route(self._primary, orq)
        self.timeout.set_plan(plan)
        kept = sorted(self._extra)
        self.extra_note.set_text(
            f"Also sent as loaded (not editable here): {', '.join(kept)}." if kept else ""
        )

    def _after_change(self, *, emit: bool = True) -> None:
        orq = self.orq()
        self._update_views(orq)
        validity = self._compute_validity(orq)
        if validity != self._validity:
            self._validity = validity
            self.validity_changed.emit(validity or "")
        self._write_back(orq)
        if emit:
            self.changed.emit(orq)


__all__ = ["Kind", "OptionsEditor"]
