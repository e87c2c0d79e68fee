"""Image bytes for the images endpoint: a gradient with the prompt's first words (Pillow).

Rendering is CPU work, so callers run :func:`render_image` in a worker thread.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

MAX_SIDE = 4096  # larger sizes are refused, so one request cannot eat the machine
DEFAULT_SIZE = (1024, 1024)
FORMATS: dict[str, tuple[str, str]] = {
    # output_format -> (Pillow format, Content-Type)
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


class SizeError(ValueError):
    """The ``size`` field is not ``<width>x<height>`` within the limits."""


def parse_size(size: str | None) -> tuple[int, int]:
    """``"1792x1024"`` -> ``(1792, 1024)``; ``None`` or ``"auto"`` give 1024x1024."""
    if size is None or size == "auto":
        return DEFAULT_SIZE
    parts = size.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise SizeError(f'Size must look like 1024x1024 or be auto (you entered "{size}").')
    width, height = int(parts[0]), int(parts[1])
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        limit = f"{MAX_SIDE}x{MAX_SIDE}"
        raise SizeError(f"Size must be between 1x1 and {limit} (you entered {size}).")
    return width, height


def render_image(
    prompt: str,
    size: tuple[int, int],
    output_format: str,
    *,
    index: int = 0,
    transparent: bool = False,
    quality: int | None = None,
) -> bytes:
    """Encoded image bytes: a two-colour gradient picked from the prompt, and its first words."""
    width, height = size
    digest = hashlib.sha256(f"{prompt}\n{index}".encode()).digest()
    start = (digest[0], digest[1], digest[2])
    end = (255 - digest[3], 255 - digest[4], digest[5])
    # A 256-step gradient scaled up is cheap at any size; the colours come from the prompt.
    ramp = Image.linear_gradient("L").resize((width, height))
    across = ramp.rotate(90, expand=True).resize((width, height))
    channels = [
        (ramp if c % 2 else across).point([a + (b - a) * v // 255 for v in range(256)])
        for c, (a, b) in enumerate(zip(start, end, strict=True))
    ]
    mode = "RGBA" if transparent and output_format != "jpeg" else "RGB"
    image = Image.merge("RGB", channels)
    if mode == "RGBA":
        image.putalpha(ramp.point([64 + v * 191 // 255 for v in range(256)]))
    words = " ".join(prompt.split()[:5]) or "(empty prompt)"
    font_size = max(8, min(width, height) // 16)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    draw.text((width // 20, height // 2 - font_size // 2), words, font=font, fill="white")
    buffer = io.BytesIO()
    pil_format = FORMATS[output_format][0]
    if pil_format == "PNG":
        image.save(buffer, pil_format, compress_level=1)
    elif pil_format == "WEBP":
        image.save(buffer, pil_format, quality=quality if quality is not None else 80, method=0)
    else:
        image.save(buffer, pil_format, quality=quality if quality is not None else 85)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class StoredImage:
    data: bytes
    content_type: str


class ImageStore:
    """Images served at ``/_sim/images/<id>.<ext>``, in memory, oldest dropped beyond a budget."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024, max_items: int = 512) -> None:
        self._max_bytes = max_bytes
        self._max_items = max_items
        self._bytes = 0
        self._items: OrderedDict[str, StoredImage] = OrderedDict()

    def add(self, data: bytes, output_format: str) -> str:
        """Store the bytes; the returned name (``<id>.<ext>``) is the URL's last segment."""
        name = f"img_{os.urandom(8).hex()}.{output_format}"
        self._items[name] = StoredImage(data, FORMATS[output_format][1])
        self._bytes += len(data)
        while len(self._items) > 1 and (
            self._bytes > self._max_bytes or len(self._items) > self._max_items
        ):
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped.data)
        return name

    def get(self, name: str) -> StoredImage | None:
        return self._items.get(name)

    def __len__(self) -> int:
        return len(self._items)
