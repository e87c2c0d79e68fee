"""Placeholders in prompts, and thread ids."""

from __future__ import annotations

import re

from orq_desktop.domain.ids import thread_id, ulid
from orq_desktop.domain.variables import find_variables, missing_values, substitute


def test_find_variables_in_order_without_duplicates() -> None:
    texts = ["Hello {{customer_name}}, about {{ issue_type }}.", "Again {{customer_name}} {{x.y}}"]
    assert find_variables(texts) == ["customer_name", "issue_type", "x.y"]


def test_not_placeholders() -> None:
    assert find_variables(["{single}", "{{}}", "{{ 9lives }}", "{{a b}}"]) == []


def test_missing_values_flags_empty_and_blank() -> None:
    assert missing_values(["a", "b", "c"], {"a": "x", "b": "  "}) == ["b", "c"]


def test_substitute_keeps_unknown() -> None:
    assert substitute("Hi {{ name }} {{other}}", {"name": "Ann"}) == "Hi Ann {{other}}"


def test_ulid_is_sortable_and_well_formed() -> None:
    a = ulid(now_ms=1_000, randomness=bytes(10))
    b = ulid(now_ms=2_000, randomness=bytes(10))
    assert a < b
    assert a == "00000000Z80000000000000000"
    assert re.fullmatch(r"thread_[0-9A-HJKMNP-TV-Z]{26}", thread_id())
    assert thread_id() != thread_id()
