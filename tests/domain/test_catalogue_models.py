"""The model catalogue: the ids pickers offer, the simulator's models, image options, id checks."""

from __future__ import annotations

import pytest

from orq_desktop.domain import catalogue as cat


def test_every_catalogued_chat_id_is_well_formed_and_unique() -> None:
    ids = cat.chat_model_ids()
    assert len(ids) == len(set(ids))
    for model_id in ids:
        assert cat.is_valid_model_id(model_id) is None, model_id
    for group in cat.CHAT_MODEL_GROUPS:
        assert group.models, group.name
        assert all(m.label and m.description for m in group.models)


def test_common_models_are_grouped_by_their_provider() -> None:
    by_group = {g.name: [m.id for m in g.models] for g in cat.CHAT_MODEL_GROUPS}
    for expected in ("openai/gpt-4o", "openai/gpt-4o-mini", "openai/gpt-5"):
        assert expected in by_group["OpenAI"]
    assert "anthropic/claude-4-opus" in by_group["Anthropic"]
    assert "anthropic/claude-3-5-sonnet" in by_group["Anthropic"]
    assert "google/gemini-2.5-pro" in by_group["Google"]
    assert "mistral/mistral-large-latest" in by_group["Mistral"]
    for group in cat.CHAT_MODEL_GROUPS:
        if not group.simulated:
            assert len({m.provider for m in group.models}) == 1, group.name
    assert cat.DEFAULT_CHAT_MODEL in cat.chat_model_ids(include_simulated=False)


def test_simulator_group_lists_each_misbehaviour_in_plain_words() -> None:
    sim = [m.id for m in cat.SIM_GROUP.models]
    assert sim == [
        "sim/status-429",
        "sim/status-503",
        "sim/slow-3000",
        "sim/timeout",
        "sim/drop-after-20",
        "sim/error-after-20",
        "sim/malformed",
        "sim/unknown",
    ]
    assert cat.SIM_GROUP.simulated and cat.SIM_GROUP in cat.CHAT_MODEL_GROUPS
    assert not set(sim) & set(cat.chat_model_ids(include_simulated=False))
    assert "429" in cat.describe_model("sim/status-429")
    assert "3 seconds" in cat.describe_model("sim/slow-3000")


@pytest.mark.parametrize(
    ("model_id", "needle"),
    [
        ("sim/status-418", "418"),
        ("sim/slow-250", "250 ms"),
        ("sim/drop-after-7", "7 words"),
        ("sim/error-after-3", "3 words"),
        ("sim/whatever", "404"),
    ],
)
def test_sim_ids_outside_the_catalogue_are_still_described(model_id: str, needle: str) -> None:
    assert needle in cat.describe_model(model_id)


def test_unknown_real_model_has_no_description() -> None:
    assert cat.describe_model("acme/model-x") == ""
    assert cat.find_chat_model("acme/model-x") is None
    assert cat.find_chat_model("openai/gpt-4o") is not None


def test_image_models_carry_their_sizes_and_options() -> None:
    sizes = {m.id: m.sizes for m in cat.IMAGE_MODELS}
    assert sizes == {
        "openai/dall-e-2": ("256x256", "512x512", "1024x1024"),
        "openai/dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
        "openai/gpt-image-1": ("1024x1024", "1536x1024", "1024x1536", "auto"),
    }
    dalle3 = cat.find_image_model("openai/dall-e-3")
    gpt = cat.find_image_model("openai/gpt-image-1")
    assert dalle3 is not None and gpt is not None
    assert dalle3.max_n == 1 and dalle3.styles == ("vivid", "natural")
    assert "hd" in dalle3.qualities and not dalle3.output_formats
    assert gpt.output_formats == ("png", "jpeg", "webp") and gpt.supports_output_compression
    assert gpt.backgrounds and gpt.moderations and not gpt.styles
    assert not gpt.response_formats  # gpt-image-1 always answers base64
    for model in cat.IMAGE_MODELS:
        assert model.default_size in model.sizes
    assert cat.find_image_model(cat.DEFAULT_IMAGE_MODEL) is not None
    assert cat.find_image_model("openai/gpt-4o") is None


def test_reasoning_efforts_are_the_values_sdk_4_1_accepts() -> None:
    assert cat.REASONING_EFFORTS == ("none", "minimal", "low", "medium", "high", "xhigh")


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/gpt-4o",
        "togetherai/meta-llama/Llama-3-70b",
        "azure/my-deployment.v2",
        "aws_bedrock/anthropic.claude-v2:1",
        "sim/status-429",
    ],
)
def test_provider_model_ids_are_accepted(model_id: str) -> None:
    assert cat.is_valid_model_id(model_id) is None


@pytest.mark.parametrize(
    ("model_id", "needle"),
    [
        ("", "Choose a model"),
        ("   ", "Choose a model"),
        ("gpt-4o", "Add the provider"),
        ("/gpt-4o", "provider is missing"),
        ("openai/", "model name is missing"),
        ("openai/gpt 4o", "no spaces"),
        (" openai/gpt-4o", "no spaces"),
        ("open ai/gpt", "no spaces"),
        ("open*ai/gpt-4o", "may only use letters"),
        ("openai//gpt-4o", "empty part"),
        ("openai/gpt-4o\u200b\x00", "invisible character"),
        ("openai/" + "x" * 300, "too long"),
    ],
)
def test_malformed_ids_get_a_reason(model_id: str, needle: str) -> None:
    reason = cat.is_valid_model_id(model_id)
    assert reason is not None and needle in reason


def test_a_long_paste_is_not_echoed_whole() -> None:
    pasted = "not a model " * 1000
    reason = cat.is_valid_model_id(pasted)
    assert reason is not None and len(reason) < 120
