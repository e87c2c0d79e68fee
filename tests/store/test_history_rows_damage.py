"""Rows with cells of the wrong type (a damaged file) are read, never raised on (B13)."""

from __future__ import annotations

from orq_desktop.store import history_rows as rows


def message_row(**cells: object) -> tuple[object, ...]:
    base: dict[str, object] = {
        "id": 7, "thread_id": "thread_X", "position": 2, "role": "assistant", "text": "hi",
        "state": "complete", "created_at": 1.5, "updated_at": 2, "run_id": None,
        "column_index": None,
    }  # fmt: skip
    base.update(cells)
    return tuple(base.values())


def test_a_whole_row_reads_as_it_is() -> None:
    m = rows.message_from_row(message_row())
    assert (m.role, m.text, m.state, m.created_at, m.updated_at) == (
        "assistant", "hi", "complete", 1.5, 2.0,
    )  # fmt: skip


def test_only_a_text_that_cannot_be_read_makes_the_message_unreadable() -> None:
    for cells in ({"text": None}, {"text": b"\x89PNG"}, {"text": 42}, {"role": None, "text": None}):
        damaged: list[tuple[str, ...]] = []
        m = rows.message_from_row(message_row(**cells), damaged)
        assert m.state == rows.UNREADABLE, cells
        assert m.text == "" and m.id == 7, cells
        assert damaged == [], cells  # counted by the core as unreadable, not as "part of"


def test_a_bad_cell_falls_back_on_its_own_and_the_text_is_kept() -> None:
    cases: list[tuple[dict[str, object], dict[str, object], tuple[str, ...]]] = [
        ({"created_at": "yesterday"}, {"created_at": 2.0, "updated_at": 2.0}, ("created_at",)),
        (
            {"created_at": "x", "updated_at": None},
            {"created_at": 99.0, "updated_at": 99.0},  # the thread's time
            ("created_at", "updated_at"),
        ),
        ({"updated_at": b"?"}, {"created_at": 1.5, "updated_at": 1.5}, ("updated_at",)),
        ({"state": "finished?"}, {"state": "interrupted"}, ("state",)),
        ({"state": None, "role": "user"}, {"state": "complete", "role": "user"}, ("state",)),
        ({"role": "martian"}, {"role": "", "state": "complete"}, ("role",)),
        ({"role": None}, {"role": ""}, ("role",)),
        ({"position": "x"}, {"position": -1}, ("position",)),
        ({"run_id": "r1"}, {"run_id": None}, ("run_id",)),
        ({"column_index": 1.5}, {"column_index": None}, ("column_index",)),
    ]
    for cells, expected, bad in cases:
        damaged: list[tuple[str, ...]] = []
        m = rows.message_from_row(message_row(**cells), damaged, fallback_time=99.0)
        assert m.text == "hi" and m.id == 7 and m.state != rows.UNREADABLE, cells
        assert {k: getattr(m, k) for k in expected} == expected, cells
        assert damaged == [bad], cells


def test_a_copy_marked_unreadable_reads_as_unreadable() -> None:
    m = rows.message_from_row(message_row(text="", state=rows.UNREADABLE))
    assert (m.state, m.text) == (rows.UNREADABLE, "")


def test_the_damage_note_names_what_was_lost() -> None:
    assert rows.damage_note([]) is None
    assert rows.damage_note([("created_at",)]) == (
        "Part of what was saved for 1 message could not be read (its time); the text is kept."
    )
    note = rows.damage_note([("state", "updated_at"), ("created_at",)])
    assert note is not None and note.startswith("Part of what was saved for 2 messages")
    assert "(its time, whether it was complete)" in note


def test_a_run_with_words_in_number_columns_reads_them_as_unknown() -> None:
    raw = (3, "thread_X", 7, None, "{bad", "m/a", 5, "ok", "fast", 900, 1.5, "many", 1, None,
           None, "then")  # fmt: skip
    run = rows.run_from_row(raw)
    assert run.request == {} and run.model_answered is None
    assert (run.status_code, run.ttft_ms, run.total_ms, run.tokens_in, run.tokens_out) == (
        None, None, 900.0, None, None,
    )  # fmt: skip
    assert run.finish_reason is None and run.created_at == 0.0


def test_a_damaged_sidebar_row_still_lists() -> None:
    raw = ("thread_X", b"\xff", "then", 5.0, None, "odd", None, 42, 99, "many", 0)
    s = rows.summary_from_row(raw)
    assert (s.id, s.title, s.created_at, s.updated_at, s.model, s.kind) == (
        "thread_X", "", 0.0, 5.0, "", "chat",
    )  # fmt: skip
    assert (s.tags, s.preview, s.message_count, s.deleted) == ((), "", 0, False)
    fine = ("thread_Y", "t", 1.0, 2.0, "m", "chat", None, "a\x1fb", "p", 3, 1)
    assert rows.summary_from_row(fine).tags == ("a", "b")
