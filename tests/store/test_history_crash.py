"""Crash safety: a writer process killed with SIGKILL never loses an acknowledged commit.

The child writes the way the chat session does (a thread, the user turn, a streaming answer
updated many times, then finished) and prints a line after each call returns, i.e. after each
commit. The parent kills it at a random moment, then checks the file and every acknowledgement.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore

KILLS = 5

CHILD = textwrap.dedent(
    """
    import sys
    from orq_desktop.store.history import HistoryStore

    store = HistoryStore.open(sys.argv[1]).store
    tid = store.create_thread("crash " + sys.argv[2])
    print("thread", tid, flush=True)
    uid = store.add_message(tid, "user", "question " + sys.argv[2])
    print("user", uid, flush=True)
    turn = 0
    while True:
        mid = store.start_assistant_message(tid)
        print("start", mid, flush=True)
        text = ""
        for n in range(25):
            text += f"t{turn}w{n} "
            store.update_message_text(mid, text)
            print("update", mid, len(text), flush=True)
        store.finish_message(mid, "complete")
        print("done", mid, flush=True)
        turn += 1
    """
)


def full_answer(turn: int) -> str:
    """What the child's answer number ``turn`` reads once all its updates are saved."""
    return "".join(f"t{turn}w{n} " for n in range(25))


def run_and_kill(path: Path, round_no: int, rng: random.Random) -> list[list[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(round_no)],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        acks: list[list[str]] = []
        wanted = rng.randint(3, 150)
        deadline = time.monotonic() + 30
        while len(acks) < wanted and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acks.append(line.split())
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()  # lines written before the kill were acknowledged too
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    acks += [line.split() for line in rest.splitlines() if line.strip()]
    assert acks, "the child acknowledged nothing before it was killed"
    return acks


@pytest.mark.slow
def test_sigkill_mid_write_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    rng = random.Random(1234)
    total_acks = 0
    for round_no in range(KILLS):
        acks = run_and_kill(path, round_no, rng)
        total_acks += len(acks)

        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()

        opened = HistoryStore.open(path)
        store = opened.store
        assert all(n.kind == "recovered" for n in opened.notices)
        assert store.integrity_check() == []
        thread_id = acks[0][1]
        detail = store.load_thread(thread_id)
        messages = {m.id: m for m in detail.messages}
        turn_of: dict[int, int] = {}
        last_length: dict[int, int] = {}
        finished: set[int] = set()
        for ack in acks[1:]:
            kind, mid = ack[0], int(ack[1])
            assert mid in messages, f"acknowledged {kind} of message {mid} is missing"
            if kind == "start":
                turn_of[mid] = len(turn_of)
            elif kind == "update":
                last_length[mid] = int(ack[2])
            elif kind == "done":
                finished.add(mid)
        for mid, length in last_length.items():
            text = messages[mid].text
            # At least what was acknowledged; perhaps one update more (committed, not yet printed).
            assert len(text) >= length
            assert text == full_answer(turn_of[mid])[: len(text)]
        for mid in finished:
            assert messages[mid].state == "complete"
            assert messages[mid].text == full_answer(turn_of[mid])
        assert all(m.state != "streaming" for m in detail.messages)  # no endless spinner
        unfinished = [m for m in detail.messages if m.role == "assistant" and m.id not in finished]
        assert all(m.state in ("interrupted", "complete") for m in unfinished)
        store.close()
    assert total_acks >= KILLS * 3
