"""Plain data that crosses from the image job and the image library to widgets (no Qt, no httpx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class ReadyImage:
    """One generated image, already saved.

    Attributes:
        path: the saved file.
        settings: the metadata saved with it (prompt, revised prompt, model, options, orq, time).
        width, height: pixels, as decoded.
        revised_prompt: the model's rewording of the prompt (DALL·E 3), or None.
        index, count: this is image ``index`` (from 1) of the ``count`` the answer held.
        format: ``png``, ``jpeg``, ``webp`` or ``gif``.
    """

    path: str
    settings: dict[str, Any]
    width: int
    height: int
    revised_prompt: str | None
    index: int = 1
    count: int = 1
    format: str = "png"


@dataclass(frozen=True, slots=True)
class GalleryItem:
    """One image of the gallery (a file in the images folder)."""

    path: str
    format: str
    size_bytes: int
    modified: float
    width: int | None
    height: int | None
    settings: dict[str, Any] | None

    @property
    def prompt(self) -> str:
        return _text((self.settings or {}).get("prompt"))

    @property
    def revised_prompt(self) -> str:
        return _text((self.settings or {}).get("revised_prompt"))

    @property
    def model(self) -> str:
        return _text((self.settings or {}).get("model"))

    @property
    def created(self) -> str:
        return _text((self.settings or {}).get("created"))

    @property
    def search_text(self) -> str:
        """What a gallery search looks in (lower case): prompt, revised prompt, model."""
        return f"{self.prompt}\n{self.revised_prompt}\n{self.model}".casefold()

    @classmethod
    def from_ready(cls, image: ReadyImage, size_bytes: int, modified: float) -> GalleryItem:
        return cls(
            path=image.path,
            format=image.format,
            size_bytes=size_bytes,
            modified=modified,
            width=image.width,
            height=image.height,
            settings=image.settings,
        )
