"""One set-up for the settings tests: Connection + KeyManager + SettingsController on real files
(and the Settings dialog over them), every part closed at teardown, as app.py closes them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from orq_desktop import settings as settings_mod
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.connection_test import ConnectionTester
from orq_desktop.core.key_manager import KeyManager
from orq_desktop.core.settings_controller import SettingsController
from orq_desktop.ui.settings_dialog import SettingsDialog

ENV_NAMES = ("ORQ_API_KEY", "ORQ_BASE_URL", "ORQ_PATH_PREFIX")


class SettingsParts(NamedTuple):
    controller: SettingsController
    keys: KeyManager
    connection: Connection


class SettingsBuilder:
    """Builds the parts with their settings file under ``data_dir``; ``close()`` closes them."""

    def __init__(self, qtbot: Any, data_dir: Path) -> None:
        self.qtbot = qtbot
        self.data_dir = data_dir
        self.made: list[SettingsParts] = []

    def build(
        self,
        config: ConnectionConfig | None = None,
        *,
        data_dir: Path | None = None,
        settings_path: Path | None = None,
        settings: settings_mod.AppSettings | None = None,
        tester: ConnectionTester | None = None,
    ) -> SettingsParts:
        """``settings_path`` defaults to ``data_dir / "settings.json"``."""
        data = data_dir or self.data_dir
        connection = Connection(config or ConnectionConfig())
        keys = KeyManager(connection)
        controller = SettingsController(
            connection,
            keys,
            settings_path=settings_path or data / "settings.json",
            data_dir=data,
            settings=settings,
            tester=tester,
        )
        parts = SettingsParts(controller, keys, connection)
        self.made.append(parts)
        return parts

    def close(self) -> None:
        for controller, keys, connection in self.made:
            task = asyncio.ensure_future(_close(controller, keys, connection))
            self.qtbot.waitUntil(task.done, timeout=10_000)
            task.result()
        self.made.clear()


async def _close(controller: SettingsController, keys: KeyManager, connection: Connection) -> None:
    await controller.aclose()
    await keys.aclose()
    await connection.aclose()


@contextmanager
def settings_builder(
    qtbot: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch | None = None
) -> Iterator[SettingsBuilder]:
    """A builder whose parts are closed when the block ends; with ``monkeypatch``, no ORQ_API_KEY,
    ORQ_BASE_URL or ORQ_PATH_PREFIX from the environment reaches them."""
    if monkeypatch is not None:
        for name in ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
    builder = SettingsBuilder(qtbot, data_dir)
    try:
        yield builder
    finally:
        builder.close()


def open_dialog(qtbot: Any, controller: SettingsController, **options: Any) -> SettingsDialog:
    """The Settings dialog over ``controller``, shown; pytest-qt closes it after the test."""
    dialog = SettingsDialog(controller, **options)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog
