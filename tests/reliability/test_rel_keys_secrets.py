"""Keyring failures (K1-K5) and secret hygiene (S2, S4, S8), with the suite's canary key."""

from __future__ import annotations

import asyncio
import io
import logging
import time
import traceback
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.backends.fail
import pytest
from keyring.errors import KeyringLocked
from rel_app import run
from rel_checks import widget_strings
from rel_server import Reply
from rel_state import suite_canary

from orq_desktop import credentials
from orq_desktop.api.client import RouterClient
from orq_desktop.api.errors import RouterError
from orq_desktop.api.models import ChatRequest
from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.domain.code_export import to_curl, to_python


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A keyring backend for the test; no key in the environment (it would win)."""
    monkeypatch.delenv("ORQ_API_KEY")
    saved = keyring.get_keyring()
    yield
    keyring.set_keyring(saved)


class _Locked(keyring.backend.KeyringBackend):
    priority = 0  # type: ignore[assignment]  # never chosen or chained: only when set explicitly

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class _Hanging(keyring.backend.KeyringBackend):
    priority = 0  # type: ignore[assignment]  # never chosen or chained: only when set explicitly

    def get_password(self, service: str, username: str) -> str | None:
        time.sleep(2)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        time.sleep(2)

    def delete_password(self, service: str, username: str) -> None:
        time.sleep(2)


@pytest.mark.scenario("K1", "K2")
def test_no_keyring_keeps_the_key_in_memory_only(backend: Any, rel_root: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    found = asyncio.run(credentials.load_key())
    assert found.key is None and "No system keyring" in (found.problem or "")
    with pytest.raises(credentials.CredentialStoreError) as caught:
        asyncio.run(credentials.store_key(suite_canary()))
    assert suite_canary() not in str(caught.value)
    # No plaintext fallback exists (K2: not offered by design); the final scan checks every file.
    assert not [n for n in dir(credentials) if "plain" in n.lower() and "reason" not in n.lower()]


@pytest.mark.scenario("K3")
def test_a_locked_keyring_is_reported_not_bypassed(backend: Any) -> None:
    keyring.set_keyring(_Locked())
    found = asyncio.run(credentials.load_key())
    assert found.key is None and found.problem
    assert "lock" in found.problem.lower()


@pytest.mark.scenario("K4")
def test_a_hanging_keyring_times_out_off_the_ui_thread(
    backend: Any, qtbot: Any, aloop: Any, heartbeat: Any
) -> None:
    keyring.set_keyring(_Hanging())
    heartbeat.start()
    started = time.monotonic()
    found = run(qtbot, credentials.load_key(wait_s=0.5))
    assert time.monotonic() - started < 1.5
    heartbeat.stop()
    assert found.key is None and found.problem
    assert heartbeat.max_gap_ms < 250


@pytest.mark.scenario("K5", "S4")
def test_a_rejected_key_is_never_shown_or_echoed(qtbot: Any, router: Any, make_chat: Any) -> None:
    router.script(Reply.error(401, "Invalid API key provided"))
    env = make_chat(router.url)
    env.ask("hi")
    card = env.of("answer_failed")[-1][1]
    assert card.status == 401 and "reenter_key" in [a.action_id for a in card.actions]
    assert not any(suite_canary() in s for s in widget_strings(env.panel))
    assert suite_canary() not in repr(card)


@pytest.mark.scenario("S4")
def test_exceptions_and_reprs_carry_no_key(qtbot: Any, router: Any, aloop: Any) -> None:
    key = suite_canary()
    router.script(Reply.error(401, f"bad key {key}"))  # even a server echoing the key back
    client = RouterClient(key, router.url, trust_env=False)

    async def go() -> RouterError:
        try:
            request = ChatRequest(model="m/x", messages=[{"role": "user", "content": "hi"}])
            async with client.stream(request) as stream:
                async for _chunk in stream:
                    pass
        except RouterError as exc:
            return exc
        finally:
            await client.aclose()
        raise AssertionError("no error")

    exc = run(qtbot, go())
    text = "".join(traceback.format_exception(exc))
    for shown in (str(exc), repr(exc), text, repr(client), repr(ConnectionConfig(api_key=key))):
        assert key not in shown
    assert router.seen[0].headers["authorization"] != f"Bearer {key}"  # hashed by the recorder


@pytest.mark.scenario("S2")
def test_exported_code_reads_the_key_from_the_environment() -> None:
    body = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    for code in (
        to_python(body, "https://api.orq.ai", "/v2/router"),
        to_curl(body, "https://api.orq.ai", "/v2/router"),
    ):
        assert "ORQ_API_KEY" in code
        assert suite_canary() not in code


@pytest.mark.scenario("S8")
def test_log_records_with_the_key_are_redacted() -> None:
    """What app.main installs: every record redacts its message; the app's formatter redacts
    tracebacks too; the key in force is redacted even when it does not look like a key."""
    from orq_desktop.domain import redaction

    key = "sk-orq-LOGTEST-" + "0123456789abcdef"  # not the canary: this output is expected
    plain_key = "plainpassword-42"  # nothing key-shaped about it: redacted because it is known
    stream = io.StringIO()
    logger = logging.getLogger("orq_desktop.rel_redaction_probe")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.setFormatter(redaction.RedactingFormatter("%(message)s"))
    logger.addHandler(handler)
    previous = logging.getLogRecordFactory()
    try:
        redaction.install()
        redaction.add_secret(plain_key)
        logger.warning("key is %s", key)
        logger.warning(f"inline {key} and {plain_key}")
        try:
            raise RuntimeError(f"failed with {key}")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(previous)
    out = stream.getvalue()
    assert key not in out
    assert plain_key not in out
    assert out.count("[redacted]") >= 4
