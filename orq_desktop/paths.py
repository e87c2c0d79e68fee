"""Where the app keeps its data: one folder per user, overridable for tests and demos.

``ORQ_DESKTOP_DATA_DIR`` (or ``--data-dir``) points everything at another folder, so the app can
run against a throw-away directory. Folders are created lazily with mode 0700.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "orq-desktop"
ENV_DATA_DIR = "ORQ_DESKTOP_DATA_DIR"


def data_dir() -> Path:
    """The per-user data folder (history database, images, settings), created 0700."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # imported late: start-up pays for it only when needed

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return ensure_private_dir(path)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and make it readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def history_db() -> Path:
    return data_dir() / "history.sqlite3"


def images_dir() -> Path:
    return ensure_private_dir(data_dir() / "images")


def settings_file() -> Path:
    return data_dir() / "settings.json"
