"""Redact secrets from text bound for logs: known secrets exactly, and anything key-shaped."""

from __future__ import annotations

import logging
import threading

from orq_desktop.domain.secret_scan import find_secrets

REDACTED = "[redacted]"

_known: set[str] = set()
_lock = threading.Lock()


def add_secret(value: str | None) -> None:
    """Remember a secret (the API key in force, a proxy password) so it is always redacted."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and every key-shaped piece replaced by ``[redacted]``."""
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    findings = find_secrets(text)
    for finding in reversed(findings):
        text = text[: finding.start] + REDACTED + text[finding.end :]
    return text


class _RedactingRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 (logging's own name)
        return redact(super().getMessage())


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install() -> None:
    """Every log record from now on redacts its message, whatever handler prints it."""
    logging.setLogRecordFactory(_RedactingRecord)
