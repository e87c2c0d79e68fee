"""The sentences a paste preview shows, made fit to show: few, short, and without secrets.

A paste can hold thousands of unused parts (8,000 ``-H`` headers, 10,000 messages each naming a
variable); each becomes a sentence. ``tidy_lines`` keeps the first few sentences of each kind and
says how many more there were ("… and 9,995 more like these"), keeps at most ``MAX_LINES`` in all,
shortens each to ``MAX_LINE_CHARS``, and redacts anything shaped like a key (an error may quote the
value entered, an unknown field's name may be a key): a pasted key is never repeated.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from orq_desktop.domain.redaction import redact

__all__ = ["MAX_LINES", "MAX_LINE_CHARS", "PER_KIND", "kind_of", "safe_line", "tidy_lines"]

PER_KIND = 5  # sentences of one kind shown before "… and N more like these"
MAX_LINES = 40  # sentences shown in one list, count lines aside
MAX_LINE_CHARS = 300

# What varies between sentences of one kind: quoted names and paths, numbers, header names.
_VARYING = re.compile(r"`[^`]*`|“[^”]*”|\"[^\"]*\"|\d[\d,]*")
_HEADER_NAME = re.compile(r"(?<=\bthe header )\S+|(?<=\bThe )\S+(?= header\b)")


def kind_of(line: str) -> str:
    """``line`` with what varies between sentences of one kind masked: the grouping key."""
    head = line[: MAX_LINE_CHARS * 2]
    return _HEADER_NAME.sub("…", _VARYING.sub("…", head))


def safe_line(line: str) -> str:
    """``line`` with key-shaped text redacted, then shortened to ``MAX_LINE_CHARS``."""
    shown = redact(line)
    if len(shown) > MAX_LINE_CHARS:
        shown = shown[: MAX_LINE_CHARS - 1] + "…"
    return shown


def tidy_lines(
    lines: Iterable[str], *, per_kind: int = PER_KIND, limit: int = MAX_LINES
) -> list[str]:
    """The sentences to show for ``lines``, grouped, capped and redacted (see the module)."""
    shown: list[tuple[str, str]] = []
    shown_of: Counter[str] = Counter()
    more_of: Counter[str] = Counter()
    for line in lines:
        kind = kind_of(line)
        if shown_of[kind] < per_kind and len(shown) < limit:
            shown.append((kind, line))
            shown_of[kind] += 1
        else:
            more_of[kind] += 1
    last_of = {kind: i for i, (kind, _) in enumerate(shown)}
    out: list[str] = []
    for i, (kind, line) in enumerate(shown):
        out.append(safe_line(line))
        if last_of[kind] == i and more_of[kind]:
            out.append(f"… and {more_of[kind]:,} more like these")
    unseen = sum(count for kind, count in more_of.items() if kind not in shown_of)
    if unseen:
        out.append(f"… and {unseen:,} more")
    return out
