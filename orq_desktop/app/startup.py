"""Start-up: command line, logging, QApplication, the window icon, and the run coroutine.

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
from typing import TYPE_CHECKING

from orq_desktop import __version__, paths
from orq_desktop.app.parts import AppParts

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from orq_desktop.ui.options_editor import OptionsEditor

log = logging.getLogger("orq_desktop")
Script = Callable[[AppParts], Awaitable[None]]


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

    from orq_desktop.core.loop import EventLoop

    app = application()
    return asyncio.run(run(demo=args.demo), loop_factory=lambda: EventLoop(app))


def application() -> QApplication:
    """The QApplication with the app's names and icon (the smoke test starts it the same way)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Orq Desktop")
    app.setOrganizationName("orq-desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("orq-desktop")
    app.setWindowIcon(_app_icon())
    app.setQuitOnLastWindowClosed(False)  # shutdown is owned by run(), not by Qt
    return app


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
    from orq_desktop.ui.main_window import MainWindow

    layout = QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(layout)  # a light sidebar and panels paint first
    painted = first_paint(window)
    closed = asyncio.Event()
    window.closing.connect(closed.set)
    window.show()
    await asyncio.wait({painted}, timeout=5)  # the chat machinery comes after the first frame

    from orq_desktop.ui.history_sidebar import HistorySidebar

    window.set_sidebar(HistorySidebar())

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
