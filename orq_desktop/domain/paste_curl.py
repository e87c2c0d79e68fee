"""Reading a pasted cURL command: the words as a POSIX shell splits them, then cURL's options.

Handles single and double quotes, bash's ``$'…'`` quotes (what browsers' "Copy as cURL" writes),
backslash line continuations and ``-d``/``--data``/``--data-raw``/``--data-binary``/``--json``.
A body read from a file (``-d @body.json``, ``-d @-``) cannot be read here and says so. Nothing is
run and no variable is expanded. Credentials (the Authorization header, ``-u``, cookies) are
dropped; their values never appear in any message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from orq_desktop.domain.paste_body import secret_dropped
from orq_desktop.domain.presets import RequestKind, is_key_name


class ShellSyntaxError(ValueError):
    """The text cannot be split into words the way a shell would (an unclosed quote, …)."""


_ANSI_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_OPERATORS = ("|", ";", "&", ">", "<")


def shell_words(text: str) -> tuple[list[str], bool]:
    """Split ``text`` like a POSIX shell (bash quoting); stops at the first ``|``, ``;``,
    ``&`` or redirection. Returns the words and whether something followed that was not read."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and text.startswith("\n", i + 1):
            i += 2  # line continuation
        elif ch == "\\" and text.startswith("\r\n", i + 1):
            i += 3
        elif ch in " \t\r\n":
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
            i += 1
        elif ch == "#" and not in_word:
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in _OPERATORS:  # a pipe, a list or a redirection ends the command
            if in_word:
                words.append("".join(current))
            return words, bool(text[i:].strip())
        elif ch == "\\":
            if i + 1 < n:
                current.append(text[i + 1])
            in_word, i = True, i + 2
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("A single quote (') is not closed.")
            current.append(text[i + 1 : end])
            in_word, i = True, end + 1
        elif ch == "$" and text.startswith("'", i + 1):
            i = _ansi_quoted(text, i + 2, current)
            in_word = True
        elif ch == '"':
            i = _double_quoted(text, i + 1, current)
            in_word = True
        else:
            current.append(ch)
            in_word, i = True, i + 1
    if in_word:
        words.append("".join(current))
    return words, False


def _double_quoted(text: str, i: int, out: list[str]) -> int:
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\n":
                i += 2
                continue
            if nxt in '$`"\\':
                out.append(nxt)
                i += 2
                continue
        out.append(ch)
        i += 1
    raise ShellSyntaxError('A double quote (") is not closed.')


