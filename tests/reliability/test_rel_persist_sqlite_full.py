"""P7: the disk fills up while a chat answer is being saved (SQLITE_FULL on a real tmpfs).

The history's data folder is a 2 MiB tmpfs. A first turn is saved; the second turn is saved
before it is sent, then the folder's free space is filled (a file of zeros until ``ENOSPC``)
while the answer streams, so its writes fail with SQLITE_FULL. The window's save mark must say
the disk is full, the earlier history must be intact (``integrity_check``), the answer must stay
on screen, and once the filler is deleted the answer's save is tried again and lands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from persist_tmpfs import fill, free_bytes, tmpfs
from persist_window import open_window
from rel_checks import db_rows
from rel_server import Reply, ScriptedRouter

PIECES, PIECE = 20, "All work and no play makes a dull disk. " * 250  # 10 KB each, 200 KB


def messages(db: Path) -> list[tuple[str, str, str]]:
    return [
        (r, s, t) for r, s, t in db_rows(db, "SELECT role, state, text FROM messages ORDER BY id")
    ]


@pytest.mark.scenario("P7")
def test_a_full_disk_during_the_save_keeps_the_answer_and_saves_it_once_space_is_freed(
    qtbot: Any, aloop: Any, router: ScriptedRouter, rel_dir: Path
) -> None:
    with tmpfs(rel_dir / "data", "2m") as data:
        db = data / "history.sqlite3"
        app = open_window(qtbot, db, rel_dir, router.url)
        try:
            assert app.opened
            app.history.recorder.retry_delays = (0.2,)
            indicator = app.wiring.indicator

            router.script(Reply.sse(["Saved", " before"]))
            send(app, "first question")
            qtbot.waitUntil(lambda: indicator.kind == "saved")
            before = messages(db)
            assert before == [
                ("user", "complete", "first question"),
                ("assistant", "complete", "Saved before"),
            ]

            router.script(Reply.sse([PIECE] * PIECES, delay=0.03))
            started = len(app.session.turns)
            send(app, "second question")
            qtbot.waitUntil(lambda: len(app.session.turns) == started + 2)  # saved, then sent
            filler = fill(data)
            assert free_bytes(data) < 64 * 1024
            qtbot.waitUntil(lambda: not app.session.busy, timeout=15_000)

            # What the user sees: the whole answer, and the save mark naming the full disk.
            answer = app.session.turns[-1]
            assert answer.text == PIECE * PIECES
            widget = app.transcript.message_widget(answer.msg_id)
            assert widget is not None and widget.text() == answer.text
            qtbot.waitUntil(lambda: indicator.kind == "failed")
            assert indicator.isVisible()
            assert indicator.text() == (
                "⚠ Not saved: The disk is full, so the history could not be saved."
            )

            # The file: earlier turns intact, the new answer not final yet, no damage.
            assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
            now = messages(db)
            assert now[:2] == before
            assert now[2] == ("user", "complete", "second question")
            assert now[3][:2] == ("assistant", "streaming")
            assert now[3][2] != answer.text

            filler.unlink()  # space is freed: the save is tried again on its own
            qtbot.waitUntil(lambda: indicator.kind == "saved", timeout=10_000)
            assert indicator.text() == "✓ Saved"
            assert messages(db)[3] == ("assistant", "complete", answer.text)
            assert db_rows(db, "PRAGMA integrity_check") == [("ok",)]
        finally:
            app.close()


def send(app: Any, prompt: str) -> None:
    app.panel.params.model_picker.set_model_id("openai/gpt-4o")
    app.panel.prompt_input.setPlainText(prompt)
    # The last answer's save can be marked before its task has ended: Send is enabled again
    # only then (a click on the disabled button would do nothing).
    app.qtbot.waitUntil(app.panel.composer.send_button.isEnabled, timeout=5000)
    app.panel.composer.send_button.click()
