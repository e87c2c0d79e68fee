"""Composition root: command line, QApplication, the qasync loop, wiring and shutdown.

Only what the first paint needs is imported before the window shows; the router client (httpx,
pydantic), the keyring and the simulator are loaded right after it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from orq_desktop import __version__, paths

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon

    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.compare_run import CompareRun
    from orq_desktop.core.connection import Connection
    from orq_desktop.core.history_session import HistorySession
    from orq_desktop.core.key_manager import KeyManager
    from orq_desktop.core.routing_state import RoutingState
    from orq_desktop.core.settings_controller import SettingsController
    from orq_desktop.simulator import SimulatorHandle
    from orq_desktop.ui.chat_panel import ChatPanel
    from orq_desktop.ui.main_window import MainWindow
    from orq_desktop.ui.options_editor import OptionsEditor
    from orq_desktop.ui.transcript import TranscriptView

log = logging.getLogger("orq_desktop")
Script = Callable[["AppParts"], Awaitable[None]]

DEMO_TOKEN_RATE = 60.0  # tokens per second: fast enough to read along, slow enough to see
DEMO_BACKOFF_SCALE = 0.2  # the router's 1, 2, 4 s backoff becomes 0.2, 0.4, 0.8 s in demo mode


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orq-desktop",
        description="A desktop playground for the Orq AI Router.",
        epilog="Environment: ORQ_API_KEY (key for this session), ORQ_BASE_URL, "
        "ORQ_DESKTOP_DATA_DIR (where history, images and settings live).",
    )
    parser.add_argument("--version", action="version", version=f"orq-desktop {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="answer with the built-in simulator: no key, no network"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep history, images and settings here")
    return parser.parse_args(argv)


def _setup_logging() -> None:
    """Log to stderr through a formatter that redacts the key and anything key-shaped."""
    from orq_desktop.domain import redaction

    redaction.install()
    handler = logging.StreamHandler()
    handler.setFormatter(redaction.RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.data_dir:
        os.environ[paths.ENV_DATA_DIR] = str(Path(args.data_dir).expanduser().resolve())
    _setup_logging()

    from PySide6.QtWidgets import QApplication

    from orq_desktop.core.loop import EventLoop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Orq Desktop")
    app.setOrganizationName("orq-desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("orq-desktop")
    app.setWindowIcon(_app_icon())
    app.setQuitOnLastWindowClosed(False)  # shutdown is owned by _amain, not by Qt
    return asyncio.run(run(demo=args.demo), loop_factory=lambda: EventLoop(app))


def _app_icon() -> QIcon:
    """The window icon from the package's PNGs (sizes given, so Qt reads no file headers)."""
    from importlib.resources import files

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    folder = files("orq_desktop") / "resources" / "icons"
    icon = QIcon()
    for n in (16, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(folder / f"orq-desktop-{n}.png"), QSize(n, n))
    return icon