def _ansi_quoted(text: str, i: int, out: list[str]) -> int:
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            return i + 1
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ANSI_ESCAPES:
            out.append(_ANSI_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[nxt]
            match = re.match(rf"[0-9A-Fa-f]{{1,{size}}}", text[i + 2 : i + 2 + size])
            if match is None:
                out.append("\\" + nxt)
                i += 2
            else:
                out.append(chr(min(int(match.group(), 16), 0x10FFFF)))
                i += 2 + len(match.group())
        elif nxt in "01234567":
            match = re.match(r"[0-7]{1,3}", text[i + 1 : i + 4])
            assert match is not None
            out.append(chr(int(match.group(), 8) & 0xFF))
            i += 1 + len(match.group())
        else:
            out.append("\\" + nxt)
            i += 2
    raise ShellSyntaxError("A $'…' quote is not closed.")


# cURL options that take a value, and those that change nothing about the request body.
_DATA = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"})
_SECRET = frozenset(
    {"-u", "--user", "--oauth2-bearer", "-U", "--proxy-user", "-b", "--cookie", "--aws-sigv4"}
)
_WITH_VALUE = (
    _DATA
    | _SECRET
    | frozenset(
        {
            "-X",
            "--request",
            "-H",
            "--header",
            "--url",
            "--data-urlencode",
            "-F",
            "--form",
            "-o",
            "--output",
            "-m",
            "--max-time",
            "--connect-timeout",
            "-A",
            "--user-agent",
            "-e",
            "--referer",
            "-x",
            "--proxy",
            "-c",
            "--cookie-jar",
            "-w",
            "--write-out",
            "--retry",
            "--retry-delay",
            "--retry-max-time",
            "--cacert",
            "--capath",
            "-E",
            "--cert",
            "--key",
            "--resolve",
            "--connect-to",
            "--interface",
            "-T",
            "--upload-file",
            "-K",
            "--config",
            "--limit-rate",
            "--max-filesize",
            "-r",
            "--range",
            "-Y",
            "--speed-limit",
            "-y",
            "--speed-time",
            "--variable",
            "--expand-data",
        }
    )
)
_QUIET_HEADERS = frozenset({"content-type", "accept"})


@dataclass
class CurlRequest:
    """What a cURL command asks for, as far as the form is concerned."""

    url: str | None = None
    data: str | None = None
    target: RequestKind | None = None
    ignored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _shown_url(url: str) -> str:
    """The URL without user info or query string (either may carry a key)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" if parts.scheme else parts.path


def target_of(path: str) -> RequestKind | None:
    """Chat or image, from an endpoint path (None when it is neither)."""
    path = path.rstrip("/")
    if path.endswith("/chat/completions"):
        return "chat"
    if path.endswith("/images/generations"):
        return "image"
    return None


def read_curl(text: str) -> CurlRequest:
    """Read a ``curl …`` command (see the module docstring)."""
    request = CurlRequest()
    try:
        words, rest = shell_words(text)
    except ShellSyntaxError as exc:
        request.errors.append(f"The cURL command cannot be read: {exc}")
        return request
    if words and words[0] == "$":
        words = words[1:]
    if not words or words[0] != "curl":
        request.errors.append("This does not start with curl.")
        return request
    if rest:
        request.ignored.append("everything after a |, ; or & (only the curl command is read)")
    data: list[str] = []
    flags: list[str] = []
    positional: list[str] = []
    args = words[1:]
    i = 0
    while i < len(args):
        word = args[i]
        name, value, i = _option(args, i)
        if name is None:
            positional.append(word)
        elif name in _WITH_VALUE and value is None:
            request.errors.append(f"The option {name} has no value.")
        elif name in _DATA:
            assert value is not None
            _read_data(name, value, data, request)
        elif name in _SECRET:
            request.ignored.append(secret_dropped(f"The {name} option's value"))
        elif name in ("-H", "--header"):
            _read_header(value or "", request)
        elif name in ("-X", "--request"):
            if (value or "").upper() != "POST":
                request.errors.append(
                    f"This command makes a {value} request; the router's endpoints take POST."
                )
        elif name == "--url":
            positional.insert(0, value or "")
        elif name in ("-G", "--get"):
            request.errors.append("-G sends the data in the URL; the router takes a JSON body.")
        elif name in _WITH_VALUE:
            request.ignored.append(f"the cURL option {name} (it does not change the request)")
        else:
            flags.append(name)
    if flags:
        request.ignored.append(
            f"the cURL option(s) {', '.join(dict.fromkeys(flags))} (they do not change the body)"
        )
    if positional:
        request.url = positional[0]
        request.target = target_of(urlsplit(positional[0]).path)
        shown = _shown_url(positional[0])
        request.ignored.append(
            f"the address {shown} (Orq Desktop sends to the base URL and path in Settings)"
        )
        if urlsplit(positional[0]).query:
            request.ignored.append("the URL's query string")
        if len(positional) > 1:
            request.ignored.append(f"{len(positional) - 1} more argument(s) after the URL")
    if len(data) > 1:
        request.errors.append(
            "The command has several bodies (-d …); cURL would join them with “&”, "
            "which is not JSON. Keep one."
        )
    elif data:
        request.data = data[0]
    elif not request.errors:
        request.errors.append("The command has no body (-d '{…}'): there is nothing to read.")
    return request


def _option(args: list[str], i: int) -> tuple[str | None, str | None, int]:
    """The option at ``args[i]``: (name, value, next index); name None for a plain argument."""
    word = args[i]
    if not word.startswith("-") or word == "-":
        return None, None, i + 1
    if word.startswith("--"):
        name, eq, attached = word.partition("=")
        if name in _WITH_VALUE:
            if eq:
                return name, attached, i + 1
            return name, args[i + 1] if i + 1 < len(args) else None, i + 2
        return name, None, i + 1
    short = word[:2]
    if short in _WITH_VALUE:
        if len(word) > 2:
            return short, word[2:], i + 1  # -XPOST, -d'{…}'
        return short, args[i + 1] if i + 1 < len(args) else None, i + 2
    if len(word) > 2:  # grouped flags such as -sSL; a value-taking one ends the group
        for j, letter in enumerate(word[1:], start=1):
            if f"-{letter}" in _WITH_VALUE:
                rest = word[j + 1 :]
                if rest:
                    return f"-{letter}", rest, i + 1
                return f"-{letter}", args[i + 1] if i + 1 < len(args) else None, i + 2
        return word, None, i + 1
    return word, None, i + 1


def _read_data(name: str, value: str, data: list[str], request: CurlRequest) -> None:
    if value.startswith("@") and name != "--data-raw":
        source = "standard input (@-)" if value == "@-" else f"the file “{value[1:]}”"
        request.errors.append(
            f"This command reads its body from {source}, which Orq Desktop cannot read: "
            "paste the JSON itself (for example with --data-raw '{…}')."
        )
        return
    data.append(value)


def _read_header(header: str, request: CurlRequest) -> None:
    name, colon, value = header.partition(":")
    name = name.strip()
    if not colon or not name:
        request.ignored.append("a -H value that is not a “Name: value” header")
        return
    lowered = name.lower()
    if is_key_name(name) or lowered in ("cookie", "x-api-key", "api-key") or "token" in lowered:
        request.ignored.append(secret_dropped(f"The {name} header"))
    elif lowered in _QUIET_HEADERS:
        if lowered == "content-type" and "json" not in value.lower():
            request.errors.append(
                f"The body is sent as {value.strip() or 'no type'}; the router takes JSON."
            )
    else:
        request.ignored.append(f"the header {name}")
