"""Find text shaped like an API key or token, so the user can be warned before sending it.

``find_secrets(text)`` looks for well-known key shapes (Orq keys, OpenAI-style ``sk-…`` keys,
``Bearer …`` tokens, JWTs, AWS access key ids, GitHub, Google, Slack and Stripe tokens, private key
blocks) and for long random-looking tokens. Prose and code give few false positives: a generic
token must be long, mix lower case, upper case and digits, and look random (its Shannon entropy
per character is close to that of a random string of its length); hex digests, UUIDs, ULID-based
ids, file paths and identifiers are left alone.

A ``Finding`` says what was found and where, never the text itself: its ``repr`` is safe to log.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Finding", "find_secrets", "has_secret"]

MAX_SCAN_CHARS = 2_000_000  # a pasted document larger than this is scanned up to here
MIN_GENERIC_LENGTH = 32
MAX_GENERIC_LENGTH = 256  # longer runs are data (base64 images, blobs), not keys
ENTROPY_SHARE = 0.82  # of the most a string of that length (from ~64 symbols) can have
RELAXED_ENTROPY_BITS = 3.0  # after a key prefix (sk-, orq-, Bearer)


@dataclass(frozen=True, slots=True)
class Finding:
    """One key-shaped piece of text: ``text[start:end]``; ``label`` names it for the user."""

    kind: str
    label: str
    start: int
    end: int

    def __repr__(self) -> str:  # the span, never the secret
        return f"Finding(kind={self.kind!r}, start={self.start}, end={self.end})"


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_END = r"(?![A-Za-z0-9_\-])"


@dataclass(frozen=True, slots=True)
class _Shape:
    """A known key shape. Every pattern starts with a literal, so the regex engine can skip
    ahead to it (a leading look-behind made each pattern ~10 times slower); the word edge before
    the match is checked in Python instead."""

    kind: str
    label: str
    pattern: re.Pattern[str]
    group: int = 0  # the group holding the secret part
    check: bool = False  # the secret part must look random (not a placeholder)
    prefixes: tuple[str, ...] = ()  # text right before the match that belongs to it
    prefix_required: bool = False  # the match counts only with one of ``prefixes``
    edge: bool = True  # the match must not start inside a word
    min_chars: int = 16  # letters and digits the secret part needs


_SHAPES: tuple[_Shape, ...] = (
    _Shape(
        "private_key",
        "a private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
        edge=False,
    ),
    _Shape(
        "orq_key",
        "an Orq API key",
        re.compile(r"orq[-_]([A-Za-z0-9][A-Za-z0-9_\-]{14,}[A-Za-z0-9])" + _END),
        group=1,
        check=True,
        prefixes=("sk-",),
    ),
    _Shape(
        "openai_key",
        "an OpenAI-style key (sk-…)",
        re.compile(r"sk-([A-Za-z0-9][A-Za-z0-9_\-]{14,}[A-Za-z0-9])" + _END),
        group=1,
        check=True,
        min_chars=20,  # "sk-ecdsa-sha2-nistp256" is an SSH key type, not a key
    ),
    _Shape(
        "jwt",
        "a JSON Web Token",
        re.compile(r"eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
    ),
    _Shape(
        "bearer",
        "a Bearer token",
        re.compile(r"earer[ \t]+([A-Za-z0-9._~+/\-]{16,}=*)(?![A-Za-z0-9._~+/=\-])"),
        group=1,
        check=True,
        prefixes=("B", "b"),
        prefix_required=True,
    ),
    _Shape("aws_access_key", "an AWS access key id", re.compile(r"A[KS]IA[0-9A-Z]{16}" + _END)),
    _Shape(
        "github_token",
        "a GitHub token",
        re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}" + _END + r"|github_pat_[A-Za-z0-9_]{40,}"),
    ),
    _Shape("google_key", "a Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}" + _END)),
    _Shape("slack_token", "a Slack token", re.compile(r"xox[abposr]-[A-Za-z0-9\-]{10,}")),
    _Shape(
        "stripe_key",
        "a Stripe key",
        re.compile(r"[sr]k_(?:live|test)_[A-Za-z0-9]{16,}" + _END),
    ),
)

_TOKEN = re.compile(rf"[A-Za-z0-9_\-+/]{{{MIN_GENERIC_LENGTH},}}={{0,2}}")  # "=" only as padding
_WORD_PREFIX = re.compile(r"^(?:[a-z]+[_\-])+")  # thread_, msg-, contact_ … before an id
MAX_SLASHED_LENGTH = 64  # standard base64 (with + and /) longer than this is data, not a key
_BASE32_ID = re.compile(r"^[0-9A-Z]+$")  # ULIDs and other upper-case ids
_HEX = re.compile(r"^[0-9a-fA-F\-]+$")
_DATA_LINE = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")  # one line of a wrapped base64 block
_WORD = re.compile(r"[A-Z]?[a-z]{3,}|[A-Z]{3,}(?![a-z])")


def find_secrets(text: str) -> list[Finding]:
    """Every key-shaped piece of ``text``, in order of position, without overlaps."""
    text = text[:MAX_SCAN_CHARS]
    found: list[Finding] = []
    for shape in _SHAPES:
        for match in shape.pattern.finditer(text):
            begin = match.start()
            for prefix in shape.prefixes:
                if begin >= len(prefix) and text.startswith(prefix, begin - len(prefix)):
                    begin -= len(prefix)
                    break
            else:
                if shape.prefix_required:
                    continue
            if shape.edge and begin > 0 and text[begin - 1] in _WORD_CHARS:
                continue
            secret = match.group(shape.group)
            if shape.check and not _random_enough(secret, short_ok=True, min_chars=shape.min_chars):
                continue
            found.append(Finding(shape.kind, shape.label, begin, match.end()))
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if len(token) > MAX_GENERIC_LENGTH or not _random_enough(token, short_ok=False):
            continue
        if _in_data_block(text, match.start(), match.end()):
            continue
        found.append(Finding("token", "a long random token", match.start(), match.end()))
    return _without_overlaps(found)


def _in_data_block(text: str, start: int, end: int) -> bool:
    """Is this line one of a block of base64 lines (MIME wraps them at 76 characters)?"""
    if start > 0 and text[start - 1] == "\n":
        before = text.rfind("\n", 0, start - 1) + 1
        line_end = start - 2 if start >= 2 and text[start - 2] == "\r" else start - 1
        if _DATA_LINE.fullmatch(text, before, line_end):
            return True
    if end < len(text) and text[end] in "\r\n":
        after = end + (2 if text.startswith("\r\n", end) else 1)
        stop = text.find("\n", after)
        stop = len(text) if stop < 0 else stop
        if _DATA_LINE.fullmatch(text, after, stop) or _DATA_LINE.fullmatch(text, after, stop - 1):
            return True
    return False


def has_secret(text: str) -> bool:
    return bool(find_secrets(text))


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    """The first-listed (most specific) shape wins where findings overlap."""
    kept: list[Finding] = []
    for finding in found:  # _SHAPES order first, generic tokens last
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def _random_enough(secret: str, *, short_ok: bool, min_chars: int = 16) -> bool:
    """Does ``secret`` look generated rather than written?

    A key's body mixes letters and digits at random. Written things do not: placeholders
    (``YOUR_API_KEY_HERE``), identifiers (``orq_desktop_settings_dialog``), file paths, hex digests
    and ULIDs. ``short_ok`` relaxes the length and entropy checks for text that already has a
    key's prefix (``sk-``, ``orq-``, ``Bearer``).
    """
    core = secret.rstrip("=")
    core = _WORD_PREFIX.sub("", core) if not short_ok else core
    if core.count("/") > 2 or "//" in core:
        return False  # a path or a URL
    if len(core) > MAX_SLASHED_LENGTH and ("/" in core or "+" in core):
        return False  # a line of base64 data (an embedded font or image), not a key
    if not short_ok and (_HEX.fullmatch(core) or _BASE32_ID.fullmatch(core)):
        return False  # digests, UUIDs, ULIDs: ids, not keys
    letters_digits = [c for c in core if c.isalnum()]
    if len(letters_digits) < (min_chars if short_ok else MIN_GENERIC_LENGTH - 4):
        return False
    has_digit = any(c.isdigit() for c in letters_digits)
    has_lower = any(c.islower() for c in letters_digits)
    has_upper = any(c.isupper() for c in letters_digits)
    if short_ok:
        # After a key prefix: random if digits mix with letters, or both cases mix.
        if not ((has_digit and (has_lower or has_upper)) or (has_lower and has_upper)):
            return False
    elif not (has_digit and has_lower and has_upper):
        return False
    if _mostly_words(core, strict=not short_ok):
        return False
    return _entropy(core) >= _entropy_floor(len(core), relaxed=short_ok)


def _mostly_words(core: str, *, strict: bool) -> bool:
    """Written, not generated: words in camelCase, snake_case or a path (``Table-of-Contents2``).

    Words (three or more lower-case letters, or capitals) cover at most ~72 % of the letters and
    digits of a random 40-character key (99.9th percentile of 5,000), against 75 % and more in
    identifiers and placeholders.
    A random key also changes between lower case, upper case and digits at ~60 % of its
    characters (0.1st percentile: 36 %), identifiers at 25-35 % (``strict``: long tokens only).
    """
    letters_digits = sum(c.isalnum() for c in core)
    covered = sum(len(m.group(0)) for m in _WORD.finditer(core))
    if covered >= 0.75 * letters_digits:
        return True
    if not strict:
        return False
    switches = sum(_kind(a) != _kind(b) for a, b in itertools.pairwise(core))
    return switches < 0.3 * (len(core) - 1)


def _kind(char: str) -> int:
    return 0 if char.islower() else 1 if char.isupper() else 2 if char.isdigit() else 3


def _entropy(text: str) -> float:
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _entropy_floor(length: int, *, relaxed: bool) -> float:
    """Bits per character a random-looking secret has at least.

    After a key prefix (``relaxed``) a fixed 3 bits: hex and UUID bodies (16 symbols, ~3.5-3.9
    bits) count, repeated or sequential fillers (``xxxx…``, ``0000…``) do not. A bare token must
    come close to what a string of its length drawn from ~64 symbols has.
    """
    if relaxed:
        return RELAXED_ENTROPY_BITS
    return math.log2(min(length, 64)) * ENTROPY_SHARE
