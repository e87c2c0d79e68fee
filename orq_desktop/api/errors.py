"""Typed errors of the router client: what failed, the router's own words, and what to do next.

Every error carries ``status`` (None when no HTTP answer came), ``message`` (the router's
``error.message`` as plain text, or a description of the network failure), ``advice`` (one line
for someone who does not write code), ``trace_id`` (``x-orq-trace-id``), ``code`` and
``retry_after`` (seconds). ``str(err)`` reads ``"429 Rate limited: <router message>"``.

``client_errors`` builds them from HTTP answers and httpx exceptions; it never raises while reading
a body and scrubs the API key out of every text it keeps.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConnectionFailed",
    "ConnectionRefused",
    "DnsFailure",
    "HttpStatusError",
    "MalformedResponse",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseTooLarge",
    "RouterError",
    "ServerError",
    "StreamError",
    "StreamInterrupted",
    "TlsFailure",
    "UnexpectedRedirect",
]

_REASONS: dict[int, str] = {
    400: "Bad request",
    401: "API key rejected",
    402: "Payment required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    408: "Request timeout",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Rate limited",
    500: "Server error",
    501: "Not supported",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
    529: "Overloaded",
}


class RouterError(Exception):
    """Base of every error the router client raises."""

    title_text: ClassVar[str] = "Request failed"
    default_advice: ClassVar[str] = "Try again. If it keeps failing, check the settings."
    retryable: ClassVar[bool] = False  # worth trying again unchanged (a transient failure)

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        advice: str | None = None,
        trace_id: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.advice = advice if advice is not None else self.default_advice
        self.trace_id = trace_id
        self.code = code
        self.retry_after = retry_after

    @property
    def kind(self) -> str:
        """The class name, for tests, icons and logs."""
        return type(self).__name__

    @property
    def title(self) -> str:
        """A short heading such as ``"429 Rate limited"`` or ``"Connection refused"``."""
        if self.status is None:
            return self.title_text
        return f"{self.status} {_REASONS.get(self.status, self.title_text)}"

    def __str__(self) -> str:
        return f"{self.title}: {self.message}" if self.message else self.title

    def __repr__(self) -> str:
        return (
            f"{self.kind}(status={self.status!r}, message={self.message!r}, "
            f"code={self.code!r}, trace_id={self.trace_id!r})"
        )


# --- HTTP answers with an error status ---------------------------------------------------------


class HttpStatusError(RouterError):
    """The router answered with a 4xx or 5xx status."""


class BadRequestError(HttpStatusError):
    title_text = "Client error"
    default_advice = "The router did not accept the request: check the options the message names."


class AuthenticationError(HttpStatusError):
    title_text = "API key rejected"
    default_advice = "Check the API key in Settings: the router did not accept it."


class PermissionDeniedError(HttpStatusError):
    title_text = "Permission denied"
    default_advice = "This API key has no access to this model or workspace: pick another model."


class NotFoundError(HttpStatusError):
    title_text = "Not found"
    default_advice = "Check the model name (provider/model) and the base URL in Settings."


class RateLimitError(HttpStatusError):
    title_text = "Rate limited"
    default_advice = "Too many requests: wait a moment and try again, or add a fallback model."
    retryable = True


class ServerError(HttpStatusError):
    title_text = "Server error"
    default_advice = "The provider failed: try again, or add a retry on this code or a fallback."
    retryable = True


# --- no HTTP answer -------------------------------------------------------------------------------


class RequestTimeout(RouterError):  # noqa: N818 (the names the UI and issue use)
    """A timeout fired: ``which`` is connect, read, write, pool or deadline (the whole request)."""

    title_text = "Timed out"
    default_advice = "The router took too long: try again, or raise the time limits in Settings."
    retryable = True

    def __init__(
        self,
        message: str = "",
        *,
        which: str = "read",
        advice: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message, advice=advice, trace_id=trace_id)
        self.which = which

    @property
    def title(self) -> str:
        names = {"deadline": "request time limit", "pool": "connection pool"}
        return f"Timed out ({names.get(self.which, self.which)})"


class ConnectionFailed(RouterError):  # noqa: N818 (the names the UI and issue use)
    """No connection to the router (refused, DNS, TLS or another network failure)."""

    title_text = "Connection failed"
    default_advice = "Check your internet connection and the base URL in Settings."
    retryable = True


class ConnectionRefused(ConnectionFailed):
    title_text = "Connection refused"
    default_advice = "Nothing answers at that address: check the base URL in Settings."


class DnsFailure(ConnectionFailed):
    title_text = "Host not found"
    default_advice = "The host name could not be found: check the base URL and your connection."


class TlsFailure(ConnectionFailed):
    title_text = "Secure connection failed"
    default_advice = (
        "The server's certificate is not trusted; nothing was sent. Check the base URL or proxy."
    )
    retryable = False


class UnexpectedRedirect(RouterError):  # noqa: N818 (the names the UI and issue use)
    """The router answered with a redirect this client does not follow (another origin)."""

    title_text = "Redirect refused"
    default_advice = "The base URL points somewhere else: check it in Settings."


# --- failures while reading an answer -----------------------------------------------------------


class StreamInterrupted(RouterError):  # noqa: N818 (the names the UI and issue use)
    """The connection dropped after the answer had started (the text so far is kept)."""

    title_text = "Connection lost mid-answer"
    default_advice = "The text so far is kept. Regenerate to try again."
    retryable = True


class StreamError(RouterError):
    """The router sent an error object in the middle of a streamed answer."""

    title_text = "Provider error mid-answer"
    default_advice = "The text so far is kept. Try again, or add a fallback model."
    retryable = True


class MalformedResponse(RouterError):  # noqa: N818 (the names the UI and issue use)
    """The answer could not be read (not JSON, or not the expected shape)."""

    title_text = "Unreadable answer"
    default_advice = "The server did not answer like the router: check the base URL and prefix."


class ResponseTooLarge(RouterError):  # noqa: N818 (the names the UI and issue use)
    """The answer went past the size limit; what came before is kept."""

    title_text = "Answer too large"
    default_advice = "The answer passed the size limit and was cut off there."
