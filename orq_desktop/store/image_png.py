"""PNG text chunks, written and read without touching the pixels (``struct`` and ``zlib`` only).

New chunks go just before ``IEND``, each with its CRC, so the image data is byte for byte what
the server sent. Reading walks the chunk headers and seeks over everything else, so listing a
folder of large PNGs reads a few bytes per chunk, never the pixels.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Collection, Sequence
from pathlib import Path

from orq_desktop.store.image_check import InvalidImageError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_TYPES = (b"tEXt", b"zTXt", b"iTXt")


def chunk(ctype: bytes, payload: bytes) -> bytes:
    """One complete chunk: length, type, payload, CRC-32 of type and payload."""
    return (
        struct.pack(">I", len(payload))
        + ctype
        + payload
        + struct.pack(">I", zlib.crc32(ctype + payload))
    )


def itxt_chunk(keyword: str, text: str | bytes, *, compress: bool) -> bytes:
    """An international text chunk: UTF-8 text, optionally zlib-compressed."""
    body = text.encode("utf-8", "replace") if isinstance(text, str) else text
    if compress:
        body = zlib.compress(body, 9)
    header = keyword.encode("latin-1") + b"\0" + (b"\1\0" if compress else b"\0\0") + b"\0\0"
    return chunk(b"iTXt", header + body)


def text_chunk(keyword: str, text: str) -> bytes:
    """A Latin-1 text chunk (the oldest kind, which every viewer shows)."""
    return chunk(b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1", "replace"))


def insert_chunks(
    data: bytes, new_chunks: Sequence[bytes], *, replace_keywords: Collection[str]
) -> bytes:
    """``data`` with ``new_chunks`` placed before ``IEND``.

    Text chunks already carrying one of ``replace_keywords`` are dropped, so a server cannot
    plant metadata that would be read back as ours. Anything after ``IEND`` is not part of the
    image and is left out.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidImageError("The PNG image is damaged: its signature is missing.")
    drop = {k.encode("latin-1") for k in replace_keywords}
    view = memoryview(data)
    parts: list[bytes | memoryview] = [view[:8]]
    pos = 8
    while True:
        if pos + 12 > len(data):
            raise InvalidImageError("The PNG image is damaged: it ends before its last chunk.")
        length, ctype = struct.unpack(">I4s", view[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise InvalidImageError("The PNG image is damaged: a chunk runs past the end.")
        if ctype == b"IEND":
            parts.extend(new_chunks)
            parts.append(view[pos:end])
            return b"".join(parts)
        if ctype not in TEXT_TYPES or _keyword(view[pos + 8 : end - 4]) not in drop:
            parts.append(view[pos:end])
        pos = end


def _keyword(payload: memoryview) -> bytes:
    return bytes(payload[:80]).partition(b"\0")[0]  # keywords are 1-79 bytes


def read_text(path: Path, keyword: str, *, max_bytes: int) -> str | None:
    """The first valid text chunk named ``keyword`` in the PNG at ``path``, or None.

    Chunks with a bad CRC, a bad encoding or more than ``max_bytes`` of text are skipped.
    Raises ``OSError`` only for a file that cannot be opened or read.
    """
    wanted = keyword.encode("latin-1")
    with open(path, "rb") as f:
        if f.read(8) != PNG_SIGNATURE:
            return None
        while True:
            head = f.read(8)
            if len(head) < 8:
                return None
            length, ctype = struct.unpack(">I4s", head)
            if ctype == b"IEND":
                return None
            if ctype not in TEXT_TYPES or length > max_bytes:
                f.seek(length + 4, os.SEEK_CUR)
                continue
            body = f.read(length + 4)
            if len(body) < length + 4:
                return None
            payload = body[:length]
            if zlib.crc32(ctype + payload) != struct.unpack(">I", body[length:])[0]:
                continue
            text = _parse_text(ctype, payload, wanted, max_bytes)
            if text is not None:
                return text


def _parse_text(ctype: bytes, payload: bytes, wanted: bytes, max_bytes: int) -> str | None:
    keyword, sep, rest = payload.partition(b"\0")
    if not sep or keyword != wanted:
        return None
    try:
        if ctype == b"tEXt":
            return rest.decode("latin-1")
        if ctype == b"zTXt":
            if rest[:1] != b"\0":
                return None
            return _inflate(rest[1:], max_bytes).decode("latin-1")
        # iTXt: compression flag, method, language tag \0, translated keyword \0, text
        flag, method = rest[0], rest[1]
        if flag not in (0, 1):
            return None
        _language, _, rest = rest[2:].partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        if flag == 1:
            if method != 0:
                return None
            text = _inflate(text, max_bytes)
        return text.decode("utf-8")
    except (IndexError, ValueError, zlib.error):
        return None


def _inflate(data: bytes, max_bytes: int) -> bytes:
    """Decompress at most ``max_bytes`` (a zip bomb in a text chunk stops there)."""
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, max_bytes)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("text chunk too large or incomplete")
    return out
