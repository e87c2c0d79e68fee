"""P1: 25 SIGKILLs of a process writing the history the way a chat does, at random moments.

The child is the store tests' writer (``tests/store/test_history_crash.py``: a thread, the user
turn, streaming answers updated many times then finished, one acknowledgement line per commit).
After each kill: ``PRAGMA integrity_check`` is ok and every acknowledged commit is present.
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType

import pytest
from rel_state import captured_path

from orq_desktop.store.history import HistoryStore

KILLS = 25


def store_crash_module() -> ModuleType:
    path = Path(__file__).parents[1] / "store" / "test_history_crash.py"
    spec = importlib.util.spec_from_file_location("rel_store_crash_writer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WRITER = store_crash_module()


def run_and_kill(path: Path, round_no: int, rng: random.Random) -> list[list[str]]:
    """Start the writer, SIGKILL it at a random time after its first commit; its acks."""
    log = captured_path(f"sigkill-{round_no}.stderr")
    with (
        log.open("wb") as stderr,
        subprocess.Popen(
            [sys.executable, "-c", WRITER.CHILD, str(path), str(round_no)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        lines: list[str] = []
        first = threading.Event()

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                first.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert first.wait(20), "the writer never committed"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    return [line.split() for line in lines if line.endswith("\n")]  # a cut line was not acked


@pytest.mark.scenario("P1")
@pytest.mark.slow
def test_25_sigkills_during_writes_lose_no_acknowledged_commit(rel_dir: Path) -> None:
    path = rel_dir / "history.sqlite3"
    rng = random.Random(20260126)
    acknowledged = 0
    for round_no in range(KILLS):
        acks = run_and_kill(path, round_no, rng)
        acknowledged += len(acks)
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], round_no
        conn.close()
        store = HistoryStore.open(path).store
        try:
            messages = {m.id: m for m in store.load_thread(acks[0][1]).messages}
            turn_of: dict[int, int] = {}
            length_of: dict[int, int] = {}
            done: set[int] = set()
            for kind, mid, *rest in acks[1:]:
                assert int(mid) in messages, f"round {round_no}: acknowledged {kind} {mid} lost"
                if kind == "start":
                    turn_of[int(mid)] = len(turn_of)
                elif kind == "update":
                    length_of[int(mid)] = int(rest[0])
                elif kind == "done":
                    done.add(int(mid))
            for mid, length in length_of.items():
                text = messages[mid].text
                assert len(text) >= length, f"round {round_no}: update of {mid} lost"
                assert text == WRITER.full_answer(turn_of[mid])[: len(text)]
            for mid in done:
                assert messages[mid].state == "complete"
            assert all(m.state != "streaming" for m in messages.values())
        finally:
            store.close()
    assert acknowledged >= KILLS * 2
