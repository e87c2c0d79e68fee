"""AppParts: what the composition root builds and connects, one ``wire_*`` module per panel.

The methods are the order ``startup.run`` builds the app in; each hands its work to the module
that wires that panel, which keeps what it built on these parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orq_desktop.app import (
    wire_compare,
    wire_history,
    wire_images,
    wire_options,
    wire_settings,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QStackedWidget

    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.compare_run import CompareRun
    from orq_desktop.core.connection import Connection
    from orq_desktop.core.history_session import HistorySession
    from orq_desktop.core.image_job import ImageJobs
    from orq_desktop.core.image_library import ImageLibrary
    from orq_desktop.core.key_manager import KeyManager
    from orq_desktop.core.presets_store import PresetsStore
    from orq_desktop.core.routing_state import RoutingState
    from orq_desktop.core.settings_controller import SettingsController
    from orq_desktop.simulator import SimulatorHandle
    from orq_desktop.ui.chat_panel import ChatPanel
    from orq_desktop.ui.compare_view import CompareView
    from orq_desktop.ui.history_wiring import HistoryWiring
    from orq_desktop.ui.image_panel import ImagePanel
    from orq_desktop.ui.main_window import MainWindow
    from orq_desktop.ui.options_editor import OptionsEditor
    from orq_desktop.ui.presets_bar import PresetsBar


class AppParts:
    """Connects the parts that only the composition root knows about together."""

    session: ChatSession
    # Set by the wire_* modules, in the order startup.run calls them.
    history_ui: HistoryWiring
    options_stack: QStackedWidget
    chat_editor: OptionsEditor
    presets_store: PresetsStore
    presets_bar: PresetsBar
    images: ImagePanel
    image_jobs: ImageJobs
    image_library: ImageLibrary
    compare_view: CompareView

    def __init__(
        self,
        window: MainWindow,
        panel: ChatPanel,
        connection: Connection,
        keys: KeyManager,
        routing: RoutingState,
    ) -> None:
        from orq_desktop.ui.error_actions import ErrorActionHandler

        self.window = window
        self.panel = panel
        self.routing = routing
        self.connection = connection
        self.keys = keys
        self.simulator: SimulatorHandle | None = None
        self.actions = ErrorActionHandler(
            routing,
            parent_widget=window,
            primary_model=lambda: str(panel.options().get("model", "")),
            resend=panel.regenerate,
            ask_key=self.ask_key,
            open_settings=self.open_settings,
            status=window.show_status,
            is_current=panel.is_last_answer,  # a fix on an older card changes options only
        )
        self.settings: SettingsController | None = None  # built once pydantic is imported
        self.history: HistorySession | None = None
        self.compare_run: CompareRun | None = None
        panel.error_action.connect(self.actions.handle)
        window.settings_requested.connect(self.open_settings)
        keys.key_state.connect(lambda _source, label: window.show_status(label, 0))

    async def open_history(self) -> None:
        """The SQLite history: every turn saved before it is sent; the sidebar lists it."""
        await wire_history.open_history(self)

    def build_settings(self) -> SettingsController:
        """Non-secret settings, the Settings dialog's controller, and the key's problems."""
        return wire_settings.build_settings(self)

    def build_options_editor(self, layout: QSettings) -> OptionsEditor:
        """The routing options dock, kept in step with the chat form and the conversation."""
        return wire_options.build_options_editor(self, layout)

    def build_presets_bar(self) -> None:
        """Presets, Paste request and View code, in a toolbar above the tabs."""
        wire_options.build_presets_bar(self)

    def build_images_panel(self, layout: QSettings) -> None:
        """The Images tab, with its own routing options (no thread, inputs or knowledge bases)."""
        wire_images.build_images_panel(self, layout)

    def build_compare(self) -> None:
        """The Compare tab: one prompt to 2-6 columns, kept in the history as one entry."""
        wire_compare.build_compare(self)

    async def aclose_images(self) -> None:
        await wire_images.aclose_images(self)

    def ask_key(self, explanation: str | None = None) -> None:
        """The Settings dialog on its key field (first start: with a short explanation)."""
        self.open_settings(first_start=not self.keys.has_key, explanation=explanation)

    def open_settings(self, first_start: bool = False, explanation: str | None = None) -> None:
        wire_settings.open_settings(self, first_start=first_start, explanation=explanation)

    def start_demo(self) -> SimulatorHandle:
        return wire_settings.start_demo(self)

    async def load_settings_and_key(self) -> None:
        await wire_settings.load_settings_and_key(self)
