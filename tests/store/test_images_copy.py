"""copy_image: Save as… takes the settings along (sidecar too) and never replaces unasked."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from orq_desktop.simulator.images import render_image
from orq_desktop.store import images as store
from orq_desktop.store.images import (
    CopyConflictError,
    ImageSaveError,
    copy_image,
    read_settings,
    save_generated_image,
)

T0 = datetime(2026, 3, 1, 12, 0, 0)
SETTINGS = {"model": "openai/gpt-image-1", "size": "64x48", "quality": "high", "n": 1}


def encoded(fmt: str) -> bytes:
    if fmt == "gif":
        buffer = io.BytesIO()
        Image.new("P", (16, 12), 3).save(buffer, "GIF")
        return buffer.getvalue()
    return render_image("a red fox", (64, 48), fmt)


def saved(folder: Path, fmt: str, prompt: str = "a red fox") -> Path:
    settings = {**SETTINGS, "output_format": fmt}
    return save_generated_image(folder, encoded(fmt), settings, prompt=prompt, index=1, now=T0).path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-"))


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "gif"])
def test_a_sidecar_image_copy_keeps_its_settings(fmt: str, tmp_path: Path) -> None:
    original = saved(tmp_path / "images", fmt)
    assert original.suffix != ".png" and original.with_suffix(".json").exists()
    out = tmp_path / "out"
    out.mkdir()
    dest = out / f"copy{original.suffix}"
    written = copy_image(original, dest)
    assert written == [dest, out / "copy.json"]
    assert dest.read_bytes() == original.read_bytes()
    settings = read_settings(dest)
    assert settings is not None and settings == read_settings(original)
    assert settings["prompt"] == "a red fox" and settings["options"]["quality"] == "high"
    assert leftovers(out) == []


def test_a_png_copy_carries_its_settings_inside_and_writes_no_sidecar(tmp_path: Path) -> None:
    original = saved(tmp_path / "images", "png")
    dest = tmp_path / "copy.png"
    assert copy_image(original, dest) == [dest]
    assert not (tmp_path / "copy.json").exists()
    assert read_settings(dest) == read_settings(original) is not None


def test_a_foreign_json_beside_a_jpeg_is_not_taken_for_settings(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(encoded("jpeg"))
    (tmp_path / "photo.json").write_text('{"not": "ours"}')
    out = tmp_path / "out"
    out.mkdir()
    assert copy_image(source, out / "copy.jpg") == [out / "copy.jpg"]
    assert sorted(p.name for p in out.iterdir()) == ["copy.jpg"]


def test_another_images_sidecar_is_never_replaced_unasked(tmp_path: Path) -> None:
    original = saved(tmp_path / "images", "jpeg")
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / "cat.json"
    theirs.write_bytes(b'{"belongs": "to cat.webp"}')
    with pytest.raises(CopyConflictError) as caught:
        copy_image(original, out / "cat.jpg")
    assert caught.value.paths == [theirs]
    assert "cat.json" in str(caught.value)
    assert sorted(p.name for p in out.iterdir()) == ["cat.json"]  # not even the image
    assert theirs.read_bytes() == b'{"belongs": "to cat.webp"}'

    copy_image(original, out / "cat.jpg", replace=[theirs])
    assert read_settings(out / "cat.jpg") == read_settings(original)


def test_an_existing_image_and_sidecar_are_named_together(tmp_path: Path) -> None:
    original = saved(tmp_path / "images", "webp")
    first = saved(tmp_path / "first", "webp", prompt="an old owl")
    dest = tmp_path / "out.webp"
    copy_image(first, dest)
    before = dest.read_bytes(), (tmp_path / "out.json").read_bytes()
    with pytest.raises(CopyConflictError) as caught:
        copy_image(original, dest)
    assert caught.value.paths == [dest, tmp_path / "out.json"]
    with pytest.raises(CopyConflictError) as caught:
        copy_image(original, dest, replace=[dest])  # the image agreed, its sidecar not
    assert caught.value.paths == [tmp_path / "out.json"]
    assert (dest.read_bytes(), (tmp_path / "out.json").read_bytes()) == before

    copy_image(original, dest, replace=[dest, tmp_path / "out.json"])
    assert dest.read_bytes() == original.read_bytes()
    settings = read_settings(dest)
    assert settings is not None and settings["prompt"] == "a red fox"
    assert leftovers(tmp_path) == []


def test_a_json_name_for_a_sidecar_image_is_refused(tmp_path: Path) -> None:
    original = saved(tmp_path / "images", "jpeg")
    with pytest.raises(ImageSaveError, match="extension"):
        copy_image(original, tmp_path / "copy.json")
    assert not (tmp_path / "copy.json").exists()


def test_a_sidecar_name_taken_mid_copy_takes_the_image_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = saved(tmp_path / "images", "jpeg")
    out = tmp_path / "out"
    out.mkdir()
    real_claim = store._claim

    def racing_claim(tmp: str, path: Path) -> None:
        if path.suffix == ".json":  # another writer creates the sidecar name right now
            path.write_bytes(b"{}")
        real_claim(tmp, path)

    monkeypatch.setattr(store, "_claim", racing_claim)
    with pytest.raises(CopyConflictError) as caught:
        copy_image(original, out / "copy.jpg")
    assert caught.value.paths == [out / "copy.json"]
    assert sorted(p.name for p in out.iterdir()) == ["copy.json"]  # the image was taken back
    assert (out / "copy.json").read_bytes() == b"{}"
