"""Small readers shared by the suite's tests: the history file, widget strings, heartbeats."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QWidget

MAX_GAP_MS = 250.0


def db_rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows read through a separate read-only connection: only what was committed."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def saved_messages(path: Path) -> list[tuple[str, str, str]]:
    """(role, state, text) of every saved message, thread by thread, in order."""
    return [
        (r, s, t)
        for r, s, t in db_rows(
            path, "SELECT role, state, text FROM messages ORDER BY thread_id, position"
        )
    ]


def widget_strings(root: QWidget) -> list[str]:
    """Every user-visible string of a widget tree: texts, tooltips, placeholders, names."""
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.toolTip(), w.windowTitle(), w.accessibleName(), w.statusTip(), w.whatsThis()]
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        if isinstance(w, QLineEdit):
            out += [w.text(), w.displayText(), w.placeholderText()]
        if isinstance(w, QPlainTextEdit):
            out += [w.toPlainText(), w.placeholderText()]
        to_plain = getattr(w, "toPlainText", None)
        if callable(to_plain) and not isinstance(w, QPlainTextEdit):
            out.append(str(to_plain()))
    return [s for s in out if s]


def check_heartbeat(heartbeat: Any) -> float:
    heartbeat.stop()
    assert heartbeat.ticks > 0
    assert heartbeat.max_gap_ms < MAX_GAP_MS, f"UI stalled {heartbeat.max_gap_ms:.0f} ms"
    return float(heartbeat.max_gap_ms)
