"""The newer generation (`/v2/router`): our client sends what SDK 4.17.13 was seen sending.

No 4.17 SDK is installed here, so the reference is its recorded traffic
(`sdk-captures-4.17.13.jsonl`): each captured body, read back into our models and sent through
`RouterClient(path_prefix="/v2/router")`, must reach the same path with a body equal by value.
The 4.1.15 captures are sent through `path_prefix="/v2/gateway"` the same way.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from contract_support import RecordedRequest, RecordingServer, first_difference

from orq_desktop.api.client import RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest

CAPTURES = Path("/work/shared/api")


def _records(version: str, prefix: str) -> list[Any]:
    params = []
    lines = (CAPTURES / f"sdk-captures-{version}.jsonl").read_text().splitlines()
    for number, line in enumerate(lines):
        record = json.loads(line)
        params.append(pytest.param(prefix, record, id=f"{version}-{number}"))
    return params


def send(
    server: RecordingServer, prefix: str, body: dict[str, Any], image: bool
) -> RecordedRequest:
    async def go() -> None:
        async with RouterClient("sk-test", base_url=server.url, path_prefix=prefix) as client:
            if image:
                await client.generate_images(ImageRequest.model_validate(body))
                return
            request = ChatRequest.model_validate(body)
            if body.get("stream") is True:
                async with client.stream(request) as answer:
                    async for _chunk in answer:
                        pass
            else:
                await client.complete(request)

    asyncio.run(go())
    return server.take_one()


@pytest.mark.parametrize(
    ("prefix", "record"),
    _records("4.17.13", "/v2/router") + _records("4.1.15", "/v2/gateway"),
)
def test_client_sends_the_captured_body(
    recorder: RecordingServer, prefix: str, record: dict[str, Any]
) -> None:
    image = record["path"].endswith("/images/generations")
    ours = send(recorder, prefix, record["body"], image)
    assert ours.path == record["path"]
    assert first_difference(ours.body, record["body"]) is None
