"""Test set-up shared by every layer: Qt offscreen, a qasync loop for pytest-qt, temp data dirs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

# Shared fixtures that several test folders use (the gateway simulator on loopback, Qt helpers).
pytest_plugins = ["fixtures_sim", "fixtures_qt"]
