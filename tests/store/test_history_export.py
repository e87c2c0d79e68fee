"""Export to Markdown and JSON; import validates first, previews, then adds new threads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_export import iso
from orq_desktop.store.history_types import ImportRejectedError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(path).store
    yield s
    s.close()


def sample_thread(store: HistoryStore) -> str:
    tid = store.create_thread(
        "Retry tuning",
        model="openai/gpt-4o",
        options={"model": "openai/gpt-4o", "orq": {"retry": {"count": 3, "on_codes": [429]}}},
        tags=["ops", "eval"],
        identity_id="team-a",
    )
    store.add_message(tid, "system", "Answer in one line.")
    store.add_message(tid, "user", "What does on_codes do?")
    answer = store.add_message(tid, "assistant", "It lists the **status codes** that retry.")
    store.record_run(
        tid,
        message_id=answer,
        model_requested="openai/gpt-4o",
        model_answered="gpt-4o-2024-08-06",
        status_code=200,
        ttft_ms=210.0,
        total_ms=900.0,
        tokens_in=30,
        tokens_out=12,
        finish_reason="stop",
        trace_id="tr-1",
    )
    stopped = store.start_assistant_message(tid)
    store.update_message_text(stopped, "And also")
    store.finish_message(stopped, "stopped")
    store.record_run(tid, model_requested="openai/gpt-4o", status_code=503, error_text="busy")
    return tid


def db_state(path: Path) -> str:
    """A digest of the database and its log: equal digests mean nothing was written."""
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        f = Path(f"{path}{suffix}")
        h.update(f.read_bytes() if f.exists() else b"")
    return h.hexdigest()


def test_markdown_export_reads_like_the_conversation(store: HistoryStore) -> None:
    md = store.export_markdown(sample_thread(store))
    assert md.startswith("# Retry tuning\n")
    assert "- Model: `openai/gpt-4o`" in md and "- Tags: eval, ops" in md
    assert "## System\n\nAnswer in one line." in md
    assert "## You\n\nWhat does on_codes do?" in md
    assert "## Assistant (`gpt-4o-2024-08-06`)\n\nIt lists the **status codes** that retry." in md
    assert "## Assistant (stopped by you)\n\nAnd also" in md


def test_json_export_is_the_documented_format(store: HistoryStore) -> None:
    tid = sample_thread(store)
    doc = json.loads(store.export_json(tid))
    assert doc["format"] == "orq-desktop-thread" and doc["version"] == 1
    assert doc["exported_at"].endswith("Z")
    [t] = doc["threads"]
    assert t["source_id"] == tid and t["title"] == "Retry tuning" and t["kind"] == "chat"
    assert t["tags"] == ["eval", "ops"] and t["identity_id"] == "team-a"
    assert t["options"]["orq"]["retry"] == {"count": 3, "on_codes": [429]}
    roles = [(m["role"], m["state"]) for m in t["messages"]]
    assert roles == [
        ("system", "complete"),
        ("user", "complete"),
        ("assistant", "complete"),
        ("assistant", "stopped"),
    ]
    run = t["messages"][2]["run"]
    assert run["model_answered"] == "gpt-4o-2024-08-06" and run["tokens_out"] == 12
    assert t["messages"][3]["run"] is None
    [loose] = t["runs"]
    assert (loose["status_code"], loose["error_text"]) == (503, "busy")


def test_round_trip_adds_equal_threads_with_new_ids(store: HistoryStore) -> None:
    tid = sample_thread(store)
    other = store.create_thread("Second", kind="compare")
    store.add_message(other, "user", "compare these", column_index=None)
    store.add_message(other, "assistant", "left", column_index=0)
    exported = store.export_json(tid, other)

    plan = store.prepare_import(exported)
    assert [(p.title, p.kind, p.message_count) for p in plan.preview.threads] == [
        ("Retry tuning", "chat", 4),
        ("Second", "compare", 2),
    ]
    assert plan.preview.message_count == 6
    new_ids = store.apply_import(plan)
    assert len(new_ids) == 2 and not {tid, other} & set(new_ids)
    assert len(store.list_threads()) == 4

    def comparable(thread_id: str) -> dict[str, Any]:
        d = store.load_thread(thread_id)
        return {
            "summary": (d.summary.title, d.summary.kind, d.summary.model, d.summary.tags,
                        d.summary.identity_id, iso(d.summary.created_at), d.summary.message_count),
            "options": d.options,
            "messages": [(m.role, m.text, m.state, m.column_index, iso(m.created_at))
                         for m in d.messages],
            "runs": [(r.model_requested, r.model_answered, r.status_code, r.ttft_ms,
                      r.tokens_out, r.error_text, r.message_id is None) for r in d.runs],
        }  # fmt: skip

    for original, copy in zip((tid, other), new_ids, strict=True):
        assert comparable(original) == comparable(copy)
    # The run is linked to the copied message, not to the original one.
    copy = store.load_thread(new_ids[0])
    linked = [m for m in copy.messages if m.run_id is not None]
    assert [m.text for m in linked] == ["It lists the **status codes** that retry."]
    assert {r.id for r in copy.runs} >= {linked[0].run_id}
    # Importing the same file again adds two more: nothing is ever overwritten.
    store.apply_import(store.prepare_import(exported))
    assert len(store.list_threads()) == 6


def test_import_marks_unfinished_answers_and_reports_it(store: HistoryStore) -> None:
    doc = {
        "format": "orq-desktop-thread",
        "version": 1,
        "threads": [
            {
                "title": "x",
                "extra_field_from_the_future": True,
                "messages": [
                    {"role": "user", "text": "hi"},
                    {"role": "assistant", "text": "hal", "state": "streaming"},
                ],
            }
        ],
    }
    plan = store.prepare_import(json.dumps(doc).encode())
    assert plan.preview.notes == ("1 unfinished answer(s) will be marked as interrupted.",)
    [tid] = store.apply_import(plan)
    assert [m.state for m in store.load_thread(tid).messages] == ["complete", "interrupted"]


BAD_FILES = [
    (b"\xff\xfe not text", "not a text file"),
    ('{"format": "orq-desktop-thread", "version": 1, "threads": [', "not valid JSON (line 1"),
    ("[1, 2, 3]", "no JSON object at the top"),
    ('{"threads": []}', 'no "format" field'),
    ('{"format": "chatbox-backup", "version": 1}', "format is 'chatbox-backup'"),
    ('{"format": "orq-desktop-thread", "version": 2, "threads": []}', "newer version"),
    ('{"format": "orq-desktop-thread", "version": "1", "threads": []}', "version is missing"),
    ('{"format": "orq-desktop-thread", "version": 1, "threads": []}', "threads: List should"),
    (
        '{"format": "orq-desktop-thread", "version": 1, "threads": [{"messages": '
        '[{"role": "user", "text": "ok"}, {"role": "wizard", "text": "x"}]}]}',
        "threads[0].messages[1].role: Input should be 'system', 'user' or 'assistant'",
    ),
    (
        '{"format": "orq-desktop-thread", "version": 1, "threads": [{"messages": '
        '[{"role": "user"}]}]}',
        "threads[0].messages[0].text: Field required",
    ),
]


@pytest.mark.parametrize(("data", "reason"), BAD_FILES)
def test_bad_files_are_refused_with_the_reason_and_nothing_changes(
    store: HistoryStore, path: Path, data: str | bytes, reason: str
) -> None:
    sample_thread(store)
    before = db_state(path)
    listed = store.list_threads()
    with pytest.raises(ImportRejectedError) as caught:
        store.prepare_import(data)
    assert reason in caught.value.reason
    assert str(caught.value).startswith("This file cannot be imported: ")
    assert store.list_threads() == listed
    assert db_state(path) == before


def test_one_bad_thread_refuses_the_whole_file(store: HistoryStore, path: Path) -> None:
    good = json.loads(store.export_json(sample_thread(store)))
    good["threads"].append({"title": "broken", "messages": [{"role": "user", "text": 5}]})
    before = db_state(path)
    with pytest.raises(ImportRejectedError, match=r"threads\[1\]\.messages\[0\]\.text"):
        store.prepare_import(json.dumps(good))
    assert len(store.list_threads()) == 1 and db_state(path) == before


def test_rejection_never_echoes_the_file_content(store: HistoryStore) -> None:
    doc = {
        "format": "orq-desktop-thread",
        "version": 1,
        "threads": [{"messages": [{"role": "sk-orq-CANARY-in-a-file", "text": "x"}]}],
    }
    with pytest.raises(ImportRejectedError) as caught:
        store.prepare_import(json.dumps(doc))
    assert "CANARY" not in str(caught.value) and "CANARY" not in repr(caught.value)
