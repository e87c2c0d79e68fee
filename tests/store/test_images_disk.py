"""Disk faults leave nothing behind; files are private; the folder can be listed cheaply."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from orq_desktop.store.images import (
    DiskFullError,
    ImageSaveError,
    list_images,
    save_generated_image,
)

NOW = datetime(2026, 11, 26, 10, 30, 0)
REPO = Path(__file__).resolve().parents[2]


def encode(fmt: str = "PNG", size: tuple[int, int] = (32, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buffer, fmt)
    return buffer.getvalue()


class _FailingFile:
    """Wraps the writer's file: writes half of what it is given, then the disk is full."""

    def __init__(self, f: Any, folder: Path, seen: list[list[str]]) -> None:
        self._f, self._folder, self._seen = f, folder, seen

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._f.write(chunk[: len(chunk) // 2])
        self._f.flush()
        self._seen.append(sorted(os.listdir(self._folder)))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


@pytest.fixture
def disk_full_on_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """Every file opened for writing runs out of space mid-write; returns the listings seen."""
    seen: list[list[str]] = []
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _FailingFile(real_fdopen(fd, *args, **kwargs), tmp_path, seen)

    monkeypatch.setattr(os, "fdopen", fdopen)
    return seen


def test_disk_full_mid_write_raises_and_leaves_no_partial_file(
    disk_full_on_write: list[list[str]], tmp_path: Path
) -> None:
    with pytest.raises(DiskFullError, match="disk is full") as caught:
        save_generated_image(tmp_path, encode(), {"model": "m"}, prompt="cat", index=1, now=NOW)
    assert isinstance(caught.value.__cause__, OSError)
    # A partial temporary file really existed while writing, and it is gone afterwards.
    assert any(name.endswith(".part") for name in disk_full_on_write[0])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_disk_full_on_fsync_raises_and_leaves_nothing(
    code: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(DiskFullError):
        save_generated_image(tmp_path, encode(), {}, prompt="cat", index=1, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_disk_full_on_the_sidecar_takes_the_image_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_fdopen = os.fdopen
    opened: list[int] = []
    seen: list[list[str]] = []

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(fd)
        f = real_fdopen(fd, *args, **kwargs)
        return f if len(opened) == 1 else _FailingFile(f, tmp_path, seen)

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(DiskFullError):
        save_generated_image(tmp_path, encode("JPEG"), {}, prompt="cat", index=1, now=NOW)
    assert "20261126-103000_cat_1.jpg" in seen[0]  # the image had been written in full
    assert list(tmp_path.iterdir()) == []


def test_a_short_write_is_an_error_and_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_fdopen = os.fdopen

    class Short(_FailingFile):
        def write(self, data: Any) -> int:
            return 0

    monkeypatch.setattr(
        os, "fdopen", lambda fd, *a, **k: Short(real_fdopen(fd, *a, **k), tmp_path, [])
    )
    with pytest.raises(ImageSaveError) as caught:
        save_generated_image(tmp_path, encode(), {}, prompt="cat", index=1, now=NOW)
    assert not isinstance(caught.value, DiskFullError)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_a_plain_save_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(ImageSaveError, match="may not write") as caught:
        save_generated_image(tmp_path, encode(), {}, prompt="cat", index=1, now=NOW)
    assert not isinstance(caught.value, DiskFullError)
    assert str(tmp_path) in str(caught.value)


def test_file_systems_without_hard_links_still_save_without_overwriting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def link(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", link)
    first_data, second_data = encode("PNG", (32, 16)), encode("PNG", (16, 32))
    first = save_generated_image(tmp_path, first_data, {}, prompt="fat", index=1, now=NOW)
    first_bytes = first.path.read_bytes()
    second = save_generated_image(tmp_path, second_data, {}, prompt="fat", index=1, now=NOW)
    assert first.path != second.path
    assert first.path.read_bytes() == first_bytes
    assert second.path.stat().st_mode & 0o777 == 0o600
    with Image.open(second.path) as image:
        assert image.size == (16, 32)
    assert sorted(tmp_path.iterdir()) == sorted([first.path, second.path])


def test_files_are_private_and_a_new_folder_is_0700(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "new" / "images"
        png = save_generated_image(folder, encode("PNG"), {}, prompt="a", index=1, now=NOW)
        webp = save_generated_image(folder, encode("WEBP"), {}, prompt="b", index=1, now=NOW)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert webp.sidecar_path is not None
    for path in (png.path, webp.path, webp.sidecar_path):
        assert path.stat().st_mode & 0o777 == 0o600


# A real full disk: a 256 KiB tmpfs in a private mount namespace (no root needed with -r).
_TMPFS_SCRIPT = r"""
import io, json, os, sys
from pathlib import Path
from PIL import Image
from orq_desktop.store.images import DiskFullError, save_generated_image

folder = Path(sys.argv[1])
earlier = save_generated_image(folder, sys.stdin.buffer.read(), {}, prompt="big", index=1)
earlier_bytes = earlier.path.read_bytes()
noise = Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3))
buffer = io.BytesIO()
noise.save(buffer, "PNG")
result = {"size": len(buffer.getvalue()), "error": None}
try:
    save_generated_image(folder, buffer.getvalue(), {"model": "m"}, prompt="big", index=1)
except DiskFullError as exc:
    result["error"] = type(exc).__name__
    result["message"] = str(exc)
result["left"] = sorted(os.listdir(folder))
result["earlier"] = earlier.path.name
result["earlier_intact"] = earlier.path.read_bytes() == earlier_bytes
print(json.dumps(result))
"""


def _unshare_prefix() -> list[str] | None:
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for flags in ("-rm", "-m"):
        probe = subprocess.run([unshare, flags, "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return [unshare, flags]
    return None


@pytest.mark.slow
def test_a_real_full_tmpfs_raises_disk_full_and_leaves_no_partial_file(tmp_path: Path) -> None:
    prefix = _unshare_prefix()
    if prefix is None:
        pytest.skip("no private mount namespace here (unshare -rm / -m not permitted)")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    shell = 'mount -t tmpfs -o size=256k,mode=0700 tmpfs "$1" || exit 77; exec "$2" -c "$3" "$1"'
    run = subprocess.run(
        [*prefix, "sh", "-c", shell, "sh", str(mount_point), sys.executable, _TMPFS_SCRIPT],
        input=encode(),
        capture_output=True,
        cwd=REPO,
        timeout=50,
        check=False,
    )
    if run.returncode == 77:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.decode(errors='replace')}")
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    result = json.loads(run.stdout)
    assert result["size"] > 256 * 1024
    assert result["error"] == "DiskFullError"
    assert "disk is full" in result["message"]
    assert result["left"] == [result["earlier"]]  # no partial file, no temporary file
    assert result["earlier_intact"] is True


def test_list_images_is_newest_first_with_settings_and_sizes(tmp_path: Path) -> None:
    older = save_generated_image(tmp_path, encode("PNG", (32, 16)), {"model": "a"}, prompt="one",
                                 index=1, now=NOW)  # fmt: skip
    middle = save_generated_image(tmp_path, encode("JPEG", (20, 10)), {"model": "b"},
                                  prompt="two", index=1, now=NOW)  # fmt: skip
    newest = save_generated_image(tmp_path, encode("WEBP", (8, 4)), {"model": "c"},
                                  prompt="three", index=1, now=NOW)  # fmt: skip
    for age, saved in enumerate((newest, middle, older)):
        os.utime(saved.path, (1_800_000_000 - age * 60, 1_800_000_000 - age * 60))
    listed = list_images(tmp_path)
    assert [e.path for e in listed] == [newest.path, middle.path, older.path]
    assert [(e.format, e.width, e.height) for e in listed] == [
        ("webp", 8, 4),
        ("jpeg", 20, 10),
        ("png", 32, 16),
    ]
    assert [e.settings["model"] if e.settings else None for e in listed] == ["c", "b", "a"]
    assert listed[0].size_bytes == newest.path.stat().st_size
    assert listed[0].modified == 1_800_000_000


def test_list_images_skips_everything_that_is_not_a_saved_image(tmp_path: Path) -> None:
    kept = save_generated_image(tmp_path, encode("PNG"), {}, prompt="kept", index=1, now=NOW)
    bare = tmp_path / "dropped-in.jpg"
    bare.write_bytes(encode("JPEG"))
    (tmp_path / ".tmp-abc.part").write_bytes(encode("PNG"))
    (tmp_path / ".hidden.png").write_bytes(encode("PNG"))
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "html.png").write_text("<html></html>")
    (tmp_path / "orphan.json").write_text(json.dumps({"format": "orq-desktop-image"}))
    (tmp_path / "link.png").symlink_to(kept.path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.png").write_bytes(encode("PNG"))
    listed = {e.path.name: e for e in list_images(tmp_path)}
    assert sorted(listed) == sorted([kept.path.name, "dropped-in.jpg"])
    assert listed["dropped-in.jpg"].settings is None
    assert listed[kept.path.name].settings is not None


def test_list_images_reads_headers_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for i in range(3):
        save_generated_image(tmp_path, encode("PNG", (64, 64)), {}, prompt="p", index=i, now=NOW)

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("list_images must not decode images")

    monkeypatch.setattr(Image, "open", no_decoding)
    listed = list_images(tmp_path)
    assert len(listed) == 3 and all(e.settings is not None for e in listed)


def test_list_images_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_images(tmp_path / "nope") == []
    (tmp_path / "file").write_text("x")
    assert list_images(tmp_path / "file") == []
