"""The API key never reaches the database, its log, or an export; deleted text can be made gone."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_redact import is_secret_name, redact_text, strip_secrets


@pytest.fixture
def canary() -> str:
    return f"sk-orq-CANARY-{uuid.uuid4()}"


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), secret[-12:].encode(), secret.encode("utf-16-le")]


def file_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def test_key_like_fields_are_never_stored(tmp_path: Path, canary: str) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path).store
    options = {
        "model": "openai/gpt-4o",
        "api_key": canary,
        "apiKey": canary,
        "headers": {"Authorization": f"Bearer {canary}", "X-API-Key": canary, "Accept": "json"},
        "orq": {"retry": {"count": 2}, "contact": {"id": "c1", "token": canary}},
        "notes": f"copied from the settings: {canary}",
        "max_tokens": 256,
        "list": [{"client_secret": canary}, "plain"],
    }
    tid = store.create_thread("t", options=options)
    store.set_thread_options(tid, model="m", options=options)
    mid = store.add_message(tid, "user", "hello")
    store.record_run(
        tid,
        message_id=mid,
        request={**options, "messages": [{"role": "user", "content": "hello"}]},
        error_text=f"401 Invalid API key {canary}",
    )
    store.add_image("/a.png", "a cat", settings={"size": "1024x1024", "api_key": canary})
    detail = store.load_thread(tid)
    assert detail.options["max_tokens"] == 256 and detail.options["headers"] == {"Accept": "json"}
    assert detail.options["orq"] == {"retry": {"count": 2}, "contact": {"id": "c1"}}
    assert detail.options["list"] == [{}, "plain"]
    assert detail.options["notes"] == "copied from the settings: [redacted]"
    assert detail.runs[0].error_text == "401 Invalid API key [redacted]"
    exported = store.export_json(tid) + store.export_markdown(tid)

    on_disk = file_bytes(path)  # the log holds the fresh writes while the store is open
    assert len(on_disk) > 0
    for form in forms(canary):
        assert form not in on_disk
    assert canary not in exported
    store.close()
    for form in forms(canary):
        assert form not in file_bytes(path)


def test_secret_names() -> None:
    for name in ("api_key", "apiKey", "X-API-Key", "Authorization", "openai_api_key", "password",
                 "access_token", "client_secret", "token", "Cookie"):  # fmt: skip
        assert is_secret_name(name), name
    for name in ("max_tokens", "model", "temperature", "prompt_cache_key", "tokens_out", "key_id"):
        assert not is_secret_name(name), name
    assert strip_secrets({"a": {"apikey": 1}, "b": [{"Authorization": "x"}]}) == {
        "a": {},
        "b": [{}],
    }
    assert redact_text("use Bearer abc.def now") == "use [redacted] now"
    assert redact_text("sk-learn is a word") == "sk-learn is a word"


def test_purge_then_compact_leaves_no_trace_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path).store
    secret = "PRIVATE-" + uuid.uuid4().hex
    keep = store.create_thread("keep")
    store.add_message(keep, "user", "nothing to hide")
    gone = store.create_thread("gone")
    for _ in range(5):
        store.add_message(gone, "user", f"my diary says {secret} and more")
    store.delete_thread(gone)
    store.purge_deleted()
    store.compact()
    token = secret.split("-")[1].encode()  # what the search index keeps of it
    assert secret.encode() not in file_bytes(path) and token not in file_bytes(path)
    assert store.search(secret) == [] and store.search("diary") == []
    assert [t.id for t in store.list_threads()] == [keep]
    assert store.integrity_check() == []
    store.close()
    assert secret.encode() not in file_bytes(path)
