"""Keyring backends for tests (priority 0: never chosen or chained, used only when set) and
``keyring_in_use()``, which sets one for a block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.backend
import keyring.errors


@contextmanager
def keyring_in_use[B: keyring.backend.KeyringBackend](backend: B) -> Iterator[B]:
    """``backend`` is the keyring inside the block; the one before comes back after, even when
    the block fails. Pass ``keyring.get_keyring()`` to only restore what a test swaps itself."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps entries in a dict (the real one is tested with a Secret Service)."""

    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(keyring.backend.KeyringBackend):
    """Raises what SecretService raises for a locked collection whose prompt cannot open."""

    priority = 0  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(keyring.backend.KeyringBackend):
    """A keyring that does not answer (an unlock prompt nobody sees) until ``release()``.

    Counts the calls that reached it, in ``calls`` (name, service, username).
    """

    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        import threading

        super().__init__()
        self.gate = threading.Event()
        self.calls: list[tuple[str, str, str]] = []

    def release(self) -> None:
        self.gate.set()

    def _hang(self, name: str, service: str, username: str) -> None:
        self.calls.append((name, service, username))
        self.gate.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self._hang("get", service, username)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang("set", service, username)

    def delete_password(self, service: str, username: str) -> None:
        self._hang("delete", service, username)


@contextmanager
def hanging_keyring_in_use() -> Iterator[HangingKeyring]:
    """A ``HangingKeyring`` in use; after the block it is released and the app's keyring thread
    is drained (free for the next test) before the previous backend comes back."""
    from orq_desktop import credentials

    with keyring_in_use(HangingKeyring()) as backend:
        try:
            yield backend
        finally:
            backend.release()
            assert credentials._worker.drain(10)
