"""Threads: create, rename, tags, options, trash with undo, purge, listing and paging, fork."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_types import NotFoundError


class Clock:
    """A clock that moves one second per reading, so ordering by time is deterministic."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[HistoryStore]:
    s = HistoryStore.open(tmp_path / "history.sqlite3", clock=clock).store
    yield s
    s.close()


def test_create_thread_stores_every_field(store: HistoryStore) -> None:
    tid = store.create_thread(
        "Trip ideas",
        model="openai/gpt-4o",
        options={"model": "openai/gpt-4o", "temperature": 0.7, "orq": {"retry": {"count": 2}}},
        tags=["travel", " work  ", "travel", ""],
        identity_id="customer-1",
    )
    assert re.fullmatch(r"thread_[0-9A-HJKMNP-TV-Z]{26}", tid)
    detail = store.load_thread(tid)
    s = detail.summary
    assert (s.title, s.model, s.kind, s.identity_id) == (
        "Trip ideas",
        "openai/gpt-4o",
        "chat",
        "customer-1",
    )
    assert s.tags == ("travel", "work")
    assert s.created_at == s.updated_at and not s.deleted
    assert detail.options == {
        "model": "openai/gpt-4o",
        "temperature": 0.7,
        "orq": {"retry": {"count": 2}},
    }
    assert detail.messages == () and detail.runs == () and detail.unreadable == ()


def test_create_compare_thread_and_given_id(store: HistoryStore) -> None:
    tid = store.create_thread("Compare", kind="compare", thread_id="thread_GIVEN")
    assert tid == "thread_GIVEN"
    assert store.load_thread(tid).summary.kind == "compare"
    with pytest.raises(ValueError, match="kind"):
        store.create_thread("x", kind="poem")


def test_rename_set_tags_and_options(store: HistoryStore) -> None:
    tid = store.create_thread("Draft", model="a/b")
    store.rename_thread(tid, "Final")
    assert store.set_tags(tid, ["b", "a", "a", "x\x1fy", "z\x00"]) == ("a", "b", "x y", "z")
    store.set_thread_options(tid, model="c/d", options={"top_p": 0.5}, identity_id="id-9")
    detail = store.load_thread(tid)
    assert detail.summary.title == "Final" and detail.summary.tags == ("a", "b", "x y", "z")
    assert detail.summary.model == "c/d" and detail.summary.identity_id == "id-9"
    assert detail.options == {"top_p": 0.5}
    store.set_tags(tid, [])
    assert store.load_thread(tid).summary.tags == ()


