"""The queries that must stay fast on a big history use their indexes (EXPLAIN QUERY PLAN).

benchmarks/history.py measures them on 10,000 threads and 200,000 messages; this guards the
plans on every test run, so a schema or query edit cannot quietly turn a look-up into a scan.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sql_plans import no_table_scans, plans

from orq_desktop.store.history import HistoryStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(tmp_path / "history.sqlite3").store
    for n in range(30):
        tid = s.create_thread(f"thread {n}", model="m/a", tags=["t"], identity_id=f"u{n % 3}")
        for i in range(4):
            s.add_message(tid, "user" if i % 2 == 0 else "assistant", f"word{i} common text {n}")
        s.add_image(f"/{n}.png", f"common picture {n}", model="m/img", thread_id=tid)
    s._live().execute("ANALYZE")
    yield s
    s.close()


def test_sidebar_page_reads_the_recent_index_without_sorting(store: HistoryStore) -> None:
    for steps in plans(store, lambda: store.list_threads(limit=50)).values():
        assert any("USING INDEX threads_recent" in s for s in steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps


def test_list_filters_use_indexes(store: HistoryStore) -> None:
    for kwargs in ({"tag": "t"}, {"identity_id": "u1"}, {"model": "m/a"}):
        for steps in plans(store, lambda kw=kwargs: store.list_threads(**kw)).values():
            assert no_table_scans(steps), (kwargs, steps)


def test_recovery_on_open_reads_only_streaming_rows(store: HistoryStore) -> None:
    conn: sqlite3.Connection = store._live()
    steps = [
        r[3]
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM messages WHERE state = 'streaming'"
        )
    ]
    assert steps == ["SEARCH messages USING COVERING INDEX messages_streaming (state=?)"]


def test_search_walks_the_full_text_index_newest_first(store: HistoryStore) -> None:
    for kwargs in ({}, {"tag": "t"}, {"model": "m/a"}, {"identity_id": "u1"}):
        traced = plans(store, lambda kw=kwargs: store.search("common", **kw))
        fts = [steps for sql, steps in traced.items() if "MATCH" in sql]
        assert len(fts) == 2, traced  # messages and images
        for steps in fts:
            assert any("VIRTUAL TABLE INDEX" in s for s in steps), steps
            assert not any("TEMP B-TREE" in s for s in steps), steps
            assert no_table_scans(steps), steps


def test_loading_a_thread_uses_its_indexes(store: HistoryStore) -> None:
    tid = store.list_threads(limit=1)[0].id
    for steps in plans(store, lambda: store.load_thread(tid)).values():
        assert no_table_scans(steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps
