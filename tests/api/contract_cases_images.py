"""Image option sets for the wire-contract test (SDK keyword arguments of `images_generate`)."""

from __future__ import annotations

from typing import Any

from contract_seeds import JANE, SEED_IMAGE

IMAGE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("seed-image-call", SEED_IMAGE),
    ("minimal", {"prompt": "a fox", "model": "openai/dall-e-2"}),
    (
        "gpt-image-1-every-option",
        {
            "prompt": "a red fox",
            "model": "openai/gpt-image-1",
            "background": "transparent",
            "moderation": "low",
            "n": 2,
            "output_compression": 80,
            "output_format": "webp",
            "quality": "high",
            "size": "1024x1024",
        },
    ),
    (
        "dall-e-3-options",
        {
            "prompt": "a red fox",
            "model": "openai/dall-e-3",
            "n": 1,
            "quality": "hd",
            "response_format": "url",
            "size": "1792x1024",
            "style": "vivid",
        },
    ),
    (
        "dall-e-2-bounds",
        {
            "prompt": "x",
            "model": "openai/dall-e-2",
            "n": 10,
            "size": "256x256",
            "response_format": "b64_json",
        },
    ),
    (
        "compression-bounds",
        {
            "prompt": "x",
            "model": "openai/gpt-image-1",
            "output_compression": 0,
            "output_format": "jpeg",
            "background": "opaque",
            "moderation": "auto",
            "quality": "low",
        },
    ),
    (
        "explicit-nulls",
        {
            "prompt": "x",
            "model": "openai/gpt-image-1",
            "background": None,
            "moderation": None,
            "n": None,
            "output_compression": None,
            "output_format": None,
            "quality": None,
            "response_format": None,
            "size": None,
            "style": None,
            "orq": None,
        },
    ),
    (
        "image-orq-defaults",
        {
            "prompt": "x",
            "model": "openai/gpt-image-1",
            "orq": {
                "name": "img",
                "retry": {"on_codes": [500]},
                "fallbacks": [{"model": "openai/dall-e-3"}],
                "identity": {"id": "i"},
                "cache": {"type": "exact_match"},
                "load_balancer": [{"type": "weight_based", "model": "openai/gpt-image-1"}],
                "timeout": {"call_timeout": 60000},
            },
        },
    ),
    (
        "image-orq-contact-bounds",
        {
            "prompt": "x",
            "model": "openai/gpt-image-1",
            "output_compression": 100,
            "style": "natural",
            "quality": "standard",
            "orq": {
                "contact": JANE,
                "retry": {"count": 5, "on_codes": [599]},
                "cache": {"type": "exact_match", "ttl": 259200},
                "timeout": {"call_timeout": 1},
            },
        },
    ),
]
