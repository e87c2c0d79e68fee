"""The shared key rule: a key under any credential-like name, or any key-shaped value, never
reaches a preset file, an exported preset or a "View code" snippet; ordinary inputs still do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.presets_store import PresetsStore, PresetsStoreError, check_request
from orq_desktop.domain.code_export import CodeExportError, to_curl, to_json, to_python
from orq_desktop.domain.key_fields import find_key_fields, is_key_name, is_key_value
from orq_desktop.domain.presets import (
    PRESET_FORMAT,
    Preset,
    PresetError,
    make_preset,
    parse_preset,
    preset_to_bytes,
)

K = "sk-orq-CANARY-7e57c0de"
OPENAI = "sk-proj-Q8vT2mXk9LpR4sW7zN1bY6cH"
OPTIONS: dict[str, Any] = {"model": "openai/gpt-4o", "temperature": 0.3, "stream": False}
BASE = "https://api.orq.ai"

# What the review found getting through, then a key-shaped value under innocent names.
LEAKS: list[dict[str, Any]] = [
    {"inputs": {"openai_api_key": K}},
    {"inputs": {"access_key": K}},
    {"inputs": {"ORQ_API_KEY2": K}},
    {"inputs": {"anthropicApiKey": K}},
    {"inputs": {"db_password": "hunter2hunter2"}},
    {"inputs": {"oauth_token": "abc.def.ghi"}},
    {"inputs": {"customer": K}},
    {"inputs": {"note": OPENAI}},
    {"inputs": [{"key": "openai_api_key", "value": "not-shaped-like-a-key"}]},
    {"inputs": [{"key": "note", "value": K}]},
    {"contact": {"id": "c1", "metadata": {"x": f"use {OPENAI} please"}}},
]
ORDINARY: dict[str, Any] = {
    "inputs": {
        "customer": "Ada",
        "token_count": "5",  # a number of tokens, not a token
        "max_tokens": 100,
        "key": "value",
        "monkey": "banana",
        "api_version": "2024-06",
        "thread_hint": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "greeting": "Bearer of bad news, be kind.",
        "library": "sk-learn-basics",
    }
}


def chat_body(orq: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "Hi"}], "model": "m", "orq": orq}


@pytest.mark.parametrize(
    "name",
    ["openai_api_key", "access_key", "ORQ_API_KEY2", "openaiApiKey", "X-API-Key", "apikey",
     "client_secret", "DB_PASSWORD", "oauth_token", "Authorization", "session-token",
     "private_key", "token", "secret", "basic_auth", "aws_secret_access_key", "credentials"],
)  # fmt: skip
def test_credential_names_match_by_their_ending(name: str) -> None:
    assert is_key_name(name)


@pytest.mark.parametrize(
    "name",
    ["key", "max_tokens", "max_completion_tokens", "budget_tokens", "token_count", "monkey",
     "turkey", "keyword", "prompt_cache_key", "tool_call_id", "knowledge_id", "author",
     "secretary", "tokens", "is_pii"],
)  # fmt: skip
def test_ordinary_names_are_not_credentials(name: str) -> None:
    assert not is_key_name(name)


def test_key_shaped_values_are_found_and_prose_is_not() -> None:
    for value in (K, OPENAI, f"key: {OPENAI}", "Bearer abcdefghijklmnop1234"):
        assert is_key_value(value), value
    for value in (
        "Ada",
        "sk-learn-basics",
        "Bearer of bad news",
        "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ):
        assert not is_key_value(value), value


@pytest.mark.parametrize("orq", LEAKS)
def test_make_preset_refuses_a_key_and_never_repeats_it(orq: dict[str, Any]) -> None:
    with pytest.raises(PresetError) as caught:
        make_preset("Leaky", OPTIONS, "", orq)
    assert "looks like an API key" in str(caught.value)
    assert K not in str(caught.value) and OPENAI not in str(caught.value)
    assert "orq." in str(caught.value)  # it names where the key is


@pytest.mark.parametrize("orq", LEAKS)
def test_view_code_never_shows_the_key(orq: dict[str, Any]) -> None:
    body = chat_body(orq)
    for show in (
        lambda: to_curl(body, BASE, "/v2/router"),
        lambda: to_python(body, BASE, "/v2/router"),
        lambda: to_json(body),
    ):
        with pytest.raises(CodeExportError) as caught:
            show()
        assert K not in str(caught.value) and OPENAI not in str(caught.value)


@pytest.mark.parametrize("orq", LEAKS)
def test_an_imported_preset_with_a_key_is_refused_and_the_file_never_holds_it(
    tmp_path: Path, orq: dict[str, Any]
) -> None:
    store = PresetsStore(tmp_path / "presets.json")
    store.save(make_preset("Kept", OPTIONS, "", {"retry": {"count": 1}}))
    incoming = tmp_path / "incoming.json"
    data = {"format": PRESET_FORMAT, "version": 1, "name": "In", "model": "m", "orq": orq}
    incoming.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PresetError, match="looks like an API key"):
        store.import_file(incoming)
    assert store.names() == ["Kept"]
    saved = (tmp_path / "presets.json").read_text(encoding="utf-8")
    assert K not in saved and OPENAI not in saved


def test_the_store_never_writes_nor_exports_a_preset_built_around_the_checks(
    tmp_path: Path,
) -> None:
    store = PresetsStore(tmp_path / "presets.json")
    store.save(make_preset("Clean", OPTIONS, "", {}))
    leaky = Preset("Leaky", "m", {}, "", {"inputs": {"openai_api_key": K}})
    with pytest.raises(PresetsStoreError, match="looks like an API key") as caught:
        store.save(leaky)
    assert K not in str(caught.value)
    assert store.names() == ["Clean"]
    assert K not in (tmp_path / "presets.json").read_text(encoding="utf-8")
    store._presets["Leaky"] = leaky  # as if it had got in some other way
    with pytest.raises(PresetsStoreError, match="looks like an API key"):
        store.export_file("Leaky", tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_ordinary_inputs_still_make_presets_files_and_code(tmp_path: Path) -> None:
    assert find_key_fields(ORDINARY) == []
    preset = make_preset("Inputs", OPTIONS, "", ORDINARY, check=check_request)
    assert preset.orq == ORDINARY
    store = PresetsStore(tmp_path / "presets.json")
    store.save(preset)
    store.export_file("Inputs", tmp_path / "out.json")
    assert parse_preset((tmp_path / "out.json").read_bytes()).orq == ORDINARY
    assert PresetsStore(tmp_path / "presets.json").get("Inputs") == preset
    curl = to_curl(chat_body(ORDINARY), BASE, "/v2/router")
    assert '"token_count": "5"' in curl and '"customer": "Ada"' in curl
    assert json.loads(preset_to_bytes(preset))["orq"] == ORDINARY
