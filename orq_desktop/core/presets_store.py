"""The user's presets, kept in ``presets.json`` in the data folder; and the request checks.

The file is rewritten whole and atomically on every change (``fileio.atomic_write_bytes``: it is
a few kilobytes, so this costs about a millisecond on the UI thread). A file that cannot be read
is moved aside as ``presets.json.bad-<time>`` (never deleted) and the app starts with the presets
it could read; ``load_problems`` says what happened.

``check_request`` validates a request body against the router client's request models. It lives
here, in ``core``, because the domain layer (presets, paste) must not import ``api``: the domain
functions take it as their ``check`` argument.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from orq_desktop import paths
from orq_desktop.domain.key_fields import find_key_fields
from orq_desktop.domain.presets import (
    MAX_PRESET_BYTES,
    Preset,
    PresetError,
    RequestKind,
    parse_preset,
    preset_from_json,
    preset_to_bytes,
    without_thread_id,
)
from orq_desktop.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

STORE_FORMAT = "orq-desktop-presets"
STORE_VERSION = 1
FILE_NAME = "presets.json"
MAX_STORE_BYTES = 16 * 1024 * 1024
EXPORT_MODE = 0o644  # an exported preset is meant to be shared; it never holds a key


def check_request(kind: RequestKind, body: dict[str, Any]) -> list[str]:
    """Why ``body`` (SDK keyword arguments) is not a valid request, in plain words; [] if it is."""
    from pydantic import ValidationError

    from orq_desktop.api.models import ChatRequest, ImageRequest, friendly_errors

    model = ChatRequest if kind == "chat" else ImageRequest
    try:
        model.model_validate(body)
    except ValidationError as exc:
        return friendly_errors(exc)
    return []


def default_path() -> Path:
    return paths.data_dir() / FILE_NAME


class PresetsStoreError(Exception):
    """A preset could not be written or read; the message is fit for the user."""


def _refuse_keys(preset: Preset) -> None:
    """Raise ``PresetsStoreError`` (naming where, never what) if ``preset`` holds a key."""
    if found := find_key_fields(preset.to_json()):
        raise PresetsStoreError(
            f"This preset holds what looks like an API key ({', '.join(found)}); "
            "presets never keep keys, so it was not saved."
        )


class PresetsStore(QObject):
    """Named presets, persisted in one JSON file.

    Signals:
        changed(): a preset was added, replaced or deleted.
    """

    changed = Signal()

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path if path is not None else default_path()
        self._presets: dict[str, Preset] = {}
        self.load_problems: list[str] = []
        self._load()

    # -- reading ----------------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Preset names, sorted as people expect (case-insensitive)."""
        return sorted(self._presets, key=lambda n: (n.casefold(), n))

    def get(self, name: str) -> Preset | None:
        return self._presets.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._presets

    def unique_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``… when it is taken."""
        if name not in self._presets:
            return name
        n = 2
        while f"{name} ({n})" in self._presets:
            n += 1
        return f"{name} ({n})"

    # -- changing ---------------------------------------------------------------------------------

    def save(self, preset: Preset) -> None:
        """Add ``preset`` or replace the one with its name; raises ``PresetsStoreError`` (also
        when it holds something key-like). A thread id in it is not kept (its tags are)."""
        preset = replace(preset, orq=without_thread_id(preset.orq))
        _refuse_keys(preset)
        before = dict(self._presets)
        self._presets[preset.name] = preset
        self._write_or_revert(before)
        self.changed.emit()

    def delete(self, name: str) -> bool:
        """Remove a preset; False if there was none by that name."""
        if name not in self._presets:
            return False
        before = dict(self._presets)
        del self._presets[name]
        self._write_or_revert(before)
        self.changed.emit()
        return True

    def import_file(self, path: Path) -> Preset:
        """Read a preset file and add it (under a free name). Raises ``PresetError`` with the
        reasons a file is refused, ``PresetsStoreError`` when it cannot be read or kept; either
        way nothing changes."""
        try:
            with path.open("rb") as f:
                data = f.read(MAX_PRESET_BYTES + 1)
        except OSError as exc:
            raise PresetsStoreError(f"Could not read {path.name}: {exc.strerror or exc}.") from None
        preset = parse_preset(data, check=check_request)
        stored = Preset(
            self.unique_name(preset.name),
            preset.model,
            preset.params,
            preset.system_prompt,
            preset.orq,
        )
        self.save(stored)
        return stored

    def export_file(self, name: str, path: Path) -> None:
        """Write one preset as a file someone else can import."""
        preset = self._presets.get(name)
        if preset is None:
            raise PresetsStoreError(f"There is no preset called “{name}”.")
        _refuse_keys(preset)
        try:
            atomic_write_bytes(path, preset_to_bytes(preset), mode=EXPORT_MODE)
        except OSError as exc:
            raise PresetsStoreError(
                f"Could not write {path.name}: {exc.strerror or exc}."
            ) from None

    # -- the file ---------------------------------------------------------------------------------

    def _write_or_revert(self, before: dict[str, Preset]) -> None:
        document = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "presets": [self._presets[n].to_json() for n in self.names()],
        }
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, data)
        except OSError as exc:
            self._presets = before
            raise PresetsStoreError(
                f"The presets could not be saved: {exc.strerror or exc}."
            ) from None

    def _load(self) -> None:
        try:
            with self.path.open("rb") as f:
                raw = f.read(MAX_STORE_BYTES + 1)
        except FileNotFoundError:
            return
        except OSError as exc:
            self.load_problems.append(f"The presets could not be read: {exc.strerror or exc}.")
            return
        try:
            if len(raw) > MAX_STORE_BYTES:
                raise ValueError("the file is too large")
            document = json.loads(raw.decode("utf-8"))
            if not isinstance(document, dict) or document.get("format") != STORE_FORMAT:
                raise ValueError("it is not a presets file")
            if document.get("version") != STORE_VERSION:
                raise ValueError(f"it is version {document.get('version')!r}")
            entries = document.get("presets")
            if not isinstance(entries, list):
                raise ValueError("it has no list of presets")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            aside = self._set_aside(raw)
            with contextlib.suppress(OSError):
                if not aside.startswith("("):  # kept: the next save starts a fresh file
                    os.unlink(self.path)
            self.load_problems.append(
                f"The presets file could not be read ({exc}); it was kept as {aside} "
                "and Orq Desktop starts without presets."
            )
            return
        refused: list[str] = []
        for entry in entries:
            try:
                preset = preset_from_json(entry, check=check_request)
            except PresetError as exc:
                label = entry.get("name") if isinstance(entry, dict) else None
                refused.append(f"“{label}”: {exc}" if isinstance(label, str) else str(exc))
                continue
            self._presets[self.unique_name(preset.name)] = preset
        if refused:
            aside = self._set_aside(raw)
            self.load_problems.append(
                f"{len(refused)} preset(s) could not be read and were left out "
                f"(the file was copied to {aside}): " + " ".join(refused)
            )
            try:  # the copy keeps them; the file keeps what can be used
                self._write_or_revert(dict(self._presets))
            except PresetsStoreError as exc:
                self.load_problems.append(str(exc))

    def _set_aside(self, raw: bytes) -> str:
        """Keep the unreadable file's bytes beside it (never overwriting an earlier copy);
        returns the name used."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for n in range(1, 100):
            suffix = "" if n == 1 else f"-{n}"
            aside = self.path.with_name(f"{self.path.name}.bad-{stamp}{suffix}")
            try:
                atomic_write_bytes(aside, raw, exclusive=True)
            except FileExistsError:
                continue
            except OSError:
                break
            log.warning("unreadable presets file kept as %s", aside.name)
            return aside.name
        log.warning("could not keep a copy of the unreadable presets file")
        return "(nowhere: the copy failed)"
