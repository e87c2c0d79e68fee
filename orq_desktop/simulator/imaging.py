"""``POST …/images/generations``: the attempt plan, then real image bytes as base64 or a URL."""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from aiohttp import web

from orq_desktop.simulator.behaviours import IMAGE_KINDS, behaviour_of
from orq_desktop.simulator.cache import cache_key
from orq_desktop.simulator.chat import model_failure, wait_like
from orq_desktop.simulator.images import FORMATS, SizeError, parse_size, render_image
from orq_desktop.simulator.routing import AttemptError, Failure, route_options
from orq_desktop.simulator.state import SimState, error_response
from orq_desktop.simulator.traces import Attempt, Trace

MAX_IMAGES = 10
IMAGE_TOKENS = 1056  # output tokens reported per image (about what a 1024x1024 image costs)


class _ImageCall:
    def __init__(self, body: dict[str, Any], size: tuple[int, int]) -> None:
        self.prompt = str(body.get("prompt", ""))
        self.size = size
        self.format = str(body.get("output_format") or "png")
        self.count = max(1, min(MAX_IMAGES, int(body.get("n") or 1)))
        self.transparent = body.get("background") == "transparent"
        compression = body.get("output_compression")
        self.quality = int(compression) if isinstance(compression, int | float) else None

    def _render_all(self) -> list[bytes]:
        return [
            render_image(
                self.prompt,
                self.size,
                self.format,
                index=i,
                transparent=self.transparent,
                quality=self.quality,
            )
            for i in range(self.count)
        ]

    async def attempt(self, model: str) -> list[bytes]:
        failure = model_failure(model)
        if failure is not None:
            raise failure
        if behaviour_of(model).kind not in IMAGE_KINDS:
            raise AttemptError(404, f"The model {model} does not generate images.", final=True)
        await wait_like(model)
        return await asyncio.to_thread(self._render_all)


def _body(
    state: SimState,
    request: web.Request,
    call: _ImageCall,
    model: str,
    images: list[bytes],
    response_format: str,
) -> dict[str, Any]:
    # gpt-image-1 always answers with base64, whatever was asked (CONTRACT §7).
    as_url = response_format == "url" and "gpt-image" not in model
    base = (state.config.image_url_base or f"{request.scheme}://{request.host}").rstrip("/")
    data: list[dict[str, Any]] = []
    for image in images:
        item: dict[str, Any] = {"b64_json": None, "url": None}
        if as_url:
            item["url"] = f"{base}/_sim/images/{state.images.add(image, call.format)}"
        else:
            item["b64_json"] = base64.b64encode(image).decode("ascii")
        if "dall-e-3" in model:
            item["revised_prompt"] = f"A detailed, vivid illustration of {call.prompt.strip()}"
        data.append(item)
    words = len(call.prompt.split())
    output_tokens = IMAGE_TOKENS * len(images)
    return {
        "created": int(time.time()),
        "data": data,
        "usage": {
            "input_tokens": words,
            "output_tokens": output_tokens,
            "total_tokens": words + output_tokens,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": words},
        },
    }


def _cache_hit(trace: Trace, cached: dict[str, Any]) -> dict[str, Any]:
    model = str(cached["_model"])
    trace.cache = "hit"
    trace.attempts.append(
        Attempt(model, 200, trace.elapsed_ms(), 0.0, "cache_hit", "cache hit: answered from cache")
    )
    trace.answered_by = model
    return {k: v for k, v in cached.items() if k != "_model"}


async def handle_images(
    state: SimState,
    request: web.Request,
    body: dict[str, Any],
    trace: Trace,
    headers: dict[str, str],
) -> web.StreamResponse:
    """Answer one validated image request."""
    try:
        size = parse_size(body.get("size"))
    except SizeError as exc:
        return error_response(400, str(exc), headers, "size")
    output_format = str(body.get("output_format") or "png")
    if output_format not in FORMATS:
        message = "Output format must be one of: png, jpeg, webp."
        return error_response(400, message, headers, "output_format")
    call = _ImageCall(body, size)
    options = route_options(body)

    key = cache_key("images", body) if options.cache_ttl_s is not None else None
    cached = state.image_cache.get(key) if key is not None else None
    if cached is not None:
        return web.json_response(_cache_hit(trace, cached), headers=headers)
    trace.cache = "miss" if key is not None else "off"

    result = await state.router.run(options, trace, call.attempt)
    if isinstance(result, Failure):
        return error_response(result.status, result.message, {**headers, **result.headers})
    answer = _body(
        state, request, call, result.model, result.value, str(body.get("response_format") or "")
    )
    if key is not None and options.cache_ttl_s is not None:
        state.image_cache.put(key, {**answer, "_model": result.model}, options.cache_ttl_s)
    return web.json_response(answer, headers=headers)
