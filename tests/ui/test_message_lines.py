"""Plain-text steps: bounded in characters and lines; over-long lines cut for the view only."""

from __future__ import annotations

import random

from orq_desktop.ui.message_lines import LineBreaker, step_end


def test_a_step_stops_at_the_line_budget() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    end = step_end(text, 0, 1_000_000, 10)
    assert text[:end] == "".join(f"line {i}\n" for i in range(10))
    again = step_end(text, end, 1_000_000, 10)
    assert text[end:again] == "".join(f"line {i}\n" for i in range(10, 20))


def test_a_step_stops_at_the_character_budget_and_the_end() -> None:
    text = "x" * 500 + "\n" + "y" * 500
    assert step_end(text, 0, 100, 10) == 100
    assert step_end(text, 450, 100, 1) == 501  # the line break comes first
    assert step_end(text, 450, 100, 2) == 550
    assert step_end(text, 900, 1000, 10) == len(text)
    assert step_end(text, len(text), 1000, 10) == len(text)


def test_short_lines_pass_unchanged() -> None:
    breaker = LineBreaker(80)
    text = "one\ntwo three\n\nfour"
    assert breaker.feed(text) == text


def test_a_long_line_fed_in_pieces_is_cut_at_the_limit() -> None:
    breaker = LineBreaker(100)
    line = "".join(str(i % 10) for i in range(1050))
    pieces = [line[i : i + 37] for i in range(0, len(line), 37)]
    shown = "".join(breaker.feed(p) for p in pieces)
    assert shown.replace("\n", "") == line
    assert [len(x) for x in shown.split("\n")] == [100] * 10 + [50]


def test_any_text_keeps_every_character_and_no_line_passes_the_limit() -> None:
    rnd = random.Random(7)
    for _ in range(50):
        text = "".join(
            rnd.choice(["a", "b", " ", "\n", "é"]) * rnd.randint(1, 300) for _ in range(40)
        )
        breaker = LineBreaker(64)
        cuts = sorted(rnd.sample(range(len(text)), min(5, len(text))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        shown = "".join(breaker.feed(p) for p in pieces)
        assert max(len(x) for x in shown.split("\n")) <= 64
        # Only line breaks were added, and only inside lines that were too long.
        assert shown.replace("\n", "") == text.replace("\n", "")
        assert shown.count("\n") >= text.count("\n")
        breaker.reset()
        assert breaker.feed("z" * 64) == "z" * 64
