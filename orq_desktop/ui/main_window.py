"""The main window: composes the sidebar, the panels, the options dock, menus and status bar.

Panels are built elsewhere and passed in (the composition root owns the objects); missing ones
get a placeholder so the window is complete on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QSplitter,
    QStatusBar,
    QTabWidget,
    QWidget,
)

if TYPE_CHECKING:
    from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.layout import em, line_height, vbox
from orq_desktop.ui.widgets_dialogs import ShortcutsDialog, about_box
from orq_desktop.ui.widgets_shell import DemoBanner, HistorySidebar, PlaceholderPanel

STATUS_MS = 6000


def _bytes(value: object) -> QByteArray:
    """A saved Qt state, or an empty one when the settings file holds something else."""
    return value if isinstance(value, QByteArray) else QByteArray()


def plain_title(title: str) -> str:
    """``title`` without its mnemonic marker ("Co&mpare" -> "Compare"; "&&" stays a literal &)."""
    return "&&".join(part.replace("&", "") for part in title.split("&&"))


def _is_chat(panel: QWidget) -> bool:
    """A real chat panel, not the placeholder shown until it is built."""
    return hasattr(panel, "send_action")


class MainWindow(QMainWindow):
    """Sidebar | tabs (Chat, Images, …) | options dock, with the demo banner on top.

    Signals:
        closing(): the window was closed; the app's main coroutine cleans up and quits.
        settings_requested(): File → Settings… was chosen.
    """

    closing = Signal()
    settings_requested = Signal()

    def __init__(
        self,
        settings: QSettings,
        *,
        chat_panel: QWidget | None = None,
        images_panel: QWidget | None = None,
        sidebar: QWidget | None = None,
        options_widget: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setObjectName("mainWindow")
        self.setWindowTitle("Orq Desktop")
        self.chat_panel = chat_panel or PlaceholderPanel(
            "Chat", "Connect to the router to start chatting."
        )
        self.sidebar = sidebar or HistorySidebar()
        self.banner = DemoBanner()
        self.banner.setVisible(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        central = QWidget()
        central.setLayout(vbox(0, 0, self.banner, self.splitter))
        self.setCentralWidget(central)

        self.options_dock = QDockWidget("Options", self)
        self.options_dock.setObjectName("optionsEditor")
        self.options_dock.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.options_dock.setWidget(
            options_widget
            or PlaceholderPanel("Options", "Retries, fallbacks and timeouts will live here.")
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.options_dock)
        status = QStatusBar(self)
        status.setObjectName("statusBar")
        self.setStatusBar(status)

        self._tab_actions: list[QAction] = []
        self._build_menus()
        self.add_panel(self.chat_panel, "Chat")
        self.images_panel: QWidget = images_panel or PlaceholderPanel(
            "Images", "Generate images with DALL·E and GPT Image."
        )
        self.add_panel(self.images_panel, "Images")
        self._connect_signals()
        self._restore_layout()
        status.showMessage("Ready", STATUS_MS)

    # -- public -------------------------------------------------------------------------------

    def add_panel(self, panel: QWidget, title: str) -> int:
        """Add a tab (Compare comes later); Ctrl+<n> switches to it. Returns its index.

        Tab titles carry no Alt mnemonic (a "&" in ``title`` is dropped): Ctrl+<n> switches tabs,
        and the menus and the panels' labels already use the Alt letters.
        """
        title = plain_title(title)
        index = self.tabs.addTab(panel, title)
        action = QAction(f"Show {title}", self)
        action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
        self._view_menu.insertAction(self._tabs_anchor, action)
        self._tab_actions.append(action)
        return index

    def set_chat_panel(self, panel: ChatPanel) -> None:
        """Put the real chat panel in place of the placeholder the window first painted with.

        The app paints the window before it imports the chat machinery, then calls this.
        """
        index = self.tabs.indexOf(self.chat_panel)
        current = self.tabs.currentIndex()
        old, self.chat_panel = self.chat_panel, panel
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, panel, "Chat")
        self.tabs.setCurrentIndex(current)
        old.deleteLater()
        self._add_chat_actions(panel)
        panel.status_message.connect(self.show_status)
        panel.restore_state(self._settings)

    def set_images_panel(self, panel: QWidget) -> None:
        """Put the real image panel in place of its placeholder (built after the first paint)."""
        index = self.tabs.indexOf(self.images_panel)
        current = self.tabs.currentIndex()
        old, self.images_panel = self.images_panel, panel
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, panel, "Images")
        self.tabs.setCurrentIndex(current)
        old.deleteLater()
        restore = getattr(panel, "restore_state", None)
        if callable(restore):
            restore(self._settings)

    def set_sidebar(self, sidebar: QWidget) -> None:
        """Put the real history sidebar in place of the light one the window first painted
        with (the history's list and delegates are imported after the first frame)."""
        old, self.sidebar = self.sidebar, sidebar
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(self.splitter.indexOf(old), sidebar)
        self.splitter.setSizes(sizes)
        sidebar.setVisible(self.sidebar_action.isChecked())
        old.deleteLater()

    def set_demo_banner(self, visible: bool) -> None:
        self.banner.setVisible(visible)

    def show_status(self, text: str, timeout_ms: int = STATUS_MS) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def all_actions(self) -> list[QAction]:
        """Every menu action, in menu order (for the shortcuts list)."""
        found: list[QAction] = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if isinstance(menu, QMenu):
                found += [a for a in menu.actions() if not a.isSeparator()]
        return found

    def save_layout(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/sidebar_visible", not self.sidebar.isHidden())
        s.setValue("window/tab", self.tabs.currentIndex())
        if _is_chat(self.chat_panel):
            self.chat_panel.save_state(s)
        save_images = getattr(self.images_panel, "save_state", None)
        if callable(save_images):
            save_images(s)
        s.sync()

    # -- Qt overrides -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        event.accept()
        self.closing.emit()

    # -- building -------------------------------------------------------------------------------

    def _add(
        self,
        menu: QMenu,
        text: str,
        key: QKeySequence | str | None,
        slot: Callable[[], object] | None = None,
    ) -> QAction:
        action = menu.addAction(text)
        if key is not None:
            action.setShortcut(QKeySequence(key))
        if slot is not None:
            action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_chat_action = self._add(file_menu, "&New chat", "Ctrl+N", self._on_new_chat)
        self._add(file_menu, "&Settings…", "Ctrl+,", self.settings_requested.emit)
        file_menu.addSeparator()
        self._add(file_menu, "&Quit", "Ctrl+Q", self.close)

        edit_menu = bar.addMenu("&Edit")
        for text, key, method in (
            ("&Copy", QKeySequence.StandardKey.Copy, "copy"),
            ("&Paste", QKeySequence.StandardKey.Paste, "paste"),
            ("Select &all", QKeySequence.StandardKey.SelectAll, "selectAll"),
        ):
            action = self._add(edit_menu, text, None, lambda _=False, m=method: self._on_edit(m))
            action.setShortcuts(key)

        view = self._view_menu = bar.addMenu("&View")
        self.sidebar_action = self._add(view, "History &sidebar", "Ctrl+B")
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.toggled.connect(lambda on: self.sidebar.setVisible(on))
        options = self.options_dock.toggleViewAction()
        options.setText("&Options panel")
        options.setShortcut(QKeySequence("Ctrl+Shift+O"))
        view.addAction(options)
        self._tabs_anchor = view.addSeparator()

        self._chat_menu = bar.addMenu("&Chat")
        if _is_chat(self.chat_panel):
            self._add_chat_actions(self.chat_panel)
        else:
            self._chat_menu.setEnabled(False)

        help_menu = bar.addMenu("&Help")
        self._add(help_menu, "&Keyboard shortcuts", "Ctrl+/", self._on_shortcuts)
        self._add(help_menu, "&About Orq Desktop", None, lambda: about_box(self).open())

    def _add_chat_actions(self, panel: ChatPanel) -> None:
        self._chat_menu.clear()
        self._chat_menu.addActions([panel.send_action, panel.stop_action, panel.regenerate_action])
        self._chat_menu.setEnabled(True)

    def _connect_signals(self) -> None:
        if _is_chat(self.chat_panel):
            self.chat_panel.status_message.connect(self.show_status)

    def _restore_layout(self) -> None:
        """Put back what :meth:`save_layout` kept; anything missing or damaged gets a default."""
        s = self._settings
        if not self.restoreGeometry(_bytes(s.value("window/geometry"))):
            self.resize(em(self, 88), line_height(self, 44))
        self.restoreState(_bytes(s.value("window/state")))
        if not self.splitter.restoreState(_bytes(s.value("window/splitter"))):
            self.splitter.setSizes([em(self, 18), em(self, 60)])
        visible = str(s.value("window/sidebar_visible", "true")).lower() != "false"
        self.sidebar_action.setChecked(visible)
        self.sidebar.setVisible(visible)
        tab = str(s.value("window/tab", "0"))
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() else 0)
        if _is_chat(self.chat_panel):
            self.chat_panel.restore_state(s)

    # -- slots ----------------------------------------------------------------------------------

    def _on_new_chat(self) -> None:
        if _is_chat(self.chat_panel):
            self.tabs.setCurrentWidget(self.chat_panel)
            self.chat_panel.new_chat()

    def _on_edit(self, method: str) -> None:
        """Copy, Paste and Select all act on whichever widget has the keyboard focus."""
        target = getattr(QApplication.focusWidget(), method, None)
        if callable(target):
            target()

    def _on_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.all_actions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
