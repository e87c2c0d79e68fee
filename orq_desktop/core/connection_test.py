"""Run "Test connection" as a task; check the Settings form (addresses, folder, key) before use.

``ConnectionTester.run(...)`` starts the probe (``orq_desktop.api.probe``) on the event loop and
returns at once; ``finished`` carries the ``ProbeReport`` (plain data). A second run cancels the
first. The probe uses a one-off client with the settings under test, so nothing about the shared
connection changes until the user saves.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from orq_desktop.core.tasks import report_unexpected
from orq_desktop.settings import PATH_PREFIXES, AppSettings

if TYPE_CHECKING:
    from orq_desktop.api.probe import ProbeReport
    from orq_desktop.core.connection import NetworkOptions

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
SOCKS_MISSING = (
    "SOCKS needs the socksio package, which is not installed: use an HTTP proxy, "
    "or install socksio (pip install socksio)."
)
ProbeFn = Callable[..., Awaitable["ProbeReport"]]


def socks_available() -> bool:
    """httpx speaks SOCKS only with the optional ``socksio`` package."""
    return importlib.util.find_spec("socksio") is not None


def proxy_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be used as a proxy, in plain words (None when it can)."""
    text = (url or "").strip()
    if not text:
        return "Enter the proxy's address, such as http://proxy.example.com:3128."
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "The proxy address is not valid: use http://host:port or socks5://host:port."
    if parts.scheme.lower() not in PROXY_SCHEMES:
        return "The proxy address must start with http://, https://, socks5:// or socks5h://."
    if not parts.hostname:
        return "The proxy address needs a host name, such as http://proxy.example.com:3128."
    if port is None:
        return "The proxy address needs a port, such as :3128 or :1080."
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "The proxy address is only a host and a port (no path)."
    if parts.scheme.lower().startswith("socks") and not socks_available():
        return SOCKS_MISSING
    return None


def base_url_problem(base_url: str) -> str | None:
    """Why ``base_url`` cannot be the router's address, in plain words (None when it can)."""
    text = base_url.strip()
    try:
        AppSettings(base_url=text)
    except ValidationError as exc:  # its text would quote the input: only the reason is kept
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "This is not a valid URL (check the port)."
    if not parts.hostname:
        return "The base URL needs a host name, such as https://api.orq.ai."
    if parts.query or parts.fragment:
        return "The base URL must not have a query (?…) or a fragment (#…)."
    return None


def split_proxy_login(url: str) -> tuple[str, str | None, str | None]:
    """``(address without login, user name, password)`` from ``http://user:pass@host:port``.

    The password must go to the keyring, never into the settings file with the address.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text, None, None
    if "@" not in parts.netloc:
        return text, None, None
    login, _, host = parts.netloc.rpartition("@")
    user, has_password, password = login.partition(":")
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if has_password else None


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """What the dialog hands over. ``api_key`` / ``proxy_password`` None: keep the current one."""

    base_url: str
    path_prefix: str
    images_dir: str | None = None
    proxy_mode: str = "system"
    proxy_url: str | None = None
    proxy_username: str | None = None
    proxy_password: str | None = None
    api_key: str | None = None
    remember_key: bool = True

    def __repr__(self) -> str:
        return (
            f"SettingsForm(base_url={self.base_url!r}, path_prefix={self.path_prefix!r}, "
            f"proxy_mode={self.proxy_mode!r}, api_key=<{'set' if self.api_key else 'unset'}>)"
        )


def form_problems(form: SettingsForm) -> dict[str, str]:
    """Field name → why it cannot be used, in plain words; empty when the form can be saved."""
    problems: dict[str, str] = {}
    url_problem = base_url_problem(form.base_url)
    if url_problem:
        problems["base_url"] = url_problem
    if form.path_prefix not in PATH_PREFIXES:
        problems["path_prefix"] = "Choose /v2/gateway or /v2/router."
    if form.images_dir:
        folder = Path(form.images_dir).expanduser()
        if not folder.is_dir():
            problems["images_dir"] = "This folder does not exist."
        elif not os.access(folder, os.W_OK | os.X_OK):
            problems["images_dir"] = "Orq Desktop cannot write to this folder."
    if form.proxy_mode == "custom":
        clean, _user, _password = split_proxy_login(form.proxy_url or "")
        problem = proxy_problem(clean)
        if problem:
            problems["proxy_url"] = problem
    key = (form.api_key or "").strip()
    if key and any(ch.isspace() for ch in key):
        problems["api_key"] = "The key has spaces in it: paste it again, in one piece."
    return problems


def settings_from_form(
    current: AppSettings, form: SettingsForm, *, had_login: bool, origins: list[str]
) -> tuple[AppSettings, str | None]:
    """The settings ``form`` makes of ``current`` (with ``origins`` as the confirmed ones), and
    the proxy password to store: None keeps the stored one, "" forgets it. A login typed into
    the proxy address is split off: the password never reaches the settings file."""
    proxy_url, url_user, url_password = split_proxy_login(form.proxy_url or "")
    user = (form.proxy_username or url_user or "").strip() or None
    password = form.proxy_password or url_password  # None: keep the stored one
    if user is None and (password or had_login):
        password = ""  # no login any more: forget the stored password
    data = current.model_dump()
    data.update(
        base_url=form.base_url,
        path_prefix=form.path_prefix,
        images_dir=str(Path(form.images_dir).expanduser()) if form.images_dir else None,
        proxy_mode=form.proxy_mode,
        proxy_url=proxy_url.strip() or None,
        proxy_username=user,
        confirmed_origins=origins,
    )
    return AppSettings.model_validate(data), password


class ConnectionTester(QObject):
    """Runs one connection test at a time, off the UI's way.

    Signals:
        started(): a test began.
        finished(report): the ``ProbeReport`` of the test that finished (not one cancelled).
    """

    started = Signal()
    finished = Signal(object)

    def __init__(self, probe: ProbeFn | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._probe = probe
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def run(
        self,
        base_url: str,
        path_prefix: str,
        api_key: str | None,
        network: NetworkOptions,
        **options: Any,
    ) -> None:
        """Start a test (cancelling one still running); the outcome comes through ``finished``."""
        self.cancel()
        self._task = asyncio.get_running_loop().create_task(
            self._run(base_url, path_prefix, api_key, network, options), name="connection-test"
        )
        self._task.add_done_callback(report_unexpected)
        self.started.emit()

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(
        self,
        base_url: str,
        path_prefix: str,
        api_key: str | None,
        network: NetworkOptions,
        options: dict[str, Any],
    ) -> None:
        probe = self._probe
        if probe is None:  # imported in a worker thread: cold, it takes a few hundred ms
            module = await asyncio.to_thread(importlib.import_module, "orq_desktop.api.probe")
            probe = module.probe
        report = await probe(base_url, path_prefix, api_key, **network, **options)
        self.finished.emit(report)
