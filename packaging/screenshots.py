"""Make the README's screenshots from demo mode, so they can be made again at any time.

    QT_QPA_PLATFORM=offscreen python packaging/screenshots.py [--out docs/screenshots]

(or under ``xvfb-run`` for a real X window). Each shot drives the real app: it types into the
real widgets, waits for the simulator's answers, and grabs the window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def _answer(parts, prompt: str, model: str | None = None, wait_s: float = 30) -> None:
    done = asyncio.Event()

    def finished(_msg_id, _text, _state, info) -> None:
        _LAST_INFOS.append(info)
        done.set()

    parts.session.answer_finished.connect(finished)
    parts.session.answer_failed.connect(lambda *_: done.set())
    if model:
        parts.panel.params.model_picker.setCurrentText(model)
    parts.panel.prompt_input.setPlainText(prompt)
    parts.panel.send()
    await asyncio.wait_for(done.wait(), wait_s)
    await asyncio.sleep(0.3)


def make_script(out: Path):
    async def script(parts) -> None:
        window = parts.window
        window.resize(1360, 860)
        await asyncio.sleep(0.3)
        parts.panel.set_system_prompt("You are a concise assistant for a support team.")
        await _answer(parts, "How do retries and fallbacks work in the Orq router?")
        await _answer(parts, "Summarise that as three bullet points.")
        window.grab().save(str(out / "chat.png"))
        parts.session.new_chat()
        await _answer(parts, "Hello there", model="sim/status-429")
        window.grab().save(str(out / "chat-error.png"))
        await _routing(parts, out)
        await _images(parts, out)
        await _compare(parts, out)
        await _history(parts, out)

    return script


async def _routing(parts, out: Path) -> None:
    """A 429 primary with retries and two fallbacks; the route preview and the real timeline."""
    from PySide6.QtWidgets import QApplication

    from orq_desktop.ui.options_editor import OptionsEditor

    window = parts.window
    parts.session.new_chat()
    parts.routing.set_orq(
        {
            **parts.routing.orq(),
            "retry": {"count": 2, "on_codes": [429, 503]},
            "fallbacks": [{"model": "sim/status-503"}, {"model": "openai/gpt-4o"}],
            "timeout": {"call_timeout": 10000},
        }
    )
    editor = window.options_dock.widget().currentWidget()
    assert isinstance(editor, OptionsEditor)
    for key in ("retry", "fallbacks", "timeout"):
        editor.folds[key].set_expanded(True)
    await _answer(parts, "Which model answered this?", model="sim/status-429")
    window.grab().save(str(out / "routing.png"))
    trace_ids = [a.trace_id for a in _answers(parts)]
    transcript = parts.panel.transcript
    transcript.timeline_requested.emit(trace_ids[-1])
    await asyncio.sleep(1.0)
    dialogs = [w for w in QApplication.topLevelWidgets() if w.objectName() == "traceTimeline"]
    if dialogs:
        dialogs[-1].resize(820, 460)
        await asyncio.sleep(0.3)
        dialogs[-1].grab().save(str(out / "timeline.png"))
        dialogs[-1].close()
    for key in ("retry", "fallbacks", "timeout"):
        editor.folds[key].set_expanded(False)


def _answers(_parts) -> list:
    return [info for info in _LAST_INFOS if info is not None]


_LAST_INFOS: list = []  # every finished answer's AnswerInfo, in order


async def _compare(parts, out: Path) -> None:
    from orq_desktop.core.compare_types import ColumnConfig

    window, view = parts.window, parts.compare_view
    window.tabs.setCurrentWidget(view)
    await asyncio.sleep(0.3)
    models = ("openai/gpt-4o", "anthropic/claude-3-5-sonnet", "sim/status-503")
    view.set_columns([ColumnConfig({"model": m, "stream": True}) for m in models])
    view.form.prompt_edit.setPlainText("Explain exponential backoff in two sentences.")
    view.compare_action.trigger()
    for _ in range(300):
        await asyncio.sleep(0.1)
        if all(c.result is not None for c in view.columns):
            break
    await asyncio.sleep(0.5)
    window.grab().save(str(out / "compare.png"))
    window.tabs.setCurrentWidget(parts.panel)


async def _history(parts, out: Path) -> None:
    window = parts.window
    sidebar = window.sidebar
    sidebar.search.setText("retries")
    await asyncio.sleep(1.5)
    window.grab().save(str(out / "history.png"))
    sidebar.search.setText("")


async def _images(parts, out: Path) -> None:
    window = parts.window
    window.tabs.setCurrentWidget(parts.images)
    parts.images.form.prompt.setPlainText("A lighthouse at dawn, watercolour")
    parts.images.generate()
    for _ in range(200):
        await asyncio.sleep(0.1)
        if not parts.images.busy:
            break
    await asyncio.sleep(1.0)
    window.grab().save(str(out / "images.png"))
    window.tabs.setCurrentWidget(parts.panel)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["ORQ_DESKTOP_DATA_DIR"] = tempfile.mkdtemp(prefix="orq-shots-")
    from PySide6.QtWidgets import QApplication

    from orq_desktop import app
    from orq_desktop.core.loop import EventLoop

    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName("Orq Desktop")
    qapp.setQuitOnLastWindowClosed(False)
    return asyncio.run(
        app.run(demo=True, script=make_script(out)), loop_factory=lambda: EventLoop(qapp)
    )


if __name__ == "__main__":
    sys.exit(main())
