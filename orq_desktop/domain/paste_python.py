"""Reading a pasted Python SDK call, safely: the code is parsed, never run.

Recognised calls: ``orq.router.chat_completions(...)`` / ``images_generate(...)`` (orq-ai-sdk
4.1), ``orq.router.chat.completions.create(...)`` / ``images.generations.create(...)`` (newer
SDKs and OpenAI-style clients, whose ``extra_body`` is merged in), their ``_async`` forms, and a
bare list of keyword arguments (``model="…", messages=[…]``). Argument values are taken only when
``ast.literal_eval`` accepts them (a dict or list is read item by item, so one variable inside
does not lose the rest); anything else is named, with where it was.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from orq_desktop.domain.paste_body import secret_dropped
from orq_desktop.domain.presets import RequestKind, is_key_name

_CHAT_CALLS = frozenset({"chat_completions", "chat_completions_async"})
_IMAGE_CALLS = frozenset({"images_generate", "images_generate_async"})
_CREATE = frozenset({"create", "create_async", "acreate"})
_REQUEST_ARGS = frozenset({"model", "messages", "prompt", "orq"})
# Arguments of the call itself (how to send), not of the request.
_CALL_OPTIONS = frozenset(
    {
        "retries",
        "server_url",
        "timeout_ms",
        "accept_header_override",
        "http_headers",
        "extra_headers",
        "extra_query",
    }
)


@dataclass
class PythonCall:
    """The request a pasted call makes, as far as its literal arguments go."""

    target: RequestKind = "chat"
    kwargs: dict[str, Any] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _dotted(node: ast.expr) -> list[str]:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names[::-1]


def call_target(call: ast.Call) -> RequestKind | None:
    """Chat or image for a request call; None for any other call."""
    names = _dotted(call.func)
    if not names:
        return None
    last = names[-1]
    if last in _CHAT_CALLS or (last in _CREATE and "completions" in names and "chat" in names):
        return "chat"
    if last in _IMAGE_CALLS or (last in _CREATE | {"generate"} and "images" in names):
        return "image"
    return None


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"the variable `{node.id}`"
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.Call):
        name = ".".join(_dotted(node.func)) or "a function"
        return f"a call to `{name}`"
    if isinstance(node, ast.Attribute):
        return f"`{'.'.join(_dotted(node))}`"
    return "an expression"


def _jsonable(value: Any) -> tuple[bool, Any]:
    """The value with tuples as lists; False when it holds something JSON cannot (bytes, sets…)."""
    if value is None or isinstance(value, bool | int | float | str):
        return True, value
    if isinstance(value, list | tuple):
        items = [_jsonable(v) for v in value]
        return all(ok for ok, _ in items), [v for _, v in items]
    if isinstance(value, dict):
        pairs = {k: _jsonable(v) for k, v in value.items()}
        ok = all(isinstance(k, str) for k in value) and all(o for o, _ in pairs.values())
        return ok, {k: v for k, (_, v) in pairs.items()}
    return False, None


def literal(node: ast.expr, where: str, ignored: list[str]) -> tuple[bool, Any]:
    """The plain value of ``node`` (via ``ast.literal_eval``); parts that are not plain values
    are left out and named in ``ignored``. Returns (taken, value)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    else:
        ok, value = _jsonable(value)
        if not ok:
            ignored.append(f"`{where}` (a Python value JSON cannot hold)")
        return ok, value
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:
                ignored.append(f"a ** expansion in `{where}` ({_describe(value_node)})")
                continue
            ok, key = literal(key_node, f"{where} key", ignored)
            if not ok or not isinstance(key, str):
                if ok:
                    ignored.append(f"a key in `{where}` that is not text")
                continue
            ok, item = literal(value_node, f"{where}.{key}", ignored)
            if ok:
                out[key] = item
        return True, out
    if isinstance(node, ast.List | ast.Tuple):
        items: list[Any] = []
        for i, element in enumerate(node.elts):
            ok, item = literal(element, f"{where}[{i}]", ignored)
            if ok:
                items.append(item)
        return True, items
    if isinstance(node, ast.Call) and _dotted(node.func) == ["dict"] and not node.args:
        return True, _keywords(node, where, ignored)
    ignored.append(f"`{where}` (not a plain value: {_describe(node)})")
    return False, None


