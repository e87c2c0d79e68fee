"""The settings' wiring: the controller, the Settings dialog, the key at start-up, demo mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orq_desktop import paths

if TYPE_CHECKING:
    from orq_desktop.app.parts import AppParts
    from orq_desktop.core.settings_controller import SettingsController
    from orq_desktop.simulator import SimulatorHandle

DEMO_TOKEN_RATE = 60.0  # tokens per second: fast enough to read along, slow enough to see
DEMO_BACKOFF_SCALE = 0.2  # the router's 1, 2, 4 s backoff becomes 0.2, 0.4, 0.8 s in demo mode


def build_settings(parts: AppParts) -> SettingsController:
    """Non-secret settings, the Settings dialog's controller, and the key's problems."""
    from orq_desktop.core.settings_controller import SettingsController

    controller = SettingsController(
        parts.connection,
        parts.keys,
        settings_path=paths.settings_file(),
        data_dir=paths.data_dir(),
    )
    window = parts.window
    controller.key_problem.connect(lambda text: window.show_status(text, 0))
    controller.host_unconfirmed.connect(lambda text: window.show_status(text, 0))
    controller.demo_left.connect(lambda: leave_demo(parts))
    controller.saved.connect(lambda result: _on_settings_saved(parts, result))
    parts.settings = controller
    return controller


def _on_settings_saved(parts: AppParts, result: object) -> None:
    problems = getattr(result, "problems", None)
    if problems:
        parts.window.show_status("Not saved: " + " ".join(map(str, problems)), 0)
    else:
        parts.window.show_status("Settings saved.")


def open_settings(
    parts: AppParts, *, first_start: bool = False, explanation: str | None = None
) -> None:
    from PySide6.QtCore import Qt

    from orq_desktop.ui.settings_dialog import SettingsDialog

    if parts.settings is None:
        parts.window.show_status("Settings are still loading; try again in a moment.")
        return
    dialog = SettingsDialog(
        parts.settings, first_start=first_start, explanation=explanation, parent=parts.window
    )
    dialog.demo_requested.connect(parts.start_demo)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()


def leave_demo(parts: AppParts) -> None:
    if parts.simulator is not None:
        parts.simulator.stop()
        parts.simulator = None
    parts.window.set_demo_banner(False)


def start_demo(parts: AppParts) -> SimulatorHandle:
    from orq_desktop.core.connection import ConnectionConfig
    from orq_desktop.simulator import start_in_thread

    if parts.simulator is None:
        parts.simulator = start_in_thread(
            token_rate=DEMO_TOKEN_RATE, backoff_scale=DEMO_BACKOFF_SCALE
        )
    parts.connection.update(
        ConnectionConfig(base_url=parts.simulator.url, api_key="demo", key_source="demo", demo=True)
    )
    parts.window.set_demo_banner(True)
    parts.window.show_status("Demo mode: answers come from the built-in simulator.", 0)
    return parts.simulator


async def load_settings_and_key(parts: AppParts) -> None:
    assert parts.settings is not None
    await parts.settings.load()
    await parts.keys.load()
    if not parts.keys.has_key:
        parts.ask_key()
