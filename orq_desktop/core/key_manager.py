"""The API key's life in the running app: found at start, entered by the user, remembered or not.

Keyring work happens off the UI thread (``credentials`` runs it on its own thread with a timeout).
When the keyring cannot keep the key, it stays in memory for this session only and the user is
told. A key put in force here goes with the connection's address as it is: ``Connection`` holds it
back from an address that came from the settings and was never confirmed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from orq_desktop import credentials
from orq_desktop.core.connection import Connection
from orq_desktop.core.tasks import report_unexpected
from orq_desktop.domain import redaction

SOURCE_LABELS = {
    "environment": "Key from environment (ORQ_API_KEY)",
    "keyring": "Key from the system keyring",
    "session": "Key kept for this session only",
    "demo": "Demo mode: no key needed",
    "none": "No API key",
}
UNLOCK_ADVICE = "Unlock your keyring to use the saved key, then press Retry."
SESSION_ONLY = "key you enter is kept for this session only."


class KeyManager(QObject):
    """Finds, sets and forgets the key, and keeps the connection's copy in step.

    Signals:
        key_state(source, label): where the key in force comes from, in words for the status bar.
        problem(text): the keyring could not be used; the text says what happens instead.
    """

    key_state = Signal(str, str)
    problem = Signal(str)

    def __init__(self, connection: Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self._tasks: set[asyncio.Task[object]] = set()
        self._locked = False
        self._lookup: asyncio.Task[None] | None = None

    @property
    def has_key(self) -> bool:
        return bool(self._connection.config.api_key)

    @property
    def locked(self) -> bool:
        """The last look found the keyring locked and no key is in force: unlock, then ``load``."""
        return self._locked

    async def load(self) -> None:
        """Look for the key (environment, then keyring) and put it in force.

        Also what "Retry" does once the user has unlocked a locked keyring: a lookup still
        running is joined, never doubled.
        """
        if self._lookup is None or self._lookup.done():
            self._lookup = asyncio.get_running_loop().create_task(self._load(), name="key-lookup")
        await asyncio.shield(self._lookup)

    async def _load(self) -> None:
        found = await credentials.load_key()
        self._locked = found.locked and not found.key and not self.has_key
        if found.problem:
            then = f"{UNLOCK_ADVICE} Meanwhile a" if found.locked else "A"
            self.problem.emit(f"{found.problem} {then} {SESSION_ONLY}")
        if found.key:
            self._apply(found.key, found.source)
        else:
            self.key_state.emit("none", SOURCE_LABELS["none"])

    def set_key(self, key: str, remember: bool) -> None:
        """Use ``key`` now; store it in the keyring in the background when ``remember``."""
        key = key.strip()
        self._apply(key, "session")
        if remember:
            self._spawn(self._remember(key))

    async def set_key_and_wait(self, key: str, remember: bool) -> bool:
        """Like ``set_key``, but waits for the keyring; False when it could not keep the key."""
        key = key.strip()
        self._apply(key, "session")
        if not remember:
            return True
        return await self._remember(key)

    async def remember_current(self) -> bool:
        """Store the key in force (say, from ``ORQ_API_KEY``) in the keyring, on request."""
        key = self._connection.config.api_key
        if not key or self._connection.config.demo:
            return False
        return await self._remember(key)

    def forget(self) -> None:
        self._apply(None, "none")
        self._spawn(self._forget())

    def _apply(self, key: str | None, source: str) -> None:
        self._locked = False  # a key in force (or none, by the user's choice): nothing to retry
        redaction.add_secret(key)  # never printed by any log line from now on
        config = replace(self._connection.config, api_key=key, key_source=source)
        self._connection.update(config)
        self.key_state.emit(source, SOURCE_LABELS.get(source, source))

    async def _remember(self, key: str) -> bool:
        try:
            await credentials.store_key(key)
        except credentials.CredentialStoreError as exc:
            self.problem.emit(f"{exc} The key is kept for this session only.")
            return False
        if self._connection.config.api_key == key:
            self._apply(key, "keyring")
        return True

    async def _forget(self) -> None:
        try:
            await credentials.delete_key()
        except credentials.CredentialStoreError as exc:
            self.problem.emit(str(exc))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_unexpected)

    async def aclose(self) -> None:
        if self._lookup is not None:
            await asyncio.gather(self._lookup, return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