def _keywords(call: ast.Call, where: str, ignored: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kw in call.keywords:
        if kw.arg is None:
            ignored.append(f"a ** expansion in `{where}` ({_describe(kw.value)})")
            continue
        ok, value = literal(kw.value, f"{where}.{kw.arg}" if where else kw.arg, ignored)
        if ok:
            out[kw.arg] = value
    return out


def _secrets_in(tree: ast.AST, result: PythonCall) -> None:
    """Name every credential written into the code (``api_key="…"``, ``TOKEN = "…"``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and is_key_name(node.arg):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                result.ignored.append(secret_dropped(f"The `{node.arg}` written in the code"))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if not isinstance(node.value.value, str) or not node.value.value:
                continue
            for target in node.targets:
                name = target.id if isinstance(target, ast.Name) else None
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                    name = str(target.slice.value)
                if name and any(w in name.upper() for w in ("KEY", "TOKEN", "SECRET")):
                    result.ignored.append(secret_dropped(f"The value given to `{name}`"))


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def read_python(text: str) -> PythonCall | None:
    """Read a pasted SDK call (see the module docstring); None when the text is not one."""
    tree: ast.Module | None = _parse(text)
    calls: list[ast.Call] = []
    if tree is not None:
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and call_target(n)]
    bare = False
    if tree is None or not calls:
        # Only the arguments, as copied out of a call: "model='…', messages=[…]".
        tree = _parse(f"_(\n{text}\n)")
        if tree is None or not isinstance(tree.body[0], ast.Expr):
            return None
        call = tree.body[0].value
        if not isinstance(call, ast.Call) or call.args:
            return None
        if not {kw.arg for kw in call.keywords} & _REQUEST_ARGS:
            return None  # "x = 1" is an assignment, not a request's arguments
        calls, bare = [call], True
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    call = calls[0]
    result = PythonCall(target=call_target(call) or "chat")
    _secrets_in(tree, result)
    if len(calls) > 1:
        result.ignored.append(f"{len(calls) - 1} more request call(s) (only the first is read)")
    if call.args:
        result.ignored.append(f"{len(call.args)} positional argument(s) (the SDK takes keywords)")
    for kw in call.keywords:
        if kw.arg is None:
            result.ignored.append(f"a ** expansion ({_describe(kw.value)})")
            continue
        if is_key_name(kw.arg):
            continue  # a key: never read (a written-out one was reported above)
        if kw.arg in _CALL_OPTIONS or (kw.arg == "timeout" and not isinstance(kw.value, ast.Dict)):
            if kw.arg in ("http_headers", "extra_headers"):
                _headers(kw.value, result)
            else:
                result.ignored.append(f"the call option `{kw.arg}` (not part of the request)")
            continue
        ok, value = literal(kw.value, kw.arg, result.ignored)
        if not ok:
            continue
        if kw.arg == "extra_body" and isinstance(value, dict):
            for key, item in value.items():
                result.kwargs.setdefault(key, item)
            result.notes.append("The fields in `extra_body` were read as part of the body.")
        else:
            result.kwargs[kw.arg] = value
    if bare and "prompt" in result.kwargs and "messages" not in result.kwargs:
        result.target = "image"
    return result


def _headers(node: ast.expr, result: PythonCall) -> None:
    ignored: list[str] = []
    ok, headers = literal(node, "http_headers", ignored)
    if not ok or not isinstance(headers, dict):
        result.ignored.append("the call option `http_headers` (not a plain value)")
        return
    for name in headers:
        if is_key_name(name) or "token" in name.lower() or "key" in name.lower():
            result.ignored.append(secret_dropped(f"The {name} header"))
        else:
            result.ignored.append(f"the header {name}")
