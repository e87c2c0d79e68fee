"""Where requests go and with which key: owns the one RouterClient the sessions share."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from collections.abc import Collection

    from orq_desktop.api.client import RouterClient

DEFAULT_BASE_URL = "https://api.orq.ai"
DEFAULT_PATH_PREFIX = "/v2/gateway"


class MissingApiKeyError(Exception):
    """No key is configured and the app is not in demo mode."""

    status = None
    message = "No API key is set, so the router cannot be asked anything."
    advice = "Enter your Orq API key in Settings, or start Orq Desktop with --demo to try it."
    trace_id = None


class UnconfirmedHostError(MissingApiKeyError):
    """The key is held back: the router address came from the settings and was never confirmed.

    A ``MissingApiKeyError`` to its callers (no key can be sent), with its own plain words. The
    text names the host only, never the key.
    """

    def __init__(self, host: str) -> None:
        self.host = host
        self.message = (
            f"The router address {host} has not been confirmed: open Settings to confirm it."
        )
        self.advice = (
            "Your API key is sent only to a router address you confirmed. Open Settings and "
            "press Save to confirm this one, or change the address."
        )
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """Base URL, path prefix and key. The key is masked in ``repr``.

    ``trusted_origins``: None when the address was chosen for this session (the default, the
    ``ORQ_BASE_URL`` environment variable, demo mode's simulator, code). A set when it came from
    the settings file: then the key goes only to the default Orq origin or an origin in the set
    (the ones the user confirmed), see ``unconfirmed_host``.
    """

    base_url: str = DEFAULT_BASE_URL
    path_prefix: str = DEFAULT_PATH_PREFIX
    api_key: str | None = None
    key_source: str = "none"  # "environment", "keyring", "session", "demo", "none"
    demo: bool = False
    # Network: "system" (the system's proxy settings), "none" (direct), or "custom" (proxy_url,
    # with proxy_username / proxy_password when set). The password is never shown in ``repr``.
    proxy_mode: str = "system"
    proxy_url: str | None = None
    proxy_username: str | None = None
    proxy_password: str | None = None
    trusted_origins: frozenset[str] | None = None

    def unconfirmed_host(self) -> str | None:
        """The host the key is held back from (None: the key may go to ``base_url``)."""
        if self.trusted_origins is None or self.demo:
            return None
        from orq_desktop.settings import DEFAULT_ORIGIN, host_label, origin_of

        origin = origin_of(self.base_url)
        if origin is not None and (origin == DEFAULT_ORIGIN or origin in self.trusted_origins):
            return None
        return host_label(self.base_url)

    def __repr__(self) -> str:
        key = "set" if self.api_key else "unset"
        return (
            f"ConnectionConfig(base_url={self.base_url!r}, path_prefix={self.path_prefix!r}, "
            f"api_key=<{key}>, key_source={self.key_source!r}, demo={self.demo})"
        )

    @classmethod
    def from_environment(cls) -> ConnectionConfig:
        """``ORQ_API_KEY`` and ``ORQ_BASE_URL`` for this session (nothing is stored)."""
        key = os.environ.get("ORQ_API_KEY") or None
        return cls(
            base_url=os.environ.get("ORQ_BASE_URL") or DEFAULT_BASE_URL,
            path_prefix=os.environ.get("ORQ_PATH_PREFIX") or DEFAULT_PATH_PREFIX,
            api_key=key,
            key_source="environment" if key else "none",
        )


class NetworkOptions(TypedDict):
    """The ``RouterClient`` keyword arguments that choose how requests reach the router."""

    proxy: str | None
    proxy_auth: tuple[str, str] | None
    trust_env: bool


def network_options(config: ConnectionConfig) -> NetworkOptions:
    """System proxy (``trust_env``), a direct connection, or the custom proxy with its login."""
    if config.proxy_mode == "custom" and config.proxy_url:
        auth = None
        if config.proxy_username:
            auth = (config.proxy_username, config.proxy_password or "")
        return NetworkOptions(proxy=config.proxy_url, proxy_auth=auth, trust_env=False)
    if config.proxy_mode == "none":
        return NetworkOptions(proxy=None, proxy_auth=None, trust_env=False)
    return NetworkOptions(proxy=None, proxy_auth=None, trust_env=True)


def host_to_confirm(
    base_url: str, in_force: ConnectionConfig, confirmed: Collection[str]
) -> str | None:
    """The host to name before the key may go to ``base_url`` (None: no need to ask).

    Asked whether or not a key is in force now (one may come later: typed, found in the keyring
    once it is unlocked, or on the next start). No need for the default Orq host, for an origin
    the user confirmed before, or for the origin the key in force already goes to (demo mode's
    simulator does not count: the demo key is no key; nor does an address the key is held
    back from).
    """
    from orq_desktop.settings import DEFAULT_ORIGIN, host_label, origin_of  # pydantic: not at start

    origin = origin_of(base_url)
    if origin is None or origin == DEFAULT_ORIGIN or origin in confirmed:
        return None
    if (
        in_force.api_key
        and not in_force.demo
        and in_force.unconfirmed_host() is None
        and origin_of(in_force.base_url) == origin
    ):
        return None
    return host_label(base_url)


def _check_sendable(config: ConnectionConfig) -> None:
    """Raise unless ``config``'s key may be sent to its address."""
    if not config.api_key:
        raise MissingApiKeyError(MissingApiKeyError.message)
    host = config.unconfirmed_host()
    if host is not None:
        raise UnconfirmedHostError(host)


def _build_client(config: ConnectionConfig) -> RouterClient:
    from orq_desktop.api.client import RouterClient

    _check_sendable(config)  # the one place a key is attached to a client
    assert config.api_key
    return RouterClient(
        config.api_key,
        base_url=config.base_url,
        path_prefix=config.path_prefix,
        **network_options(config),
    )


class Connection(QObject):
    """Holds the configuration and the shared client, rebuilt when the configuration changes.

    Signals:
        changed(config): a new configuration is in force.
    """

    changed = Signal(object)

    def __init__(self, config: ConnectionConfig, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config = config
        self._client: RouterClient | None = None
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def config(self) -> ConnectionConfig:
        return self._config

    def client(self) -> RouterClient:
        """The shared client; raises ``MissingApiKeyError`` when there is no key to send, and
        ``UnconfirmedHostError`` (one of them) when the key is held back from the address."""
        _check_sendable(self._config)
        if self._client is None:
            self._client = _build_client(self._config)
        return self._client

    async def prepared(self) -> RouterClient:
        """The shared client, built in a worker thread the first time.

        Building one loads the CA bundle into a TLS context, 50-100 ms of CPU that would
        otherwise stall the UI on the first Send after start-up or a settings change.
        """
        _check_sendable(self._config)
        if self._client is None:
            config = self._config
            client = await asyncio.to_thread(_build_client, config)
            if self._client is None and self._config is config:
                self._client = client
            else:  # the configuration changed meanwhile, or another caller was quicker
                await client.aclose()
        return self.client()

    def update(self, config: ConnectionConfig) -> None:
        """Switch to ``config``; the old client is closed in the background."""
        old, self._client = self._client, None
        self._config = config
        if old is not None:
            task = asyncio.get_running_loop().create_task(old.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        self.changed.emit(config)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