async def run(*, demo: bool, script: Script | None = None) -> int:
    """Build the window, wire it, and live until it closes (or until ``script`` returns).

    ``script`` is how the screenshot maker and the end-to-end smoke test drive the real app: it
    is awaited with the running parts once the window shows, then the app shuts down cleanly.
    """
    from PySide6.QtCore import QSettings

    from orq_desktop.ui.first_paint import first_paint
    from orq_desktop.ui.history_sidebar import HistorySidebar
    from orq_desktop.ui.main_window import MainWindow

    layout = QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(layout, sidebar=HistorySidebar())
    painted = first_paint(window)
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    window.show()
    await asyncio.wait({painted}, timeout=5)  # the chat machinery comes after the first frame

    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.connection import Connection, ConnectionConfig
    from orq_desktop.core.key_manager import KeyManager
    from orq_desktop.core.routing_state import RoutingState
    from orq_desktop.ui.chat_panel import ChatPanel
    from orq_desktop.ui.transcript import TranscriptView

    connection = Connection(ConnectionConfig.from_environment())
    routing = RoutingState()
    session = ChatSession(connection.prepared)
    keys = KeyManager(connection)
    editor_box: list[OptionsEditor] = []  # filled once the request models are imported
    panel = ChatPanel(
        session,
        TranscriptView(),
        orq=routing.orq,
        orq_validity=lambda: editor_box[0].validity() if editor_box else None,
    )
    window.set_chat_panel(panel)
    panel.focus_prompt()
    from orq_desktop.core.warmup import warm_up

    warming = asyncio.ensure_future(warm_up(("orq_desktop.simulator",) if demo else ()))

    wiring = AppParts(window, panel, connection, keys, routing)
    wiring.session = session
    try:
        await warming  # the models (and in demo mode the simulator) are imported in a thread
        # What start-up built lives as long as the app: keep it out of full garbage collections,
        # which otherwise stalled the UI for 55-85 ms now and then while answers streamed.
        gc.collect()
        gc.freeze()
        wiring.build_settings()
        await wiring.open_history()  # before the first Send, so every turn is saved
        editor_box.append(wiring.build_options_editor(layout))
        wiring.build_presets_bar()
        wiring.build_images_panel(layout)
        wiring.build_compare()
        if demo:
            wiring.start_demo()
        else:
            await wiring.load_settings_and_key()
        if script is not None:
            await script(wiring)
        else:
            await closed.wait()
    finally:
        window.save_layout()
        warming.cancel()
        await wiring.aclose_images()
        if wiring.compare_run is not None:
            await wiring.compare_run.aclose()
        if wiring.settings is not None:
            await wiring.settings.aclose()
        await session.aclose()
        if wiring.history is not None:
            await wiring.history.aclose()
        await keys.aclose()
        await connection.aclose()
        if wiring.simulator is not None:
            wiring.simulator.stop()
        window.deleteLater()
    return 0


