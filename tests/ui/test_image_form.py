"""The image form offers only what the model takes, and builds valid requests for each model."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox

from orq_desktop.api.models import ImageRequest
from orq_desktop.core.image_options import CHOICE_OPTIONS, rules_for
from orq_desktop.domain.catalogue import IMAGE_MODELS
from orq_desktop.ui.image_form import DEFAULT, ImageForm

pytestmark = pytest.mark.gui

MODEL_IDS = [m.id for m in IMAGE_MODELS]


@pytest.fixture
def form(qtbot) -> ImageForm:
    widget = ImageForm()
    qtbot.addWidget(widget)
    widget.prompt.setPlainText("a paper boat on a pond")
    return widget


def offered(combo: QComboBox) -> list[Any]:
    return [combo.itemData(i) for i in range(combo.count())]


def shown(form: ImageForm, option: str) -> bool:
    return not form.cells[option].isHidden()


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_each_model_shows_exactly_its_options(form: ImageForm, model_id: str) -> None:
    form.model.setCurrentText(model_id)
    rules = rules_for(model_id)
    for option in CHOICE_OPTIONS:
        values = rules.choices(option)
        assert shown(form, option) == bool(values), option
        if values:
            assert offered(form.combos[option]) == [None, *values]
            assert form.combos[option].itemText(0).startswith(DEFAULT)
    assert shown(form, "output_compression") == rules.compression
    assert form.count.maximum() == rules.max_n
    assert form.count.isEnabled() == (rules.max_n > 1)
    assert not form.combos["size"].isEditable()


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_every_offered_value_builds_a_request_the_model_takes(
    form: ImageForm, model_id: str
) -> None:
    """Each value on its own, then random combinations: all validate and stay in the rules."""
    form.model.setCurrentText(model_id)
    rules = rules_for(model_id)
    visible = [o for o in CHOICE_OPTIONS if shown(form, o)]
    single = [(o, i) for o in visible for i in range(form.combos[o].count())]
    rnd = random.Random(7)
    combos = [[pick] for pick in single] + [
        [(o, rnd.randrange(form.combos[o].count())) for o in visible] for _ in range(150)
    ]
    for choice in combos:
        for combo in form.combos.values():
            combo.setCurrentIndex(0)
        for option, index in choice:
            form.combos[option].setCurrentIndex(index)
        form.count.setValue(rnd.randint(1, rules.max_n))
        form.compression.setValue(rnd.choice([-1, 0, 55, 100]))
        request, notes = form.request()
        assert notes == [], (choice, notes)  # the form never offers what would be dropped
        ImageRequest.model_validate(request)
        for name, value in request.items():
            if name not in ("prompt", "model"):
                assert rules.allows(name, value), (name, value)


def test_compression_is_enabled_only_for_jpeg_and_webp(form: ImageForm) -> None:
    form.model.setCurrentText("openai/gpt-image-1")
    fmt = form.combos["output_format"]
    form.compression.setValue(40)
    for value, enabled in (("png", False), ("jpeg", True), ("webp", True), (None, False)):
        fmt.setCurrentIndex(fmt.findData(value) if value else 0)
        assert form.compression.isEnabled() == enabled
        assert ("output_compression" in form.options()) == enabled


def test_switching_to_dall_e_3_drops_what_it_does_not_take(form: ImageForm) -> None:
    form.model.setCurrentText("openai/gpt-image-1")
    form.set_request(
        {"model": "openai/gpt-image-1", "background": "transparent", "output_format": "webp"}
        | {"output_compression": 30, "n": 4, "quality": "high", "size": "1536x1024"}
    )
    form.model.setCurrentText("openai/dall-e-3")
    request, notes = form.request()
    assert notes == []
    assert request == {"prompt": "a paper boat on a pond", "model": "openai/dall-e-3", "n": 1}
    ImageRequest.model_validate(request)


def test_values_still_allowed_survive_a_model_switch(form: ImageForm) -> None:
    form.set_request({"model": "openai/dall-e-2", "size": "1024x1024", "response_format": "url"})
    form.model.setCurrentText("openai/dall-e-3")
    assert form.options() == {"size": "1024x1024", "response_format": "url", "n": 1}


def test_a_free_text_model_shows_every_option(form: ImageForm) -> None:
    form.model.setCurrentText("acme/painter-2")
    for option in CHOICE_OPTIONS:
        assert shown(form, option), option
    assert shown(form, "output_compression")
    assert form.combos["size"].isEditable()
    assert form.count.maximum() == 10
    form.combos["size"].setEditText("640x480")
    form.combos["style"].setCurrentIndex(form.combos["style"].findData("natural"))
    request, notes = form.request()
    assert notes == []
    assert request["size"] == "640x480"
    assert request["style"] == "natural"
    ImageRequest.model_validate(request)


def test_validity_names_what_is_missing(form: ImageForm) -> None:
    assert form.validity() is None
    form.model.setCurrentText("acme/painter-2")
    form.combos["size"].setEditText("huge")
    assert "width×height" in (form.validity() or "")
    form.combos["size"].setEditText("800x600")
    assert form.validity() is None
    form.model.setCurrentText("no provider")
    assert form.validity() is not None
    form.model.setCurrentText("openai/dall-e-2")
    form.prompt.setPlainText("   ")
    assert form.validity() == "Describe the image first."


REQUESTS = [
    {"prompt": "a", "model": "openai/dall-e-2", "n": 3, "size": "256x256"},
    {"prompt": "b", "model": "openai/dall-e-2", "response_format": "b64_json", "n": 1},
    {"prompt": "c", "model": "openai/dall-e-3", "size": "1024x1792", "quality": "hd"}
    | {"style": "natural", "response_format": "url", "n": 1},
    {"prompt": "d", "model": "openai/gpt-image-1", "size": "auto", "quality": "medium"}
    | {"background": "opaque", "output_format": "jpeg", "output_compression": 0}
    | {"moderation": "low", "n": 10},
    {"prompt": "e", "model": "vendor/new-model", "size": "333x777", "quality": "standard"}
    | {"style": "vivid", "background": "auto", "output_format": "webp"}
    | {"output_compression": 90, "moderation": "auto", "response_format": "url", "n": 2},
]


@pytest.mark.parametrize("request_dict", REQUESTS, ids=lambda r: r["model"] + r["prompt"])
def test_a_loaded_request_is_built_back_unchanged(
    form: ImageForm, request_dict: dict[str, Any]
) -> None:
    rest, notes = form.set_request(request_dict)
    assert rest == {}
    assert notes == []
    rebuilt, _ = form.request()
    assert rebuilt == request_dict


def test_loading_keeps_fields_the_form_does_not_edit(form: ImageForm) -> None:
    rest, _ = form.set_request(
        {"prompt": "x", "model": "openai/dall-e-2", "orq": {"retry": {"count": 2}}, "name": "run"}
    )
    assert rest == {"orq": {"retry": {"count": 2}}, "name": "run"}
    request, _ = form.request(orq=rest["orq"], extra={"name": "run"})
    assert request == {
        "prompt": "x",
        "model": "openai/dall-e-2",
        "n": 1,
        "name": "run",
        "orq": {"retry": {"count": 2}},
    }


def test_loading_an_unsupported_value_says_so(form: ImageForm) -> None:
    _rest, notes = form.set_request({"prompt": "x", "model": "openai/dall-e-2", "style": "vivid"})
    assert any("style" in n for n in notes)
    assert "style" not in form.request()[0]


def test_every_combination_for_dall_e_3_is_reachable_and_valid(form: ImageForm) -> None:
    """Exhaustive for one model: the whole product of its visible choices."""
    form.model.setCurrentText("openai/dall-e-3")
    visible = [o for o in CHOICE_OPTIONS if shown(form, o)]
    ranges = [range(form.combos[o].count()) for o in visible]
    count = 0
    for indexes in itertools.product(*ranges):
        for option, index in zip(visible, indexes, strict=True):
            form.combos[option].setCurrentIndex(index)
        request, notes = form.request()
        assert notes == []
        ImageRequest.model_validate(request)
        count += 1
    assert count == 4 * 3 * 3 * 3  # size, quality, style, response format (each with Default)
