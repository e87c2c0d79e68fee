"""What a finished request gives the UI: text, status, the answering model, usage, timings."""

from __future__ import annotations

from dataclasses import dataclass

from orq_desktop.api.responses import ChatCompletion, ImageData, ImageUsage, Usage

__all__ = ["ChatResult", "GeneratedImage", "ImageResult", "Timings"]


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds from the start of the request.

    ``ttfb_s``: the response headers arrived (after any redirect or client retry);
    ``ttft_s``: the first non-empty content arrived (None when no text came);
    ``total_s``: the answer was complete (or the stream stopped).
    """

    ttfb_s: float | None
    ttft_s: float | None
    total_s: float


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A chat answer, streamed or not.

    ``model`` is the response's ``model`` field: the model that answered, which may be a
    fallback's or the provider's own id. ``completion`` is the parsed body of a non-streamed
    answer (None for a streamed one).
    """

    text: str
    status: int
    model: str | None
    usage: Usage | None
    finish_reason: str | None
    trace_id: str | None
    timings: Timings
    completion: ChatCompletion | None = None


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """One image: base64 bytes or a URL (which expires: download it at once)."""

    b64_json: str | None
    url: str | None
    revised_prompt: str | None

    @classmethod
    def from_wire(cls, item: ImageData) -> GeneratedImage:
        return cls(b64_json=item.b64_json, url=item.url, revised_prompt=item.revised_prompt)


@dataclass(frozen=True, slots=True)
class ImageResult:
    images: tuple[GeneratedImage, ...]
    created: int | float
    usage: ImageUsage | None
    status: int
    trace_id: str | None
    timings: Timings
