"""The route preview: attempts, worst-case time and plain words."""

from __future__ import annotations

from orq_desktop.domain.route_plan import plan_route


def test_no_options_means_one_attempt() -> None:
    plan = plan_route("openai/gpt-4o", {})
    assert plan.worst_attempts == 1
    assert plan.worst_time_s is None
    assert plan.describe().startswith("One attempt with openai/gpt-4o")
    assert plan.warnings == ()


def test_issue_example_in_plain_words() -> None:
    orq = {
        "retry": {"count": 2, "on_codes": [503, 429]},
        "fallbacks": [{"model": "openai/gpt-4o"}, {"model": "anthropic/claude-4-opus"}],
        "timeout": {"call_timeout": 10_000},
    }
    plan = plan_route("openai/gpt-5", orq)
    text = plan.describe()
    assert "On 429 or 503: retry twice, about 1 s then 2 s apart." in text
    assert "try openai/gpt-4o, then try anthropic/claude-4-opus" in text
    assert "A 400, 401 or 403 will not fall back" in text
    assert plan.worst_attempts == 9  # 3 models x (1 try + 2 retries)
    # 9 attempts x 10 s + 3 x (1 + 2) s of backoff with +25 % jitter
    assert plan.worst_time_s == 90 + 9 * 1.25
    assert [a.model for a in plan.attempts][:3] == ["openai/gpt-5"] * 3


def test_retry_defaults_to_429_and_three_retries() -> None:
    plan = plan_route("m/x", {"retry": {}})
    assert plan.retry_codes == (429,)
    assert plan.retry_count == 3
    assert plan.worst_attempts == 4


def test_warnings() -> None:
    orq = {
        "retry": {"count": 1, "on_codes": [400, 401, 429]},
        "fallbacks": [{"model": f"p/m{i}"} for i in range(4)]
        + [{"model": "p/m0"}, {"model": "a/b"}],
        "timeout": {"call_timeout": 120_000},
    }
    warnings = " ".join(plan_route("a/b", orq).warnings)
    assert "400 (bad request), 401 (bad key) never helps" in warnings
    assert "6 fallbacks" in warnings
    assert "listed twice" in warnings
    assert "a/b is the primary model and also a fallback" in warnings
    assert "longer than most people wait" in warnings


def test_load_balancer_replaces_primary_in_both_shapes() -> None:
    listed = {
        "load_balancer": [
            {"type": "weight_based", "model": "x/a", "weight": 0.7},
            {"type": "weight_based", "model": "x/b", "weight": 0.3},
        ]
    }
    obj = {
        "load_balancer": {
            "type": "weight_based",
            "models": [{"model": "x/a", "weight": 0.7}, {"model": "x/b"}],
        }
    }
    for orq in (listed, obj):
        plan = plan_route("x/primary", orq)
        assert plan.models == ("x/a / x/b",)
        assert "x/primary itself is not used" in plan.describe()
