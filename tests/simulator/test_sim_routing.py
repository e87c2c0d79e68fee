"""Router semantics over HTTP: retries, backoff, fallbacks, call timeouts, the load balancer."""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from fixtures_sim import chat_body

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.routing import backoff_s, route_options

CHAT = "/v2/router/chat/completions"


def call(sim: SimulatorHandle, model: str, orq: dict[str, Any], **fields: Any) -> httpx.Response:
    body = chat_body(model, orq=orq, **fields)
    return httpx.post(sim.url + CHAT, json=body, timeout=30)


def attempts(sim: SimulatorHandle, resp: httpx.Response) -> list[tuple[str, int | None, str]]:
    trace = httpx.get(f"{sim.url}/_sim/traces/{resp.headers['x-orq-trace-id']}").json()
    return [(a["model"], a["status"], a["outcome"]) for a in trace["attempts"]]


def test_retries_up_to_count_on_listed_codes(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/status-503", {"retry": {"count": 2.0, "on_codes": [503.0]}})
    assert resp.status_code == 503
    assert attempts(sim_server, resp) == [("sim/status-503", 503, "failed")] * 3


def test_retry_without_codes_retries_429_only(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/status-429", {"retry": {"count": 1}})
    assert attempts(sim_server, resp) == [("sim/status-429", 429, "failed")] * 2
    resp = call(sim_server, "sim/status-500", {"retry": {"count": 3}})
    assert attempts(sim_server, resp) == [("sim/status-500", 500, "failed")]


def test_no_retry_block_means_no_retries(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/status-429", {})
    assert resp.status_code == 429
    assert len(attempts(sim_server, resp)) == 1


def test_fallbacks_in_order_each_with_its_own_retries(sim_server: SimulatorHandle) -> None:
    orq = {
        "retry": {"count": 1, "on_codes": [429, 503]},
        "fallbacks": [{"model": "sim/status-503"}, {"model": "openai/gpt-4o"}, {"model": "x/y"}],
    }
    resp = call(sim_server, "sim/status-429", orq)
    assert resp.status_code == 200
    assert resp.json()["model"] == "openai/gpt-4o"
    assert attempts(sim_server, resp) == [
        ("sim/status-429", 429, "failed"),
        ("sim/status-429", 429, "failed"),
        ("sim/status-503", 503, "failed"),
        ("sim/status-503", 503, "failed"),
        ("openai/gpt-4o", 200, "answered"),
    ]


@pytest.mark.parametrize("code", [429, 500, 502, 503, 504, 529])
def test_fallback_fires_on_transient_codes(sim_server: SimulatorHandle, code: int) -> None:
    resp = call(sim_server, f"sim/status-{code}", {"fallbacks": [{"model": "b/good"}]})
    assert resp.status_code == 200
    assert resp.json()["model"] == "b/good"


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422, 501])
def test_no_fallback_on_other_codes(sim_server: SimulatorHandle, code: int) -> None:
    resp = call(sim_server, f"sim/status-{code}", {"fallbacks": [{"model": "b/good"}]})
    assert resp.status_code == code
    assert [m for m, _, _ in attempts(sim_server, resp)] == [f"sim/status-{code}"]


def test_unknown_model_fails_at_once_without_fallback(sim_server: SimulatorHandle) -> None:
    orq = {"retry": {"count": 3, "on_codes": [404, 429]}, "fallbacks": [{"model": "b/good"}]}
    resp = call(sim_server, "sim/unknown", orq)
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "The model sim/unknown was not found."
    assert attempts(sim_server, resp) == [("sim/unknown", 404, "failed")]


def test_call_timeout_moves_on_to_the_fallback(sim_server: SimulatorHandle) -> None:
    orq = {"timeout": {"call_timeout": 150.0}, "fallbacks": [{"model": "b/good"}]}
    started = time.perf_counter()
    resp = call(sim_server, "sim/slow-5000", orq, stream=True)
    assert time.perf_counter() - started < 2.0
    assert resp.status_code == 200
    assert '"model": "b/good"' in resp.text
    assert attempts(sim_server, resp) == [
        ("sim/slow-5000", None, "timeout"),
        ("b/good", 200, "answered"),
    ]


def test_call_timeout_bounds_a_model_that_never_answers(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/timeout", {"timeout": {"call_timeout": 100}})
    assert resp.status_code == 504
    assert "call_timeout (100 ms)" in resp.json()["error"]["message"]


def test_a_timeout_is_retried_when_504_is_listed(sim_server: SimulatorHandle) -> None:
    orq = {"timeout": {"call_timeout": 50}, "retry": {"count": 1, "on_codes": [504]}}
    resp = call(sim_server, "sim/timeout", orq)
    assert attempts(sim_server, resp) == [("sim/timeout", None, "timeout")] * 2


def test_slow_model_within_call_timeout_answers(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/slow-50", {"timeout": {"call_timeout": 2000}})
    assert resp.status_code == 200
    assert resp.json()["model"] == "sim/slow-50"


def test_when_every_attempt_fails_the_last_status_is_returned(sim_server: SimulatorHandle) -> None:
    orq = {"fallbacks": [{"model": "sim/status-502"}, {"model": "sim/status-429"}]}
    resp = call(sim_server, "sim/status-503", orq)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "1"
    assert resp.json()["error"]["code"] == "429"


def test_fallback_on_codes_at_top_level(sim_server: SimulatorHandle) -> None:
    body = chat_body("sim/status-500", fallbacks=[{"model": "b/good"}], fallback_on_codes=[429])
    resp = httpx.post(sim_server.url + CHAT, json=body)
    assert resp.status_code == 500  # 500 is not in this request's fallback codes


def test_stream_failure_before_first_byte_falls_through(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/status-503", {"fallbacks": [{"model": "b/ok"}]}, stream=True)
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert '"model": "b/ok"' in resp.text


def test_stream_failure_after_first_byte_reaches_the_client(sim_server: SimulatorHandle) -> None:
    resp = call(sim_server, "sim/error-after-2", {"fallbacks": [{"model": "b/ok"}]}, stream=True)
    assert resp.status_code == 200
    assert '"error"' in resp.text
    assert '"model": "b/ok"' not in resp.text


def test_backoff_grows_and_is_scaled(sim_server_factory: Any) -> None:
    sim = sim_server_factory(backoff_scale=0.05, seed=3)
    resp = call(sim, "sim/status-429", {"retry": {"count": 3}})
    trace = httpx.get(f"{sim.url}/_sim/traces/{resp.headers['x-orq-trace-id']}").json()
    starts = [a["started_ms"] for a in trace["attempts"]]
    waits = [b - a for a, b in itertools.pairwise(starts)]
    for wait, base in zip(waits, [50, 100, 200], strict=True):  # 1, 2, 4 s x 0.05
        assert base * 0.75 <= wait <= base * 1.25 + 100


def test_backoff_schedule_has_jitter_within_25_percent() -> None:
    rng = random.Random(1)
    for index, base in enumerate([1, 2, 4, 8, 16, 16]):
        values = [backoff_s(index, rng, 1.0) for _ in range(200)]
        assert base * 0.75 <= min(values) < max(values) <= base * 1.25


def test_load_balancer_distribution_and_seed(sim_server_factory: Any) -> None:
    orq = {
        "load_balancer": [
            {"type": "weight_based", "model": "a/heavy", "weight": 0.8},
            {"type": "weight_based", "model": "b/light", "weight": 0.2},
        ]
    }
    picks: list[list[str]] = []
    for _ in range(2):
        sim = sim_server_factory(seed=42)
        with httpx.Client(base_url=sim.url) as client:
            picks.append(
                [
                    client.post(CHAT, json=chat_body("ignored/model", orq=orq)).json()["model"]
                    for _ in range(200)
                ]
            )
    assert picks[0] == picks[1]  # the same seed gives the same sequence
    counts = Counter(picks[0])
    assert set(counts) == {"a/heavy", "b/light"}
    assert 130 <= counts["a/heavy"] <= 190


def test_load_balancer_object_shape_and_fallbacks(sim_server: SimulatorHandle) -> None:
    body = chat_body(
        "ignored/model",
        load_balancer={"type": "weight_based", "models": [{"model": "sim/status-503"}]},
        fallbacks=[{"model": "c/after"}],
    )
    resp = httpx.post(sim_server.url + CHAT, json=body)
    assert resp.json()["model"] == "c/after"
    assert attempts(sim_server, resp)[0][0] == "sim/status-503"


def test_route_options_accept_sdk_floats() -> None:
    options = route_options(
        {
            "model": "m/x",
            "orq": {
                "retry": {"count": 3.0, "on_codes": [429.0, 500.0]},
                "fallbacks": [{"model": "f/1"}, {"model": "f/2"}],
                "timeout": {"call_timeout": 30000.0},
                "cache": {"type": "exact_match", "ttl": 3600.0},
            },
        }
    )
    assert options.retry_count == 3
    assert options.retry_codes == {429, 500}
    assert options.fallbacks == ("f/1", "f/2")
    assert options.call_timeout_s == 30.0
    assert options.cache_ttl_s == 3600.0
    assert route_options({"model": "m"}).retry_count == 0
