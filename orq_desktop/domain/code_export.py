""" "View code": the current request as Python (orq-ai-sdk), cURL and JSON.

Every snippet reads the key from the ``ORQ_API_KEY`` environment variable; none ever holds a key
(a body with a credential-named field or a key-like text anywhere, by the rule of
:mod:`orq_desktop.domain.key_fields`, is refused with ``CodeExportError``). ``body`` is the JSON
body the app sends (``ChatRequest.to_wire(path_prefix)``), so running the snippet sends the same
body by value.

- For ``/v2/gateway`` the Python is the orq-ai-sdk 4.1 call (``orq.router.chat_completions`` /
  ``images_generate``); fields that SDK cannot carry are listed in a comment instead of being
  passed (it would refuse unknown arguments and silently drop unknown ``orq`` fields).
- For any other prefix it is the newer SDK's call (``orq.router.chat.completions.create`` /
  ``images.generations.create``), which always calls ``/v2/router``.

Python values are laid out the way ``ruff format`` lays them out (line length 100): a value that
fits stays on its line, anything longer is split one item per line with a trailing comma.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from orq_desktop.domain.key_fields import find_key_fields
from orq_desktop.domain.presets import RequestKind

LINE = 100
INDENT = "    "
KEY_ENV = "ORQ_API_KEY"

# What orq-ai-sdk 4.1.15's calls accept (from its signatures) and its routing models' fields.
SDK41_CHAT_ARGS = frozenset(
    {
        "messages",
        "model",
        "metadata",
        "audio",
        "frequency_penalty",
        "max_tokens",
        "max_completion_tokens",
        "logprobs",
        "top_logprobs",
        "n",
        "presence_penalty",
        "response_format",
        "reasoning_effort",
        "verbosity",
        "seed",
        "stop",
        "stream_options",
        "thinking",
        "temperature",
        "top_p",
        "top_k",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "modalities",
        "guardrails",
        "orq",
        "stream",
    }
)
SDK41_IMAGE_ARGS = frozenset(
    {
        "prompt",
        "model",
        "background",
        "moderation",
        "n",
        "output_compression",
        "output_format",
        "quality",
        "response_format",
        "size",
        "style",
        "orq",
    }
)
SDK41_CHAT_ORQ = frozenset(
    {
        "name",
        "retry",
        "fallbacks",
        "prompt",
        "identity",
        "contact",
        "thread",
        "inputs",
        "cache",
        "knowledge_bases",
        "load_balancer",
        "timeout",
    }
)
SDK41_IMAGE_ORQ = frozenset(
    {
        "name",
        "retry",
        "fallbacks",
        "identity",
        "contact",
        "cache",
        "load_balancer",
        "timeout",
    }
)

_SURROGATE = re.compile("[\ud800-\udfff]")


class CodeExportError(ValueError):
    """The request cannot be shown as code (it holds something key-like)."""


def endpoint_url(base_url: str, path_prefix: str, kind: RequestKind = "chat") -> str:
    operation = "/chat/completions" if kind == "chat" else "/images/generations"
    return base_url.rstrip("/") + "/" + path_prefix.strip("/") + operation


def _is_gateway(path_prefix: str) -> bool:
    return path_prefix.rstrip("/").endswith("/gateway")


def _refuse_keys(body: dict[str, Any]) -> None:
    if found := find_key_fields(body):
        raise CodeExportError(
            f"The request holds what looks like a key ({', '.join(found)}); "
            "code is never shown with a key in it."
        )


def sdk_unsupported(
    body: dict[str, Any], path_prefix: str, kind: RequestKind = "chat"
) -> list[str]:
    """The fields of ``body`` the Python snippet's SDK call cannot send (4.1 only)."""
    if not _is_gateway(path_prefix):
        return []
    args = SDK41_CHAT_ARGS if kind == "chat" else SDK41_IMAGE_ARGS
    orq_fields = SDK41_CHAT_ORQ if kind == "chat" else SDK41_IMAGE_ORQ
    missing = [k for k in body if k not in args]
    orq = body.get("orq")
    if isinstance(orq, dict):
        missing += [f"orq.{k}" for k in orq if k not in orq_fields]
    return missing


