"""Image option rules: every offered combination validates; nothing unsupported is ever sent."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest

from orq_desktop.api.models import ImageOrq, ImageRequest
from orq_desktop.core.image_options import (
    ALL_QUALITIES,
    ALL_SIZES,
    CHOICE_OPTIONS,
    IMAGE_ORQ_KEYS,
    MAX_N,
    build_request,
    clean_options,
    image_orq,
    request_from_settings,
    rules_for,
)
from orq_desktop.domain.catalogue import IMAGE_MODELS
from orq_desktop.store.image_check import ImageInfo
from orq_desktop.store.image_meta import build_metadata, encode_metadata, parse_metadata

MODEL_IDS = [m.id for m in IMAGE_MODELS]


def offered_combinations(model_id: str) -> list[dict[str, Any]]:
    """Every combination of the values the rules offer (None = not sent), n and compression."""
    rules = rules_for(model_id)
    names = list(CHOICE_OPTIONS)
    axes = [(None, *rules.choices(name)) for name in names]
    out = []
    for values in itertools.product(*axes):
        options = dict(zip(names, values, strict=True))
        for n in {1, rules.max_n}:
            compressions = (None, 0, 100) if rules.compression else (None,)
            for compression in compressions:
                out.append({**options, "n": n, "output_compression": compression})
    return out


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_every_offered_combination_builds_a_valid_request(model_id: str) -> None:
    combos = offered_combinations(model_id)
    assert len(combos) > 10
    for options in combos:
        request, notes = build_request("a fox", model_id, options)
        ImageRequest.model_validate(request)  # raises if the form could build a bad request
        for name, value in options.items():
            if value is None:
                assert name not in request
        if options["output_compression"] is not None:
            sent = "output_compression" in request
            assert sent == (options["output_format"] in ("jpeg", "webp")), (options, notes)


def test_dall_e_2_offers_only_its_own_options() -> None:
    rules = rules_for("openai/dall-e-2")
    assert rules.sizes == ("256x256", "512x512", "1024x1024")
    assert not rules.size_free_text
    assert rules.styles == rules.backgrounds == rules.output_formats == rules.moderations == ()
    assert rules.response_formats == ("url", "b64_json")
    assert not rules.compression
    assert rules.max_n == 10


def test_dall_e_3_makes_one_image_and_has_styles() -> None:
    rules = rules_for("openai/dall-e-3")
    assert rules.max_n == 1
    assert rules.styles == ("vivid", "natural")
    assert rules.qualities == ("standard", "hd")
    assert rules.backgrounds == ()


def test_gpt_image_1_has_no_response_format_and_no_style() -> None:
    rules = rules_for("openai/gpt-image-1")
    assert rules.response_formats == ()
    assert rules.styles == ()
    assert rules.compression
    assert rules.moderations == ("low", "auto")
    assert "auto" in rules.sizes


def test_free_text_model_is_offered_every_option() -> None:
    rules = rules_for("acme/pixel-3")
    assert not rules.known
    assert rules.size_free_text
    assert rules.sizes == ALL_SIZES
    assert rules.qualities == ALL_QUALITIES
    for name in CHOICE_OPTIONS:
        assert rules.choices(name), name
    assert rules.compression
    assert rules.max_n == MAX_N
    assert rules.allows("size", "640x480")
    assert not rules.allows("size", "big")


@pytest.mark.parametrize(
    ("model", "options", "dropped_word"),
    [
        ("openai/dall-e-2", {"style": "vivid"}, "style"),
        ("openai/dall-e-2", {"size": "1792x1024"}, "size"),
        ("openai/dall-e-3", {"n": 2}, "at most 1"),
        ("openai/dall-e-3", {"quality": "low"}, "quality"),
        ("openai/gpt-image-1", {"response_format": "url"}, "response format"),
        ("openai/gpt-image-1", {"output_format": "png", "output_compression": 50}, "jpeg"),
        ("openai/dall-e-2", {"background": "transparent"}, "background"),
        ("openai/dall-e-3", {"moderation": "low"}, "moderation"),
    ],
)
def test_unsupported_values_are_dropped_with_a_reason(
    model: str, options: dict[str, Any], dropped_word: str
) -> None:
    request, notes = build_request("a fox", model, options)
    for name in options:
        if name not in ("output_format",):
            assert name not in request
    assert any(dropped_word in note for note in notes), notes
    ImageRequest.model_validate(request)


def test_clean_options_keeps_supported_values_untouched() -> None:
    rules = rules_for("openai/gpt-image-1")
    options = {"size": "1536x1024", "quality": "high", "output_format": "webp"}
    kept, notes = clean_options(rules, {**options, "output_compression": 40, "n": 3})
    assert kept == {**options, "output_compression": 40, "n": 3}
    assert notes == []


def test_image_orq_keys_match_the_wire_model() -> None:
    assert set(ImageOrq.model_fields) == IMAGE_ORQ_KEYS


def test_chat_only_routing_options_are_left_out_of_image_requests() -> None:
    orq = {
        "retry": {"count": 2, "on_codes": [429]},
        "thread": {"id": "t1"},
        "inputs": {"a": 1},
        "fallbacks": [{"model": "openai/dall-e-2"}],
    }
    kept, left_out = image_orq(orq)
    assert kept == {"retry": orq["retry"], "fallbacks": orq["fallbacks"]}
    assert left_out == ["inputs", "thread"]
    request, notes = build_request("a fox", "openai/dall-e-3", {}, orq)
    assert request["orq"] == kept
    assert any("thread" in note for note in notes)
    ImageRequest.model_validate(request)


def test_request_round_trips_through_the_saved_metadata() -> None:
    request, _ = build_request(
        "a lighthouse at dusk",
        "openai/gpt-image-1",
        {"size": "1024x1536", "quality": "medium", "output_format": "jpeg"}
        | {"output_compression": 70, "n": 2, "background": "opaque"},
        {"retry": {"count": 3, "on_codes": [429, 503]}, "timeout": {"call_timeout": 30000}},
        extra={"name": "poster run"},
    )
    settings = {k: v for k, v in request.items() if k != "prompt"}
    settings |= {"revised_prompt": "A lighthouse…", "result": {"trace_id": "t", "seconds": 1.5}}
    meta = build_metadata(
        settings,
        prompt=request["prompt"],
        created=datetime(2026, 1, 2, 3, 4, 5).astimezone(),
        image=ImageInfo("jpeg", ".jpg", 1024, 1536),
        index=1,
    )
    parsed = parse_metadata(encode_metadata(meta))
    assert parsed is not None
    assert request_from_settings(parsed) == request


def test_request_from_settings_refuses_foreign_metadata() -> None:
    assert request_from_settings({}) is None
    assert request_from_settings({"prompt": "x"}) is None
    assert request_from_settings({"prompt": "x", "model": "  "}) is None
    assert request_from_settings({"prompt": 3, "model": "openai/dall-e-2"}) is None
