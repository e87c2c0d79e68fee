"""Is this really an image we are willing to keep? Magic bytes, header size, then Pillow.

The router answers with base64 text (or a URL the core downloads); either way the bytes are
untrusted. They are accepted only when the magic bytes name a format we save (PNG, JPEG, WebP,
GIF), the header's width and height are within the allocation cap (so a PNG header claiming
60000×60000 is refused before anything is decoded), and Pillow verifies and decodes them.
Decoding is CPU work: callers run this off the UI thread.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
from dataclasses import dataclass

from PIL import Image

MAX_SIDE = 16384
MAX_DECODED_BYTES = 256 * 1024 * 1024  # counted as 4 bytes per pixel (RGBA), like QImageReader
DEFAULT_MAX_B64_BYTES = 32 * 1024 * 1024  # decoded size; a 60 MB base64 answer is refused unread

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# format -> (file extension, Pillow format name)
FORMATS: dict[str, tuple[str, str]] = {
    "png": (".png", "PNG"),
    "jpeg": (".jpg", "JPEG"),
    "webp": (".webp", "WEBP"),
    "gif": (".gif", "GIF"),
}


class ImageStoreError(Exception):
    """Base of the image store's errors; ``str(error)`` is a plain sentence for the user."""


class InvalidImageError(ImageStoreError):
    """The bytes are not an image we can save (wrong magic bytes, broken data, bad base64)."""


class ImageTooLargeError(ImageStoreError):
    """The image is bigger than the allocation cap (per side or in decoded bytes)."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the bytes are: ``format`` is ``png``/``jpeg``/``webp``/``gif``, ``ext`` has its dot."""

    format: str
    ext: str
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The format named by the first bytes, or None. Needs at most 12 bytes."""
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def header_size(fmt: str, data: bytes) -> tuple[int, int] | None:
    """Width and height read from the header alone (no decoding), or None if not found."""
    try:
        if fmt == "png":
            if data[12:16] != b"IHDR":
                return None
            width, height = struct.unpack(">II", data[16:24])
            return width, height
        if fmt == "gif":
            width, height = struct.unpack("<HH", data[6:10])
            return width, height
        if fmt == "webp":
            return _webp_size(data)
        if fmt == "jpeg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The largest frame size declared before the first scan (decoders use one of them)."""
    best: tuple[int, int] | None = None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        while i < len(data) and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= len(data):
            break
        marker = data[i]
        i += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker == 0xDA:  # start of scan: the frame header is behind us
            break
        (length,) = struct.unpack(">H", data[i : i + 2])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 3 : i + 7])
            if best is None or width * height > best[0] * best[1]:
                best = (width, height)
        i += length
    return best


def check_size(width: int, height: int) -> None:
    """Refuse a size over the cap, with a plain message."""
    if width < 1 or height < 1:
        raise InvalidImageError(f"The image claims an impossible size ({width}×{height}).")
    if width > MAX_SIDE or height > MAX_SIDE or width * height * 4 > MAX_DECODED_BYTES:
        raise ImageTooLargeError(
            f"The image is too large to open safely ({width}×{height} pixels; the limit is "
            f"{MAX_SIDE} pixels per side and {_megabytes(MAX_DECODED_BYTES)} decoded)."
        )


def check_image(data: bytes) -> ImageInfo:
    """Return what ``data`` is, or raise :class:`InvalidImageError` / :class:`ImageTooLargeError`.

    Order matters: magic bytes, then the header's size against the cap, and only then Pillow
    (which verifies the structure and checksums, then decodes the pixels once).
    """
    if not data:
        raise InvalidImageError("The server returned an empty image.")
    fmt = sniff_format(data[:12])
    if fmt is None:
        raise InvalidImageError(
            "The server's answer is not an image (expected PNG, JPEG, WebP or GIF data)."
        )
    size = header_size(fmt, data)
    if size is None:
        raise InvalidImageError(f"The {fmt.upper()} image is damaged: its size cannot be read.")
    check_size(*size)
    ext, pil_format = FORMATS[fmt]
    try:
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            check_size(*image.size)  # the decoder's own idea of the size must be within the cap too
            image.verify()
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            image.load()
            width, height = image.size
    except ImageStoreError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError("The image is too large to open safely.") from exc
    except (OSError, ValueError, SyntaxError, struct.error, EOFError, IndexError) as exc:
        # Pillow reports broken data with any of these (truncated files, bad CRCs, bad headers).
        raise InvalidImageError(f"The {fmt.upper()} image is damaged or incomplete.") from exc
    return ImageInfo(format=fmt, ext=ext, width=width, height=height)


def decode_b64_image(s: str, max_bytes: int = DEFAULT_MAX_B64_BYTES) -> bytes:
    """Decode a ``b64_json`` answer strictly: any character outside the alphabet is refused.

    ``base64.b64decode`` without ``validate=True`` silently drops junk and would happily decode
    an HTML page. The size is checked from the text's length before anything is decoded.
    """
    s = s.strip()
    if not s:
        raise InvalidImageError("The server returned an empty image.")
    decoded_size = len(s) // 4 * 3 - min(2, len(s) - len(s.rstrip("=")))
    if decoded_size > max_bytes:
        raise ImageTooLargeError(
            f"The image is too large ({_megabytes(decoded_size)}; the limit is "
            f"{_megabytes(max_bytes)})."
        )
    try:
        data = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidImageError(
            "The server's image is not valid base64 text (it holds characters outside the "
            "base64 alphabet, or is cut short)."
        ) from exc
    if not data:
        raise InvalidImageError("The server returned an empty image.")
    return data


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