# -- Python ---------------------------------------------------------------------------------------


def py_string(text: str) -> str:
    """A Python string literal as ruff writes it: double quotes unless single ones need fewer
    escapes; printable characters (accents, emoji) kept, everything else escaped."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = (  # the common escapes; str.replace runs at C speed (translate did not)
        text.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace(quote, "\\" + quote)
    )
    if not escaped.isprintable():
        escaped = "".join(ch if ch.isprintable() else _code_escape(ch) for ch in escaped)
    return quote + escaped + quote


def _code_escape(ch: str) -> str:
    if ord(ch) < 0x100:
        return f"\\x{ord(ch):02x}"
    if ord(ch) < 0x10000:
        return f"\\u{ord(ch):04x}"
    return f"\\U{ord(ch):08x}"


def _py_inline(value: Any) -> str:
    if isinstance(value, str):
        return py_string(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{py_string(str(k))}: {_py_inline(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_py_inline(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def py_value(value: Any, indent: int, used: int, trailer: int = 1) -> str:
    """``value`` as Python source starting at column ``used`` on a line indented ``indent``
    levels, with ``trailer`` characters (such as a comma) after it."""
    room = LINE - used - trailer
    if not isinstance(value, dict | list | tuple) or not value:
        return _py_inline(value)
    if not _longer_than(value, room):  # else it surely does not fit: never written out twice
        inline = _py_inline(value)
        if len(inline) <= room:
            return inline
    inner = INDENT * (indent + 1)
    lines: list[str] = []
    if isinstance(value, dict):
        open_, close = "{", "}"
        for key, item in value.items():
            head = f"{py_string(str(key))}: "
            lines.append(inner + head + py_value(item, indent + 1, len(inner) + len(head)) + ",")
    else:
        open_, close = "[", "]"
        for item in value:
            lines.append(inner + py_value(item, indent + 1, len(inner)) + ",")
    return open_ + "\n" + "\n".join(lines) + "\n" + INDENT * indent + close


def _longer_than(value: Any, limit: int) -> bool:
    """True when ``value`` written inline surely takes more than ``limit`` characters (its
    texts alone do): a cheap walk that stops as soon as it knows."""
    stack, total = [value], 0
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict):
            stack += item.values()
            stack += (str(k) for k in item)
        elif isinstance(item, list | tuple):
            stack += item
        if total > limit:
            return True
    return False


def _py_call(name: str, kwargs: dict[str, Any], indent: int) -> str:
    pad = INDENT * (indent + 1)
    lines = [f"{name}("]
    for key, value in kwargs.items():
        head = f"{key}="
        lines.append(pad + head + py_value(value, indent + 1, len(pad) + len(head)) + ",")
    lines.append(INDENT * indent + ")")
    return "\n".join(lines)


def to_python(
    body: dict[str, Any], base_url: str, path_prefix: str, kind: RequestKind = "chat"
) -> str:
    """The request as a Python script using the official SDK (see the module docstring)."""
    _refuse_keys(body)
    gateway = _is_gateway(path_prefix)
    url = endpoint_url(base_url, path_prefix, kind)
    unsupported = sdk_unsupported(body, path_prefix, kind)
    kwargs = {k: v for k, v in body.items() if k not in unsupported}
    if isinstance(body.get("orq"), dict):
        orq_drop = {u.removeprefix("orq.") for u in unsupported if u.startswith("orq.")}
        kwargs["orq"] = {k: v for k, v in body["orq"].items() if k not in orq_drop}
    if gateway:
        method = "chat_completions" if kind == "chat" else "images_generate"
        header = [
            '# pip install "orq-ai-sdk==4.1.15"',
            f"# POST {url}",
        ]
    else:
        method = "chat.completions.create" if kind == "chat" else "images.generations.create"
        header = [
            '# pip install "orq-ai-sdk>=4.2"',
            f"# POST {url}",
        ]
        if path_prefix.rstrip("/") != "/v2/router":
            header.append(f"# The SDK always calls /v2/router; this app is set to {path_prefix}.")
    header.append(f"# The key is read from the {KEY_ENV} environment variable.")
    if unsupported:
        header.append(
            f"# orq-ai-sdk 4.1 cannot send {', '.join(unsupported)}: the cURL version does."
        )
    imports = ["import base64", "import os"] if kind == "image" else ["import os"]
    lines = [*header, "", *imports, "", "from orq_ai_sdk import Orq", ""]
    lines += [
        "with Orq(",
        f'{INDENT}api_key=os.getenv("{KEY_ENV}", ""),',
        f"{INDENT}server_url={py_string(base_url.rstrip('/'))},",
        ") as orq:",
        INDENT + "res = " + _py_call(f"orq.router.{method}", kwargs, 1),
        "",
    ]
    lines += _py_result(kind, bool(body.get("stream")), str(body.get("output_format") or "png"))
    return "\n".join(lines) + "\n"


def _py_result(kind: RequestKind, stream: bool, extension: str) -> list[str]:
    i1, i2, i3, i4 = (INDENT * n for n in range(1, 5))
    if kind == "image":
        name = f'f"image-{{i}}.{extension}"'
        return [
            f"{i1}for i, image in enumerate(res.data, start=1):",
            f"{i2}if image.b64_json:",
            f'{i3}with open({name}, "wb") as f:',
            f"{i4}f.write(base64.b64decode(image.b64_json))",
            f"{i3}print({name})",
            f"{i2}else:",
            f"{i3}print(image.url)",
        ]
    if stream:
        return [
            f"{i1}with res as event_stream:",
            f"{i2}for event in event_stream:",
            f"{i3}if event.data is None:",
            f"{i4}continue",
            f"{i3}for choice in event.data.choices:",
            f'{i4}print(choice.delta.content or "", end="", flush=True)',
            f"{i1}print()",
        ]
    return [
        f"{i1}for choice in res.choices:",
        f"{i2}print(choice.message.content)",
    ]


# -- cURL and JSON --------------------------------------------------------------------------------


def json_value(value: Any, indent: int = 0, used: int = 0, trailer: int = 0) -> str:
    """``value`` as JSON laid out like the Python: what fits on its line stays there, anything
    longer is split one item per line (two-space indents)."""
    inline = json.dumps(value, ensure_ascii=False)
    if used + len(inline) + trailer <= LINE or not isinstance(value, dict | list) or not value:
        return inline
    inner = "  " * (indent + 1)
    lines: list[str] = []
    if isinstance(value, dict):
        items = list(value.items())
        for n, (key, item) in enumerate(items):
            head = json.dumps(str(key), ensure_ascii=False) + ": "
            comma = "," if n < len(items) - 1 else ""
            text = json_value(item, indent + 1, len(inner) + len(head), len(comma))
            lines.append(inner + head + text + comma)
        return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"
    for n, item in enumerate(value):
        comma = "," if n < len(value) - 1 else ""
        lines.append(inner + json_value(item, indent + 1, len(inner), len(comma)) + comma)
    return "[\n" + "\n".join(lines) + "\n" + "  " * indent + "]"


def to_json(body: dict[str, Any]) -> str:
    """The JSON body, laid out for reading; non-ASCII text kept, lone surrogates escaped."""
    _refuse_keys(body)
    text = json_value(body, used=LINE)  # the top level is always split, one field a line
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shell_single_quoted(text: str) -> str:
    """``text`` in single quotes for bash: nothing inside is expanded; ' becomes '\\''."""
    return "'" + text.replace("'", "'\\''") + "'"


def to_curl(
    body: dict[str, Any], base_url: str, path_prefix: str, kind: RequestKind = "chat"
) -> str:
    """The request as a bash cURL command (the key comes from ``$ORQ_API_KEY``)."""
    data = to_json(body)
    lines = [f"curl {shlex.quote(endpoint_url(base_url, path_prefix, kind))}"]
    if kind == "chat" and body.get("stream"):
        lines.append("  --no-buffer")
    lines += [
        f'  -H "Authorization: Bearer ${KEY_ENV}"',
        "  -H 'Content-Type: application/json'",
        f"  --data-raw {shell_single_quoted(data)}",
    ]
    return " \\\n".join(lines) + "\n"
