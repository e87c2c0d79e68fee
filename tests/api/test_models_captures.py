"""Every request body the SDKs were seen sending round-trips through our models unchanged.

`sdk-captures-4.1.15.jsonl` (the `/v2/gateway` generation) and `sdk-captures-4.17.13.jsonl` (the
`/v2/router` generation) hold the bodies both SDK versions sent in 44 scripted calls each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_support import first_difference

from orq_desktop.api.models import ChatRequest, ImageRequest

CAPTURES = Path("/work/shared/api")


def _bodies(version: str) -> list[Any]:
    params = []
    path = CAPTURES / f"sdk-captures-{version}.jsonl"
    for number, line in enumerate(path.read_text().splitlines()):
        record = json.loads(line)
        kind = "image" if record["path"].endswith("/images/generations") else "chat"
        if record["path"].endswith(("/chat/completions", "/images/generations")):
            params.append(pytest.param(kind, record["body"], id=f"{number}-{kind}"))
    return params


GATEWAY_BODIES = _bodies("4.1.15")
ROUTER_BODIES = _bodies("4.17.13")


def test_the_captures_are_all_there() -> None:
    assert len(GATEWAY_BODIES) == 45
    assert len(ROUTER_BODIES) == 45


@pytest.mark.parametrize(("kind", "body"), GATEWAY_BODIES)
def test_a_4_1_body_round_trips_for_the_gateway(kind: str, body: dict[str, Any]) -> None:
    model = ImageRequest if kind == "image" else ChatRequest
    wire = model.model_validate(body).to_wire("/v2/gateway")
    assert first_difference(wire, body) is None


@pytest.mark.parametrize(("kind", "body"), ROUTER_BODIES)
def test_a_4_17_body_round_trips_for_the_router(kind: str, body: dict[str, Any]) -> None:
    model = ImageRequest if kind == "image" else ChatRequest
    wire = model.model_validate(body).to_wire("/v2/router")
    assert first_difference(wire, body) is None
