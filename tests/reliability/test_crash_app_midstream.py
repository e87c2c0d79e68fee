"""The real app, SIGKILLed while an answer streams: the history keeps the user turn and the
partial answer (at most a second behind what had arrived), the file is sound, and the next
start marks the answer as interrupted."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crash_app_driver import PROMPT
from rel_state import captured_path

from orq_desktop.store.history import HistoryStore

pytestmark = [pytest.mark.slow, pytest.mark.scenario("P2")]

DRIVER = Path(__file__).with_name("crash_app_driver.py")
TOKENS_PER_SECOND = 8.0
STREAMED_BEFORE_KILL_S = 2.5  # long enough for several saves of the partial answer


def streaming_text(db: Path) -> str | None:
    """The text of the answer being streamed, as committed (None before there is one)."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        try:
            found = conn.execute(
                "SELECT text FROM messages WHERE role = 'assistant' AND state = 'streaming'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # being created right now
    return None if found is None else str(found[0])


def pieces(progress: Path) -> list[tuple[float, str]]:
    out = []
    for line in progress.read_text(encoding="utf-8").splitlines():
        if line.strip():
            at, text = json.loads(line)  # a line cut by the kill would fail here: none is
            out.append((float(at), str(text)))
    return out


def test_sigkill_mid_stream_keeps_the_turn_and_the_partial_answer(rel_dir: Path) -> None:
    data = rel_dir / "appdata"
    db = data / "history.sqlite3"
    progress = captured_path(f"{rel_dir.name}-progress.jsonl")
    output = captured_path(f"{rel_dir.name}-output.txt")
    env = {**os.environ, "ORQ_DESKTOP_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    with open(output, "wb") as out:
        child = subprocess.Popen(
            [sys.executable, str(DRIVER), str(progress), str(TOKENS_PER_SECOND)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=rel_dir,
        )
        try:
            first_seen: float | None = None
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline and child.poll() is None:
                text = streaming_text(db)
                if text:
                    first_seen = first_seen or time.monotonic()
                    if time.monotonic() - first_seen >= STREAMED_BEFORE_KILL_S:
                        break
                time.sleep(0.05)
            assert child.poll() is None, output.read_text(errors="replace")
            assert first_seen is not None, "no partial answer reached the file in time"
            killed_at = time.time()
            os.kill(child.pid, signal.SIGKILL)
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    received = pieces(progress)
    assert received[0][1] == ""  # the send
    arrived = "".join(text for _at, text in received)
    a_second_before = "".join(text for at, text in received if at <= killed_at - 1.0)

    conn = sqlite3.connect(db)  # what the next start finds (SQLite replays the log)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        (thread_id,) = conn.execute("SELECT id FROM threads").fetchone()
        saved = conn.execute(
            "SELECT role, state, text FROM messages WHERE thread_id = ? ORDER BY position",
            (thread_id,),
        ).fetchall()
    finally:
        conn.close()
    assert [(r, s) for r, s, _t in saved] == [("user", "complete"), ("assistant", "streaming")]
    assert saved[0][2] == PROMPT
    partial = saved[1][2]
    assert partial and arrived.startswith(partial)  # what was saved had arrived, in order
    assert len(partial) >= len(a_second_before), (
        f"the file held {len(partial)} characters; {len(a_second_before)} had arrived a second"
        " before the kill"
    )
    assert len(partial) < len(PROMPT) * 20  # a partial answer, not a finished one
    last_piece = max(at for at, _t in received)
    print(  # the figures behind the verdict (shown with -s)
        f"\nkilled {killed_at - received[0][0]:.2f} s after the send; {len(arrived)} characters"
        f" had arrived (the last {killed_at - last_piece:.2f} s before the kill), {len(partial)}"
        f" were on disk, {len(a_second_before)} had arrived a second before the kill"
    )

    opened = HistoryStore.open(db)  # the next start
    store = opened.store
    try:
        assert [n.kind for n in opened.notices] == ["recovered"]
        detail = store.load_thread(thread_id)
        assert [(m.role, m.state, m.text) for m in detail.messages] == [
            ("user", "complete", PROMPT),
            ("assistant", "interrupted", partial),
        ]
        assert store.integrity_check() == []
    finally:
        store.close()