class AppParts:
    """Connects the parts that only the composition root knows about together."""

    session: ChatSession

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
        )
        self.settings: SettingsController | None = None  # built once pydantic is imported
        self.history: HistorySession | None = None
        self.compare_run: CompareRun | None = None
        panel.error_action.connect(self.actions.handle)
        window.settings_requested.connect(self.open_settings)
        keys.key_state.connect(lambda _source, label: window.show_status(label, 0))

    async def open_history(self) -> None:
        """The SQLite history: every turn saved before it is sent; the sidebar lists it."""
        from orq_desktop.core.history_session import HistorySession
        from orq_desktop.ui.history_sidebar import HistorySidebar
        from orq_desktop.ui.history_wiring import connect_history

        history = HistorySession(self.session, routing=self.routing)
        await history.open(paths.history_db())
        sidebar = self.window.sidebar
        assert isinstance(sidebar, HistorySidebar)
        self.history_ui = connect_history(history, sidebar, self.panel, self.window)
        self.history = history

    def build_settings(self) -> SettingsController:
        """Non-secret settings, the Settings dialog's controller, and the key's problems."""
        from orq_desktop.core.settings_controller import SettingsController

        controller = SettingsController(
            self.connection,
            self.keys,
            settings_path=paths.settings_file(),
            data_dir=paths.data_dir(),
        )
        controller.key_problem.connect(lambda text: self.window.show_status(text, 0))
        controller.demo_left.connect(self._leave_demo)
        controller.saved.connect(self._on_settings_saved)
        self.settings = controller
        return controller

    def _on_settings_saved(self, result: object) -> None:
        problems = getattr(result, "problems", None)
        if problems:
            self.window.show_status("Not saved: " + " ".join(map(str, problems)), 0)
        else:
            self.window.show_status("Settings saved.")

    def build_options_editor(self, layout: QSettings) -> OptionsEditor:
        """The routing options dock, kept in step with the chat form and the conversation."""
        from PySide6.QtWidgets import QStackedWidget

        from orq_desktop.core.chat_types import Role
        from orq_desktop.core.trace_fetcher import TraceFetcher
        from orq_desktop.ui.options_editor import OptionsEditor
        from orq_desktop.ui.route_timeline import open_timeline

        panel, session = self.panel, self.session
        picker = panel.params.model_picker
        editor = OptionsEditor(
            "chat", routing=self.routing, settings=layout, primary_model=picker.model_id()
        )
        self.options_stack = QStackedWidget()
        self.options_stack.addWidget(editor)
        self.window.options_dock.setWidget(self.options_stack)
        picker.model_changed.connect(editor.set_primary_model)

        def feed_prompts(*_args: object) -> None:
            texts = [t.text for t in session.turns if t.role is Role.USER]
            editor.set_prompt_texts(
                [panel.system_prompt(), panel.prompt_input.toPlainText(), *texts]
            )

        panel.system_prompt_edit.textChanged.connect(feed_prompts)
        panel.prompt_input.textChanged.connect(feed_prompts)
        session.user_message_added.connect(feed_prompts)
        editor.validity_changed.connect(lambda _reason: panel.refresh())
        transcript = cast("TranscriptView", panel.transcript)
        transcript.timeline_requested.connect(
            lambda trace_id: open_timeline(
                self.window, lambda parent: TraceFetcher(self.connection, parent), trace_id
            )
        )
        feed_prompts()
        panel.refresh()
        self.chat_editor = editor
        return editor

    def build_images_panel(self, layout: QSettings) -> None:
        """The Images tab, with its own routing options (no thread, inputs or knowledge bases)."""
        from orq_desktop.core.image_job import ImageJob, ImageJobs
        from orq_desktop.core.image_library import ImageLibrary
        from orq_desktop.core.routing_state import RoutingState
        from orq_desktop.ui.error_actions import ErrorActionHandler
        from orq_desktop.ui.image_panel import ImagePanel
        from orq_desktop.ui.options_editor import OptionsEditor

        connection = self.connection
        folder = self.settings.images_dir() if self.settings is not None else paths.images_dir()
        library = ImageLibrary.from_qsettings(layout, folder)
        if self.settings is not None:
            self.settings.images_dir_changed.connect(library.set_folder)
        jobs = ImageJobs(
            connection.client,
            library.folder,
            secrets=lambda: (connection.config.api_key or "",),
        )
        routing = RoutingState()
        editor = OptionsEditor("image", routing=routing, settings=layout)
        history = self.history

        def make_job() -> ImageJob:
            job = jobs.make()
            if history is not None:
                job.image_ready.connect(history.on_image_ready)  # the image is in the history
            return job

        images = ImagePanel(
            make_job, library, orq=editor.orq, thumbnail_dir=paths.data_dir() / "thumbnails"
        )
        self.window.set_images_panel(images)
        self.options_stack.addWidget(editor)
        images.status_message.connect(self.window.show_status)
        images.orq_loaded.connect(editor.set_orq)
        images.form.model_changed.connect(editor.set_primary_model)
        actions = ErrorActionHandler(
            routing,
            parent_widget=self.window,
            primary_model=lambda: images.form.model_id(),
            resend=images.generate,
            ask_key=self.ask_key,
            open_settings=self.ask_key,
            status=self.window.show_status,
        )
        images.error_action.connect(lambda action_id: actions.handle("", action_id))

        def follow_tab(index: int) -> None:
            on_images = self.window.tabs.widget(index) is images
            self.options_stack.setCurrentWidget(editor if on_images else self.chat_editor)

        self.window.tabs.currentChanged.connect(follow_tab)
        follow_tab(self.window.tabs.currentIndex())
        self.images, self.image_jobs, self.image_library = images, jobs, library

    def build_compare(self) -> None:
        """The Compare tab: one prompt to 2-6 columns, kept in the history as one entry."""
        from orq_desktop.core.compare_history import HistoryCompareRecorder
        from orq_desktop.core.compare_run import CompareRun
        from orq_desktop.core.trace_fetcher import TraceFetcher
        from orq_desktop.ui.compare_view import CompareView
        from orq_desktop.ui.route_timeline import open_timeline

        history = self.history
        recorder = HistoryCompareRecorder(history) if history is not None else None
        run = CompareRun(self.connection.prepared, recorder=recorder)
        panel = self.panel
        view = CompareView(
            run,
            routing=self.routing,
            current_options=panel.options,
            current_system_prompt=panel.system_prompt,
            presets=self.presets_store,
        )
        self.window.add_panel(view, "Co&mpare")
        view.status_message.connect(self.window.show_status)
        view.use_as_primary.connect(panel.params.model_picker.set_model_id)
        view.open_as_chat.connect(self._open_column_as_chat)
        view.error_action.connect(lambda action_id: self.actions.handle("", action_id))
        view.timeline_requested.connect(
            lambda trace_id: open_timeline(
                self.window, lambda parent: TraceFetcher(self.connection, parent), trace_id
            )
        )
        if history is not None:

            def show_saved(saved: object) -> None:
                self.window.tabs.setCurrentWidget(view)
                view.show_saved(saved)  # type: ignore[arg-type]

            history.compare_opened.connect(show_saved)
        self.compare_run, self.compare_view = run, view

    def _open_column_as_chat(
        self, system_prompt: str, turns: list[list[str]], options: dict[str, Any], info: object
    ) -> None:
        """Continue a compare column as a normal conversation in the Chat tab."""
        import uuid

        from orq_desktop.core.chat_session import Turn
        from orq_desktop.core.chat_types import AnswerInfo, Role

        loaded = [Turn(f"c{uuid.uuid4().hex[:12]}", Role(role), text) for role, text in turns]
        if loaded and loaded[-1].role is Role.ASSISTANT and isinstance(info, AnswerInfo):
            last = loaded[-1]
            loaded[-1] = Turn(last.msg_id, last.role, last.text, last.state, info)
        if not self.session.load(None, loaded):  # the next send starts a saved thread
            return
        self.panel.set_system_prompt(system_prompt)
        self.panel.set_options({k: v for k, v in options.items() if k != "orq"})
        if isinstance(options.get("orq"), dict):
            self.routing.set_orq(options["orq"])
        self.window.tabs.setCurrentWidget(self.panel)

    async def aclose_images(self) -> None:
        if hasattr(self, "image_jobs"):
            await self.image_jobs.aclose()
            await self.image_library.aclose()

    def build_presets_bar(self) -> None:
        """Presets, Paste request and View code, in a toolbar above the tabs."""
        from PySide6.QtWidgets import QToolBar

        from orq_desktop.core.presets_store import PresetsStore
        from orq_desktop.ui.code_dialog import session_history
        from orq_desktop.ui.presets_bar import PresetsBar

        config = self.connection

        self.presets_store = PresetsStore()
        bar = PresetsBar(
            self.presets_store,
            self.panel,  # type: ignore[arg-type]  # ChatForm wants prompt_input settable
            self.routing,
            endpoint=lambda: (config.config.base_url, config.config.path_prefix),
            history=lambda: session_history(self.session),
        )
        bar.status_message.connect(self.window.show_status)
        toolbar = QToolBar("Presets", self.window)
        toolbar.setObjectName("presetsToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(bar)
        self.window.addToolBar(toolbar)
        self.presets_bar = bar

    def ask_key(self, explanation: str | None = None) -> None:
        """The Settings dialog on its key field (first start: with a short explanation)."""
        self.open_settings(first_start=not self.keys.has_key, explanation=explanation)

    def open_settings(self, first_start: bool = False, explanation: str | None = None) -> None:
        from PySide6.QtCore import Qt

        from orq_desktop.ui.settings_dialog import SettingsDialog

        if self.settings is None:
            self.window.show_status("Settings are still loading; try again in a moment.")
            return
        dialog = SettingsDialog(
            self.settings, first_start=first_start, explanation=explanation, parent=self.window
        )
        dialog.demo_requested.connect(self.start_demo)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _leave_demo(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None
        self.window.set_demo_banner(False)

    def start_demo(self) -> SimulatorHandle:
        from orq_desktop.core.connection import ConnectionConfig
        from orq_desktop.simulator import start_in_thread

        if self.simulator is None:
            self.simulator = start_in_thread(
                token_rate=DEMO_TOKEN_RATE, backoff_scale=DEMO_BACKOFF_SCALE
            )
        self.connection.update(
            ConnectionConfig(
                base_url=self.simulator.url, api_key="demo", key_source="demo", demo=True
            )
        )
        self.window.set_demo_banner(True)
        self.window.show_status("Demo mode: answers come from the built-in simulator.", 0)
        return self.simulator

    async def load_settings_and_key(self) -> None:
        assert self.settings is not None
        await self.settings.load()
        await self.keys.load()
        if not self.keys.has_key:
            self.ask_key()
