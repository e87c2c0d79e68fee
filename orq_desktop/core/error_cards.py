"""Turn the client's typed errors into error cards: status, the router's words, what to do next."""

from __future__ import annotations

from orq_desktop.api import errors
from orq_desktop.core.chat_types import ErrorAction, ErrorInfo
from orq_desktop.core.connection import MissingApiKeyError, UnconfirmedHostError

RETRY = ErrorAction("retry", "Try again")
REENTER_KEY = ErrorAction("reenter_key", "Re-enter key")
ADD_FALLBACK = ErrorAction("add_fallback", "Add a fallback")
RAISE_TIMEOUT = ErrorAction("raise_timeout", "Raise the timeout")
OPEN_SETTINGS = ErrorAction("open_settings", "Check connection settings")
REGENERATE = ErrorAction("retry", "Regenerate")


def _retry_on(status: int) -> ErrorAction:
    return ErrorAction(f"retry_on_code:{status}", f"Retry on {status}")


def _title(exc: errors.RouterError, label: str) -> str:
    return f"{exc.status} {label}" if exc.status else label


def error_card(exc: BaseException) -> ErrorInfo:
    """The card for any failure of a request; unknown exceptions become a plain bug report."""
    if isinstance(exc, UnconfirmedHostError):
        return ErrorInfo(
            title="Router address not confirmed",
            message=exc.message,
            advice=exc.advice,
            kind="UnconfirmedHostError",
            actions=(OPEN_SETTINGS,),
        )
    if isinstance(exc, MissingApiKeyError):
        return ErrorInfo(
            title="No API key",
            message=exc.message,
            advice=exc.advice,
            kind="MissingApiKeyError",
            actions=(REENTER_KEY,),
        )
    if not isinstance(exc, errors.RouterError):
        return ErrorInfo(
            title="Unexpected error",
            message=f"{type(exc).__name__}: {exc}",
            advice="This is a bug in Orq Desktop. Your conversation is kept; try again.",
            kind=type(exc).__name__,
            actions=(RETRY,),
        )
    actions: tuple[ErrorAction, ...]
    match exc:
        case errors.AuthenticationError():
            label, actions = "API key rejected", (REENTER_KEY,)
        case errors.PermissionDeniedError():
            label, actions = "Not allowed", (REENTER_KEY,)
        case errors.NotFoundError():
            label, actions = "Not found", ()
        case errors.RateLimitError():
            label, actions = "Rate limited", (_retry_on(exc.status or 429), ADD_FALLBACK, RETRY)
        case errors.ServerError():
            status = exc.status or 500
            label, actions = "Provider error", (_retry_on(status), ADD_FALLBACK, RETRY)
        case errors.BadRequestError():
            label, actions = "Request refused", ()
        case errors.RequestTimeout():
            label, actions = "Timed out", (RAISE_TIMEOUT, ADD_FALLBACK, RETRY)
        case errors.DnsFailure():
            label, actions = "Server name not found", (OPEN_SETTINGS, RETRY)
        case errors.ConnectionRefused():
            label, actions = "Connection refused", (OPEN_SETTINGS, RETRY)
        case errors.TlsFailure():
            label, actions = "Secure connection failed", (OPEN_SETTINGS,)
        case errors.StreamInterrupted():
            label, actions = "Answer interrupted", (REGENERATE,)
        case errors.StreamError():
            label, actions = "Provider error mid-answer", (REGENERATE, ADD_FALLBACK)
        case errors.ResponseTooLarge():
            label, actions = "Answer too large", ()
        case errors.MalformedResponse():
            label, actions = "Unreadable answer", (REGENERATE,)
        case _:
            label, actions = "Request failed", (RETRY,)
    return ErrorInfo(
        title=_title(exc, label),
        message=exc.message,
        advice=exc.advice,
        status=exc.status,
        kind=type(exc).__name__,
        trace_id=exc.trace_id,
        actions=actions,
    )
