"""Test set-up shared by every layer: Qt offscreen, a qasync loop for pytest-qt, temp data dirs."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt
