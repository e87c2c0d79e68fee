"""``python -m orq_desktop.simulator``: run the gateway simulator in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from orq_desktop.simulator.runner import start


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orq_desktop.simulator",
        description="A loopback server that speaks the Orq router's wire format.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--key", default=None, help="require this API key as a Bearer token")
    parser.add_argument(
        "--token-rate", type=float, default=40.0, help="streamed tokens per second (0: no pacing)"
    )
    parser.add_argument(
        "--backoff-scale", type=float, default=0.01, help="multiplies the 1-16 s retry backoff"
    )
    parser.add_argument("--seed", type=int, default=0, help="seeds load-balancer picks and jitter")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = await start(
        host=args.host,
        port=args.port,
        api_key=args.key,
        token_rate=args.token_rate,
        backoff_scale=args.backoff_scale,
        seed=args.seed,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    key_note = "a key is required" if args.key else "no key required"
    print(f"Orq gateway simulator on {server.url} ({key_note}); Ctrl+C stops it.", flush=True)
    try:
        await stop.wait()
    finally:
        await server.aclose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"Cannot start the simulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
