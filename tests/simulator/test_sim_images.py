"""Image generation: real PNG / JPEG / WebP bytes of the requested size, as base64 or a URL."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.images import ImageStore, parse_size

PATHS = ["/v2/gateway/images/generations", "/v2/router/images/generations"]
IMAGES = PATHS[0]


def generate(sim: SimulatorHandle, path: str = IMAGES, **body: Any) -> httpx.Response:
    return httpx.post(sim.url + path, json={"prompt": "a red fox", **body}, timeout=30)


def decode(item: dict[str, Any]) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(item["b64_json"], validate=True)))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("output_format", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")]
)
def test_each_format_decodes_at_the_requested_size(
    sim_server: SimulatorHandle, path: str, output_format: str, pil_format: str
) -> None:
    resp = generate(
        sim_server, path, model="openai/gpt-image-1", size="320x200", output_format=output_format
    )
    assert resp.status_code == 200
    (item,) = resp.json()["data"]
    image = decode(item)
    assert image.format == pil_format
    assert image.size == (320, 200)
    image.load()


def test_default_is_png_1024_square(sim_server: SimulatorHandle) -> None:
    image = decode(generate(sim_server, model="openai/dall-e-2").json()["data"][0])
    assert (image.format, image.size) == ("PNG", (1024, 1024))


def test_n_images_differ(sim_server: SimulatorHandle) -> None:
    data = generate(sim_server, model="openai/dall-e-2", n=3, size="64x64").json()["data"]
    assert len(data) == 3
    assert len({item["b64_json"] for item in data}) == 3


def test_url_answer_is_downloadable_with_its_content_type(sim_server: SimulatorHandle) -> None:
    resp = generate(sim_server, model="openai/dall-e-3", size="1792x1024", response_format="url")
    (item,) = resp.json()["data"]
    assert item["b64_json"] is None
    assert item["url"].startswith(sim_server.url + "/_sim/images/")
    download = httpx.get(item["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(download.content)).size == (1792, 1024)


def test_url_for_webp_has_the_webp_type(sim_server: SimulatorHandle) -> None:
    item = generate(
        sim_server,
        model="openai/dall-e-2",
        response_format="url",
        output_format="webp",
        size="64x64",
    ).json()["data"][0]
    assert item["url"].endswith(".webp")
    assert httpx.get(item["url"]).headers["content-type"] == "image/webp"


def test_image_url_base_is_used(sim_server_factory: Any) -> None:
    sim = sim_server_factory(image_url_base="http://demo.invalid:9/")
    item = generate(sim, model="openai/dall-e-2", response_format="url", size="8x8").json()
    url = item["data"][0]["url"]
    assert url.startswith("http://demo.invalid:9/_sim/images/")
    assert httpx.get(sim.url + url.removeprefix("http://demo.invalid:9")).status_code == 200


def test_gpt_image_1_always_answers_base64(sim_server: SimulatorHandle) -> None:
    resp = generate(sim_server, model="openai/gpt-image-1", response_format="url", size="16x16")
    (item,) = resp.json()["data"]
    assert item["url"] is None
    assert decode(item).size == (16, 16)


def test_dall_e_3_has_a_revised_prompt(sim_server: SimulatorHandle) -> None:
    item = generate(sim_server, model="openai/dall-e-3", size="16x16").json()["data"][0]
    assert "a red fox" in item["revised_prompt"]
    other = generate(sim_server, model="openai/dall-e-2", size="16x16").json()["data"][0]
    assert "revised_prompt" not in other


def test_transparent_background_has_alpha(sim_server: SimulatorHandle) -> None:
    item = generate(
        sim_server, model="openai/gpt-image-1", background="transparent", size="32x32"
    ).json()["data"][0]
    image = decode(item)
    assert image.mode == "RGBA"
    assert image.getextrema()[3][0] < 255


def test_usage_follows_the_contract(sim_server: SimulatorHandle) -> None:
    usage = generate(sim_server, model="openai/gpt-image-1", size="16x16", n=2).json()["usage"]
    assert usage["input_tokens"] == 3
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"image_tokens": 0, "text_tokens": 3}


@pytest.mark.parametrize("size", ["big", "0x10", "5000x5000", "10x10x10"])
def test_bad_size_is_a_400_about_size(sim_server: SimulatorHandle, size: str) -> None:
    resp = generate(sim_server, model="openai/dall-e-2", size=size)
    assert resp.status_code == 400
    assert resp.json()["error"]["param"] == "size"


def test_sim_models_misbehave_for_images_too(sim_server: SimulatorHandle) -> None:
    resp = generate(sim_server, model="sim/status-429")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "1"
    assert generate(sim_server, model="sim/unknown").status_code == 404
    assert generate(sim_server, model="sim/huge").status_code == 404
    slow = generate(sim_server, model="sim/slow-200", size="8x8")
    assert slow.status_code == 200
    assert slow.elapsed.total_seconds() >= 0.2


def test_image_fallback_and_timeout(sim_server: SimulatorHandle) -> None:
    orq = {"timeout": {"call_timeout": 100}, "fallbacks": [{"model": "openai/dall-e-2"}]}
    resp = generate(sim_server, model="sim/timeout", size="8x8", orq=orq)
    assert resp.status_code == 200
    trace_url = f"{sim_server.url}/_sim/traces/{resp.headers['x-orq-trace-id']}"
    assert httpx.get(trace_url).json()["answered_by"] == "openai/dall-e-2"


def test_unknown_image_is_404(sim_server: SimulatorHandle) -> None:
    assert httpx.get(sim_server.url + "/_sim/images/img_nope.png").status_code == 404


def test_parse_size() -> None:
    assert parse_size(None) == (1024, 1024)
    assert parse_size("auto") == (1024, 1024)
    assert parse_size("1536x1024") == (1536, 1024)


def test_image_store_drops_the_oldest_beyond_its_budget() -> None:
    store = ImageStore(max_bytes=250, max_items=10)
    names = [store.add(bytes(100), "png") for _ in range(4)]
    assert len(store) == 2
    assert store.get(names[0]) is None
    stored = store.get(names[-1])
    assert stored is not None
    assert stored.content_type == "image/png"
