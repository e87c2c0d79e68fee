"""Safe file names for generated images: ``<timestamp>_<prompt slug>_<index>[-n].<ext>``.

The prompt is text from the user (or pasted from anywhere), so it only ever contributes a slug of
letters, digits and hyphens: no separators, no ``..``, no reserved or control characters, no
bidi overrides or other invisible format characters, no reserved Windows device names, and a
bounded length. The extension is never chosen here: it comes from the image's magic bytes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

MAX_SLUG_CHARS = 60
MAX_NAME_BYTES = (
    120  # UTF-8, the whole name with its extension (well under every file system's 255)
)
_MAX_EXT_BYTES = 5  # ".webp" and the sidecar's ".json": the stem is sized so both fit
FALLBACK_SLUG = "image"

RESERVED_CHARS = frozenset('<>:"/\\|?*')
# Windows device names, reserved with any extension and in any case (COM¹ etc. count too).
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)
# Categories that never belong in a name: controls, format characters (bidi overrides, zero-width
# joiners), surrogates, private use, unassigned, line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters that render as nothing (Hangul fillers): a slug made of them would look empty.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
# Latin letters that NFKD leaves alone but have a plain ASCII spelling.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th",
                       "ð": "d", "ı": "i", "ħ": "h", "ŧ": "t"})  # fmt: skip


def slugify(text: str, max_chars: int = MAX_SLUG_CHARS) -> str:
    """A lowercase slug of ``text``: letters and digits joined by single hyphens.

    Latin letters are folded to ASCII (``café`` → ``cafe``); other scripts keep their letters
    (``猫`` stays), since dropping them would leave nothing to recognise the image by. Anything
    else becomes a separator, and invisible format characters vanish. May return ``""``.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.lower().translate(_FOLD)):
        category = unicodedata.category(ch)
        if category.startswith("M"):
            # An accent on a Latin letter is dropped (folding); on another script it is kept.
            if out and not out[-1].isascii():
                out.append(ch)
        elif ch.isascii():
            out.append(ch.lower() if ch.isalnum() else "-")
        elif category[0] in "LN" and ch not in _INVISIBLE_LETTERS:
            out.append(ch.lower())
        elif category not in _FORBIDDEN_CATEGORIES:
            out.append("-")
    slug = re.sub(r"-{2,}", "-", unicodedata.normalize("NFC", "".join(out))).strip("-")
    return slug[:max_chars].rstrip("-")


def image_stem(now: datetime, prompt: str, index: int, attempt: int = 1) -> str:
    """The name without its extension: ``20261126-103000_a-cat-in-a-hat_1`` (``-2``… on retry).

    ``now`` is shown in local time (a naive datetime is taken as local already).
    """
    if index < 0 or attempt < 1:
        raise ValueError("index must be >= 0 and attempt >= 1")
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    tail = f"_{index}" + (f"-{attempt}" if attempt > 1 else "")
    budget = MAX_NAME_BYTES - _MAX_EXT_BYTES - len(stamp) - 1 - len(tail)
    slug = slugify(prompt)
    while len(slug.encode()) > budget:
        slug = slug[:-1].rstrip("-")
    return f"{stamp}_{slug or FALLBACK_SLUG}{tail}"


def is_safe_name(name: str) -> bool:
    """True if ``name`` is a single, portable file name that cannot escape its folder."""
    if not name or name in {".", ".."} or ".." in name:
        return False
    try:
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            return False
    except UnicodeEncodeError:  # lone surrogates
        return False
    if name[0] in ". -" or name[-1] in ". ":
        return False
    for ch in name:
        if ch in RESERVED_CHARS or unicodedata.category(ch) in _FORBIDDEN_CATEGORIES:
            return False
    # Windows ignores trailing spaces and everything after the first dot when matching devices.
    return name.split(".", 1)[0].rstrip(" ").upper() not in WINDOWS_RESERVED
