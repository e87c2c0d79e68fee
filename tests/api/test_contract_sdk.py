"""The wire contract: for the same options, our request body equals the official SDK's.

Every case of `contract_cases` is sent twice to a recording loopback server: once with
`orq-ai-sdk` 4.1.15, once with our `RouterClient`, and the two recorded JSON bodies (and paths)
must be equal by value (`429 == 429.0`; keys, strings, booleans and list lengths strict). The
body `to_wire()` gives is checked against the SDK's too, so a difference is placed in the models
or in the client.
"""

from __future__ import annotations

import asyncio
import copy
import warnings
from typing import Any

import pytest
from contract_cases import CHAT_CASES, IMAGE_CASES, STREAM_CASES
from contract_support import RecordedRequest, RecordingServer, first_difference
from orq_ai_sdk import Orq as SdkClient

from orq_desktop.api.client import RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest

API_KEY = "sk-test"


class ClientBodyError(AssertionError):
    """The models give the SDK's body, but the client sent something else."""


# Known differences of the client (orq_desktop/api/client.py), not of the models.
CLIENT_DIFFERS: dict[str, str] = {}  # case name -> why our client's body differs (none now)


def _ids(cases: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    params = []
    for name, kwargs in cases:
        marks = []
        if name in CLIENT_DIFFERS:
            reason = CLIENT_DIFFERS[name]
            marks.append(pytest.mark.xfail(raises=ClientBodyError, strict=True, reason=reason))
        params.append(pytest.param(kwargs, id=name, marks=marks))
    return params


def sdk_send(server: RecordingServer, kind: str, kwargs: dict[str, Any]) -> RecordedRequest:
    """Send with the official SDK (sync client) and return what the server received."""
    with warnings.catch_warnings():
        # The 4.1 SDK marks `contact` deprecated and warns when it builds the model.
        warnings.simplefilter("ignore", DeprecationWarning)
        with SdkClient(api_key=API_KEY, server_url=server.url) as sdk:
            if kind == "image":
                sdk.router.images_generate(**copy.deepcopy(kwargs))
            else:
                result = sdk.router.chat_completions(**copy.deepcopy(kwargs))
                if kwargs.get("stream") is True:
                    with result as events:
                        for _ in events:
                            pass
    return server.take_one()


def ours_send(server: RecordingServer, kind: str, kwargs: dict[str, Any]) -> RecordedRequest:
    """Send the same keyword arguments through our client and return what the server received."""

    async def send() -> None:
        async with RouterClient(API_KEY, base_url=server.url, path_prefix="/v2/gateway") as client:
            if kind == "image":
                await client.generate_images(ImageRequest.model_validate(copy.deepcopy(kwargs)))
                return
            request = ChatRequest.model_validate(copy.deepcopy(kwargs))
            if kwargs.get("stream") is True:
                async with client.stream(request) as answer:
                    async for _chunk in answer:
                        pass
            else:
                await client.complete(request)

    asyncio.run(send())
    return server.take_one()


def _check(server: RecordingServer, kind: str, kwargs: dict[str, Any]) -> None:
    theirs = sdk_send(server, kind, kwargs)
    model = ImageRequest if kind == "image" else ChatRequest
    from_models = model.model_validate(copy.deepcopy(kwargs)).to_wire("/v2/gateway")
    difference = first_difference(from_models, theirs.body)
    assert difference is None, f"to_wire(): {difference}"
    ours = ours_send(server, kind, kwargs)
    assert ours.path == theirs.path
    difference = first_difference(ours.body, theirs.body)
    if difference is not None:
        raise ClientBodyError(f"{difference}\nours:   {ours.body}\ntheirs: {theirs.body}")


@pytest.mark.parametrize("kwargs", _ids(CHAT_CASES))
def test_chat_body_equals_the_sdk(recorder: RecordingServer, kwargs: dict[str, Any]) -> None:
    _check(recorder, "chat", kwargs)


@pytest.mark.parametrize("kwargs", _ids(STREAM_CASES))
def test_streamed_chat_body_equals_the_sdk(
    recorder: RecordingServer, kwargs: dict[str, Any]
) -> None:
    _check(recorder, "chat", kwargs)


@pytest.mark.parametrize("kwargs", _ids(IMAGE_CASES))
def test_image_body_equals_the_sdk(recorder: RecordingServer, kwargs: dict[str, Any]) -> None:
    _check(recorder, "image", kwargs)


def test_the_table_is_big_enough_and_covers_every_orq_field() -> None:
    cases = CHAT_CASES + STREAM_CASES + IMAGE_CASES
    assert len(cases) >= 30
    chat_orq_keys = {k for _, c in CHAT_CASES + STREAM_CASES for k in (c.get("orq") or {})}
    image_orq_keys = {k for _, c in IMAGE_CASES for k in (c.get("orq") or {})}
    assert chat_orq_keys == {
        "name", "retry", "fallbacks", "prompt", "identity", "contact", "thread",
        "inputs", "cache", "knowledge_bases", "load_balancer", "timeout",
    }  # fmt: skip
    assert image_orq_keys == {
        "name", "retry", "fallbacks", "identity", "contact", "cache", "load_balancer", "timeout",
    }  # fmt: skip
    messages = [m for _, c in CHAT_CASES for m in c["messages"]]
    assert {m["role"] for m in messages} == {"system", "developer", "user", "assistant", "tool"}
    part_types = {
        p["type"] for m in messages if isinstance(m.get("content"), list) for p in m["content"]
    }
    assert part_types == {
        "text", "image_url", "input_audio", "file", "refusal", "reasoning", "redacted_reasoning",
    }  # fmt: skip
