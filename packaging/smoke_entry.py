"""Smoke test for a build: the real app in demo mode sends one prompt, checks its parts, exits 0.

    QT_QPA_PLATFORM=offscreen python packaging/smoke_entry.py      # from the source tree
    dist/orq-desktop/orq-desktop-smoke                             # inside the one-folder bundle

It drives the real window through ``orq_desktop.app.run(demo=True, script=...)``: types a prompt
into the chat panel, presses Send and waits for the simulator's answer. Then it checks what a
bundle most easily loses: the simulator's images (aiohttp and Pillow with FreeType), saving an
image with its settings embedded, Qt's image-format plugins, and the app icon files. Each check
writes one line; the exit status is 0 only when every check passed. History, images and settings
go to a throw-away folder (or ``--data-dir``), never the user's own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROMPT = "Say hello to the smoke test."
ANSWER_TIMEOUT_S = 60.0
IMAGE_FORMATS = ("png", "jpeg", "webp")  # what the image panel shows and the router returns
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)  # packaging/render_icons.py SIZES


class Checks:
    """Named checks; each prints one line, and any failure makes the exit status 1."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def ok(self, name: str, passed: bool, detail: str = "") -> bool:
        mark = "ok  " if passed else "FAIL"
        sys.stdout.write(f"{mark} {name}{': ' + detail if detail else ''}\n")
        sys.stdout.flush()
        if not passed:
            self.failed.append(name)
        return passed

    def guard(self, name: str, fn: Callable[[], str]) -> None:
        """Run ``fn`` (returns a detail line); an exception fails the check with its text."""
        try:
            self.ok(name, True, fn())
        except Exception as exc:
            self.ok(name, False, f"{type(exc).__name__}: {exc}")


async def send_one_prompt(parts: Any, checks: Checks) -> None:
    """Type the prompt into the real chat panel, press Send, and wait for the finished answer."""
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[tuple[str, str]] = loop.create_future()

    def finished(_msg_id: str, text: str, state: str, _info: object) -> None:
        if not outcome.done():
            outcome.set_result((state, text))

    def failed(_msg_id: str, error: object) -> None:
        if not outcome.done():
            outcome.set_result(("error", str(getattr(error, "title", error))))

    parts.session.answer_finished.connect(finished)
    parts.session.answer_failed.connect(failed)
    parts.panel.prompt_input.setPlainText(PROMPT)
    started = time.perf_counter()
    parts.panel.send()
    try:
        state, text = await asyncio.wait_for(outcome, ANSWER_TIMEOUT_S)
    except TimeoutError:
        checks.ok("chat answer", False, f"no answer within {ANSWER_TIMEOUT_S:g} s")
        return
    seconds = time.perf_counter() - started
    checks.ok(
        "chat answer",
        state == "complete" and bool(text.strip()),
        f"{state} in {seconds:.2f} s, {len(text)} characters",
    )
    checks.ok("prompt box cleared", parts.panel.prompt_input.toPlainText() == "")


async def generate_and_save_image(parts: Any, checks: Checks) -> None:
    """One WebP image from the simulator, checked and saved the way the image panel saves it."""
    from orq_desktop import paths
    from orq_desktop.api.models import ImageRequest
    from orq_desktop.store.images import decode_b64_image, read_settings, save_generated_image

    request = ImageRequest(
        model="openai/gpt-image-1",
        prompt="a lighthouse at dusk",
        size="256x256",
        output_format="webp",
        n=1,
    )
    try:
        result = await parts.connection.client().generate_images(request)
        encoded = result.images[0].b64_json or ""
        data = decode_b64_image(encoded)
        saved = await asyncio.to_thread(
            save_generated_image,
            paths.images_dir(),
            data,
            {"model": request.model, "size": request.size},
            prompt=request.prompt,
            index=1,
        )
    except Exception as exc:
        checks.ok("image from the simulator", False, f"{type(exc).__name__}: {exc}")
        return
    checks.ok("image from the simulator", True, f"{len(data)} bytes of WebP")
    embedded = read_settings(saved.path) or {}
    checks.ok("image saved with its settings", embedded.get("prompt") == request.prompt)

    from PySide6.QtGui import QImage

    image = QImage.fromData(data)
    checks.ok("Qt reads the image", (image.width(), image.height()) == (256, 256))


def check_qt(checks: Checks) -> None:
    from PySide6.QtGui import QGuiApplication, QIcon, QImageReader

    platform = QGuiApplication.platformName()
    checks.ok("Qt platform plugin", bool(platform), platform)
    readable = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = [f for f in IMAGE_FORMATS if f not in readable]
    checks.ok("Qt image formats", not missing, f"missing {missing}" if missing else "")

    def icon() -> str:
        # The window icon as app/startup.py builds it: every PNG size, sizes given (no file reads).
        from importlib.resources import files

        from PySide6.QtCore import QSize

        folder = files("orq_desktop") / "resources" / "icons"
        icon = QIcon()
        for size in ICON_SIZES:
            icon.addFile(str(folder / f"orq-desktop-{size}.png"), QSize(size, size))
        pixmap = icon.pixmap(48, 48)
        if pixmap.isNull() or pixmap.toImage().pixelColor(24, 24).alpha() == 0:
            raise RuntimeError(f"the icon files in {folder} do not load")
        return f"{len(ICON_SIZES)} sizes, {ICON_SIZES[0]} to {ICON_SIZES[-1]} px"

    checks.guard("app icon", icon)


def check_libraries(checks: Checks) -> None:
    """What a real (non-demo) session needs and demo mode never touches: TLS roots, the keyring."""

    def tls_roots() -> str:
        from orq_desktop.api.client_http import build_ssl_context

        count = build_ssl_context().cert_store_stats()["x509_ca"]
        if count == 0:
            raise RuntimeError("certifi's CA bundle loaded no certificate")
        return f"{count} CA certificates"

    def keyring_backends() -> str:
        import importlib
        from importlib.metadata import entry_points

        names = sorted(ep.name for ep in entry_points(group="keyring.backends"))
        if "SecretService" not in names:
            raise RuntimeError(f"keyring's backends are not registered (found {names})")
        importlib.import_module("keyring.backends.SecretService")
        importlib.import_module("secretstorage")
        return ", ".join(names)

    checks.guard("TLS certificates", tls_roots)
    checks.guard("keyring backends", keyring_backends)


def make_script(checks: Checks) -> Callable[[Any], Any]:
    async def script(parts: Any) -> None:
        check_qt(checks)
        check_libraries(checks)
        await send_one_prompt(parts, checks)
        await generate_and_save_image(parts, checks)

    return script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Send one prompt in demo mode and exit.")
    parser.add_argument("--data-dir", metavar="DIR", help="default: a new temporary folder")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="orq-smoke-")
    os.environ["ORQ_DESKTOP_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())

    from orq_desktop import __version__, app
    from orq_desktop.app.startup import application
    from orq_desktop.core.loop import EventLoop

    qapp = application()
    frozen = "bundle" if getattr(sys, "frozen", False) else "source"
    python = sys.version.split()[0]
    sys.stdout.write(f"orq-desktop {__version__} smoke test ({frozen}, Python {python})\n")
    checks = Checks()
    status = asyncio.run(
        app.run(demo=True, script=make_script(checks)), loop_factory=lambda: EventLoop(qapp)
    )
    checks.ok("clean shutdown", status == 0, f"run() returned {status}")
    verdict = f"FAILED: {', '.join(checks.failed)}" if checks.failed else "all passed"
    sys.stdout.write(verdict + "\n")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
