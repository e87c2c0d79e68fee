"""The last test of the suite: the canary key appears nowhere the app wrote.

``conftest.canary_key`` made ``sk-orq-CANARY-<uuid4>`` the suite's key; every app session of the
suite wrote under ``rel_root`` (data dirs, databases with their WAL, settings, presets, logs,
exports, images and their sidecars) and subprocess output was captured there too. This module is
named to be collected last, so the scan sees everything the suite wrote.
"""

from __future__ import annotations

import base64
import urllib.parse
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.scenario("S1", "K1", "K2")


def canary_forms(key: str) -> dict[str, bytes]:
    """The key raw, URL-encoded, its last 12 characters, and base64 at each of 3 alignments."""
    raw = key.encode()
    forms = {
        "raw": raw,
        "url": urllib.parse.quote(key, safe="").encode(),
        "url-plus": urllib.parse.quote_plus(key).encode(),
        "tail12": raw[-12:],
        "utf16": key.encode("utf-16-le"),
    }
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        # Drop the characters that depend on the neighbouring bytes: the middle is fixed.
        start = (shift * 4 + 2) // 3 + 1 if shift else 0
        forms[f"base64-{shift}"] = encoded[start : len(encoded) - 4]
        forms[f"base64url-{shift}"] = (
            forms[f"base64-{shift}"].replace(b"+", b"-").replace(b"/", b"_")
        )
    return forms


def scan(root: Path, key: str) -> tuple[int, list[str]]:
    """(files scanned, "path: form" for every hit) under ``root``."""
    forms = canary_forms(key)
    hits: list[str] = []
    count = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        count += 1
        data = path.read_bytes()
        hits.extend(f"{path.relative_to(root)}: {name}" for name, f in forms.items() if f in data)
    return count, hits


def test_the_scanner_finds_every_form(tmp_path: Path) -> None:
    key = "sk-orq-CANARY-0f8e3c1a-aaaa-4bbb-8ccc-123456789abc"
    for i, form in enumerate(canary_forms(key).values()):
        (tmp_path / f"{i}.bin").write_bytes(b"prefix" + form + b"suffix")
    wrapped = base64.b64encode(b"xx{" + key.encode() + b"}yy")  # inside a larger base64 blob
    (tmp_path / "blob.json").write_bytes(b'{"b64_json": "' + wrapped + b'"}')
    count, hits = scan(tmp_path, key)
    assert count == len(canary_forms(key)) + 1
    assert any(h.startswith("blob.json") for h in hits)
    assert {h.split(": ")[0] for h in hits} == {p.name for p in tmp_path.iterdir()}
    assert scan(tmp_path, "sk-orq-CANARY-11111111-2222-4333-8444-555555555555")[1] == []


def test_no_file_the_suite_wrote_holds_the_canary(rel_root: Path, canary_key: str) -> None:
    count, hits = scan(rel_root, canary_key)
    assert hits == [], f"the canary key leaked into {len(hits)} place(s):\n" + "\n".join(hits)
    assert count >= 1  # at least the suite's DEBUG log


def test_the_clipboard_does_not_hold_the_canary(qapp: QApplication, canary_key: str) -> None:
    text = QApplication.clipboard().text()
    assert not any(f.decode(errors="ignore") in text for f in canary_forms(canary_key).values())
