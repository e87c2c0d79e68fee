"""A preset keeps a thread's tags but never one conversation's thread id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.presets_store import PresetsStore, check_request
from orq_desktop.domain.presets import (
    PRESET_FORMAT,
    Preset,
    keep_thread_id,
    make_preset,
    parse_preset,
    preset_to_bytes,
)

OPTIONS: dict[str, Any] = {"model": "openai/gpt-4o", "stream": False}
SAVED = "thread_01HZZZSAVEDCONVERSATION0"
ROUTING: dict[str, Any] = {
    "thread": {"id": SAVED, "tags": ["vip", "support"]},
    "retry": {"count": 1},
}


def test_make_preset_drops_the_thread_id_and_keeps_the_tags() -> None:
    preset = make_preset("Tagged", OPTIONS, "", ROUTING, check=check_request)
    assert preset.orq == {"thread": {"tags": ["vip", "support"]}, "retry": {"count": 1}}
    assert SAVED not in preset_to_bytes(preset).decode()
    assert ROUTING["thread"]["id"] == SAVED  # the caller's routing is not changed


def test_an_imported_preset_drops_the_thread_id(tmp_path: Path) -> None:
    data = {"format": PRESET_FORMAT, "version": 1, "name": "In", "model": "m", "orq": ROUTING}
    assert parse_preset(json.dumps(data), check=check_request).orq["thread"] == {
        "tags": ["vip", "support"]
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    store = PresetsStore(tmp_path / "presets.json")
    store.import_file(path)
    assert SAVED not in (tmp_path / "presets.json").read_text(encoding="utf-8")


def test_an_old_presets_file_with_a_thread_id_loads_without_it(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    entry = {"format": PRESET_FORMAT, "version": 1, "name": "Old", "model": "m", "orq": ROUTING}
    path.write_text(
        json.dumps({"format": "orq-desktop-presets", "version": 1, "presets": [entry]}),
        encoding="utf-8",
    )
    store = PresetsStore(path)
    assert store.load_problems == []
    old = store.get("Old")
    assert old is not None and "id" not in old.orq["thread"]


def test_the_store_drops_a_thread_id_from_a_preset_built_directly(tmp_path: Path) -> None:
    store = PresetsStore(tmp_path / "presets.json")
    store.save(Preset("Direct", "m", {}, "", ROUTING))
    assert store.get("Direct") == Preset(
        "Direct", "m", {}, "", {**ROUTING, "thread": {"tags": ["vip", "support"]}}
    )
    assert SAVED not in (tmp_path / "presets.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("current", [{}, {"retry": {"count": 3}}, {"thread": {"id": ""}}])
def test_applying_a_preset_to_a_chat_with_no_thread_id_starts_a_new_one(
    current: dict[str, Any],
) -> None:
    preset = make_preset("Tagged", OPTIONS, "", ROUTING)
    first = keep_thread_id(preset.orq, current)
    second = keep_thread_id(preset.orq, current)
    assert first["thread"]["tags"] == ["vip", "support"]
    assert first["thread"]["id"].startswith("thread_") and first["thread"]["id"] != SAVED
    assert first["thread"]["id"] != second["thread"]["id"]  # never shared between chats
    assert check_request("chat", {"messages": [], "model": "m", "orq": first}) == []


def test_applying_a_preset_keeps_the_chats_own_thread_id() -> None:
    preset = make_preset("Tagged", OPTIONS, "", ROUTING)
    applied = keep_thread_id(preset.orq, {"thread": {"id": "thread_NOW"}})
    assert applied == {
        "thread": {"id": "thread_NOW", "tags": ["vip", "support"]},
        "retry": {"count": 1},
    }
