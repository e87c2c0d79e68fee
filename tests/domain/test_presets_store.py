"""The presets file: save, switch, restart, export, import, and broken files set aside."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from orq_desktop.core.presets_store import PresetsStore, PresetsStoreError
from orq_desktop.domain.presets import Preset, PresetError, make_preset, preset_to_bytes

pytestmark = pytest.mark.usefixtures("qapp")

CANARY = "sk-orq-CANARY-51f0c2"


def preset(name: str, temperature: float = 0.5, **orq: Any) -> Preset:
    return make_preset(
        name,
        {"model": "openai/gpt-4o", "temperature": temperature, "stream": False},
        f"System prompt of {name}",
        orq or {"retry": {"count": 2, "on_codes": [429]}},
    )


def test_presets_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    store = PresetsStore(path)
    changes: list[None] = []
    store.changed.connect(lambda: changes.append(None))
    store.save(preset("beta", 0.1))
    store.save(preset("Alpha", 0.9, timeout={"call_timeout": 5000}))
    assert store.names() == ["Alpha", "beta"]
    assert len(changes) == 2
    restarted = PresetsStore(path)
    assert restarted.load_problems == []
    assert restarted.names() == ["Alpha", "beta"]
    assert restarted.get("Alpha") == store.get("Alpha")
    assert restarted.get("Alpha").orq == {"timeout": {"call_timeout": 5000}}  # type: ignore[union-attr]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_save_replaces_and_delete_removes(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    store = PresetsStore(path)
    store.save(preset("A", 0.1))
    store.save(preset("A", 0.7))
    assert store.names() == ["A"]
    assert store.get("A").params["temperature"] == 0.7  # type: ignore[union-attr]
    assert store.delete("A") is True
    assert store.delete("A") is False
    assert PresetsStore(path).names() == []


def test_export_then_import_elsewhere(tmp_path: Path) -> None:
    mine = PresetsStore(tmp_path / "mine.json")
    mine.save(preset("Support bot"))
    exported = tmp_path / "support.orq-preset.json"
    mine.export_file("Support bot", exported)
    assert json.loads(exported.read_text("utf-8"))["format"] == "orq-desktop-preset"
    theirs = PresetsStore(tmp_path / "theirs.json")
    theirs.save(preset("Support bot", 0.0))
    imported = theirs.import_file(exported)
    assert imported.name == "Support bot (2)"  # the existing one is kept
    assert theirs.names() == ["Support bot", "Support bot (2)"]
    assert imported.orq == mine.get("Support bot").orq  # type: ignore[union-attr]
    assert PresetsStore(tmp_path / "theirs.json").get("Support bot (2)") == imported


@pytest.mark.parametrize(
    "content",
    [
        b"not json at all",
        b'{"format": "orq-desktop-preset", "version": 7}',
        json.dumps({**json.loads(preset_to_bytes(preset("x"))), "api_key": CANARY}).encode(),
        json.dumps(
            {**json.loads(preset_to_bytes(preset("x"))), "orq": {"retry": {"count": 0}}}
        ).encode(),
        json.dumps(
            {**json.loads(preset_to_bytes(preset("x"))), "params": {"temperature": "hot"}}
        ).encode(),
    ],
)
def test_a_bad_import_changes_nothing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "presets.json"
    store = PresetsStore(path)
    store.save(preset("kept"))
    before = path.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(PresetError) as caught:
        store.import_file(bad)
    assert caught.value.reasons
    assert CANARY not in str(caught.value)
    assert store.names() == ["kept"]
    assert path.read_bytes() == before


def test_an_unreadable_import_file_says_so(tmp_path: Path) -> None:
    store = PresetsStore(tmp_path / "presets.json")
    with pytest.raises(PresetsStoreError, match=r"Could not read missing\.json"):
        store.import_file(tmp_path / "missing.json")


def test_a_broken_presets_file_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    path.write_bytes(b'{"format": "orq-desktop-presets", "version": 1, "presets": [')
    store = PresetsStore(path)
    assert store.names() == []
    (problem,) = store.load_problems
    assert "could not be read" in problem
    (aside,) = tmp_path.glob("presets.json.bad-*")
    assert aside.read_bytes().endswith(b'"presets": [')
    assert aside.name in problem
    store.save(preset("fresh"))
    assert PresetsStore(path).names() == ["fresh"]
    assert PresetsStore(path).load_problems == []


def test_one_bad_entry_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "presets.json"
    good = json.loads(preset_to_bytes(preset("good")))
    bad = {**json.loads(preset_to_bytes(preset("bad"))), "password": CANARY}
    path.write_text(
        json.dumps({"format": "orq-desktop-presets", "version": 1, "presets": [good, bad]}),
        "utf-8",
    )
    store = PresetsStore(path)
    assert store.names() == ["good"]
    assert "“bad”" in store.load_problems[0]
    assert CANARY not in " ".join(store.load_problems)
    (aside,) = tmp_path.glob("presets.json.bad-*")
    assert CANARY.encode() in aside.read_bytes()  # kept aside for the user, never loaded
    assert CANARY.encode() not in path.read_bytes()  # the live file no longer holds it
    assert PresetsStore(path).names() == ["good"]


def test_a_failed_write_leaves_the_presets_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "presets.json"
    store = PresetsStore(path)
    store.save(preset("one"))
    before = path.read_bytes()

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("orq_desktop.core.presets_store.atomic_write_bytes", disk_full)
    with pytest.raises(PresetsStoreError, match="could not be saved: No space left on device"):
        store.save(preset("two"))
    assert store.names() == ["one"]
    with pytest.raises(PresetsStoreError):
        store.delete("one")
    assert store.names() == ["one"]
    with pytest.raises(PresetsStoreError, match=r"Could not write x\.json"):
        store.export_file("one", tmp_path / "x.json")
    assert path.read_bytes() == before


def test_exporting_an_unknown_preset_is_an_error(tmp_path: Path) -> None:
    store = PresetsStore(tmp_path / "presets.json")
    with pytest.raises(PresetsStoreError, match="no preset called"):
        store.export_file("nope", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_the_default_file_is_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORQ_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    store = PresetsStore()
    store.save(preset("x"))
    assert (tmp_path / "data" / "presets.json").exists()
