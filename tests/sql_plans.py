"""Query plans for the history's index tests (tests/store and the reliability suite's U3)."""

from __future__ import annotations

from collections.abc import Callable

from orq_desktop.store.history import HistoryStore


def plans(store: HistoryStore, call: Callable[[], object]) -> dict[str, list[str]]:
    """The query plan of every SELECT that ``call`` runs, keyed by the statement."""
    conn = store._live()
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    out = {}
    for sql in seen:
        if sql.lstrip().upper().startswith("SELECT"):
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            out[sql] = [r[3] for r in rows]
    assert out, "no SELECT was traced"
    return out


def no_table_scans(steps: list[str]) -> bool:
    """Every SCAN goes through an index or the full-text index, never through table rows."""
    return all(
        "USING INDEX" in s or "COVERING INDEX" in s or "VIRTUAL TABLE" in s
        for s in steps
        if s.startswith("SCAN")
    )
