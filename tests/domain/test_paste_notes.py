"""The paste preview's sentences: grouped and counted, capped, shortened, and never a pasted key."""

from __future__ import annotations

import json

from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.paste import parse_pasted
from orq_desktop.domain.paste_notes import MAX_LINE_CHARS, MAX_LINES, PER_KIND, tidy_lines

KEY = "sk-orq-CANARY-5f0c2a7e-9b1d-4c3e-8a6f-2d4b7e9c1a30"


def python_call(count: int) -> str:
    """An SDK call whose messages each name a variable: one unused part per message."""
    messages = ",\n".join('    {"role": "user", "content": text}' for _ in range(count))
    return f"orq.router.chat_completions(\n  model='openai/gpt-4o',\n  messages=[\n{messages}\n])"


def curl_with_headers(count: int) -> str:
    headers = " ".join(f"-H 'X-Trace-{i}: v{i}'" for i in range(count))
    body = json.dumps({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    return f"curl https://api.orq.ai/v2/gateway/chat/completions {headers} -d '{body}'"


def test_ten_thousand_unused_messages_read_as_a_few_lines_with_the_count() -> None:
    text = python_call(10_000)
    assert len(text) > 280_000
    result = parse_pasted(text, check=check_request)
    variable = [line for line in result.ignored if "the variable `text`" in line]
    assert variable == [
        f"`messages[{i}].content` (not a plain value: the variable `text`)" for i in range(PER_KIND)
    ]
    assert f"… and {10_000 - PER_KIND:,} more like these" in result.ignored
    assert len(result.ignored) <= MAX_LINES + 2


def test_eight_thousand_headers_read_as_a_few_lines_with_the_count() -> None:
    result = parse_pasted(curl_with_headers(8_000), check=check_request)
    headers = [line for line in result.ignored if line.startswith("the header ")]
    assert headers == [f"the header X-Trace-{i}" for i in range(PER_KIND)]
    index = result.ignored.index(headers[-1])
    assert result.ignored[index + 1] == f"… and {8_000 - PER_KIND:,} more like these"
    assert len(result.ignored) < 12
    assert result.can_apply  # the request itself is still read


def test_many_kinds_stop_at_the_cap_and_count_the_rest() -> None:
    lines = [f"kind {chr(65 + i // 26)}{chr(65 + i % 26)} once" for i in range(100)]  # 100 kinds
    lines += ["the field `a` (not editable here)", "the field `b` (not editable here)"]
    shown = tidy_lines(lines)
    assert shown[:MAX_LINES] == lines[:MAX_LINES]
    assert shown[MAX_LINES:] == [f"… and {100 - MAX_LINES + 2:,} more"]


def test_few_lines_pass_unchanged_and_long_ones_are_shortened() -> None:
    lines = ["the field `a` (not editable here)", "the header X-One", "the header X-Two"]
    assert tidy_lines(lines) == lines
    (long,) = tidy_lines(["the header " + "X" * 5_000])
    assert len(long) == MAX_LINE_CHARS and long.endswith("…")


def test_an_error_quoting_a_pasted_key_and_a_field_named_like_one_never_repeat_it() -> None:
    body = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    body |= {"temperature": KEY, KEY: 1}
    arguments = ", ".join(f"{k}={v!r}" for k, v in body.items() if k != KEY)
    texts = [
        json.dumps(body),
        f"curl https://api.orq.ai/v2/gateway/chat/completions -d '{json.dumps(body)}'",
        f"orq.router.chat_completions({arguments})",
    ]
    for text in texts:
        result = parse_pasted(text, check=check_request)
        said = "\n".join(result.errors + result.notes + result.ignored)
        assert KEY not in said
        assert "CANARY" not in said
        if result.kind != "python":  # a Python keyword cannot be named like the key
            assert "the field `[redacted]` (not editable here)" in result.ignored
        # A key-shaped value is dropped before it is checked, so no error can quote it.
        assert any(
            line.startswith("The field `temperature` was dropped") for line in said.split("\n")
        )
        assert not any("Temperature must be a number" in line for line in result.errors)
