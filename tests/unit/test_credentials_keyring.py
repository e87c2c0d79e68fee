"""The key in a real Secret Service (gnome-keyring in a private D-Bus session), and without one.

``packaging/check.sh`` runs pytest inside ``tests/with_secret_service.sh``, which starts an
unlocked gnome-keyring in a private ``dbus-run-session``; outside it the real-keyring tests skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from keyring_fakes import hanging_keyring_in_use, keyring_in_use

from orq_desktop import credentials

real_secret_service = pytest.mark.skipif(
    os.environ.get("ORQ_IN_SECRET_SERVICE") != "2",
    reason="needs tests/with_secret_service.sh (dbus-run-session + gnome-keyring)",
)


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORQ_API_KEY", raising=False)


@pytest.fixture
def backend() -> Iterator[None]:
    with keyring_in_use(keyring.get_keyring()):
        yield


@real_secret_service
def test_round_trip_in_real_secret_service(no_env_key: None) -> None:
    chosen = keyring.get_keyring()
    backends = getattr(chosen, "backends", [chosen])
    assert any("SecretService" in type(b).__module__ for b in backends), backends

    async def go() -> tuple[credentials.KeyLookup, credentials.KeyLookup]:
        await credentials.store_key("sk-orq-roundtrip-123")
        stored = await credentials.load_key()
        await credentials.delete_key()
        gone = await credentials.load_key()
        return stored, gone

    stored, gone = asyncio.run(go())
    assert stored.key == "sk-orq-roundtrip-123" and stored.source == "keyring"
    assert gone.key is None and gone.source == "none" and gone.problem is None
    assert "sk-orq" not in repr(stored)


@real_secret_service
def test_terminal_keyring_set_is_read_by_the_app(no_env_key: None) -> None:
    """`keyring set orq-desktop api-key` from a terminal stores what the app reads."""
    exe = shutil.which("keyring") or os.path.join(os.path.dirname(sys.executable), "keyring")
    subprocess.run(
        [exe, "set", "orq-desktop", "api-key"],
        input="sk-from-terminal\n",
        text=True,
        check=True,
        timeout=30,
    )
    try:
        assert asyncio.run(credentials.load_key()).key == "sk-from-terminal"
    finally:
        asyncio.run(credentials.delete_key())


def test_environment_key_wins_and_is_not_stored(monkeypatch, backend) -> None:
    monkeypatch.setenv("ORQ_API_KEY", "sk-env-key")
    keyring.set_keyring(keyring.backends.fail.Keyring())
    found = asyncio.run(credentials.load_key())
    assert (found.key, found.source, found.problem) == ("sk-env-key", "environment", None)


def test_no_backend_is_reported_plainly(no_env_key, backend) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    found = asyncio.run(credentials.load_key())
    assert found.key is None
    assert found.problem == "No system keyring is available on this machine."
    with pytest.raises(credentials.CredentialStoreError, match="No system keyring"):
        asyncio.run(credentials.store_key("sk-never-stored"))


def test_hanging_keyring_times_out_without_blocking(no_env_key, backend) -> None:
    async def timed() -> tuple[float, credentials.KeyLookup]:
        start = time.monotonic()
        found = await credentials.load_key(wait_s=0.2)
        return time.monotonic() - start, found

    with hanging_keyring_in_use():  # a Secret Service that never answers (a prompt nobody sees)
        elapsed, found = asyncio.run(timed())
    assert elapsed < 1.0
    assert found.problem is not None and "did not answer in time" in found.problem


LOCKED_SCRIPT = textwrap.dedent(
    """
    import asyncio, secretstorage
    from orq_desktop import credentials
    conn = secretstorage.dbus_init()
    secretstorage.get_default_collection(conn).lock()
    found = asyncio.run(credentials.load_key(wait_s=10))
    print(found.source, "|", found.problem)
    """
)


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon",
)
def test_locked_collection_is_reported_not_hung(tmp_path, monkeypatch) -> None:
    """A locked keyring (own private bus, so the shared one stays unlocked) fails fast."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "ORQ_API_KEY", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL")
    }
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "d"), XDG_RUNTIME_DIR=str(tmp_path))
    cmd = (
        'eval "$(printf pw | gnome-keyring-daemon --daemonize --unlock --components=secrets)";'
        f' exec {sys.executable} -c "$0"'
    )
    out = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", cmd, LOCKED_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    source, problem = (part.strip() for part in out.stdout.strip().splitlines()[-1].split("|"))
    assert source == "none"
    assert problem in (
        "The system keyring is locked.",
        "The system keyring did not answer in time (it may be locked or busy).",
    )
