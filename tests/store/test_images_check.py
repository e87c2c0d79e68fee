"""Only real images within the size cap get through; base64 is decoded strictly."""

from __future__ import annotations

import base64
import io
import resource
import struct
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from orq_desktop.store.image_check import MAX_SIDE, header_size, sniff_format
from orq_desktop.store.images import (
    ImageTooLargeError,
    InvalidImageError,
    check_image,
    decode_b64_image,
    save_generated_image,
)

NOW = datetime(2026, 11, 26, 10, 30, 0)


def encode(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 90) if mode == "RGB" else (200, 30, 90, 128))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_chunk(ctype: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(ctype + payload)
    return struct.pack(">I", len(payload)) + ctype + payload + struct.pack(">I", crc)


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG header (correct CRCs) that claims ``width``×``height`` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header is rewritten to claim another size."""
    data = bytearray(encode("JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    ("fmt", "name", "ext"),
    [("PNG", "png", ".png"), ("JPEG", "jpeg", ".jpg"), ("WEBP", "webp", ".webp"),
     ("GIF", "gif", ".gif")],
)  # fmt: skip
def test_check_image_names_format_extension_and_size(fmt: str, name: str, ext: str) -> None:
    info = check_image(encode(fmt, (64, 48)))
    assert (info.format, info.ext, info.width, info.height) == (name, ext, 64, 48)


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_webp_header_sizes_lossy_lossless_and_extended(mode: str) -> None:
    for kwargs in ({"lossless": False}, {"lossless": True}):
        buffer = io.BytesIO()
        Image.new(mode, (300, 17)).save(buffer, "WEBP", **kwargs)
        assert header_size("webp", buffer.getvalue()) == (300, 17)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<!doctype html><html><body>Bad gateway</body></html>", id="html"),
        pytest.param(encode("PNG")[:60], id="truncated-png"),
        pytest.param(encode("JPEG")[:-200], id="truncated-jpeg"),
        pytest.param(encode("WEBP")[:40], id="truncated-webp"),
        pytest.param(b"", id="empty"),
        pytest.param(bytes(range(256)) * 8, id="random"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
        pytest.param(b"GIF89a", id="gif-signature-only"),
    ],
)
def test_bytes_that_are_not_an_image_are_refused_and_nothing_is_written(
    data: bytes, tmp_path: Path
) -> None:
    with pytest.raises(InvalidImageError) as caught:
        check_image(data)
    assert str(caught.value)  # a plain sentence for the user
    with pytest.raises(InvalidImageError):
        save_generated_image(tmp_path, data, {}, prompt="x", index=1, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_png_with_a_corrupted_pixel_chunk_is_refused() -> None:
    data = bytearray(encode("PNG", (128, 128)))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # the chunk CRC no longer matches
    with pytest.raises(InvalidImageError):
        check_image(bytes(data))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_claiming(60000, 60000), id="png-60000"),
        pytest.param(png_claiming(MAX_SIDE + 1, 1), id="png-wide"),
        pytest.param(png_claiming(16384, 16384), id="png-1GB-decoded"),
        pytest.param(jpeg_claiming(60000, 60000), id="jpeg-60000"),
        pytest.param(b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\0" * 20, id="gif"),
    ],
)
def test_a_header_over_the_cap_is_refused_before_decoding(data: bytes, tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageTooLargeError, match="too large"):
        check_image(data)
    with pytest.raises(ImageTooLargeError):
        save_generated_image(tmp_path, data, {}, prompt="bomb", index=1, now=NOW)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024  # decoding 60000×60000 would take gigabytes
    assert list(tmp_path.iterdir()) == []


def test_webp_extended_header_over_the_cap_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32)).save(buffer, "WEBP", lossless=True, exif=b"Exif\0\0MM")
    data = bytearray(buffer.getvalue())
    assert data[12:16] == b"VP8X"
    data[24:30] = (59999).to_bytes(3, "little") * 2  # canvas 60000×60000
    with pytest.raises(ImageTooLargeError):
        check_image(bytes(data))


def test_sniffing_looks_at_magic_bytes_only() -> None:
    assert sniff_format(encode("PNG")) == "png"
    assert sniff_format(encode("JPEG")) == "jpeg"
    assert sniff_format(encode("WEBP")) == "webp"
    assert sniff_format(encode("GIF")) == "gif"
    assert sniff_format(b"RIFF\0\0\0\0WAVEfmt ") is None
    assert sniff_format(b"%PDF-1.7") is None


def test_decode_b64_image_round_trips_real_base64() -> None:
    data = encode("PNG")
    assert decode_b64_image(base64.b64encode(data).decode()) == data


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("iVBORw0KGgo!!!AAAA", id="junk-characters"),
        pytest.param("iVBORw0K\nGgoAAAA", id="newline-inside"),
        pytest.param("data:image/png;base64,iVBORw0KGgo=", id="data-url-prefix"),
        pytest.param("iVBORw0KGgoAAA", id="cut-short"),
        pytest.param("iVBORw0KGgé=", id="non-ascii"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_decode_b64_image_refuses_what_lenient_decoding_would_accept(text: str) -> None:
    with pytest.raises(InvalidImageError):
        decode_b64_image(text)


def test_lenient_decoding_would_have_accepted_html_but_strict_does_not() -> None:
    html = "<html> <body> QUJD"
    assert base64.b64decode(html)  # the trap: junk dropped, something decoded
    with pytest.raises(InvalidImageError):
        decode_b64_image(html)


def test_decode_b64_image_refuses_oversized_text_before_decoding_it() -> None:
    # Not valid base64 either: a size error (not a base64 error) proves the length came first.
    with pytest.raises(ImageTooLargeError, match="too large"):
        decode_b64_image("!" * 4000, max_bytes=1000)
    ok = base64.b64encode(b"x" * 900).decode()
    assert decode_b64_image(ok, max_bytes=1000) == b"x" * 900
    exact = base64.b64encode(b"y" * 1000).decode()  # padded: 1000 bytes, not 1002
    assert decode_b64_image(exact, max_bytes=1000) == b"y" * 1000
    with pytest.raises(ImageTooLargeError):
        decode_b64_image(exact, max_bytes=999)


def test_base64_of_non_image_bytes_decodes_but_check_image_refuses_it() -> None:
    data = decode_b64_image(base64.b64encode(b"<html>502 Bad Gateway</html>").decode())
    with pytest.raises(InvalidImageError, match="not an image"):
        check_image(data)
