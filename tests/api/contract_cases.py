"""Option sets for the wire-contract test, written as the official SDK's keyword arguments.

Each case is sent with `orq-ai-sdk` 4.1.15 (`router.chat_completions(**kwargs)` /
`router.images_generate(**kwargs)`) and with our client; the two bodies must be equal by value.
Together they cover every field of `orq` (chat and image), every message and part kind, every
parameter, explicit nulls, the SDK's defaults, boundary values of each documented range, and the
two examples of the seed document (CONTRACT §10).
"""

from __future__ import annotations

from typing import Any

from contract_cases_images import IMAGE_CASES
from contract_seeds import EVERY_FILTER, JANE, SEED_CHAT_ORQ, SEED_MESSAGES, USER

__all__ = ["CHAT_CASES", "IMAGE_CASES", "STREAM_CASES"]


def _chat(**kwargs: Any) -> dict[str, Any]:
    return {"messages": USER, "model": "openai/gpt-4o", **kwargs}


def _orq(**orq: Any) -> dict[str, Any]:
    return _chat(orq=orq)


CHAT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("seed-chat-call", {"messages": SEED_MESSAGES, "model": "openai/gpt-4o", "orq": SEED_CHAT_ORQ}),
    ("seed-literal-call", {"messages": [], "model": "Model 3", "orq": SEED_CHAT_ORQ}),
    ("minimal", _chat()),
    ("orq-name-retry-bounds", _orq(name="trace-1", retry={"count": 5, "on_codes": [100, 599]})),
    ("retry-on-codes-only", _orq(retry={"on_codes": [429]})),
    ("retry-count-only", _orq(retry={"count": 1})),
    ("retry-sdk-floats", _orq(retry={"count": 2.0, "on_codes": [429.0, 503.0]})),
    ("fallbacks", _orq(fallbacks=[{"model": "a/1"}, {"model": "b/2"}, {"model": "c/3"}])),
    ("prompt", _orq(prompt={"id": "prompt_01", "version": "latest"})),
    ("identity-full", _orq(identity=JANE)),
    ("contact-and-identity", _orq(contact=JANE, identity={"id": "identity_2"})),
    ("thread", _orq(thread={"id": "thread_1", "tags": ["a", "b"]})),
    ("thread-id-only", _orq(thread={"id": "thread_2"})),
    ("inputs-map", _orq(inputs={"name": "Ann", "n": 3, "nested": {"x": None}, "none": None})),
    (
        "inputs-list",
        _orq(
            inputs=[
                {"key": "a", "value": 1, "is_pii": False},
                {"key": "b", "value": None},
                {"key": "c", "is_pii": True},
                {"key": "d", "value": {"deep": [1, "two"]}},
            ]
        ),
    ),
    ("cache-default-ttl", _orq(cache={"type": "exact_match"})),
    ("cache-ttl-bounds", _orq(cache={"type": "exact_match", "ttl": 259200})),
    ("cache-ttl-min", _orq(cache={"type": "exact_match", "ttl": 1})),
    ("knowledge-base-minimal", _orq(knowledge_bases=[{"knowledge_id": "kb_1"}])),
    (
        "knowledge-base-full",
        _orq(
            knowledge_bases=[
                {
                    "knowledge_id": "kb_1",
                    "top_k": 100,
                    "threshold": 1,
                    "search_type": "vector_search",
                    "filter_by": EVERY_FILTER,
                    "search_options": {
                        "include_vectors": True,
                        "include_metadata": False,
                        "include_scores": True,
                    },
                    "rerank_config": {"model": "cohere/rerank-v3.5"},
                    "agentic_rag_config": {"model": "openai/gpt-4o-mini"},
                    "query": "refund policy",
                }
            ]
        ),
    ),
    (
        "knowledge-base-and-or",
        _orq(
            knowledge_bases=[
                {
                    "knowledge_id": "kb_1",
                    "top_k": 1,
                    "threshold": 0,
                    "search_type": "keyword_search",
                    "filter_by": {"and": [{"a": {"eq": 1}}, {"b": {"in": ["x"]}}]},
                    "rerank_config": {"model": "r", "threshold": 0.5, "top_k": 100},
                },
                {
                    "knowledge_id": "kb_2",
                    "search_type": "hybrid_search",
                    "filter_by": {"or": [{"c": {"exists": False}}, {"d": {"lte": 3}}]},
                    "rerank_config": {"model": "r", "top_k": 1},
                },
            ]
        ),
    ),
    (
        "load-balancer-list",
        _orq(
            load_balancer=[
                {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.001},
                {"type": "weight_based", "model": "openai/gpt-4o-mini"},
                {"type": "weight_based", "model": "anthropic/claude", "weight": 1},
            ]
        ),
    ),
    ("timeout-min", _orq(timeout={"call_timeout": 1})),
    (
        "orq-nested-nones",
        _orq(
            name=None,
            retry={"count": None, "on_codes": [500]},
            cache={"type": "exact_match", "ttl": None},
            identity={"id": "i", "email": None, "tags": None},
            thread={"id": "t", "tags": None},
            knowledge_bases=[{"knowledge_id": "k", "search_type": None, "top_k": None}],
            load_balancer=[{"type": "weight_based", "model": "a", "weight": None}],
        ),
    ),
    (
        "orq-everything",
        _orq(
            name="all",
            retry={"count": 4, "on_codes": [429, 500]},
            fallbacks=[{"model": "openai/gpt-5"}],
            prompt={"id": "p", "version": "latest"},
            identity=JANE,
            contact=JANE,
            thread={"id": "t", "tags": ["x"]},
            inputs={"a": "b"},
            cache={"type": "exact_match", "ttl": 60},
            knowledge_bases=[{"knowledge_id": "k", "top_k": 3, "query": "q"}],
            load_balancer=[{"type": "weight_based", "model": "m1", "weight": 0.5}],
            timeout={"call_timeout": 1500},
        ),
    ),
    (
        "messages-every-role-and-part",
        _chat(
            messages=[
                {
                    "role": "system",
                    "content": [
                        {"type": "text", "text": "sys", "cache_control": {"type": "ephemeral"}}
                    ],
                    "name": "rules",
                },
                {"role": "developer", "content": [{"type": "text", "text": "dev"}], "name": "ops"},
                {
                    "role": "user",
                    "name": "alice",
                    "content": [
                        {
                            "type": "text",
                            "text": "look",
                            "cache_control": {"type": "ephemeral", "ttl": "1h"},
                        },
                        {"type": "image_url", "image_url": {"url": "https://e.x/a.png"}},
                        {
                            "type": "image_url",
                            "image_url": {"url": "https://e.x/b.png", "detail": "auto"},
                            "cache_control": {"type": "ephemeral"},
                        },
                        {"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}},
                        {
                            "type": "file",
                            "file": {"uri": "gs://b/a.pdf", "mimeType": "application/pdf"},
                        },
                        {
                            "type": "file",
                            "file": {
                                "file_data": "data:text/plain;base64,eA==",
                                "filename": "a.txt",
                            },
                            "cache_control": {"type": "ephemeral", "ttl": "5m"},
                        },
                    ],
                },
                {"role": "assistant", "content": "Sure.", "name": "bot", "refusal": "no"},
                {
                    "role": "tool",
                    "content": [{"type": "text", "text": "{}"}],
                    "tool_call_id": "call_1",
                    "cache_control": {"type": "ephemeral"},
                },
            ]
        ),
    ),
    (
        "assistant-variants",
        _chat(
            messages=[
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "a"},
                        {"type": "refusal", "refusal": "no"},
                        {"type": "refusal"},
                        {"type": "reasoning", "reasoning": "because", "signature": "sig"},
                        {"type": "redacted_reasoning", "data": "xyz"},
                    ],
                    "audio": {"id": "audio_1"},
                },
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                            "thought_signature": "ts",
                        },
                        {"id": "call_2", "type": "function", "function": {}},
                    ],
                },
                {"role": "assistant", "content": None, "refusal": None, "audio": None},
                {"role": "tool", "content": "lost", "tool_call_id": None},
                {"role": "user", "content": "next"},
            ]
        ),
    ),
    (
        "sampling-and-bounds",
        _chat(
            temperature=2,
            top_p=0,
            top_k=40,
            frequency_penalty=-2,
            presence_penalty=2,
            seed=7,
            n=1,
            max_tokens=10,
            max_completion_tokens=1,
            logprobs=True,
            top_logprobs=20,
            stop="END",
            verbosity="high",
            reasoning_effort="xhigh",
            parallel_tool_calls=True,
        ),
    ),
    (
        "explicit-nulls",
        _chat(
            metadata=None,
            audio=None,
            frequency_penalty=None,
            max_tokens=None,
            max_completion_tokens=None,
            logprobs=None,
            top_logprobs=None,
            n=None,
            presence_penalty=None,
            response_format=None,
            reasoning_effort=None,
            verbosity=None,
            seed=None,
            stop=None,
            stream_options=None,
            thinking=None,
            temperature=None,
            top_p=None,
            top_k=None,
            tools=None,
            tool_choice=None,
            parallel_tool_calls=None,
            modalities=None,
            guardrails=None,
            orq=None,
        ),
    ),
    (
        "text-format-audio-out",
        _chat(
            response_format={"type": "text"},
            audio={"voice": "shimmer", "format": "pcm16"},
            modalities=["text", "audio"],
            top_logprobs=0,
            temperature=0,
        ),
    ),
    (
        "json-object-thinking-off",
        _chat(
            response_format={"type": "json_object"},
            thinking={"type": "disabled"},
            tool_choice="required",
            reasoning_effort="none",
        ),
    ),
    (
        "json-schema-default-strict",
        _chat(
            response_format={
                "type": "json_schema",
                "json_schema": {
                    "name": "Answer",
                    "description": "d",
                    "schema": {"type": "object", "properties": {"a": {"type": ["string", "null"]}}},
                },
            },
            thinking={"type": "enabled", "budget_tokens": 1024, "thinking_level": "high"},
        ),
    ),
    (
        "tools-and-choice",
        _chat(
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "Weather",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                            "additionalProperties": False,
                        },
                        "strict": True,
                    },
                },
                {"function": {"name": "noop"}},
                {"function": {"name": "empty", "parameters": {"type": "object", "properties": {}}}},
            ],
            tool_choice={"function": {"name": "get_weather"}},
            parallel_tool_calls=False,
        ),
    ),
    (
        "guardrails-metadata-bounds",
        _chat(
            guardrails=[
                {"id": "orq_pii_detection", "execute_on": "input"},
                {"id": "orq_sexual_moderation", "execute_on": "output"},
                {"id": "orq_harmful_moderation", "execute_on": "input"},
                {"id": "orq_secret_detection", "execute_on": "output"},
                {"id": "guardrail_custom_01", "execute_on": "input"},
            ],
            metadata={f"{i:02d}" + "k" * 62: ("v" * 512 if i == 0 else str(i)) for i in range(16)},
        ),
    ),
    (
        "stop-list-stream-options",
        _chat(stop=["a", "b", "c", "d"], stream_options={"include_usage": False}, stream=False),
    ),
    ("stream-options-empty", _chat(stream_options={"include_usage": None}, stream=None)),
]

STREAM_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "seed-chat-streamed",
        {
            "messages": SEED_MESSAGES,
            "model": "openai/gpt-4o",
            "orq": SEED_CHAT_ORQ,
            "stream_options": {"include_usage": True},
            "stream": True,
        },
    ),
    ("minimal-streamed", _chat(stream=True)),
    (
        "routing-streamed",
        _chat(
            stream=True,
            temperature=0.3,
            orq={
                "retry": {"on_codes": [429]},
                "fallbacks": [{"model": "b/2"}],
                "cache": {"type": "exact_match"},
            },
        ),
    ),
]
