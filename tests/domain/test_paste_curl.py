"""Pasting a cURL command: quoting, continuations, data options, headers and dropped keys."""

from __future__ import annotations

import json

import pytest

from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.paste import PasteResult, parse_pasted
from orq_desktop.domain.paste_curl import ShellSyntaxError, shell_words

CANARY = "sk-orq-CANARY-c0ffee42"
URL = "https://api.orq.ai/v2/gateway/chat/completions"
BODY = {
    "model": "openai/gpt-4o",
    "messages": [{"role": "user", "content": 'It\'s a "test"\nwith 日本語'}],
    "temperature": 0.5,
    "orq": {"fallbacks": [{"model": "openai/gpt-4o-mini"}]},
}
ADDRESS = f"the address {URL} (Orq Desktop sends to the base URL and path in Settings)"
DROPPED = "The Authorization header was dropped: a pasted key is never kept"


def paste(text: str) -> PasteResult:
    return parse_pasted(text, check=check_request)


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def assert_read_body(result: PasteResult) -> None:
    assert (result.kind, result.errors) == ("curl", [])
    assert result.fill.model == "openai/gpt-4o"
    assert result.fill.prompt == 'It\'s a "test"\nwith 日本語'
    assert result.fill.params == {"temperature": 0.5, "stream": False}
    assert result.fill.orq == {"fallbacks": [{"model": "openai/gpt-4o-mini"}]}


@pytest.mark.parametrize("option", ["-d", "--data", "--data-raw", "--data-binary", "--json"])
def test_the_brief_example_with_each_data_option(option: str) -> None:
    text = (
        f"curl {URL} \\\n"
        f"  -H 'Authorization: Bearer {CANARY}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f"  {option} {single_quoted(json.dumps(BODY, ensure_ascii=False))}"
    )
    result = paste(text)
    assert_read_body(result)
    assert result.ignored[0].startswith(DROPPED)
    assert ADDRESS in result.ignored
    assert CANARY not in repr(result)


def test_double_quoted_body_with_escapes_and_attached_options() -> None:
    data = json.dumps(BODY, ensure_ascii=False).replace("\\", "\\\\").replace('"', '\\"')
    text = f'$ curl -XPOST -sS "{URL}" -H "Authorization: Bearer $ORQ_API_KEY" -d"{data}"'
    result = paste(text)
    assert_read_body(result)
    assert "the cURL option(s) -sS (they do not change the body)" in result.ignored


def test_bash_dollar_quotes_as_browsers_copy_them() -> None:
    data = json.dumps(BODY).replace("\\", "\\\\").replace("'", "\\'")  # as browsers write it
    text = f"curl '{URL}' -H 'content-type: application/json' --data-raw $'{data}' --compressed"
    result = paste(text)
    assert_read_body(result)


def test_body_first_then_url_and_crlf_continuations() -> None:
    text = f"curl -d {single_quoted(json.dumps(BODY))} \\\r\n   --url {URL}\r\n"
    assert_read_body(paste(text))


def test_headers_and_options_that_are_not_used_are_named() -> None:
    text = (
        f"curl {URL}?api_key={CANARY} -H 'X-Foo: 1' -H 'X-ORQ-IDENTITY-ID: u1' "
        f"-H 'Accept: application/json' -u me:{CANARY} --max-time 30 -b 'session={CANARY}' "
        f"-d {single_quoted(json.dumps(BODY))} | jq ."
    )
    result = paste(text)
    assert result.errors == []
    assert CANARY not in repr(result)
    assert result.ignored == [
        "everything after a |, ; or & (only the curl command is read)",
        "the header X-Foo",
        "the header X-ORQ-IDENTITY-ID",
        "The -u option's value was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "the cURL option --max-time (it does not change the request)",
        "The -b option's value was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        ADDRESS,
        "the URL's query string",
    ]


def test_an_image_endpoint_reads_an_image_request() -> None:
    body = {"prompt": "A cat", "model": "openai/gpt-image-1", "background": "transparent"}
    result = paste(f"curl https://api.orq.ai/v2/router/images/generations -d '{json.dumps(body)}'")
    assert (result.target, result.errors) == ("image", [])
    assert result.fill.params == {"background": "transparent"}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (f"curl {URL} -d @body.json", "reads its body from the file “body.json”"),
        (f"curl {URL} --data-binary @-", "reads its body from standard input (@-)"),
        (f'curl {URL} -d \'{{"model": 1', "A single quote (') is not closed."),
        (f'curl {URL} -d "{{', 'A double quote (") is not closed.'),
        (f"curl {URL}", "has no body"),
        (f"curl {URL} -d '{{}}' -d '{{}}'", "several bodies"),
        (f"curl -X GET {URL} -d '{{}}'", "makes a GET request"),
        (f"curl {URL} -H 'Content-Type: text/plain' -d 'x'", "the router takes JSON"),
        (f"curl {URL} -d 'model=gpt'", "The body is not JSON"),
        (f"curl {URL} -d '[1]'", "must be a JSON object"),
        (f"curl {URL} -H", "The option -H has no value."),
        (
            f"curl https://x/v2/gateway/images/generations -d {single_quoted(json.dumps(BODY))}",
            "the image endpoint but the body is a chat request",
        ),
    ],
)
def test_commands_that_cannot_be_read_say_why(text: str, error: str) -> None:
    result = paste(text)
    assert not result.can_apply
    assert any(error in e for e in result.errors), result.errors


def test_data_raw_takes_an_at_sign_literally() -> None:
    result = paste(f"curl {URL} --data-raw '@notafile'")
    assert "The body is not JSON" in result.errors[0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a 'b c' \"d e\"", ["a", "b c", "d e"]),
        ("a\\ b c\\\nd", ["a b", "cd"]),
        ('"a\\"b\\\\c\\$d\\x"', ['a"b\\c$d\\x']),
        ("$'a\\nb\\t\\x41\\u00e9\\'\\\\'", ["a\nb\tAé'\\"]),
        ("one # a comment\ntwo", ["one", "two"]),
        ("'it'\\''s'", ["it's"]),
        ("", []),
    ],
)
def test_shell_words(text: str, words: list[str]) -> None:
    assert shell_words(text) == (words, False)


def test_shell_words_stop_at_operators() -> None:
    assert shell_words("a b; rm -rf /") == (["a", "b"], True)
    with pytest.raises(ShellSyntaxError):
        shell_words("$'open")
