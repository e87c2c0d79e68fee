"""File names from hostile prompts stay inside the folder, are portable, unique, never overwrite."""

from __future__ import annotations

import io
import os
import re
import threading
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from orq_desktop.store.image_names import (
    MAX_NAME_BYTES,
    MAX_SLUG_CHARS,
    image_stem,
    is_safe_name,
    slugify,
)
from orq_desktop.store.images import save_generated_image

NOW = datetime(2026, 11, 26, 10, 30, 0)
NAME = re.compile(r"^\d{8}-\d{6}_[^\s/\\.]+_\d+(-\d+)?\.(png|jpg|webp|gif)$")

HOSTILE_PROMPTS = [
    "../../etc/passwd",
    "/abs/path",
    "C:\\Windows\\x",
    "CON",
    "nul.txt",
    "COM1",
    'a<b>c:d"e|f?g*h',
    "x" * 300,
    "猫" * 300,
    "evil\u202egnp.exe",
    "\u200b\u200d\u2066\u2069",
    "🐱🎩 a cat in a hat 🎩",
    "...",
    ". .",
    "",
    "line one\nline two\ttab\r\n",
    "trailing dot. ",
    "-rf --no-preserve-root",
    "nul\0byte",
    "\u3164\u3164",
]


def encode(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def test_hostile_prompts_give_safe_unique_names_inside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    saved = [
        save_generated_image(folder, encode(), {}, prompt=prompt, index=1, now=NOW)
        for prompt in HOSTILE_PROMPTS
    ]
    names = [s.path.name for s in saved]
    assert len(set(names)) == len(HOSTILE_PROMPTS)
    for s in saved:
        assert s.path.resolve().parent == folder.resolve()
        assert is_safe_name(s.path.name), s.path.name
        assert NAME.match(s.path.name), s.path.name
        assert len(s.path.name.encode()) <= MAX_NAME_BYTES
        assert s.path.name.isprintable()
    assert sorted(os.listdir(folder)) == sorted(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({*outside_before, "images"})


def test_name_is_timestamp_slug_and_index() -> None:
    assert image_stem(NOW, "A cat in a hat!", 1) == "20261126-103000_a-cat-in-a-hat_1"
    assert image_stem(NOW, "A cat in a hat!", 3, attempt=2) == "20261126-103000_a-cat-in-a-hat_3-2"
    assert image_stem(NOW, "", 0) == "20261126-103000_image_0"


@pytest.mark.parametrize(
    ("prompt", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\x", "c-windows-x"),
        ("Café crème brûlée", "cafe-creme-brulee"),
        ("Straße Øresund", "strasse-oresund"),
        ("Ｆｕｌｌ／ｗｉｄｔｈ", "full-width"),
        ("a cat 猫 in a hat", "a-cat-猫-in-a-hat"),
        ("evil\u202egnp.exe", "evilgnp-exe"),
        ("zero\u200bwidth", "zerowidth"),
        ("🐱🎩", ""),
        ("...", ""),
        ("\u3164", ""),
    ],
)
def test_slugify(prompt: str, slug: str) -> None:
    assert slugify(prompt) == slug


def test_slug_and_name_are_bounded() -> None:
    assert len(slugify("word " * 100)) <= MAX_SLUG_CHARS
    assert not slugify("word " * 100).endswith("-")
    for prompt in ("x" * 300, "猫" * 300, "🐱a" * 300, "é" * 300):
        stem = image_stem(NOW, prompt, 12345, attempt=999)
        for ext in (".png", ".jpg", ".webp", ".json"):
            assert len((stem + ext).encode()) <= MAX_NAME_BYTES
            assert is_safe_name(stem + ext)


@pytest.mark.parametrize(
    "name",
    ["CON", "con.txt", "Nul.tar.gz", "COM1", "lpt9.png", "AUX ", "com¹.jpg", "a/b", "a\\b",
     "..", ".", ".hidden", "trail.", "trail ", "a\u202eb", "a\x00b", "a\nb", "a<b", "a:b",
     "x" * (MAX_NAME_BYTES + 1), "-rf", "a..b", "", "\ud800"],
)  # fmt: skip
def test_unsafe_names_are_recognised(name: str) -> None:
    assert not is_safe_name(name)


@pytest.mark.parametrize("name", ["20261126-103000_a-cat_1.png", "console.png", "猫.jpg", "COM10"])
def test_safe_names_are_accepted(name: str) -> None:
    assert is_safe_name(name)


def test_two_saves_with_the_same_prompt_and_time_never_overwrite(tmp_path: Path) -> None:
    first_bytes = encode("PNG")
    first = save_generated_image(tmp_path, first_bytes, {}, prompt="same", index=1, now=NOW)
    original = first.path.read_bytes()
    second = save_generated_image(tmp_path, encode("PNG"), {}, prompt="same", index=1, now=NOW)
    third = save_generated_image(tmp_path, encode("JPEG"), {}, prompt="same", index=1, now=NOW)
    assert first.path.name == "20261126-103000_same_1.png"
    assert second.path.name == "20261126-103000_same_1-2.png"
    assert third.path.name == "20261126-103000_same_1-3.jpg"
    assert third.sidecar_path is not None
    assert third.sidecar_path.name == "20261126-103000_same_1-3.json"
    assert first.path.read_bytes() == original


def test_an_existing_file_or_sidecar_name_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "20261126-103000_mine_1.png").write_bytes(b"the user's own file")
    (tmp_path / "20261126-103000_mine_1-2.json").write_bytes(b"someone's notes")
    saved = save_generated_image(tmp_path, encode("JPEG"), {}, prompt="mine", index=1, now=NOW)
    assert saved.path.name == "20261126-103000_mine_1-3.jpg"
    assert (tmp_path / "20261126-103000_mine_1.png").read_bytes() == b"the user's own file"
    assert (tmp_path / "20261126-103000_mine_1-2.json").read_bytes() == b"someone's notes"


def test_planted_symlinks_are_never_followed(tmp_path: Path) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    (folder / "20261126-103000_cat_1.png").symlink_to(victim)
    (folder / "20261126-103000_cat_1-2.png").symlink_to(tmp_path / "does-not-exist")
    saved = save_generated_image(folder, encode(), {}, prompt="cat", index=1, now=NOW)
    assert saved.path.name == "20261126-103000_cat_1-3.png"
    assert not saved.path.is_symlink()
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "does-not-exist").exists()


