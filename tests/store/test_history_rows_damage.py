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


def test_null_or_wrong_types_make_the_message_unreadable_not_an_error() -> None:
    for cells in (
        {"role": None},
        {"text": None},
        {"text": b"\x89PNG"},
        {"role": "martian"},
        {"created_at": "yesterday"},
        {"position": "x"},
        {"run_id": "r1"},
    ):
        m = rows.message_from_row(message_row(**cells))
        assert m.state == rows.UNREADABLE, cells
        assert m.text == "" and m.id == 7, cells


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
