"""Error cards for image generation: the router's errors, plus the image's own failures.

A link that cannot be downloaded, bytes that are not an image, an image over the allocation cap,
a full disk: each gets a card that says plainly that nothing was saved and what to do next.
"""

from __future__ import annotations

from dataclasses import replace

from orq_desktop.api.downloads import ImageDownloadError, ImageTooLargeDownloadError
from orq_desktop.core.chat_types import ErrorAction, ErrorInfo
from orq_desktop.core.error_cards import RETRY, error_card
from orq_desktop.store.images import (
    DiskFullError,
    ImageSaveError,
    ImageTooLargeError,
    InvalidImageError,
)

CHOOSE_FOLDER = ErrorAction("choose_folder", "Choose another folder")
SMALLER_SIZE = ErrorAction("smaller_size", "Pick a smaller size")


def image_error_card(exc: BaseException, *, index: int = 1, count: int = 1) -> ErrorInfo:
    """The card for a failed image (``index`` of ``count`` in the answer) or a failed request."""
    card = _card(exc)
    if count > 1:
        card = replace(card, title=f"Image {index} of {count}: {card.title}")
    return card


def _card(exc: BaseException) -> ErrorInfo:
    kind = type(exc).__name__
    match exc:
        case InvalidImageError():
            return ErrorInfo(
                title="Not an image",
                message=str(exc),
                advice="Nothing was saved. Try again; if it keeps happening, try another model "
                "or response format.",
                kind=kind,
                actions=(RETRY,),
            )
        case ImageTooLargeError():
            return ErrorInfo(
                title="Image too large",
                message=str(exc),
                advice="Nothing was saved. Choose a smaller size.",
                kind=kind,
                actions=(SMALLER_SIZE,),
            )
        case DiskFullError():
            return ErrorInfo(
                title="Disk full",
                message=str(exc),
                advice="Nothing was saved and no partial file was left. Free some space or "
                "choose another images folder, then generate again.",
                kind=kind,
                actions=(CHOOSE_FOLDER, RETRY),
            )
        case ImageSaveError():
            return ErrorInfo(
                title="Image not saved",
                message=str(exc),
                advice="Nothing was saved. Choose another images folder and generate again.",
                kind=kind,
                actions=(CHOOSE_FOLDER, RETRY),
            )
        case ImageTooLargeDownloadError():
            return ErrorInfo(
                title="Image too large",
                message=exc.message,
                advice=exc.advice,
                status=exc.status,
                kind=kind,
                actions=(SMALLER_SIZE,),
            )
        case ImageDownloadError():
            return ErrorInfo(
                title=f"{exc.status} Image download failed" if exc.status else exc.title_text,
                message=exc.message,
                advice=exc.advice,
                status=exc.status,
                kind=kind,
                actions=(RETRY,),
            )
    return error_card(exc)


def no_images_card() -> ErrorInfo:
    """The router answered, but with no image in it."""
    return ErrorInfo(
        title="No image came back",
        message="The router's answer held no image.",
        advice="Try again, or try another model.",
        kind="NoImages",
        actions=(RETRY,),
    )