def test_unknown_thread_raises_not_found(store: HistoryStore) -> None:
    for call in (
        lambda: store.rename_thread("thread_NOPE", "x"),
        lambda: store.set_tags("thread_NOPE", ["a"]),
        lambda: store.set_thread_options("thread_NOPE", model="m", options={}),
        lambda: store.delete_thread("thread_NOPE"),
        lambda: store.restore_thread("thread_NOPE"),
        lambda: store.purge_thread("thread_NOPE"),
        lambda: store.load_thread("thread_NOPE"),
        lambda: store.add_message("thread_NOPE", "user", "hi"),
        lambda: store.fork_thread("thread_NOPE", 1),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_list_is_newest_activity_first_with_preview_and_count(store: HistoryStore) -> None:
    a = store.create_thread("A")
    b = store.create_thread("B")
    c = store.create_thread("C")
    store.add_message(a, "user", "first line\n\nsecond   line")  # A becomes the most recent
    listed = store.list_threads()
    assert [t.id for t in listed] == [a, c, b]
    assert listed[0].preview == "first line second line" and listed[0].message_count == 1
    assert listed[1].preview == "" and listed[1].message_count == 0
    long = store.add_message(b, "assistant", "word " * 500)
    assert store.list_threads()[0].id == b
    assert len(store.list_threads()[0].preview) <= 160
    store.finish_message(long, "complete", "short now")
    assert store.list_threads()[0].preview == "short now"


def test_paging_by_offset_and_by_cursor_agree(store: HistoryStore) -> None:
    ids = [store.create_thread(f"T{i}") for i in range(25)]
    newest_first = list(reversed(ids))
    by_offset = [t.id for n in range(0, 25, 10) for t in store.list_threads(limit=10, offset=n)]
    assert by_offset == newest_first
    by_cursor: list[str] = []
    page = store.list_threads(limit=10)
    while page:
        by_cursor += [t.id for t in page]
        last = page[-1]
        page = store.list_threads(limit=10, before=(last.updated_at, last.id))
    assert by_cursor == newest_first


def test_list_filters(store: HistoryStore) -> None:
    a = store.create_thread("A", model="openai/gpt-4o", tags=["work"], identity_id="u1")
    b = store.create_thread("B", model="anthropic/claude", tags=["home"], kind="compare")
    c = store.create_thread("C", model="anthropic/claude", tags=["work", "home"])
    m = store.add_message(b, "assistant", "x")
    store.record_run(b, message_id=m, model_requested="openai/gpt-4o")
    assert {t.id for t in store.list_threads(model="openai/gpt-4o")} == {a, b}
    assert {t.id for t in store.list_threads(tag="work")} == {a, c}
    assert {t.id for t in store.list_threads(identity_id="u1")} == {a}
    assert {t.id for t in store.list_threads(kind="compare")} == {b}
    assert {t.id for t in store.list_threads(tag="home", model="anthropic/claude")} == {b, c}


def test_delete_hides_restore_brings_back(store: HistoryStore) -> None:
    keep = store.create_thread("keep")
    gone = store.create_thread("gone")
    store.add_message(gone, "user", "secret plans")
    store.delete_thread(gone)
    assert [t.id for t in store.list_threads()] == [keep]
    assert [t.id for t in store.list_threads(deleted=True)] == [gone]
    assert store.load_thread(gone).summary.deleted  # still readable for the undo toast
    assert store.search("plans") == []
    store.restore_thread(gone)
    assert {t.id for t in store.list_threads()} == {keep, gone}
    assert [h.thread_id for h in store.search("plans")] == [gone]


def test_purge_removes_thread_messages_runs_and_tags_but_keeps_images(
    store: HistoryStore,
) -> None:
    tid = store.create_thread("doomed", tags=["t"])
    mid = store.add_message(tid, "assistant", "ephemeral words")
    store.record_run(tid, message_id=mid, model_requested="m")
    image = store.add_image("/img/a.png", "ephemeral cat", thread_id=tid)
    store.purge_thread(tid)
    with pytest.raises(NotFoundError):
        store.load_thread(tid)
    conn = store._live()
    for table in ("messages", "runs", "thread_tags"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    [img] = store.list_images()
    assert img.id == image and img.thread_id is None
    assert [h.kind for h in store.search("ephemeral")] == ["image"]
    assert store.integrity_check() == []


def test_purge_deleted_empties_the_trash_by_age(store: HistoryStore, clock: Clock) -> None:
    old = store.create_thread("old")
    store.delete_thread(old)
    cutoff = clock.now + 10
    newer = store.create_thread("newer")
    live = store.create_thread("live")
    clock.now += 100
    store.delete_thread(newer)
    assert store.purge_deleted(older_than=cutoff) == 1
    assert [t.id for t in store.list_threads(deleted=True)] == [newer]
    assert store.purge_deleted() == 1
    assert store.list_threads(deleted=True) == []
    assert [t.id for t in store.list_threads()] == [live]


def test_fork_copies_up_to_and_including_the_message(store: HistoryStore) -> None:
    tid = store.create_thread("Plan", model="m/1", options={"temperature": 1}, tags=["x"])
    u1 = store.add_message(tid, "user", "q1")
    a1 = store.add_message(tid, "assistant", "a1")
    run = store.record_run(tid, message_id=a1, model_requested="m/1", tokens_out=7)
    store.add_message(tid, "user", "q2")
    store.add_message(tid, "assistant", "a2")
    fork = store.fork_thread(tid, a1)
    assert fork != tid
    detail = store.load_thread(fork)
    assert detail.summary.title == "Plan (fork)" and detail.summary.tags == ("x",)
    assert detail.summary.model == "m/1" and detail.options == {"temperature": 1}
    assert [(m.role, m.text) for m in detail.messages] == [("user", "q1"), ("assistant", "a1")]
    assert detail.messages[0].id != u1  # copies, not moves
    [copied_run] = detail.runs
    assert copied_run.id != run and copied_run.tokens_out == 7
    assert detail.messages[1].run_id == copied_run.id
    assert len(store.load_thread(tid).messages) == 4  # the original is untouched
    named = store.fork_thread(tid, u1, title="Branch")
    assert store.load_thread(named).summary.title == "Branch"
    assert [m.text for m in store.load_thread(named).messages] == ["q1"]


def test_fork_of_a_streaming_answer_is_marked_interrupted(store: HistoryStore) -> None:
    tid = store.create_thread("live")
    store.add_message(tid, "user", "go")
    mid = store.start_assistant_message(tid)
    store.update_message_text(mid, "partial")
    fork = store.fork_thread(tid, mid)
    copy = store.load_thread(fork).messages[-1]
    assert (copy.text, copy.state) == ("partial", "interrupted")
    assert store.load_thread(tid).messages[-1].state == "streaming"


def test_fork_refuses_a_message_of_another_thread(store: HistoryStore) -> None:
    a = store.create_thread("a")
    b = store.create_thread("b")
    mb = store.add_message(b, "user", "hi")
    with pytest.raises(NotFoundError):
        store.fork_thread(a, mb)


def test_filter_choices(store: HistoryStore) -> None:
    a = store.create_thread("a", model="m/a", tags=["t1"], identity_id="i1")
    store.create_thread("b", model="m/b", tags=["t2", "t1"])
    store.record_run(a, model_requested="m/run")
    store.add_image("/x.png", "p", model="m/img")
    choices = store.filter_choices()
    assert choices.models == ("m/a", "m/b", "m/img", "m/run")
    assert choices.tags == ("t1", "t2")
    assert choices.identities == ("i1",)
