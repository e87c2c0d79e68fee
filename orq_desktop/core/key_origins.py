"""The router origins the API key may go to, and when to ask before it goes to a new one.

    origins = KeyOrigins()
    origins.to_confirm(form_url, connection.config, settings)   # "127.0.0.2:8123": ask first
    origins.confirm(form_url)                                    # the user said "send"
    origins.to_keep(form_url, connection.config)                 # for settings.confirmed_origins
    origins.trusted(settings)                                    # for ConnectionConfig

The default Orq origin needs no question. Any other needs the user's "send" once, whether or not
a key is in force at the time (one may come later: typed, found in a keyring unlocked later, or
on the next start); the answer is kept in ``settings.confirmed_origins``. ``trusted`` is what the
connection checks before it attaches the key (``ConnectionConfig.trusted_origins``).
"""

from __future__ import annotations

from orq_desktop import settings as settings_mod
from orq_desktop.core.connection import ConnectionConfig, host_to_confirm


def _key_goes_to(config: ConnectionConfig) -> str | None:
    """The origin a real key is sent to now (None: no key, demo mode, or held back)."""
    if not config.api_key or config.demo or config.unconfirmed_host() is not None:
        return None
    return settings_mod.origin_of(config.base_url)


class KeyOrigins:
    """Origins confirmed since start (kept with the next save) and the ones in the settings."""

    def __init__(self) -> None:
        self.confirmed_now: set[str] = set()

    def trusted(self, settings: settings_mod.AppSettings, *more: str | None) -> frozenset[str]:
        """The origins the key may go to besides the default one (``more``: for this session)."""
        extra = {origin for origin in more if origin is not None}
        return frozenset({*settings.confirmed_origins, *self.confirmed_now, *extra})

    def confirm(self, base_url: str) -> None:
        """The user agreed that the key may go to ``base_url``'s origin."""
        origin = settings_mod.origin_of(base_url)
        if origin is not None:
            self.confirmed_now.add(origin)

    def to_confirm(
        self, base_url: str, in_force: ConnectionConfig, settings: settings_mod.AppSettings
    ) -> str | None:
        """The host to name before the key may go to ``base_url`` (None: no need to ask)."""
        return host_to_confirm(base_url, in_force, self.trusted(settings))

    def to_keep(self, base_url: str, in_force: ConnectionConfig) -> list[str]:
        """Origins to add to the settings when ``base_url`` is saved.

        A confirmed new one, with the one the key went to until then (going back asks nothing);
        or, unasked, the one the key goes to already (an ``ORQ_BASE_URL`` of this session that
        is now saved): on the next start, the key goes there as it did.
        """
        new = settings_mod.origin_of(base_url)
        if new is None or new == settings_mod.DEFAULT_ORIGIN:
            return []
        old = _key_goes_to(in_force)
        if new not in self.confirmed_now:
            return [new] if old == new else []
        if old is not None and old not in (new, settings_mod.DEFAULT_ORIGIN):
            return [old, new]
        return [new]
