"""Where the app keeps its data: one folder per user, overridable for tests and demos.

``ORQ_DESKTOP_DATA_DIR`` (or ``--data-dir``) points everything at another folder, so the app can
run against a throw-away directory. Folders are created lazily with mode 0700.

A data folder that cannot be used (on a read-only disk, under a file, not ours to write) never
stops the app: it runs on a private temporary folder for the session instead, and
:func:`data_dir_problem` says so in plain words (the history shows it when it opens).
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from pathlib import Path

APP_NAME = "orq-desktop"
ENV_DATA_DIR = "ORQ_DESKTOP_DATA_DIR"

log = logging.getLogger(__name__)
_fallbacks: dict[Path, tuple[Path, str]] = {}  # unusable folder -> (session folder, problem)


def data_dir() -> Path:
    """The per-user data folder (history database, images, settings), created 0700.

    If it cannot be used, a private temporary folder for this session (the same one on every
    call); :func:`data_dir_problem` then tells why.
    """
    chosen = chosen_data_dir()
    known = _fallbacks.get(chosen)
    if known is not None:
        return known[0]
    try:
        return ensure_private_dir(chosen)
    except OSError as exc:
        reason = _reason(exc)
    fallback = Path(tempfile.mkdtemp(prefix=f"{APP_NAME}-session-"))  # 0700, a new name
    problem = (
        f"The data folder {chosen} cannot be used ({reason}). History, images and settings are "
        f"kept in {fallback} for this session only: choose another folder with --data-dir."
    )
    log.warning("%s", problem)
    _fallbacks[chosen] = (fallback, problem)
    return fallback


def chosen_data_dir() -> Path:
    """The folder asked for (``ORQ_DESKTOP_DATA_DIR`` or the platform's), not created."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs  # imported late: start-up pays for it only when needed

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def data_dir_problem() -> str | None:
    """Why the chosen data folder is not in use this session (None when it is)."""
    known = _fallbacks.get(chosen_data_dir())
    return known[1] if known is not None else None


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed, owner-only (0700), and check we may write it.

    Raises ``OSError`` (with an errno) when the folder cannot be created or written.
    """
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError as exc:  # a read-only disk, or a folder owned by someone else
        if exc.errno not in (errno.EROFS, errno.EPERM):
            raise
        if not os.access(path, os.W_OK | os.X_OK):
            raise
    if not os.access(path, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    return path


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "it is on a read-only disk"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "it may not be written"
    return (exc.strerror or str(exc)).lower()


def history_db() -> Path:
    return data_dir() / "history.sqlite3"


def images_dir() -> Path:
    return ensure_private_dir(data_dir() / "images")


def settings_file() -> Path:
    return data_dir() / "settings.json"
