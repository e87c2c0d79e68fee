"""The text of "View code": ruff-clean Python, correct escaping, no key, and it pastes back."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from typing import Any

import pytest

from orq_desktop.api.models import ChatRequest, ImageRequest
from orq_desktop.core.presets_store import check_request
from orq_desktop.domain import code_export
from orq_desktop.domain.code_export import (
    CodeExportError,
    endpoint_url,
    py_string,
    sdk_unsupported,
    shell_single_quoted,
    to_curl,
    to_json,
    to_python,
)
from orq_desktop.domain.paste import parse_pasted

CANARY = "sk-orq-CANARY-0ddba11"
BASE = "https://api.orq.ai"
TRICKY = [
    "",
    "plain",
    'double "quotes"',
    "single 'quotes'",
    'both \' and "" more double',
    "back\\slash \\n not a newline",
    "new\nline\r\ttab",
    "naïve café — 日本語 🎉",
    "control \x00 \x07 \x1b \x7f",
    "separators \u2028 \u2029 \u0085",
    "lone \ud800 surrogate",
    "$HOME `cmd` $(cmd) !history %s {0}",
]


def chat_body(prefix: str = "/v2/gateway", **extra: Any) -> dict[str, Any]:
    return ChatRequest.model_validate(
        {
            "model": "openai/gpt-4o",
            "messages": [
                {"role": "system", "content": "You are terse. " * 12},
                {"role": "user", "content": "Say “hi” to O'Brien\nand 日本"},
            ],
            "temperature": 0.7,
            "stop": ["END", "STOP"],
            "orq": {
                "retry": {"count": 2, "on_codes": [429, 500, 502, 503, 504]},
                "fallbacks": [{"model": "openai/gpt-4o-mini"}, {"model": "a/b"}],
                "thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV", "tags": ["support"]},
                "identity": {"id": "u1", "metadata": [{"team": "support", "tier": "gold"}]},
            },
            **extra,
        }
    ).to_wire(prefix)


def ruff_formatted(code: str) -> str:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not on PATH")
    done = subprocess.run(
        [ruff, "format", "--isolated", "--line-length", "100", "-"],
        input=code,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("prefix", ["/v2/gateway", "/v2/router"])
def test_python_is_already_ruff_formatted(stream: bool, prefix: str) -> None:
    code = to_python(chat_body(prefix, stream=stream), BASE, prefix)
    ast.parse(code)
    assert ruff_formatted(code) == code


def test_image_python_is_ruff_formatted_and_saves_with_the_right_extension() -> None:
    body = ImageRequest.model_validate(
        {"prompt": "x", "model": "openai/gpt-image-1", "output_format": "webp"}
    ).to_wire()
    code = to_python(body, BASE, "/v2/gateway", "image")
    assert ruff_formatted(code) == code
    assert 'f"image-{i}.webp"' in code
    assert "orq.router.images_generate(" in code


def test_strings_survive_python_escaping() -> None:
    for text in TRICKY:
        literal = py_string(text)
        assert ast.literal_eval(literal) == text
        assert "\n" not in literal and "\r" not in literal
    assert py_string('a "b"') == "'a \"b\"'"  # fewer escapes, as ruff prefers
    assert py_string("it's") == '"it\'s"'


def test_strings_survive_shell_quoting() -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    texts = [t for t in TRICKY if "\x00" not in t and "\ud800" not in t]
    script = "\n".join(f"printf '%s\\0' {shell_single_quoted(t)}" for t in texts)
    done = subprocess.run(["bash", "-c", script], capture_output=True, check=True, timeout=30)
    assert done.stdout.decode("utf-8").split("\0")[:-1] == texts


def test_json_is_the_body_with_surrogates_escaped() -> None:
    body = chat_body()
    body["messages"][1]["content"] = "".join(TRICKY)
    text = to_json(body)
    text.encode("utf-8")  # a lone surrogate would make this fail
    assert json.loads(text) == body
    assert text.splitlines()[1].startswith('  "messages": ')


def test_no_snippet_ever_holds_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORQ_API_KEY", CANARY)
    body = chat_body(stream=True)
    for code in (to_python(body, BASE, "/v2/gateway"), to_curl(body, BASE, "/v2/gateway")):
        assert CANARY not in code
        assert "ORQ_API_KEY" in code
    assert 'api_key=os.getenv("ORQ_API_KEY", "")' in to_python(body, BASE, "/v2/gateway")
    assert '-H "Authorization: Bearer $ORQ_API_KEY"' in to_curl(body, BASE, "/v2/gateway")


def test_a_body_with_something_key_like_is_refused() -> None:
    body = chat_body()
    body["metadata"] = {"api_key": CANARY}
    for export in (to_json, lambda b: to_curl(b, BASE, "/v2/gateway")):
        with pytest.raises(CodeExportError) as caught:
            export(body)
        assert "metadata.api_key" in str(caught.value)
        assert CANARY not in str(caught.value)


def test_fields_the_41_sdk_cannot_send_are_listed_not_passed() -> None:
    body = chat_body(name="trace name")
    body["orq"]["fallback_on_codes"] = [503]
    assert sdk_unsupported(body, "/v2/gateway") == ["name", "orq.fallback_on_codes"]
    code = to_python(body, BASE, "/v2/gateway")
    assert "# orq-ai-sdk 4.1 cannot send name, orq.fallback_on_codes: the cURL version does." in (
        code
    )
    assert "name=" not in code and "fallback_on_codes" not in code.split("import os")[1]
    assert sdk_unsupported(body, "/v2/router") == []
    assert '"fallback_on_codes": [503]' in to_curl(body, BASE, "/v2/gateway")


def test_newer_prefixes_use_the_newer_sdk_call() -> None:
    code = to_python(chat_body("/v2/router"), BASE, "/v2/router")
    assert "res = orq.router.chat.completions.create(" in code
    assert '# pip install "orq-ai-sdk>=4.2"' in code
    other = to_python(chat_body("/v3/router"), BASE, "/v3/router")
    assert "# The SDK always calls /v2/router; this app is set to /v3/router." in other


def test_endpoint_urls() -> None:
    assert endpoint_url("https://h/", "/v2/gateway") == "https://h/v2/gateway/chat/completions"
    assert (
        endpoint_url("https://h", "v2/router/", "image") == "https://h/v2/router/images/generations"
    )
    assert to_curl(chat_body(), "http://127.0.0.1:8765", "/v2/gateway").startswith(
        "curl http://127.0.0.1:8765/v2/gateway/chat/completions \\\n"
    )
    assert to_curl(chat_body(), "https://h/a b", "/v2/gateway").startswith(
        "curl 'https://h/a b/v2/gateway/chat/completions' \\\n"
    )


@pytest.mark.parametrize("export", ["python", "curl", "json"])
def test_every_snippet_pastes_back_into_the_same_form(export: str) -> None:
    body = chat_body(stream=True, stream_options={"include_usage": True})
    text = {
        "python": lambda: to_python(body, BASE, "/v2/gateway"),
        "curl": lambda: to_curl(body, BASE, "/v2/gateway"),
        "json": lambda: to_json(body),
    }[export]()
    result = parse_pasted(text, check=check_request)
    assert result.errors == []
    fill = result.fill
    assert fill.model == "openai/gpt-4o"
    assert fill.system_prompt == body["messages"][0]["content"]
    assert fill.prompt == body["messages"][1]["content"]
    assert fill.params == {"temperature": 0.7, "stop": ["END", "STOP"], "stream": True}
    assert fill.orq == body["orq"]


def test_a_long_conversation_is_written_once_per_text() -> None:
    """A 4.8 MB conversation (two 2.4 MB messages): each text is escaped once, not again at
    every nesting level (that took 2.4 s on the UI thread), and the script still parses."""
    calls: list[int] = []
    real = code_export.py_string

    def counting(text: str) -> str:
        calls.append(len(text))
        return real(text)

    text = "Line with \"quotes\" and 'single', é, \t tabs and \\ slashes\n" * 40_000
    body = {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": text}, {"role": "assistant", "content": text}],
    }
    code_export.py_string = counting  # type: ignore[assignment]
    try:
        code = to_python(body, BASE, "/v2/gateway")
    finally:
        code_export.py_string = real  # type: ignore[assignment]
    assert sum(1 for n in calls if n == len(text)) == 2
    tree = ast.parse(code)
    texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value == text]
    assert len(texts) == 2
