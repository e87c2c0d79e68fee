"""The history in the app at scale: 10,000 threads and 200,000 messages against an empty history.

    QT_QPA_PLATFORM=offscreen python benchmarks/history_ui.py [--runs 15] [--cache-dir DIR]

Reuses the database that ``benchmarks/history.py`` builds (and builds it if it is missing).

1. Start-up to a listed sidebar: with the real ``HistorySidebar`` already shown empty (as the
   window's first frame shows it), a ``HistorySession`` is made (its database thread started),
   the file is opened on that thread (header checks, pragmas, recovery), the sidebar is bound
   and asks for its first page, the page comes back through the session's signal, its rows are
   added to the list, and the shown window is repainted at once. Timed in one process on the
   qasync loop, from just before the session is made to the end of that repaint; median of
   ``--runs``, interleaved with the same on an empty history and on a one-page history (the
   big history's first 50 threads alone: the same rows to paint, in a small file).
   Goal: 10k / empty <= 1.3 to the listed sidebar. Painting 50 rows costs the same whatever
   is behind them, so the painted times are compared with the one-page history.
2. Search through the session API (``HistorySession.search``: the hop to the database thread, the
   query, the hop back, the ``search_done`` signal) with the queries of ``benchmarks/history.py``
   (common, rare, prefixes, phrases, filters), each 3 times. Goal: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

import history as store_bench  # benchmarks/history.py: the builder and the queries

from orq_desktop.store.schema import MIGRATIONS, SCHEMA_VERSION


def big_database(cache_dir: Path) -> Path:
    """The cached 10k-thread database of ``benchmarks/history.py`` (built when missing)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    schema_hash = hashlib.sha256(repr(MIGRATIONS).encode()).hexdigest()[:10]
    name = f"history-s{SCHEMA_VERSION}-{schema_hash}-g{store_bench.GENERATOR_VERSION}.sqlite3"
    path = cache_dir / name
    if not path.exists():
        store_bench.build(path)
    return path


async def listed_sidebar(path: Path, window, sidebar_slot) -> tuple[float, float, object]:
    """(ms to the first page in the list, ms to it painted, the session) for one start."""
    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.history_session import HistorySession
    from orq_desktop.ui.history_sidebar import HistorySidebar

    chat = ChatSession(lambda: None)  # never sends
    sidebar = HistorySidebar()
    sidebar_slot(sidebar)
    window.repaint()  # the app paints the empty sidebar with its first frame, before the history
    listed = asyncio.get_running_loop().create_future()
    t0 = time.perf_counter()
    history = HistorySession(chat)
    await history.open(path)
    sidebar.bind(history)  # asks for the first page
    # Connected after the sidebar's own slot, so this runs once the rows are in the list.
    history.threads_listed.connect(
        lambda _q, _page: listed.done() or listed.set_result(time.perf_counter())
    )
    t_listed = await listed
    window.repaint()
    t_painted = time.perf_counter()
    assert sidebar.list.count() in (0, 50)
    await history.aclose()
    return (t_listed - t0) * 1000, (t_painted - t0) * 1000, chat


def one_page(path: Path, full: Path) -> Path:
    """50 threads with the titles, tags and previews of the big history's first page: the same
    rows to paint, in a small file."""
    from orq_desktop.store.history import HistoryStore

    big = HistoryStore.open(full).store
    page = big.list_threads(limit=50)
    big.close()
    store = HistoryStore.open(path).store
    for t in reversed(page):
        tid = store.create_thread(t.title, model=t.model, tags=t.tags, identity_id=t.identity_id)
        store.add_message(tid, "assistant", t.preview)
    store.close()
    return path


async def startup(paths: dict[str, Path], runs: int, window, sidebar_slot) -> None:
    for path in paths.values():  # warm the page cache and the code paths
        await listed_sidebar(path, window, sidebar_slot)
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in paths}
    for _ in range(runs):  # interleaved, so machine noise hits all alike
        for label, path in paths.items():
            listed, painted, _chat = await listed_sidebar(path, window, sidebar_slot)
            times[label].append((listed, painted))
    med = {
        label: [statistics.median(t[i] for t in got) for i in (0, 1)]
        for label, got in times.items()
    }
    e, p, f = med["empty"], med["one page"], med["10k threads"]
    print(
        f"start-up to a listed sidebar (median of {runs}): empty {e[0]:6.2f} ms, "
        f"one page {p[0]:6.2f} ms, 10k threads {f[0]:6.2f} ms, "
        f"ratio 10k / empty {f[0] / e[0]:4.2f}  (goal <= 1.3)"
    )
    print(
        f"start-up to a listed and painted sidebar: empty {e[1]:6.2f} ms, "
        f"one page {p[1]:6.2f} ms, 10k threads {f[1]:6.2f} ms, "
        f"ratio 10k / one page {f[1] / p[1]:4.2f}"
    )


async def search(full: Path, rng: random.Random) -> None:
    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.history_queries import HistoryFilters, SearchQuery
    from orq_desktop.core.history_session import HistorySession

    plan = store_bench.queries(full, rng)
    history = HistorySession(ChatSession(lambda: None))
    await history.open(full)
    by_cat: dict[str, list[float]] = {}
    hits = 0
    for cat, text, filters in plan:
        query = SearchQuery(text, HistoryFilters(**filters))
        await history.search(query)  # warm
        for _ in range(3):
            t0 = time.perf_counter()
            found = await history.search(query)
            by_cat.setdefault(cat, []).append((time.perf_counter() - t0) * 1000)
        hits += bool(found)
    await history.aclose()
    every = [t for times in by_cat.values() for t in times]
    print(f"\nsearch through HistorySession.search: {len(plan)} queries x 3, {hits} with hits")
    for cat, times in by_cat.items():
        print(
            f"  {cat:12} n={len(times):3}  p50 {store_bench.pct(times, 50):6.2f} ms  "
            f"p95 {store_bench.pct(times, 95):6.2f} ms  max {max(times):6.2f} ms"
        )
    print(
        f"  {'all':12} n={len(every):3}  p50 {store_bench.pct(every, 50):6.2f} ms  "
        f"p95 {store_bench.pct(every, 95):6.2f} ms  max {max(every):6.2f} ms  (goal <= 50 ms)"
    )


async def main_async(args: argparse.Namespace) -> None:
    from PySide6.QtWidgets import QMainWindow

    from orq_desktop.store.history import HistoryStore

    full = big_database(args.cache_dir)
    print(f"database: {full} ({full.stat().st_size / 2**20:.0f} MiB)")
    window = QMainWindow()
    window.resize(1200, 800)
    window.show()

    def put(sidebar) -> None:
        old = window.centralWidget()
        window.setCentralWidget(sidebar)  # the old one is deleted by Qt
        del old

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.sqlite3"
        HistoryStore.open(empty).store.close()
        page = one_page(Path(tmp) / "one-page.sqlite3", full)
        paths = {"empty": empty, "one page": page, "10k threads": full}
        await startup(paths, args.runs, window, put)
    await search(full, random.Random(7))
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "orq-desktop-bench"
    )
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from orq_desktop.core.loop import EventLoop

    app = QApplication.instance() or QApplication(sys.argv[:1])
    asyncio.run(main_async(args), loop_factory=lambda: EventLoop(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
