"""Generated images on disk: check, name, embed the settings, write atomically, list, read back.

Every call here is blocking file and CPU work (Pillow decodes the image once to prove it is one):
the core runs it off the UI thread. Nothing is ever overwritten, a file is either complete or
absent, and a full disk is reported as :class:`DiskFullError` with nothing left behind.

PNG files carry their settings in an ``iTXt`` chunk (keyword ``orq-desktop``) plus a readable
``Description``; JPEG, WebP and GIF files get a ``<same stem>.json`` sidecar.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from orq_desktop import __version__
from orq_desktop.fileio import atomic_write_bytes, fsync_dir
from orq_desktop.store.image_check import (
    FORMATS,
    ImageInfo,
    ImageStoreError,
    ImageTooLargeError,
    InvalidImageError,
    check_image,
    decode_b64_image,
    header_size,
    sniff_format,
)
from orq_desktop.store.image_meta import (
    MAX_READ_BYTES,
    build_metadata,
    encode_metadata,
    parse_metadata,
)
from orq_desktop.store.image_names import image_stem, is_safe_name
from orq_desktop.store.image_png import (
    PNG_SIGNATURE,
    insert_chunks,
    itxt_chunk,
    read_text,
    text_chunk,
)

__all__ = [
    "CopyConflictError",
    "DiskFullError",
    "ImageEntry",
    "ImageInfo",
    "ImageSaveError",
    "ImageStoreError",
    "ImageTooLargeError",
    "InvalidImageError",
    "SavedImage",
    "check_image",
    "copy_image",
    "decode_b64_image",
    "list_images",
    "read_settings",
    "save_generated_image",
]

META_KEYWORD = "orq-desktop"
COMPRESS_OVER = 1024  # bytes of JSON; small metadata stays readable with `strings`
MAX_DESCRIPTION_CHARS = 16 * 1024
MAX_ATTEMPTS = 1000
SIDECAR_EXT = ".json"
_IMAGE_EXTS = tuple(ext for ext, _ in FORMATS.values())
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
_HEAD_BYTES = 64 * 1024  # enough for a JPEG's frame header behind typical EXIF data


class ImageSaveError(ImageStoreError):
    """The image could not be written (permissions, a read-only disk, an I/O error)."""


class DiskFullError(ImageSaveError):
    """The disk (or the user's quota) is full; nothing was written."""


class CopyConflictError(ImageSaveError):
    """A copy would replace files the caller did not allow it to; nothing was written."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__("Already there: " + ", ".join(p.name for p in paths))
        self.paths = paths


@dataclass(frozen=True, slots=True)
class SavedImage:
    path: Path
    sidecar_path: Path | None
    info: ImageInfo


@dataclass(frozen=True, slots=True)
class ImageEntry:
    """One image found on disk; width and height come from its header (None if not found)."""

    path: Path
    format: str
    size_bytes: int
    modified: float
    width: int | None
    height: int | None
    settings: dict[str, Any] | None


def save_generated_image(
    folder: Path,
    data: bytes,
    settings: Mapping[str, object],
    *,
    prompt: str,
    index: int,
    now: datetime | None = None,
    secrets: Iterable[str] = (),
) -> SavedImage:
    """Check ``data``, name it, embed ``settings`` and write it under ``folder``; return where.

    ``secrets`` are strings (the API key) that must not appear in the file even if a caller
    left them somewhere in ``settings``. Raises :class:`InvalidImageError` or
    :class:`ImageTooLargeError` before anything is written, :class:`DiskFullError` or
    :class:`ImageSaveError` with nothing left behind.
    """
    info = check_image(data)
    created = now if now is not None else datetime.now().astimezone()
    meta = build_metadata(
        settings, prompt=prompt, created=created, image=info, index=index, secrets=secrets
    )
    if info.format == "png":
        payload, sidecar = _embed_png(data, meta), None
    else:
        payload, sidecar = data, encode_metadata(meta, indent=2) + b"\n"
    try:
        return _write_new(folder, payload, sidecar, info, created, prompt, index)
    except OSError as exc:
        raise _save_error(exc, folder) from exc


def _embed_png(data: bytes, meta: dict[str, Any]) -> bytes:
    body = encode_metadata(meta)
    chunks = [itxt_chunk(META_KEYWORD, body, compress=len(body) > COMPRESS_OVER)]
    if meta["prompt"]:
        chunks.append(
            itxt_chunk("Description", meta["prompt"][:MAX_DESCRIPTION_CHARS], compress=False)
        )
    chunks.append(text_chunk("Software", f"Orq Desktop {__version__}"))
    return insert_chunks(data, chunks, replace_keywords=(META_KEYWORD, "Description"))


def _write_new(
    folder: Path,
    payload: bytes,
    sidecar: bytes | None,
    info: ImageInfo,
    created: datetime,
    prompt: str,
    index: int,
) -> SavedImage:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = folder.resolve(strict=True)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        stem = image_stem(created, prompt, index, attempt)
        if _stem_taken(root, stem):
            continue
        path = root / (stem + info.ext)
        side = root / (stem + SIDECAR_EXT) if sidecar is not None else None
        for candidate in (path, side):
            if candidate is not None and not (
                is_safe_name(candidate.name) and candidate.resolve().parent == root
            ):
                raise ImageSaveError(f"Refused to save the image under an unsafe name ({stem!r}).")
        try:
            _write_exclusive(path, payload)
        except FileExistsError:
            continue  # another writer took the name since _stem_taken looked
        if side is None or sidecar is None:
            return SavedImage(path=path, sidecar_path=None, info=info)
        try:
            _write_exclusive(side, sidecar)
        except BaseException as exc:
            # All or nothing: an image whose settings could not be written is taken back.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            if isinstance(exc, FileExistsError):
                continue
            raise
        return SavedImage(path=path, sidecar_path=side, info=info)
    raise ImageSaveError(f"No free file name was found for the image in {folder}.")


def _stem_taken(root: Path, stem: str) -> bool:
    """A stem is taken if any image or sidecar uses it, so a sidecar never pairs wrongly."""
    return any(os.path.lexists(root / (stem + ext)) for ext in (*_IMAGE_EXTS, SIDECAR_EXT))


def _write_exclusive(path: Path, data: bytes) -> None:
    """Write a new file atomically; ``FileExistsError`` if the name is taken (never follows it)."""
    try:
        atomic_write_bytes(path, data, mode=0o600, exclusive=True)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # File systems without hard links (FAT and exFAT drives, some network shares): claim the
        # name with an empty O_EXCL file, then replace that placeholder atomically.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        try:
            atomic_write_bytes(path, data, mode=0o600)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            raise


def _save_error(exc: OSError, folder: Path) -> ImageSaveError:
    if exc.errno in _DISK_FULL:
        return DiskFullError(
            f"The disk is full, so the image was not saved in {folder}. "
            "Free some space and generate it again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ImageSaveError(f"Orq Desktop may not write to the images folder {folder}.")
    reason = exc.strerror or "write error"
    return ImageSaveError(f"The image could not be saved in {folder} ({reason}).")


def read_settings(path: Path) -> dict[str, Any] | None:
    """The settings saved with the image at ``path`` (or its ``.json`` sidecar), else None.

    Foreign, broken or missing metadata gives None; this never raises.
    """
    try:
        with open(path, "rb") as f:
            is_png = f.read(8) == PNG_SIGNATURE
        if is_png:
            text = read_text(path, META_KEYWORD, max_bytes=MAX_READ_BYTES)
            return parse_metadata(text) if text is not None else None
        sidecar = path if path.suffix.lower() == SIDECAR_EXT else path.with_suffix(SIDECAR_EXT)
        with open(sidecar, "rb") as f:
            raw = f.read(MAX_READ_BYTES + 1)
        return parse_metadata(raw)
    except (OSError, ValueError):
        return None


def copy_image(source: Path, destination: Path, *, replace: Collection[Path] = ()) -> list[Path]:
    """Copy the image at ``source`` to ``destination`` with its settings; return the paths written.

    A PNG carries its settings inside; a JPEG, WebP or GIF's own ``.json`` sidecar (one that
    :func:`read_settings` accepts) is copied to ``<destination stem>.json`` beside the copy. Only
    paths listed in ``replace`` may be overwritten: if another target exists,
    :class:`CopyConflictError` names every taken one and nothing is written. Both files are
    written in full before either gets its final name, so a failure leaves neither behind.
    """
    data = source.read_bytes()
    targets = [(destination, data)]
    sidecar = _own_sidecar(source, data)
    if sidecar is not None:
        if destination.suffix.lower() == SIDECAR_EXT:
            raise ImageSaveError(
                f"{destination.name}: a {SIDECAR_EXT} name is kept for the image's settings; "
                "choose the image's own extension."
            )
        targets.append((destination.with_suffix(SIDECAR_EXT), sidecar))
    allowed = {os.path.abspath(p) for p in replace}
    taken = [p for p, _ in targets if os.path.lexists(p) and os.path.abspath(p) not in allowed]
    if taken:
        raise CopyConflictError(taken)
    staged: list[tuple[str, Path]] = []
    created: list[Path] = []
    try:
        for path, payload in targets:
            staged.append((_stage(path, payload), path))
        for tmp, path in staged:
            if os.path.abspath(path) in allowed:
                os.replace(tmp, path)
            else:
                _claim(tmp, path)
                created.append(path)
    except BaseException as exc:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        for path in created:  # all or nothing: take back the new names already claimed
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if isinstance(exc, FileExistsError):  # another writer took a name since we looked
            raced = [p for p, _ in targets if os.path.abspath(p) not in allowed]
            raise CopyConflictError([p for p in raced if os.path.lexists(p)]) from exc
        raise
    fsync_dir(destination.parent)
    return [path for path, _ in targets]


def _own_sidecar(source: Path, data: bytes) -> bytes | None:
    """The raw ``.json`` settings beside a non-PNG image, if they are ours; else None."""
    if data.startswith(PNG_SIGNATURE) or source.suffix.lower() == SIDECAR_EXT:
        return None
    try:
        with open(source.with_suffix(SIDECAR_EXT), "rb") as f:
            raw = f.read(MAX_READ_BYTES + 1)
    except FileNotFoundError:
        return None
    return raw if parse_metadata(raw) is not None else None


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` in full to a hidden temporary file beside ``path``; return its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _claim(tmp: str, path: Path) -> None:
    """Give the staged file ``tmp`` the new name ``path``; ``FileExistsError`` if it is taken."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # No hard links (FAT, some network shares): claim the name, then replace the placeholder.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def list_images(folder: Path) -> list[ImageEntry]:
    """The images in ``folder``, newest first, with their settings where readable.

    Cheap: each file's first bytes name its format and size, and PNG text chunks are found by
    seeking over the pixel data. Hidden files, sidecars, symlinks and non-images are skipped.
    """
    entries: list[tuple[int, str, ImageEntry]] = []
    try:
        scan = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    with scan:
        for item in scan:
            if item.name.startswith(".") or item.name.lower().endswith(SIDECAR_EXT):
                continue
            try:
                if not item.is_file(follow_symlinks=False):
                    continue
                stat = item.stat(follow_symlinks=False)
                with open(item.path, "rb") as f:
                    head = f.read(32)
                    fmt = sniff_format(head)
                    if fmt is None:
                        continue
                    if fmt == "jpeg":
                        head += f.read(_HEAD_BYTES)
            except OSError:
                continue
            size = header_size(fmt, head)
            path = Path(item.path)
            entry = ImageEntry(
                path=path,
                format=fmt,
                size_bytes=stat.st_size,
                modified=stat.st_mtime,
                width=size[0] if size else None,
                height=size[1] if size else None,
                settings=read_settings(path),
            )
            entries.append((stat.st_mtime_ns, item.name, entry))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return [entry for _, _, entry in entries]
