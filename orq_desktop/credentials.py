"""The API key: the OS keyring off the UI thread with a timeout, the environment, or memory only.

The key is stored with ``keyring`` under service ``orq-desktop``, user ``api-key``, so
``keyring set orq-desktop api-key`` from a terminal works too. ``ORQ_API_KEY`` in the environment
wins for the session and is never copied into the keyring unless the user asks. When no keyring
backend works (headless, locked, timed out) the caller is told in plain words and keeps the key in
memory for this session only: nothing here ever writes a key to a plain file.

Every keyring call runs on one thread of its own (``_KeyringThread``, a daemon), never on the
event loop's default executor: a keyring that hangs (an unlock prompt nobody answers) blocks
that thread only, and ``asyncio.to_thread`` keeps working for everything else. A caller that
times out leaves the call behind; a later lookup of the same entry joins the one still running
instead of queueing another, and a store that never started is dropped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

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


_Job = tuple["concurrent.futures.Future[Any]", Callable[..., Any], tuple[Any, ...]]


class _KeyringThread:
    """One daemon thread that runs keyring calls in order (started on first use)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._reads: dict[tuple[str, ...], concurrent.futures.Future[Any]] = {}

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._jobs.put((future, fn, args))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="orq-keyring", daemon=True)
                self._thread.start()
        return future

    def read(self, fn: Callable[..., Any], *args: str) -> concurrent.futures.Future[Any]:
        """Like ``submit``, but joins a read of the same entry that has not finished yet."""
        with self._lock:
            running = self._reads.get(args)
            if running is not None and not running.done():
                return running
        future = self.submit(fn, *args)
        with self._lock:
            self._reads[args] = future
        future.add_done_callback(lambda done: self._forget_read(args, done))
        return future

    def _forget_read(self, args: tuple[str, ...], done: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            if self._reads.get(args) is done:
                del self._reads[args]

    def drain(self, timeout: float) -> bool:
        """Wait until every call queued so far has finished; False when ``timeout`` ran out."""
        try:
            self.submit(lambda: None).result(timeout)
        except concurrent.futures.TimeoutError:
            return False
        return True

    def _run(self) -> None:
        while True:
            self._run_one(self._jobs.get())

    @staticmethod
    def _run_one(job: _Job) -> None:
        """One call; its frame (and whatever the backend left in it) goes once it returns, not
        when the next job arrives (a D-Bus connection a backend leaked stays collectable)."""
        future, fn, args = job
        if not future.set_running_or_notify_cancel():
            return  # its caller gave up before it started
        try:
            result = fn(*args)
        except BaseException as exc:  # handed to the caller, whatever it is
            future.set_exception(exc)
        else:
            future.set_result(result)


_worker = _KeyringThread()


def _settle(waiter: asyncio.Future[Any], done: concurrent.futures.Future[Any]) -> None:
    if waiter.done():  # the caller timed out (or was cancelled) meanwhile
        return
    if done.cancelled():
        waiter.cancel()
    elif (exc := done.exception()) is not None:
        waiter.set_exception(exc)
    else:
        waiter.set_result(done.result())


async def _call(fn_name: str, *args: str, wait_s: float) -> str | None:
    import keyring

    fn = getattr(keyring, fn_name)
    reading = fn_name == "get_password"
    job = _worker.read(fn, *args) if reading else _worker.submit(fn, *args)
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[Any] = loop.create_future()

    def on_done(done: concurrent.futures.Future[Any]) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            loop.call_soon_threadsafe(_settle, waiter, done)

    job.add_done_callback(on_done)
    try:
        result: str | None = await asyncio.wait_for(waiter, wait_s)
    except BaseException:
        if not reading:
            job.cancel()  # a store or delete that has not started yet never will
        raise
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


async def keep_secret(user: str, value: str, *, wait_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """Store ``value`` for ``user``, or forget it when ``value`` is ""; the reason it could not
    be stored (None when it was, and when forgetting failed: nothing was stored to forget)."""
    try:
        if value:
            await store_secret(user, value, wait_s=wait_s)
        else:
            await delete_secret(user, wait_s=wait_s)
    except CredentialStoreError as exc:
        return str(exc) if value else None
    return None
