"""Messages, streaming answers, runs and image records; recovery on open; tolerant reading."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_types import DiskFullError, NotFoundError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(path).store
    yield s
    s.close()


def test_messages_are_appended_in_order(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    ids = [
        store.add_message(tid, "system", "be brief"),
        store.add_message(tid, "user", "hello"),
        store.add_message(tid, "assistant", "hi", state="complete"),
        store.add_message(tid, "assistant", "no answer", state="error"),
    ]
    messages = store.load_thread(tid).messages
    assert [m.id for m in messages] == ids
    assert [m.position for m in messages] == [0, 1, 2, 3]
    assert [(m.role, m.text, m.state) for m in messages] == [
        ("system", "be brief", "complete"),
        ("user", "hello", "complete"),
        ("assistant", "hi", "complete"),
        ("assistant", "no answer", "error"),
    ]


def test_bad_role_or_state_is_refused(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    with pytest.raises(ValueError, match="role"):
        store.add_message(tid, "robot", "x")
    with pytest.raises(ValueError, match="state"):
        store.add_message(tid, "user", "x", state="done")
    mid = store.start_assistant_message(tid)
    with pytest.raises(ValueError, match="cannot be 'streaming'"):
        store.finish_message(mid, "streaming")
    assert len(store.load_thread(tid).messages) == 1


def test_streaming_answer_lifecycle(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    store.add_message(tid, "user", "count to three")
    mid = store.start_assistant_message(tid)
    assert store.load_thread(tid).messages[-1].state == "streaming"
    assert store.update_message_text(mid, "one")
    assert store.update_message_text(mid, "one two")
    partial = store.load_thread(tid).messages[-1]
    assert (partial.text, partial.state) == ("one two", "streaming")
    store.finish_message(mid, "complete", "one two three")
    done = store.load_thread(tid).messages[-1]
    assert (done.text, done.state) == ("one two three", "complete")
    assert not store.update_message_text(mid, "late update")  # no longer streaming
    assert store.load_thread(tid).messages[-1].text == "one two three"


def test_finish_without_text_keeps_the_last_saved_text(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    mid = store.start_assistant_message(tid, column_index=1)
    store.update_message_text(mid, "half of it")
    store.finish_message(mid, "stopped")
    m = store.load_thread(tid).messages[0]
    assert (m.text, m.state, m.column_index) == ("half of it", "stopped", 1)
    with pytest.raises(NotFoundError):
        store.finish_message(9999, "complete")


def test_recover_on_open_marks_streaming_rows_interrupted(path: Path) -> None:
    store = HistoryStore.open(path).store
    tid = store.create_thread("t")
    store.add_message(tid, "user", "tell me a story")
    first = store.start_assistant_message(tid)
    store.update_message_text(first, "Once upon a time")
    second = store.start_assistant_message(tid, column_index=1)
    store.close()  # as if the app died: the rows are still 'streaming'

    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert notice.kind == "recovered" and notice.text.startswith("2 answers")
    messages = {m.id: m for m in opened.store.load_thread(tid).messages}
    assert (messages[first].state, messages[first].text) == ("interrupted", "Once upon a time")
    assert messages[second].state == "interrupted"
    assert [h.item_id for h in opened.store.search("upon")] == [first]  # indexed now
    opened.store.close()
    assert HistoryStore.open(path).notices == ()  # nothing left to recover


def test_record_run_links_the_message_and_keeps_the_numbers(store: HistoryStore) -> None:
    tid = store.create_thread("t", kind="compare")
    mid = store.start_assistant_message(tid, column_index=2)
    run = store.record_run(
        tid,
        message_id=mid,
        column_index=2,
        request={"model": "openai/gpt-4o", "messages": [{"role": "user"}] * 3, "stream": True},
        model_requested="openai/gpt-4o",
        model_answered="gpt-4o-2024-08-06",
        status_code=200,
        ttft_ms=321.5,
        total_ms=2100.0,
        tokens_in=12,
        tokens_out=345,
        finish_reason="stop",
        trace_id="trace-1",
    )
    detail = store.load_thread(tid)
    assert detail.messages[0].run_id == run
    [r] = detail.runs
    assert (r.id, r.message_id, r.column_index) == (run, mid, 2)
    assert r.request == {
        "model": "openai/gpt-4o",
        "messages": "3 messages (stored in the thread)",
        "stream": True,
    }
    assert (r.model_requested, r.model_answered, r.status_code) == (
        "openai/gpt-4o",
        "gpt-4o-2024-08-06",
        200,
    )
    assert (r.ttft_ms, r.total_ms, r.tokens_in, r.tokens_out) == (321.5, 2100.0, 12, 345)
    assert (r.finish_reason, r.trace_id, r.error_text) == ("stop", "trace-1", None)


def test_record_run_without_message_and_with_an_error(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    run = store.record_run(tid, model_requested="m", status_code=429, error_text="Rate limited")
    [r] = store.load_thread(tid).runs
    assert (r.id, r.message_id, r.status_code, r.error_text) == (run, None, 429, "Rate limited")
    other = store.create_thread("other")
    foreign = store.add_message(other, "user", "x")
    with pytest.raises(NotFoundError):
        store.record_run(tid, message_id=foreign)
    assert len(store.load_thread(tid).runs) == 1  # the failed call left nothing behind


def test_images_add_list_delete(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    a = store.add_image(
        Path("/pics/a.png"),
        "a lighthouse at dusk",
        revised_prompt="A tall lighthouse at dusk, oil painting",
        model="openai/gpt-image-1",
        settings={"size": "1024x1024", "quality": "high"},
        thread_id=tid,
    )
    b = store.add_image("/pics/b.png", "a fox")
    listed = store.list_images()
    assert [i.id for i in listed] == [b, a]  # newest first
    img = listed[1]
    assert (img.path, img.prompt, img.revised_prompt, img.model, img.thread_id) == (
        "/pics/a.png",
        "a lighthouse at dusk",
        "A tall lighthouse at dusk, oil painting",
        "openai/gpt-image-1",
        tid,
    )
    assert img.settings == {"size": "1024x1024", "quality": "high"}
    assert [i.id for i in store.list_images(thread_id=tid)] == [a]
    assert [i.id for i in store.list_images(limit=1, offset=1)] == [a]
    store.delete_image(b)
    assert [i.id for i in store.list_images()] == [a]
    with pytest.raises(NotFoundError):
        store.delete_image(b)
    with pytest.raises(NotFoundError):
        store.add_image("/x.png", "x", thread_id="thread_NOPE")


def test_lone_surrogates_and_nul_are_stored_and_read_back(store: HistoryStore) -> None:
    tid = store.create_thread("bad \ud800 title")
    mid = store.add_message(tid, "assistant", "a\ud83db\x00c")
    detail = store.load_thread(tid)
    assert detail.summary.title == "bad \ufffd title"
    assert detail.messages[0].text == "a\ufffdb\x00c"
    assert detail.messages[0].id == mid


def test_a_damaged_row_does_not_hide_the_thread(path: Path) -> None:
    store = HistoryStore.open(path).store
    tid = store.create_thread("t", options={"a": 1})
    store.add_message(tid, "user", "fine")
    bad = store.add_message(tid, "assistant", "to be damaged")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE threads SET options = '{not json' WHERE id = ?", (tid,))
    conn.execute("UPDATE messages SET text = CAST(x'fffe41' AS TEXT) WHERE id = ?", (bad,))
    conn.commit()
    conn.close()
    store = HistoryStore.open(path).store
    detail = store.load_thread(tid)
    assert detail.options == {}
    assert detail.unreadable == ("The thread options could not be read and were left empty.",)
    assert [m.text for m in detail.messages] == ["fine", "\ufffd\ufffdA"]
    assert [t.id for t in store.list_threads()] == [tid]
    store.close()


def test_a_full_disk_is_reported_in_plain_words_and_keeps_what_was_saved(
    store: HistoryStore,
) -> None:
    tid = store.create_thread("t")
    kept = store.add_message(tid, "user", "saved before the disk filled up")
    conn = store._live()
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own way to make the disk full
    with pytest.raises(DiskFullError, match="disk is full"):
        store.add_message(tid, "assistant", "x" * 200_000)
    assert [m.id for m in store.load_thread(tid).messages] == [kept]
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed: the retry works
    store.add_message(tid, "assistant", "x" * 200_000)
    assert len(store.load_thread(tid).messages) == 2
    assert store.integrity_check() == []
