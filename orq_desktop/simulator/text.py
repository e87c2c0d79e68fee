"""Deterministic reply text: the prompt, ``{{variables}}``, the reply and its tokens."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_TOKEN = re.compile(r"\S+\s*|\s+")
_MARKERS = str.maketrans({"`": "'", "*": None, "_": " ", "#": None})
_PIECE = 8
_PROMPT_CAP = 4096  # the reply quotes only the prompt's start
_WORD_CAP = 40  # words longer than this are sent as several pieces, like a real tokenizer

_POINTS = (
    "Start with the simplest case and check it by hand before generalising.",
    "Keep each step small, so a mistake shows up where it was made.",
    "Write down what you expect first; compare it with what you get.",
    "Measure before changing anything, then measure again afterwards.",
    "Prefer the plain solution; clever tricks cost more to maintain.",
    "Name things after what they mean, not after how they work.",
    "Look for the edge cases: empty input, one item, and very many.",
    "Ask who reads the result, and write for them.",
)
_CLOSINGS = (
    "That should be enough to get going.",
    "I hope this helps; ask again for more detail.",
    "This is a simulated answer, but the shape is real.",
    "Try it, and come back with what you find.",
)


def substitute(text: str, variables: Mapping[str, Any]) -> str:
    """Replace ``{{name}}`` with ``variables[name]``; unknown names stay as they are."""
    if not variables:
        return text

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(variables[name]) if name in variables else match.group(0)

    return _VARIABLE.sub(repl, text)


def variables_of(body: Mapping[str, Any]) -> dict[str, Any]:
    """The prompt variables: top-level ``variables`` (4.17) or ``orq.inputs`` (a dict or a list)."""
    orq = body.get("orq")
    raw = body.get("variables") or (orq.get("inputs") if isinstance(orq, dict) else None)
    if isinstance(raw, dict):
        return {str(k): v for k, v in raw.items()}
    if isinstance(raw, list):
        return {
            str(item["key"]): item.get("value", "")
            for item in raw
            if isinstance(item, dict) and "key" in item
        }
    return {}


def content_text(content: Any) -> str:
    """The text of a message's ``content``: a string, or the ``text`` parts of a list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def substituted_messages(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The request's messages with ``{{variables}}`` replaced in every text."""
    variables = variables_of(body)
    out: list[dict[str, Any]] = []
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        copy = dict(message)
        content = copy.get("content")
        if isinstance(content, str):
            copy["content"] = substitute(content, variables)
        elif isinstance(content, list):
            copy["content"] = [
                {**part, "text": substitute(str(part.get("text", "")), variables)}
                if isinstance(part, dict) and part.get("type") == "text"
                else part
                for part in content
            ]
        out.append(copy)
    return out


def last_user_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last user message (the prompt the reply is about)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content")).strip()
    return ""


def count_words(messages: list[dict[str, Any]]) -> int:
    """Roughly the prompt's token count: the words in every message."""
    return sum(len(content_text(m.get("content")).split()) for m in messages)


def reply_text(prompt: str, model: str) -> str:
    """A readable markdown answer about ``prompt`` (a heading, a list, inline code).

    The same prompt and model always give the same text; about 50-70 tokens.
    """
    # Markdown markers from the prompt would unbalance the reply's own emphasis and code spans.
    words = [w[:_WORD_CAP] for w in prompt[:_PROMPT_CAP].translate(_MARKERS).split()]
    digest = hashlib.sha256(f"{model}\n{prompt}".encode()).digest()
    topic = " ".join(words[:8]) + (" …" if len(words) > 8 else "") if words else "nothing much"
    title = " ".join(words[:4]).strip("#*`_ ") or "Your question"
    keyword = (max(words, key=len).strip(".,;:!?\"'()[]{}") if words else "") or "hello"
    points = [_POINTS[(digest[i] + i) % len(_POINTS)] for i in range(3)]
    if len(set(points)) < 3:
        start = digest[0] % len(_POINTS)
        points = [_POINTS[(start + i) % len(_POINTS)] for i in range(3)]
    closing = _CLOSINGS[digest[3] % len(_CLOSINGS)]
    return (
        f"## {title}\n\n"
        f"You asked about *{topic}*. A short answer from `{model}`:\n\n"
        f"- **First**, {points[0][0].lower()}{points[0][1:]}\n"
        f"- {points[1]}\n"
        f"- {points[2]}\n\n"
        f"{closing} Next, look at `{keyword}`."
    )


def tokenize(text: str) -> list[str]:
    """Split text into "tokens" (a word with its trailing space, long words in pieces).

    ``"".join(tokenize(text)) == text`` always holds.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        word = len(token.rstrip())
        start = 0
        while word - start > _PIECE:
            tokens.append(token[start : start + _PIECE])
            start += _PIECE
        tokens.append(token[start:])
    return tokens


def limit_tokens(tokens: list[str], limit: int | None) -> tuple[list[str], str]:
    """Exactly ``limit`` tokens (cycling the text when it is short) and the finish reason.

    Without a limit the text is whole and the reason is ``"stop"``; with one the reason is
    ``"length"`` unless the limit equals the natural length.
    """
    if limit is None or not tokens:
        return tokens, "stop"
    if limit == len(tokens):
        return tokens, "stop"
    cycled = [tokens[i % len(tokens)] for i in range(limit)]
    if limit > len(tokens):
        # A cycled text runs the last word of one round into the next one: keep a space there.
        for i in range(len(tokens) - 1, limit - 1, len(tokens)):
            if not cycled[i].endswith((" ", "\n")):
                cycled[i] = cycled[i] + "\n\n"
    return cycled, "length"
