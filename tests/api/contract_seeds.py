"""Seed data for the contract cases: the seed calls (CONTRACT §10) and shared parts."""

from __future__ import annotations

from typing import Any

USER = [{"role": "user", "content": "x"}]
SEED_MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Hi"},
            {
                "type": "image_url",
                "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"},
            },
        ],
    },
]
# The seed document's `orq` for chat (CONTRACT §10).
SEED_CHAT_ORQ: dict[str, Any] = {
    "retry": {"count": 3, "on_codes": [429, 500, 502]},
    "fallbacks": [{"model": "openai/gpt-5"}, {"model": "anthropic/claude-4-opus"}],
    "identity": {
        "id": "identity_01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "display_name": "Jane Doe",
        "email": "jane.doe@example.com",
    },
    "thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV", "tags": ["customer-support"]},
    "inputs": {"customer_name": "John Smith", "issue_type": "billing"},
    "cache": {"type": "exact_match", "ttl": 3600},
    "knowledge_bases": [{"knowledge_id": "knowledge_01ARZ3NDEKTSV4RRFFQ69G5FAV", "top_k": 5}],
    "timeout": {"call_timeout": 30000},
}
JANE = {
    "id": "contact_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "display_name": "Jane Doe",
    "email": "jane.doe@example.com",
    "metadata": [{"department": "Engineering", "role": "Senior Developer"}],
    "logo_url": "https://example.com/avatars/jane-doe.jpg",
    "tags": ["hr", "engineering"],
}
# The seed document's image call (CONTRACT §10), with its list-shaped load balancer.
SEED_IMAGE: dict[str, Any] = {
    "prompt": "<value>",
    "model": "openai/dall-e-3",
    "orq": {
        "retry": {"count": 3, "on_codes": [429, 500, 502, 503, 504]},
        "fallbacks": [{"model": "openai/gpt-4o-mini"}],
        "identity": JANE,
        "contact": JANE,
        "cache": {"type": "exact_match", "ttl": 3600},
        "load_balancer": [
            {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7},
            {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7},
        ],
        "timeout": {"call_timeout": 30000},
    },
}

EVERY_FILTER = {
    "topic": {"eq": "billing"},
    "lang": {"ne": "de"},
    "year": {"gt": 2019},
    "rank": {"gte": 1.5},
    "size": {"lt": 10},
    "age": {"lte": 30},
    "tag": {"in": ["a", 2, True]},
    "owner": {"nin": ["bob"]},
    "draft": {"eq": False},
    "reviewed": {"exists": True},
}