def test_a_symlinked_images_folder_saves_into_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    saved = save_generated_image(link, encode(), {}, prompt="cat", index=1, now=NOW)
    assert saved.path.parent == real.resolve()
    assert [p.name for p in real.iterdir()] == [saved.path.name]


def test_concurrent_saves_with_one_name_all_get_their_own_file(tmp_path: Path) -> None:
    data = encode()
    results: list[Path] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            for _ in range(5):
                s = save_generated_image(tmp_path, data, {}, prompt="race", index=1, now=NOW)
                with lock:
                    results.append(s.path)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 20
    assert len(set(results)) == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in results)


def test_extension_comes_from_the_magic_bytes_not_the_request(tmp_path: Path) -> None:
    png = save_generated_image(
        tmp_path, encode("PNG"), {"output_format": "jpeg"}, prompt="p", index=1, now=NOW
    )
    jpeg = save_generated_image(
        tmp_path, encode("JPEG"), {"output_format": "png"}, prompt="j", index=1, now=NOW
    )
    webp = save_generated_image(
        tmp_path, encode("WEBP"), {"output_format": "png"}, prompt="w", index=1, now=NOW
    )
    assert png.path.suffix == ".png" and png.info.format == "png"
    assert jpeg.path.suffix == ".jpg" and jpeg.info.format == "jpeg"
    assert webp.path.suffix == ".webp" and webp.info.format == "webp"
