"""truncate_thread: a message and everything after it leave the thread; the thread stays itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_types import NotFoundError


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(tmp_path / "history.sqlite3").store
    yield s
    s.close()


def _conversation(store: HistoryStore) -> tuple[str, list[int], list[int]]:
    """A thread of two turns, each answer with its run; (thread, message ids, run ids)."""
    tid = store.create_thread("Plans", model="m/1", options={"temperature": 1}, tags=["trip"])
    ids = [store.add_message(tid, "system", "Be brief")]
    runs = []
    for question, answer in (("alpine hiking", "glaciers"), ("coastal sailing", "lighthouses")):
        ids.append(store.add_message(tid, "user", question))
        ids.append(store.add_message(tid, "assistant", answer))
        runs.append(store.record_run(tid, message_id=ids[-1], model_requested="m/1"))
    return tid, ids, runs


def test_the_messages_from_the_cut_on_are_gone_and_the_earlier_ones_intact(
    store: HistoryStore,
) -> None:
    tid, ids, runs = _conversation(store)
    before = store.load_thread(tid)
    assert store.truncate_thread(tid, ids[3]) == 2  # the second question and its answer
    after = store.load_thread(tid)
    assert after.messages == before.messages[:3]  # same ids, texts, positions, run links
    assert [r.id for r in after.runs] == runs[:1]
    assert after.messages[2].run_id == runs[0]
    s = after.summary
    assert (s.id, s.title, s.tags, s.model) == (tid, "Plans", ("trip",), "m/1")
    assert after.options == {"temperature": 1}
    assert (s.message_count, s.preview) == (3, "glaciers")  # the sidebar row follows
    assert [t.id for t in store.list_threads()] == [tid]
    conn = store._live()
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    assert store.integrity_check() == []


def test_search_no_longer_finds_what_was_cut(store: HistoryStore) -> None:
    tid, ids, _runs = _conversation(store)
    assert [h.item_id for h in store.search("lighthouses")] == [ids[4]]
    store.truncate_thread(tid, ids[3])
    assert store.search("lighthouses") == []
    assert store.search("sailing") == []
    assert [h.item_id for h in store.search("glaciers")] == [ids[2]]
    # What comes next continues the thread where it now ends, and is found.
    new = store.add_message(tid, "user", "desert trekking")
    after = store.load_thread(tid)
    assert [m.id for m in after.messages] == [*ids[:3], new]
    assert after.messages[-1].position == after.messages[-2].position + 1
    assert [(h.thread_id, h.item_id) for h in store.search("desert")] == [(tid, new)]
    assert store.integrity_check() == []


def test_cutting_at_the_first_message_leaves_an_empty_thread_with_its_id(
    store: HistoryStore,
) -> None:
    tid, ids, _runs = _conversation(store)
    assert store.truncate_thread(tid, ids[0]) == 5
    after = store.load_thread(tid)
    assert after.messages == () and after.runs == ()
    assert (after.summary.title, after.summary.message_count, after.summary.preview) == (
        "Plans",
        0,
        "",
    )
    assert store.search("glaciers") == []
    assert store.integrity_check() == []


def test_a_streaming_answer_can_be_cut(store: HistoryStore) -> None:
    """A streaming row is not in the index yet: cutting it must not corrupt the index."""
    tid = store.create_thread("live")
    store.add_message(tid, "user", "volcano facts")
    mid = store.start_assistant_message(tid)
    store.update_message_text(mid, "magma chambers")
    assert store.truncate_thread(tid, mid) == 1
    assert [m.text for m in store.load_thread(tid).messages] == ["volcano facts"]
    assert store.search("magma") == []
    assert store.integrity_check() == []


def test_a_message_of_another_thread_is_refused_and_nothing_changes(store: HistoryStore) -> None:
    tid, ids, _runs = _conversation(store)
    other = store.create_thread("other")
    foreign = store.add_message(other, "user", "elsewhere")
    before = store.load_thread(tid)
    with pytest.raises(NotFoundError):
        store.truncate_thread(tid, foreign)
    with pytest.raises(NotFoundError):
        store.truncate_thread("thread_missing", ids[1])
    assert store.load_thread(tid) == before
    assert [m.text for m in store.load_thread(other).messages] == ["elsewhere"]
