"""The API key: the OS keyring off the UI thread with a timeout, the environment, or memory only.

The key is stored with ``keyring`` under service ``orq-desktop``, user ``api-key``, so
``keyring set orq-desktop api-key`` from a terminal works too. ``ORQ_API_KEY`` in the environment
wins for the session and is never copied into the keyring unless the user asks. When no keyring
backend works (headless, locked, timed out) the caller is told in plain words and keeps the key in
memory for this session only: nothing here ever writes a key to a plain file.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Literal

SERVICE = "orq-desktop"
USERNAME = "api-key"
PROXY_PASSWORD_USER = "proxy-password"
ENV_KEY = "ORQ_API_KEY"
DEFAULT_TIMEOUT_S = 5.0

KeySource = Literal["environment", "keyring", "session", "none"]


class CredentialStoreError(Exception):
    """The keyring could not store or read the key; the text is fit for the user."""


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """The outcome of looking for the key. ``problem`` says why the keyring was not usable.

    ``locked``: the keyring is locked (or did not answer, as a locked one waiting for its prompt
    does): once the user unlocks it, looking again may find the saved key.
    """

    key: str | None
    source: KeySource
    problem: str | None = None
    locked: bool = False

    def __repr__(self) -> str:
        key = "set" if self.key else "unset"
        return (
            f"KeyLookup(key=<{key}>, source={self.source!r}, problem={self.problem!r}, "
            f"locked={self.locked})"
        )


def _plain_reason(exc: BaseException) -> str:
    import keyring.errors

    if isinstance(exc, TimeoutError):
        return "The system keyring did not answer in time (it may be locked or busy)."
    if isinstance(exc, keyring.errors.NoKeyringError):
        return "No system keyring is available on this machine."
    if isinstance(exc, keyring.errors.KeyringLocked):
        return "The system keyring is locked."
    if isinstance(exc, keyring.errors.InitError):
        return "The system keyring could not be opened."
    return f"The system keyring failed ({type(exc).__name__})."


def _is_locked(exc: BaseException) -> bool:
    import keyring.errors

    return isinstance(exc, keyring.errors.KeyringLocked | TimeoutError)


async def _call(fn_name: str, *args: str, wait_s: float) -> str | None:
    import keyring

    fn = getattr(keyring, fn_name)
    result: str | None = await asyncio.wait_for(asyncio.to_thread(fn, *args), wait_s)
    return result


def _keyring_errors() -> tuple[type[BaseException], ...]:
    import keyring.errors

    return (keyring.errors.KeyringError, TimeoutError, OSError)


async def load_key(*, wait_s: float = DEFAULT_TIMEOUT_S) -> KeyLookup:
    """The key from the environment, else the keyring; never raises."""
    env = os.environ.get(ENV_KEY)
    if env:
        return KeyLookup(env, "environment")
    try:
        key = await _call("get_password", SERVICE, USERNAME, wait_s=wait_s)
    except _keyring_errors() as exc:
        return KeyLookup(None, "none", _plain_reason(exc), _is_locked(exc))
    except Exception as exc:  # a broken backend must not stop the app from starting
        return KeyLookup(None, "none", _plain_reason(exc))
    return KeyLookup(key or None, "keyring" if key else "none")


async def store_key(key: str, *, wait_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Save the key in the keyring; raises ``CredentialStoreError`` with a plain reason."""
    try:
        await _call("set_password", SERVICE, USERNAME, key, wait_s=wait_s)
    except Exception as exc:
        raise CredentialStoreError(_plain_reason(exc)) from None


async def delete_key(*, wait_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Forget the stored key (a missing entry is fine)."""
    import keyring.errors

    try:
        await _call("delete_password", SERVICE, USERNAME, wait_s=wait_s)
    except keyring.errors.PasswordDeleteError:
        return
    except Exception as exc:
        raise CredentialStoreError(_plain_reason(exc)) from None


# --- other secrets under the same service (the proxy password) ---------------------------------


async def load_secret(user: str, *, wait_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """The secret stored for ``user`` under ``orq-desktop`` (None when there is none).

    Raises ``CredentialStoreError`` with a plain reason when the keyring cannot be used.
    """
    try:
        value = await _call("get_password", SERVICE, user, wait_s=wait_s)
    except Exception as exc:
        raise CredentialStoreError(_plain_reason(exc)) from None
    return value or None


async def store_secret(user: str, value: str, *, wait_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Save ``value`` for ``user``; raises ``CredentialStoreError`` with a plain reason."""
    try:
        await _call("set_password", SERVICE, user, value, wait_s=wait_s)
    except Exception as exc:
        raise CredentialStoreError(_plain_reason(exc)) from None


async def delete_secret(user: str, *, wait_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Forget the secret stored for ``user`` (a missing entry is fine)."""
    import keyring.errors

    try:
        await _call("delete_password", SERVICE, user, wait_s=wait_s)
    except keyring.errors.PasswordDeleteError:
        return
    except Exception as exc:
        raise CredentialStoreError(_plain_reason(exc)) from None
