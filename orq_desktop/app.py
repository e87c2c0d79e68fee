"""Composition root: command line, QApplication, the qasync loop, wiring and shutdown."""

from __future__ import annotations

import argparse
import sys

from orq_desktop import __version__


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="orq-desktop",
        description="A desktop playground for the Orq AI Router.",
    )
    parser.add_argument("--version", action="version", version=f"orq-desktop {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="use the built-in simulator: no key, no network"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="keep history, images and settings here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    parse_args(sys.argv[1:] if argv is None else argv)
    return 0
