"""U3: a history of 10,000 threads and 200,000 messages, opened the way the app opens it.

The file is built once for the module (``persist_big_history``: the store's schema, bulk
inserts). Then the real window, history session and sidebar start on it: the first page is
listed in under 2 s; the list is a model/view list (rows are items painted by a delegate, not
widgets: the sidebar's widget count does not grow with the rows loaded); the list and search
queries use their indexes (``EXPLAIN QUERY PLAN`` of every SELECT they run).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from persist_big_history import MESSAGES, THREADS, build
from persist_window import open_window
from PySide6.QtWidgets import QAbstractItemView, QWidget
from rel_checks import db_rows
from sql_plans import no_table_scans, plans

from orq_desktop.core.history_queries import PAGE
from orq_desktop.store.history import HistoryStore

START_LIMIT_S = 2.0


@pytest.fixture(scope="module")
def big_db(rel_root: Path) -> Path:
    path = rel_root / "u3" / "history.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    build(path)
    assert db_rows(path, "SELECT count(*), sum(message_count) FROM threads") == [
        (THREADS, MESSAGES)
    ]
    return path


@pytest.mark.scenario("U3")
def test_ten_thousand_threads_list_fast_in_a_model_view_list(
    qtbot: Any, aloop: Any, rel_dir: Path, big_db: Path
) -> None:
    t0 = time.perf_counter()
    app = open_window(qtbot, big_db, rel_dir)
    try:
        qtbot.waitUntil(lambda: app.sidebar.list.count() == PAGE, timeout=10_000)
        listed_s = time.perf_counter() - t0
        assert listed_s < START_LIMIT_S, f"first page listed after {listed_s:.2f} s"
        assert app.opened and app.history.writable
        newest = app.sidebar.list.record_at(0)
        assert newest.id == f"thread_{THREADS - 1:026d}" and newest.message_count == 20

        view = app.sidebar.list
        assert isinstance(view, QAbstractItemView)
        widgets_at_first_page = len(app.sidebar.findChildren(QWidget))
        assert widgets_at_first_page < 60
        while view.count() < 10 * PAGE:  # scroll down: the next pages are loaded
            before = view.count()
            view.scrollToBottom()
            qtbot.waitUntil(lambda b=before: view.count() > b, timeout=5_000)
        assert len(app.sidebar.findChildren(QWidget)) == widgets_at_first_page

        found: list[Any] = []
        app.history.search_done.connect(lambda _q, hits: found.append(hits))
        t1 = time.perf_counter()
        app.sidebar.search.setText("invoice quota")
        qtbot.waitUntil(lambda: bool(found), timeout=10_000)
        assert time.perf_counter() - t1 < START_LIMIT_S + 0.2  # 200 ms of typing delay
        assert found[0] and view.count() == len(found[0])
    finally:
        app.close()


@pytest.mark.scenario("U3")
def test_the_list_and_search_queries_use_indexes_on_the_big_file(big_db: Path) -> None:
    store = HistoryStore.open(big_db).store
    try:
        for steps in plans(store, lambda: store.list_threads(limit=PAGE)).values():
            assert any("USING INDEX threads_recent" in s for s in steps), steps
            assert not any("TEMP B-TREE" in s for s in steps), steps
        for kwargs in ({"tag": "tag-3"}, {"model": "openai/gpt-4o"}):
            for steps in plans(store, lambda kw=kwargs: store.list_threads(**kw)).values():
                assert no_table_scans(steps), (kwargs, steps)
        traced = plans(store, lambda: store.search("invoice"))
        fts = [steps for sql, steps in traced.items() if "MATCH" in sql]
        assert fts, traced
        for steps in fts:
            assert any("VIRTUAL TABLE INDEX" in s for s in steps), steps
            assert no_table_scans(steps), steps
        tid = store.list_threads(limit=1)[0].id
        for steps in plans(store, lambda: store.load_thread(tid)).values():
            assert no_table_scans(steps), steps
    finally:
        store.close()
