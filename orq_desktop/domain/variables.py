"""``{{variable}}`` placeholders: find them in prompts and tell which still lack a value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Names as the router substitutes them: letters, digits, underscores, dots and dashes, with
# optional spaces inside the braces ("{{ customer_name }}").
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


def find_variables(texts: Iterable[str]) -> list[str]:
    """Every distinct placeholder name in ``texts``, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _PLACEHOLDER.finditer(text):
            seen.setdefault(match.group(1), None)
    return list(seen)


def missing_values(names: Iterable[str], values: Mapping[str, object]) -> list[str]:
    """The names with no value, or only whitespace, in ``values``."""
    return [n for n in names if not str(values.get(n, "") or "").strip()]


def substitute(text: str, values: Mapping[str, object]) -> str:
    """Replace known placeholders (what the router does with ``orq.inputs``); keep unknown ones."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(repl, text)
