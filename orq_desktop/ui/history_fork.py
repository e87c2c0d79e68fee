"""“Fork from here”: a right click on a message in the transcript starts a new thread with the
conversation up to that message (the original thread is left as it is).

The transcript's message widgets are not changed: this watches the transcript's column for new
message cards and adds the action to the menu a right click shows on them (the text view's own
menu, Copy and Select all, stays in front).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtWidgets import QMenu, QScrollArea, QWidget

FORK_TEXT = "Fork from here"


def popup(menu: QMenu, pos: QPoint) -> None:
    """Show the menu (tests replace this to pick an action without a modal loop)."""
    menu.exec(pos)


class ForkFromHere(QObject):
    """Adds “Fork from here” to the right-click menu of every message in ``transcript``."""

    def __init__(self, transcript: QScrollArea, history: Any) -> None:
        """``history`` is the HistorySession (``can_fork``, ``fork_from``)."""
        super().__init__(transcript)
        self._history = history
        self._column = transcript.widget()
        self._cards: dict[QObject, QWidget] = {}
        self._column.installEventFilter(self)
        for child in self._column.children():
            self._watch(child)

    def menu_for(self, card: Any, pos: QPoint | None = None) -> QMenu:
        """The menu for a message card: its text view's menu, then “Fork from here”."""
        view = getattr(card, "view", None)
        if view is not None and pos is not None:
            menu = view.createStandardContextMenu(pos)
        else:
            menu = view.createStandardContextMenu() if view is not None else QMenu()
        menu.addSeparator()
        action = QAction(FORK_TEXT, menu)
        action.setObjectName("forkFromHere")
        msg_id = card.msg_id
        action.setEnabled(self._history.can_fork(msg_id))
        action.setToolTip(
            "Start a new conversation with everything up to this message"
            if action.isEnabled()
            else "Only a saved message, with no answer arriving, can be forked"
        )
        action.triggered.connect(lambda: self._history.fork_from(msg_id))
        menu.addAction(action)
        return menu

    # -- Qt overrides -----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._column and event.type() == QEvent.Type.ChildAdded:
            self._watch(event.child())  # type: ignore[attr-defined]
        elif event.type() == QEvent.Type.ContextMenu and watched in self._cards:
            assert isinstance(event, QContextMenuEvent)
            card = self._cards[watched]
            local = event.pos() if watched is not card else None
            popup(self.menu_for(card, local), event.globalPos())
            return True
        return False

    # -- internals --------------------------------------------------------------------------

    def _watch(self, child: QObject) -> None:
        if not (hasattr(child, "msg_id") and hasattr(child, "view")):
            return
        assert isinstance(child, QWidget)
        viewport = child.view.viewport()
        for target in (child, viewport):
            if target not in self._cards:
                self._cards[target] = child
                target.installEventFilter(self)
        child.destroyed.connect(lambda *_: self._forget(child, viewport))

    def _forget(self, card: QObject, viewport: QObject) -> None:
        self._cards.pop(card, None)
        self._cards.pop(viewport, None)
