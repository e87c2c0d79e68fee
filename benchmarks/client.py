"""Client benchmark: RouterClient against the official SDK and raw httpx, on the simulator.

Run: ``python benchmarks/client.py [--calls 300] [--tokens 20000] [--rounds 3]``

All three clients talk to one gateway simulator started in this process (in a thread), so they
share the same machine, loop and server:

- a small non-streamed chat request: p50 / p99 latency over ``--calls`` calls after a warm-up;
- a streamed answer of ``--tokens`` chunks (``max_completion_tokens`` with ``X-Sim-Token-Rate: 0``,
  as fast as the server can write): chunks per second, the median of ``--rounds`` runs
  (``--sdk-rounds`` for the SDK, whose stream is slow).

Raw httpx is the floor: one AsyncClient, the same body, ``response.json()`` for the JSON answer
and ``aiter_lines`` + ``json.loads`` for the stream. Printed ratios and goals:
our p50 / raw httpx p50 (goal <= 1.1) and our chunks/s / SDK chunks/s (goal >= 2).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from orq_ai_sdk import Orq

from orq_desktop.api.client import CHAT_ACCEPT, RouterClient
from orq_desktop.api.models import ChatRequest
from orq_desktop.simulator import TOKEN_RATE_HEADER, start_in_thread

KEY = "bench-key"
MODEL = "openai/gpt-4o"
MESSAGES = [{"role": "user", "content": "Say hello"}]
FAST = {TOKEN_RATE_HEADER: "0"}

OURS, SDK, RAW = "orq-desktop RouterClient", "orq-ai-sdk 4.1.15", "raw httpx"

Call = Callable[[], Awaitable[int]]


class Contenders:
    """The three clients, each with a small call and a streamed call."""

    def __init__(self, url: str, tokens: int) -> None:
        self.url = url
        self.small = ChatRequest(model=MODEL, messages=MESSAGES, max_completion_tokens=5)
        self.big = ChatRequest(model=MODEL, messages=MESSAGES, max_completion_tokens=tokens)
        self.ours = RouterClient(KEY, url)
        self.sdk = Orq(api_key=KEY, server_url=url)
        self.raw = httpx.AsyncClient(
            headers={
                "Authorization": f"Bearer {KEY}",
                "content-type": "application/json",
                "Accept": CHAT_ACCEPT,
            }
        )
        self.raw_url = f"{url}/v2/gateway/chat/completions"
        self.raw_small = json.dumps(self.small.to_wire()).encode()
        self.raw_big = json.dumps({**self.big.to_wire(), "stream": True}).encode()

    async def aclose(self) -> None:
        await self.ours.aclose()
        await self.raw.aclose()
        sdk_client = self.sdk.sdk_configuration.async_client
        if sdk_client is not None:
            await sdk_client.aclose()

    # --- small, non-streamed -------------------------------------------------------------------

    async def ours_small(self) -> int:
        result = await self.ours.complete(self.small)
        return len(result.text)

    async def sdk_small(self) -> int:
        result = await self.sdk.router.chat_completions_async(
            model=MODEL, messages=MESSAGES, max_completion_tokens=5
        )
        return len(result.choices[0].message.content or "")

    async def raw_small_call(self) -> int:
        response = await self.raw.post(self.raw_url, content=self.raw_small)
        response.raise_for_status()
        return len(response.json()["choices"][0]["message"]["content"])

    # --- streamed ------------------------------------------------------------------------------

    async def ours_stream(self) -> int:
        count = 0
        async with self.ours.stream(self.big, headers=FAST) as answer:
            async for _chunk in answer:
                count += 1
        return count

    async def sdk_stream(self) -> int:
        count = 0
        events = await self.sdk.router.chat_completions_async(
            model=MODEL,
            messages=MESSAGES,
            max_completion_tokens=self.big.max_completion_tokens,
            stream=True,
            http_headers=FAST,
        )
        async with events as stream:
            async for event in stream:
                if event.data is not None:
                    count += 1
        return count

    async def raw_stream(self) -> int:
        count = 0
        async with self.raw.stream("POST", self.raw_url, content=self.raw_big, headers=FAST) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                json.loads(data)
                count += 1
        return count


async def latencies(call: Call, calls: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        await call()
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        await call()
        out.append(time.perf_counter() - started)
    return out


async def throughput(call: Call) -> tuple[int, float]:
    started = time.perf_counter()
    chunks = await call()
    return chunks, chunks / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def bench(
    url: str, calls: int, tokens: int, rounds: int, sdk_rounds: int
) -> dict[str, dict[str, Any]]:
    c = Contenders(url, tokens)
    names = (OURS, SDK, RAW)
    small = dict(zip(names, (c.ours_small, c.sdk_small, c.raw_small_call), strict=True))
    stream = dict(zip(names, (c.ours_stream, c.sdk_stream, c.raw_stream), strict=True))
    results: dict[str, dict[str, Any]] = {name: {"lat": [], "rates": []} for name in names}
    try:
        # Our client and raw httpx alternate call by call, so drift on a shared machine hits
        # both alike; the SDK (which allocates a great deal) runs on its own first, and its
        # garbage is collected before the others start, so they do not pay for it.
        for call in small.values():
            await latencies(call, 0, 30)
        results[SDK]["lat"] = await latencies(small[SDK], calls, 0)
        gc.collect()
        for _ in range(calls):
            for name in (OURS, RAW) if _ % 2 else (RAW, OURS):
                results[name]["lat"] += await latencies(small[name], 1, 0)
        for round_ in range(rounds):
            for name, call in stream.items():
                if name == SDK and round_ >= sdk_rounds:
                    continue
                chunks, rate = await throughput(call)
                results[name]["rates"].append(rate)
                results[name]["chunks"] = chunks
    finally:
        await c.aclose()
    return results


def report(results: dict[str, dict[str, Any]], calls: int, tokens: int) -> None:
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {sys.platform}; "
        f"{calls} small calls each; a {tokens}-token stream, median of runs"
    )
    print()
    print(f"{'client':<26}{'p50 ms':>9}{'p99 ms':>9}{'chunks':>9}{'chunks/s':>11}")
    rows = {}
    for name, r in results.items():
        p50 = percentile(r["lat"], 50) * 1000
        p99 = percentile(r["lat"], 99) * 1000
        rate = statistics.median(r["rates"])
        rows[name] = (p50, rate)
        print(f"{name:<26}{p50:>9.2f}{p99:>9.2f}{r['chunks']:>9}{rate:>11,.0f}")
    ours, sdk, raw = (rows[name] for name in results)
    print()
    latency_ratio = ours[0] / raw[0]
    stream_ratio = ours[1] / sdk[1]
    print(f"our p50 / raw httpx p50      = {latency_ratio:.2f}  (goal <= 1.1)")
    print(f"our chunks/s / SDK chunks/s  = {stream_ratio:.2f}  (goal >= 2)")
    print(f"our chunks/s / raw chunks/s  = {ours[1] / raw[1]:.2f}  (for reference)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--sdk-rounds",
        type=int,
        default=1,
        help="stream runs for the SDK, which builds a pydantic model class per event "
        "(about a minute per 20,000-chunk run here)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with start_in_thread(api_key=KEY, token_rate=0.0) as sim:
        results = asyncio.run(
            bench(sim.url, args.calls, args.tokens, args.rounds, min(args.sdk_rounds, args.rounds))
        )
    report(results, args.calls, args.tokens)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
