"""The Settings dialog's other half: checks a form, puts it in force, keeps it, tests it.

- ``check(form)`` says, field by field, what cannot be used (plain words for inline messages).
- ``save(form)`` puts the base URL, path prefix and proxy in force at once (``Connection.update``),
  then, as a task: hands a new key to ``KeyManager`` (keyring off the UI thread), stores the proxy
  password in the keyring (service ``orq-desktop``, user ``proxy-password``), writes
  ``settings.json`` atomically (0600, in a 0700 folder). ``saved`` reports what could not be kept.
  Secrets never reach the settings file: a login typed into the proxy address is split off.
- ``test_connection(form)`` runs the probe with the form's values, never blocking the UI.
- ``host_to_confirm(form)`` names a new router address, key in force or not (``KeyOrigins``):
  the dialog asks, then ``confirm_host``; ``save`` refuses (the test goes without the key) until
  then. Confirmed origins are kept in the settings file and go with what ``load`` and ``save``
  put in force: ``Connection`` holds the key back from any other address the settings name (a
  file edited by hand), ``host_unconfirmed`` says so, ``held_back_host`` names it.
- ``retry_keyring()`` looks for the saved key again once the user unlocked a locked keyring.
- ``load()`` reads the settings and the proxy password at start (``ORQ_BASE_URL`` and
  ``ORQ_PATH_PREFIX`` win for the session) and puts them in force.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from orq_desktop import credentials, paths
from orq_desktop import settings as settings_mod
from orq_desktop.core.connection import (
    Connection,
    ConnectionConfig,
    UnconfirmedHostError,
    network_options,
)
from orq_desktop.core.connection_test import (
    ConnectionTester,
    SettingsForm,
    form_problems,
    settings_from_form,
    socks_available,
    split_proxy_login,
)
from orq_desktop.core.key_manager import KeyManager
from orq_desktop.core.key_origins import KeyOrigins
from orq_desktop.core.tasks import report_unexpected

KEY_LABELS = {
    "environment": "Key from environment (ORQ_API_KEY), for this session",
    "keyring": "Stored in the system keyring",
    "session": "This session only: the key is not stored",
    "demo": "Demo mode: no key needed",
    "none": "No API key yet",
}
ENV_OVERRIDES = ("ORQ_BASE_URL", "ORQ_PATH_PREFIX")


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """Where the key in force comes from, in words; ``hint`` is at most its last four."""

    source: str
    label: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class SaveResult:
    """A finished save: ``problems`` are plain sentences about what could not be kept."""

    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


class SettingsController(QObject):
    """Settings in force and on disk, the proxy password, and connection tests.

    Signals:
        settings_changed(settings): new ``AppSettings`` are in force.
        images_dir_changed(path): new images go to this folder (for the image panel).
        key_state(source, label): the key in force changed (``KEY_LABELS`` wording).
        key_problem(text): the keyring could not be used; the text says what happens instead.
        host_unconfirmed(text): a key is in force but held back from the router address in
            force, which was never confirmed; the text says where to confirm it.
        saved(result): a save finished (``SaveResult``).
        demo_left(): a key was saved while in demo mode; the connection now goes to the router.
        test_started(): a connection test began.
        test_finished(report): its ``ProbeReport``.
    """

    settings_changed = Signal(object)
    images_dir_changed = Signal(str)
    key_state = Signal(str, str)
    key_problem = Signal(str)
    host_unconfirmed = Signal(str)
    saved = Signal(object)
    demo_left = Signal()
    test_started = Signal()
    test_finished = Signal(object)

    def __init__(
        self,
        connection: Connection,
        keys: KeyManager,
        *,
        settings_path: Path,
        data_dir: Path,
        settings: settings_mod.AppSettings | None = None,
        tester: ConnectionTester | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._connection = connection
        self._keys = keys
        self.settings_path = settings_path
        self.data_dir = data_dir
        self._settings = settings or settings_mod.AppSettings()
        self._proxy_password: str | None = None
        self._keyring_problem: str | None = None
        self._origins = KeyOrigins()  # origins confirmed since start, kept with the next save
        self._tasks: set[asyncio.Task[Any]] = set()
        self._save_task: asyncio.Task[None] | None = None
        self.tester = tester or ConnectionTester(parent=self)
        self.tester.started.connect(self.test_started)
        self.tester.finished.connect(self.test_finished)
        keys.key_state.connect(self._on_keys_key_state)
        keys.problem.connect(self._on_keys_problem)
        self._held_back: str | None = None  # the host last reported through host_unconfirmed
        connection.changed.connect(self._on_connection_changed)

    # -- what is in force ---------------------------------------------------------------------

    @staticmethod
    def new_form(**fields: Any) -> SettingsForm:
        """A ``SettingsForm`` (the dialog builds its forms here, without importing core)."""
        return SettingsForm(**fields)

    @staticmethod
    def socks_available() -> bool:
        return socks_available()

    @property
    def settings(self) -> settings_mod.AppSettings:
        return self._settings

    @property
    def has_proxy_password(self) -> bool:
        return bool(self._proxy_password)

    @property
    def keyring_problem(self) -> str | None:
        """The last thing the keyring could not do, in plain words (None when all went well)."""
        return self._keyring_problem

    @property
    def keyring_locked(self) -> bool:
        """The keyring was locked when the key was looked for, and no key is in force."""
        return self._keys.locked

    @property
    def held_back_host(self) -> str | None:
        """The router address in force whose origin was never confirmed (no key goes there)."""
        return self._connection.config.unconfirmed_host()

    @property
    def demo(self) -> bool:
        return self._connection.config.demo

    def images_dir(self) -> Path:
        chosen = self._settings.images_dir
        return Path(chosen) if chosen else self.data_dir / "images"

    def key_status(self) -> KeyStatus:
        config = self._connection.config
        source = "demo" if config.demo else config.key_source
        if not config.api_key and source != "demo":
            source = "none"
        key = config.api_key or ""
        hint = f"ending in …{key[-4:]}" if source != "demo" and len(key) >= 20 else ""
        return KeyStatus(source, KEY_LABELS.get(source, source), hint)

    def env_overrides(self) -> dict[str, str]:
        """The environment variables that override the stored connection settings at start."""
        return {name: os.environ[name] for name in ENV_OVERRIDES if os.environ.get(name)}

    def connection_config(
        self, base: ConnectionConfig, env: dict[str, str] | None = None
    ) -> ConnectionConfig:
        """``base`` with the settings' base URL, prefix, proxy and trusted origins. ``env`` (this
        session's ORQ_BASE_URL / ORQ_PATH_PREFIX) wins over the file; its address counts as
        chosen by the user."""
        s, env = self._settings, env or {}
        chosen = env.get("ORQ_BASE_URL", "")
        return replace(
            base,
            base_url=(chosen or s.base_url).strip().rstrip("/"),
            path_prefix=env.get("ORQ_PATH_PREFIX", s.path_prefix),
            proxy_mode=s.proxy_mode,
            proxy_url=s.proxy_url,
            proxy_username=s.proxy_username,
            proxy_password=self._proxy_password,
            demo=False,
            trusted_origins=self._origins.trusted(s, settings_mod.origin_of(chosen)),
        )

    # -- start ----------------------------------------------------------------------------------

    async def load(self) -> settings_mod.AppSettings:
        """Read the settings file and the proxy password, and put them in force."""
        stored = await asyncio.to_thread(settings_mod.load, self.settings_path)
        self._settings = stored
        if stored.proxy_username:
            try:
                found = await credentials.load_secret(credentials.PROXY_PASSWORD_USER)
            except credentials.CredentialStoreError as exc:
                self._note_keyring_problem(f"{exc} Enter the proxy password again in Settings.")
            else:
                self._proxy_password = found
        if not self.demo:
            config = self.connection_config(self._connection.config, self.env_overrides())
            self._connection.update(config)
        self.settings_changed.emit(stored)
        return stored

    # -- checking and saving ---------------------------------------------------------------------

    def check(self, form: SettingsForm) -> dict[str, str]:
        """Field name → why it cannot be used; empty when the form can be saved."""
        return form_problems(form)

    def host_to_confirm(self, form: SettingsForm) -> str | None:
        """The host to name before the key may go to ``form.base_url`` (None: no need to ask).

        Asked with or without a key in force: one may come later (typed, a keyring unlocked).
        """
        return self._origins.to_confirm(form.base_url, self._connection.config, self._settings)

    def confirm_host(self, base_url: str) -> None:
        """The user agreed that the key may go to ``base_url``'s origin (kept at the next save)."""
        self._origins.confirm(base_url)

    def save(self, form: SettingsForm) -> dict[str, str]:
        """Put ``form`` in force and keep it; returns the problems instead when it cannot."""
        problems = self.check(form)
        if problems:
            return problems
        host = self.host_to_confirm(form)
        if host is not None:
            return {"base_url": f"Confirm first that your API key may be sent to {host}."}
        new, password = self._settings_from(form)
        old_images = self.images_dir()
        self._settings = new
        if password is not None:
            self._proxy_password = password or None
        key = form.api_key.strip() if form.api_key and form.api_key.strip() else None
        if self.demo and key:
            self._connection.update(self.connection_config(ConnectionConfig()))
            self.demo_left.emit()
        elif not self.demo:
            self._connection.update(self.connection_config(self._connection.config))
        if key is not None:
            self._keys.set_key(key, remember=False)  # in force now; the keyring comes after
        self.settings_changed.emit(new)
        if self.images_dir() != old_images:
            self.images_dir_changed.emit(str(self.images_dir()))
        previous = self._save_task
        self._save_task = self._spawn(
            self._keep(previous, new, key, form.remember_key, password), name="settings-save"
        )
        return {}

    def _settings_from(self, form: SettingsForm) -> tuple[settings_mod.AppSettings, str | None]:
        """The new settings and the proxy password to store (None: unchanged, "": forget)."""
        had_login = bool(self._settings.proxy_username or self._proxy_password)
        new = self._origins.to_keep(form.base_url, self._connection.config)
        origins = [*self._settings.confirmed_origins, *new]
        return settings_from_form(self._settings, form, had_login=had_login, origins=origins)

    async def _keep(
        self,
        previous: asyncio.Task[None] | None,
        new: settings_mod.AppSettings,
        key: str | None,
        remember: bool,
        password: str | None,
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.gather(previous, return_exceptions=True)
        problems: list[str] = []
        if key is not None and remember and not await self._keys.set_key_and_wait(key, True):
            problems.append(self._keyring_problem or "The key is kept for this session only.")
        if password is not None:
            reason = await credentials.keep_secret(credentials.PROXY_PASSWORD_USER, password)
            if reason:
                problems.append(f"{reason} The proxy password is kept for this session only.")
                self._note_keyring_problem(problems[-1])
        try:
            paths.ensure_private_dir(self.settings_path.parent)
            await asyncio.to_thread(settings_mod.save, new, self.settings_path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            problems.append(
                f"The settings could not be written ({reason}): "
                "they apply until Orq Desktop closes."
            )
        self.saved.emit(SaveResult(tuple(problems)))

    # -- the key ----------------------------------------------------------------------------------

    def remember_current_key(self) -> None:
        """Store the key in force (from ``ORQ_API_KEY``) in the keyring, because the user asked."""
        self._spawn(self._keys.remember_current(), name="remember-key")

    def forget_key(self) -> None:
        """Remove the stored key and stop using it."""
        self._keys.forget()

    def retry_keyring(self) -> None:
        """Look for the saved key again (the user unlocked the keyring); outcome via key_state."""
        if self._keys.locked:
            self._spawn(self._keys.load(), name="keyring-retry")

    # -- testing ----------------------------------------------------------------------------------

    def test_connection(self, form: SettingsForm) -> None:
        """Probe the router with the form's values (a typed key, else the key in force).

        The key goes only to a host that needs no confirmation (``host_to_confirm``): to any
        other the probe runs without it (and reports that no key was given, sending nothing).
        """
        config = self._connection.config
        key = form.api_key.strip() if form.api_key and form.api_key.strip() else None
        if key is None and not config.demo:
            key = config.api_key
        if self.host_to_confirm(form) is not None:
            key = None
        proxy_url, url_user, url_password = split_proxy_login(form.proxy_url or "")
        password = form.proxy_password or url_password or self._proxy_password
        probe_config = replace(
            config,
            proxy_mode=form.proxy_mode,
            proxy_url=proxy_url or None,
            proxy_username=(form.proxy_username or url_user or "").strip() or None,
            proxy_password=password,
        )
        self.tester.run(form.base_url.strip(), form.path_prefix, key, network_options(probe_config))

    def cancel_test(self) -> None:
        self.tester.cancel()

    # -- plumbing ----------------------------------------------------------------------------------

    def _on_keys_key_state(self, source: str, _label: str) -> None:
        if source == "keyring":
            self._keyring_problem = None  # it works (again)
        self.key_state.emit(source, KEY_LABELS.get(source, source))

    def _on_connection_changed(self, config: ConnectionConfig) -> None:
        host = config.unconfirmed_host() if config.api_key else None
        if host is not None and host != self._held_back:
            self.host_unconfirmed.emit(UnconfirmedHostError(host).message)
        self._held_back = host

    def _on_keys_problem(self, text: str) -> None:
        self._note_keyring_problem(text)

    def _note_keyring_problem(self, text: str) -> None:
        self._keyring_problem = text
        self.key_problem.emit(text)

    def _spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_unexpected)
        return task

    async def aclose(self) -> None:
        """Finish pending saves (they hold the user's settings) and stop a running test."""
        await self.tester.aclose()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
