"""Settings travel with the image (PNG text chunks or a JSON sidecar), without any key."""

from __future__ import annotations

import base64
import io
import json
import struct
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image

from orq_desktop import __version__
from orq_desktop.store.image_meta import MAX_META_BYTES
from orq_desktop.store.images import read_settings, save_generated_image

NOW = datetime(2026, 11, 26, 10, 30, 0, tzinfo=UTC)
CANARY = f"sk-orq-CANARY-{uuid.uuid4()}"
SETTINGS: dict[str, Any] = {
    "model": "openai/gpt-image-1",
    "revised_prompt": "A tabby cat wearing a red top hat, studio light",
    "size": "1024x1024",
    "quality": "high",
    "background": "transparent",
    "output_format": "png",
    "output_compression": None,
    "moderation": "low",
    "n": 2,
    "orq": {
        "retry": {"count": 3, "on_codes": [429, 503]},
        "fallbacks": [{"model": "openai/dall-e-3"}],
        "timeout": {"call_timeout": 30000},
    },
}


def encode(fmt: str, size: tuple[int, int] = (96, 64)) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGBA" if fmt != "JPEG" else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        out.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(ctype + payload)
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", crc)


def with_chunk_before_iend(data: bytes, chunk: bytes) -> bytes:
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk + data[iend:]


def itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    flag = b"\1\0" if compressed else b"\0\0"
    return png_chunk(b"iTXt", keyword + b"\0" + flag + b"\0\0" + text)


def secret_forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), quote(secret).encode(), raw[-12:]]


def test_png_round_trip_keeps_pixels_and_reads_the_settings_back(tmp_path: Path) -> None:
    data = encode("PNG")
    saved = save_generated_image(
        tmp_path, data, SETTINGS, prompt="A cat in a hat", index=2, now=NOW
    )
    assert saved.sidecar_path is None
    assert list(tmp_path.iterdir()) == [saved.path]
    stored = saved.path.read_bytes()
    # Pixels untouched: the same IDAT bytes, and Pillow decodes identical pixels.
    assert [c for c in chunks(stored) if c[0] == b"IDAT"] == [
        c for c in chunks(data) if c[0] == b"IDAT"
    ]
    with Image.open(saved.path) as image:
        image.verify()  # checks every chunk's CRC
    with Image.open(saved.path) as image, Image.open(io.BytesIO(data)) as before:
        assert image.size == before.size and image.mode == before.mode
        assert image.tobytes() == before.tobytes()
        text = image.text  # type: ignore[attr-defined]
    assert text["Description"] == "A cat in a hat"
    assert json.loads(text["orq-desktop"])["prompt"] == "A cat in a hat"
    assert chunks(stored)[-1][0] == b"IEND"

    meta = read_settings(saved.path)
    assert meta is not None
    assert meta["format"] == "orq-desktop-image" and meta["version"] == 1
    assert meta["prompt"] == "A cat in a hat"
    assert meta["revised_prompt"] == SETTINGS["revised_prompt"]
    assert meta["model"] == "openai/gpt-image-1"
    assert meta["options"] == {
        "size": "1024x1024",
        "quality": "high",
        "background": "transparent",
        "output_format": "png",
        "output_compression": None,
        "moderation": "low",
        "n": 2,
    }
    assert meta["orq"] == SETTINGS["orq"]
    assert datetime.fromisoformat(meta["created"]) == NOW
    assert meta["app_version"] == __version__
    assert meta["image"] == {"format": "png", "width": 96, "height": 64, "index": 2}


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_jpeg_webp_gif_get_a_sidecar_with_the_same_stem(fmt: str, tmp_path: Path) -> None:
    data = encode(fmt)
    saved = save_generated_image(tmp_path, data, SETTINGS, prompt="A cat", index=1, now=NOW)
    assert saved.sidecar_path is not None
    assert saved.sidecar_path.stem == saved.path.stem
    assert saved.sidecar_path.suffix == ".json"
    assert saved.path.read_bytes() == data  # never re-encoded
    assert sorted(tmp_path.iterdir()) == sorted([saved.path, saved.sidecar_path])
    from_image = read_settings(saved.path)
    assert from_image is not None
    assert from_image == read_settings(saved.sidecar_path)
    assert from_image == json.loads(saved.sidecar_path.read_text("utf-8"))
    assert from_image["prompt"] == "A cat"
    assert from_image["orq"] == SETTINGS["orq"]
    assert from_image["image"]["format"] == fmt.lower()
    assert saved.sidecar_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_canary_key_is_stripped_from_settings_and_absent_from_the_bytes(
    fmt: str, tmp_path: Path
) -> None:
    settings = {
        **SETTINGS,
        "api_key": CANARY,
        "authorization": f"Bearer {CANARY}",
        "headers": {"Authorization": f"Bearer {CANARY}", "X-Trace": "1"},
        "orq": {**SETTINGS["orq"], "apiKey": CANARY, "identity": {"id": "u1", "token": CANARY}},
        "note": f"copied from a terminal: ORQ_API_KEY={CANARY}",
        "client": {"Authorization": f"Bearer {CANARY}"},
    }
    saved = save_generated_image(
        tmp_path, encode(fmt), settings, prompt=f"a cat {CANARY}", index=1, now=NOW
    )
    for path in tmp_path.iterdir():
        blob = path.read_bytes()
        for form in secret_forms(CANARY):
            assert form not in blob, (path.name, form)
    meta = read_settings(saved.path)
    assert meta is not None
    dumped = json.dumps(meta)
    assert "CANARY" not in dumped
    for field in ("api_key", "authorization", "headers", "apiKey", "token"):
        assert field not in meta and field not in meta["orq"] and field not in meta["extra"]
    assert meta["extra"]["client"] == {}  # its Authorization field went, at any depth
    assert meta["orq"]["identity"] == {"id": "u1"}
    assert meta["orq"]["retry"] == SETTINGS["orq"]["retry"]
    assert meta["extra"]["note"] == "copied from a terminal: ORQ_API_KEY=[redacted]"
    assert meta["prompt"] == "a cat [redacted]"
    if fmt == "PNG":
        with Image.open(saved.path) as image:
            assert all("CANARY" not in v for v in image.text.values())  # type: ignore[attr-defined]


