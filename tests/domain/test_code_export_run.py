"""The generated Python and cURL, run for real against the simulator, send the app's body.

The Python runs in a subprocess with the official SDK (orq-ai-sdk 4.1.15, a test dependency) and
the cURL command under bash; the simulator requires a canary key, so a snippet that did not read
``ORQ_API_KEY`` from the environment would be refused. The bodies the simulator recorded must
equal, by value, the body the app sends (``ChatRequest.model_validate(...).to_wire()``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from orq_desktop.api.models import ChatRequest, ImageRequest
from orq_desktop.domain.code_export import to_curl, to_python
from orq_desktop.domain.presets import RequestKind

if TYPE_CHECKING:
    from orq_desktop.simulator import SimulatorHandle

CANARY = "sk-orq-CANARY-7f3a9c1e2b4d"
PREFIX = "/v2/gateway"

RICH_ORQ: dict[str, Any] = {
    "retry": {"count": 3, "on_codes": [429, 500, 502]},
    "fallbacks": [{"model": "openai/gpt-4o-mini"}, {"model": "anthropic/claude-3-5-sonnet"}],
    "identity": {
        "id": "identity_01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "display_name": "Jane Doe",
        "email": "jane.doe@example.com",
        "metadata": [{"department": "Engineering"}],
        "tags": ["hr", "engineering"],
    },
    "thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV", "tags": ["customer-support"]},
    "inputs": {"customer_name": "John Smith", "issue_type": "billing"},
    "cache": {"type": "exact_match", "ttl": 3600},
    "knowledge_bases": [{"knowledge_id": "knowledge_01ARZ3NDEKTSV4RRFFQ69G5FAV", "top_k": 5}],
    "load_balancer": [{"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7}],
    "timeout": {"call_timeout": 30000},
}
TRICKY = (
    'She said "it\'s fine" \\ then left.\nLine two\ttabbed — naïve café 日本語 🎉 $HOME `x` %s {0}'
)

CASES: list[tuple[str, RequestKind, dict[str, Any]]] = [
    (
        "chat-rich-orq",
        "chat",
        {
            "model": "openai/gpt-4o",
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Hello {{customer_name}}"},
            ],
            "temperature": 0.3,
            "max_completion_tokens": 200,
            "stop": ["END"],
            "response_format": {"type": "json_object"},
            "orq": RICH_ORQ,
            "stream": False,
        },
    ),
    (
        "chat-streamed",
        "chat",
        {
            "model": "anthropic/claude-3-5-sonnet",
            "messages": [{"role": "user", "content": "Stream, please."}],
            "seed": 42,
            "stream": True,
            "stream_options": {"include_usage": True},
            "orq": {"retry": {"on_codes": [429]}, "timeout": {"call_timeout": 5000}},
        },
    ),
    (
        "chat-tricky-text",
        "chat",
        {
            "model": "openai/gpt-4o-mini",
            "messages": [
                {"role": "system", "content": TRICKY},
                {"role": "user", "content": "'''\"\"\" ' \\' \r\n end"},
                {"role": "assistant", "content": 'Quote: "\'"'},
                {"role": "user", "content": TRICKY + "\u2028\x00\x07"},
            ],
            "stream": False,
        },
    ),
    (
        "image",
        "image",
        {
            "prompt": 'A lighthouse at dusk, "oil painting" — it\'s 日本 🎨\nsecond line',
            "model": "openai/dall-e-3",
            "size": "1024x1024",
            "quality": "hd",
            "style": "vivid",
            "response_format": "b64_json",
            "orq": {
                "retry": {"count": 2, "on_codes": [429, 503]},
                "fallbacks": [{"model": "openai/dall-e-2"}],
                "cache": {"type": "exact_match"},
                "timeout": {"call_timeout": 60000},
            },
        },
    ),
]


def app_body(kind: RequestKind, request: dict[str, Any]) -> dict[str, Any]:
    """The body the app sends for these options."""
    model = ChatRequest if kind == "chat" else ImageRequest
    return model.model_validate(request).to_wire(PREFIX)


def run_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORQ_", "QT_"))}
    env["ORQ_API_KEY"] = CANARY
    return env


@pytest.fixture(scope="module")
def keyed_sim() -> Iterator[SimulatorHandle]:
    """A simulator that answers only requests carrying the canary key."""
    from orq_desktop.simulator import start_in_thread

    with start_in_thread(api_key=CANARY, token_rate=0.0, backoff_scale=0.001) as handle:
        yield handle


@dataclass
class PythonRun:
    code: str
    body: dict[str, Any]
    record: dict[str, Any]
    output: str


@pytest.fixture(scope="module")
def python_runs(
    keyed_sim: SimulatorHandle, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, PythonRun], subprocess.CompletedProcess[str], Path]:
    """Every case's Python snippet, each a file, run one after the other in one interpreter
    (importing the SDK costs several seconds of CPU, so it is paid once)."""
    folder = tmp_path_factory.mktemp("snippets")
    scripts: list[tuple[str, str, dict[str, Any]]] = []
    for name, kind, request in CASES:
        body = app_body(kind, request)
        code = to_python(body, keyed_sim.url, PREFIX, kind)
        (folder / f"{name}.py").write_text(code, encoding="utf-8")
        scripts.append((name, code, body))
    driver = (
        "import runpy, sys\n"
        "for path in sys.argv[1:]:\n"
        "    print(f'=== {path}', flush=True)\n"
        "    runpy.run_path(path, run_name='__main__')\n"
        "    print(flush=True)\n"
    )
    before = len(keyed_sim.recorded_requests())
    done = subprocess.run(
        [sys.executable, "-c", driver, *(str(folder / f"{n}.py") for n, _, _ in scripts)],
        cwd=folder,
        env=run_env(),
        capture_output=True,
        text=True,
        timeout=55,
        check=False,
    )
    records = keyed_sim.recorded_requests()[before:]
    outputs = done.stdout.split("=== ")[1:]
    runs = {
        name: PythonRun(
            code,
            body,
            records[i] if i < len(records) else {},
            outputs[i] if i < len(outputs) else "",
        )
        for i, (name, code, body) in enumerate(scripts)
    }
    return runs, done, folder


@pytest.mark.slow
@pytest.mark.parametrize(("name", "kind"), [(c[0], c[1]) for c in CASES], ids=[c[0] for c in CASES])
def test_python_snippet_sends_the_app_body(
    python_runs: tuple[dict[str, PythonRun], subprocess.CompletedProcess[str], Path],
    name: str,
    kind: RequestKind,
) -> None:
    runs, done, folder = python_runs
    assert done.returncode == 0, done.stderr[-3000:]
    run = runs[name]
    assert CANARY not in run.code
    operation = "/chat/completions" if kind == "chat" else "/images/generations"
    assert run.record["path"] == PREFIX + operation
    assert run.record["body"] == run.body
    assert CANARY not in done.stdout + done.stderr
    answer = run.output.split("\n", 1)[1].strip()
    if kind == "image":
        assert answer == "image-1.png"
        assert (folder / "image-1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert answer  # the answer's text was printed


@pytest.mark.parametrize(("name", "kind", "request_"), CASES, ids=[c[0] for c in CASES])
def test_curl_snippet_sends_the_app_body(
    keyed_sim: SimulatorHandle,
    tmp_path: Path,
    name: str,
    kind: RequestKind,
    request_: dict[str, Any],
) -> None:
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed, so the cURL snippet cannot be run")
    body = app_body(kind, request_)
    code = to_curl(body, keyed_sim.url, PREFIX, kind)
    assert CANARY not in code
    before = len(keyed_sim.recorded_requests())
    done = subprocess.run(
        ["bash", "-c", code],
        cwd=tmp_path,
        env=run_env(),
        capture_output=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (record,) = keyed_sim.recorded_requests()[before:]
    operation = "/chat/completions" if kind == "chat" else "/images/generations"
    assert record["path"] == PREFIX + operation
    assert record["body"] == body
    assert b"Invalid API key" not in done.stdout


def test_curl_snippet_with_another_key_is_refused(keyed_sim: SimulatorHandle) -> None:
    """The canary check is real: the same snippet with another key in the environment fails."""
    if shutil.which("curl") is None or shutil.which("bash") is None:
        pytest.skip("curl or bash is not installed, so the cURL snippet cannot be run")
    body = app_body("chat", CASES[0][2])
    done = subprocess.run(
        ["bash", "-c", to_curl(body, keyed_sim.url, PREFIX)],
        env={**run_env(), "ORQ_API_KEY": "sk-wrong"},
        capture_output=True,
        timeout=50,
        check=False,
    )
    assert b"Invalid API key" in done.stdout