def test_a_secret_named_by_the_caller_is_redacted_wherever_it_hides(tmp_path: Path) -> None:
    key = "orq-9f8e7d6c5b4a3210"  # no recognisable prefix: only the exact value can find it
    saved = save_generated_image(
        tmp_path,
        encode("JPEG"),
        {"model": "m", "extra_context": [f"x{key}y"]},
        prompt="p",
        index=1,
        now=NOW,
        secrets=[key],
    )
    assert saved.sidecar_path is not None
    assert key.encode() not in saved.sidecar_path.read_bytes()
    meta = read_settings(saved.path)
    assert meta is not None and meta["extra"]["extra_context"] == ["x[redacted]y"]


def test_large_settings_are_compressed_and_still_round_trip(tmp_path: Path) -> None:
    prompt = "a very detailed prompt " * 400
    saved = save_generated_image(tmp_path, encode("PNG"), SETTINGS, prompt=prompt, index=1, now=NOW)
    ours = [p for t, p in chunks(saved.path.read_bytes()) if p.startswith(b"orq-desktop\0")]
    assert len(ours) == 1 and ours[0][len(b"orq-desktop\0")] == 1  # compression flag set
    meta = read_settings(saved.path)
    assert meta is not None and meta["prompt"] == prompt


def test_absurd_settings_are_cut_down_but_the_image_is_saved(tmp_path: Path) -> None:
    huge = {"model": "m", "orq": {"blob": "z" * (MAX_META_BYTES * 2)}}
    saved = save_generated_image(tmp_path, encode("PNG"), huge, prompt="p", index=1, now=NOW)
    meta = read_settings(saved.path)
    assert meta is not None and meta["truncated"] is True and "orq" not in meta
    with Image.open(saved.path) as image:  # Pillow refuses text chunks over 1 MB; ours is not
        image.load()


def test_a_planted_orq_desktop_chunk_from_the_server_is_replaced(tmp_path: Path) -> None:
    fake = json.dumps({"format": "orq-desktop-image", "version": 1, "prompt": "planted"})
    data = with_chunk_before_iend(encode("PNG"), itxt(b"orq-desktop", fake.encode()))
    saved = save_generated_image(tmp_path, data, {}, prompt="real", index=1, now=NOW)
    meta = read_settings(saved.path)
    assert meta is not None and meta["prompt"] == "real"
    assert b"planted" not in saved.path.read_bytes()


def _foreign_png(tmp_path: Path, name: str, chunk: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(with_chunk_before_iend(encode("PNG"), chunk))
    return path


@pytest.mark.parametrize(
    ("chunk"),
    [
        pytest.param(b"", id="no-chunk"),
        pytest.param(itxt(b"orq-desktop", b'{"format": "other", "version": 1}'), id="foreign"),
        pytest.param(itxt(b"orq-desktop", b'{"format": "orq-desktop-image", "vers'), id="broken"),
        pytest.param(
            itxt(b"orq-desktop", b'{"format": "orq-desktop-image", "version": 2, "prompt": ""}'),
            id="newer-version",
        ),
        pytest.param(
            itxt(b"orq-desktop", b'{"format": "orq-desktop-image", "version": true, "prompt": ""}'),
            id="bool-version",
        ),
        pytest.param(itxt(b"orq-desktop", b"[1, 2, 3]"), id="not-an-object"),
        pytest.param(itxt(b"orq-desktop", b'{"a":' * 100000), id="deep-nesting"),
        pytest.param(itxt(b"orq-desktop", b"\xff\xfe not utf-8"), id="bad-utf8"),
        pytest.param(
            itxt(b"orq-desktop", zlib.compress(b" " * (8 * 1024 * 1024)), compressed=True),
            id="zip-bomb",
        ),
        pytest.param(itxt(b"orq-desktop", b"not zlib", compressed=True), id="bad-zlib"),
        pytest.param(png_chunk(b"iTXt", b"orq-desktop"), id="truncated-chunk-body"),
    ],
)
def test_foreign_or_broken_png_metadata_reads_as_none(chunk: bytes, tmp_path: Path) -> None:
    assert read_settings(_foreign_png(tmp_path, "x.png", chunk)) is None


def test_a_chunk_with_a_bad_crc_is_ignored(tmp_path: Path) -> None:
    good = json.dumps({"format": "orq-desktop-image", "version": 1, "prompt": "p"}).encode()
    chunk = bytearray(itxt(b"orq-desktop", good))
    chunk[-1] ^= 0xFF
    assert read_settings(_foreign_png(tmp_path, "x.png", bytes(chunk))) is None
    assert read_settings(_foreign_png(tmp_path, "y.png", itxt(b"orq-desktop", good))) == {
        "format": "orq-desktop-image",
        "version": 1,
        "prompt": "p",
    }


@pytest.mark.parametrize(
    "sidecar",
    [None, b"", b"garbage", b"[]", b'{"format": "orq-desktop-image"}', b"\xff" * 10],
)
def test_jpeg_with_missing_or_broken_sidecar_reads_as_none(
    sidecar: bytes | None, tmp_path: Path
) -> None:
    image = tmp_path / "photo.jpg"
    image.write_bytes(encode("JPEG"))
    if sidecar is not None:
        (tmp_path / "photo.json").write_bytes(sidecar)
    assert read_settings(image) is None


@pytest.mark.parametrize("name", ["missing.png", "", "dir"])
def test_unreadable_paths_read_as_none(name: str, tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    assert read_settings(tmp_path / name) is None


def test_a_truncated_png_file_reads_as_none(tmp_path: Path) -> None:
    saved = save_generated_image(tmp_path, encode("PNG"), SETTINGS, prompt="p", index=1, now=NOW)
    whole = saved.path.read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: whole.index(b"orq-desktop") + 20])
    assert read_settings(cut) is None
