"""The real app, wired by app.run() in demo mode: send a prompt and see the answer arrive."""

from __future__ import annotations

import asyncio

import pytest

from orq_desktop import app
from orq_desktop.core.chat_types import MessageState

pytestmark = pytest.mark.gui


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ORQ_DESKTOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    return tmp_path


def test_demo_mode_answers_and_shows_the_banner(qtbot, aloop, data_dir) -> None:
    seen: dict[str, object] = {}

    async def script(parts: app.AppParts) -> None:
        window, panel = parts.window, parts.panel
        seen["banner"] = window.banner.isVisible()
        seen["focus"] = panel.prompt_input.hasFocus() or window.focusWidget() is panel.prompt_input
        finished = asyncio.Event()
        parts.session.answer_finished.connect(
            lambda _id, text, state, _info: (seen.update(text=text, state=state), finished.set())
        )
        panel.prompt_input.setPlainText("What is a fallback?")
        panel.send()
        await asyncio.wait_for(finished.wait(), 20)
        seen["turns"] = len(parts.session.turns)

    task = asyncio.ensure_future(app.run(demo=True, script=script))
    qtbot.waitUntil(task.done, timeout=30_000)
    assert task.result() == 0
    assert seen["banner"] is True
    assert seen["state"] == MessageState.COMPLETE.value
    assert "fallback" in str(seen["text"]).lower()
    assert seen["turns"] == 2
    assert (data_dir / "window.ini").exists()


def test_cli_version_and_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("orq-desktop 0.")
    args = app.parse_args(["--demo", "--data-dir", "/tmp/x"])
    assert args.demo
    assert args.data_dir == "/tmp/x"


def test_demo_fallback_answers_and_send_waits_for_valid_options(qtbot, aloop, data_dir) -> None:
    """The options dock feeds every request: a 429 primary falls back; a bad field blocks Send."""
    seen: dict[str, object] = {}

    async def script(parts: app.AppParts) -> None:
        panel = parts.panel
        editor = parts.window.options_dock.widget()
        seen["dock"] = editor.objectName() or type(editor).__name__
        parts.routing.set_orq({"fallbacks": [{"model": "openai/gpt-4o"}]})
        panel.params.model_picker.setCurrentText("sim/status-429")
        finished = asyncio.Event()
        parts.session.answer_finished.connect(
            lambda _id, _text, state, info: (seen.update(state=state, info=info), finished.set())
        )
        panel.prompt_input.setPlainText("Hello {{name}}")
        await asyncio.sleep(0.1)
        seen["blocked"] = panel.send_blocker()
        parts.routing.set_orq({**parts.routing.orq(), "inputs": {"name": "Ann"}})
        await asyncio.sleep(0.1)
        seen["unblocked"] = panel.send_blocker()
        panel.send()
        await asyncio.wait_for(finished.wait(), 20)

    task = asyncio.ensure_future(app.run(demo=True, script=script))
    qtbot.waitUntil(task.done, timeout=30_000)
    assert task.result() == 0
    assert seen["dock"] != "PlaceholderPanel"
    assert "name" in str(seen["blocked"])
    assert seen["unblocked"] is None
    assert seen["state"] == MessageState.COMPLETE.value
    info = seen["info"]
    assert info.primary_model == "sim/status-429"
    assert info.answered_model == "openai/gpt-4o"
    assert info.is_fallback


def test_demo_compare_tab_runs_columns_and_opens_one_as_chat(qtbot, aloop, data_dir) -> None:
    """The Compare tab is wired: two columns answer, and one continues as a chat."""
    from orq_desktop.core.chat_types import Role
    from orq_desktop.core.compare_types import ColumnConfig

    seen: dict[str, object] = {}

    async def script(parts: app.AppParts) -> None:
        view = parts.compare_view
        parts.window.tabs.setCurrentWidget(view)
        await asyncio.sleep(0.1)
        view.set_columns(
            [
                ColumnConfig({"model": m, "stream": True})
                for m in ("openai/gpt-4o", "sim/status-503")
            ]
        )
        view.form.prompt_edit.setPlainText("Name a tea")
        view.compare_action.trigger()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if all(c.result is not None for c in view.columns):
                break
        seen["states"] = [c.result.state.value for c in view.columns if c.result]
        view._open_as_chat(view.columns[0])
        await asyncio.sleep(0.1)
        seen["roles"] = [t.role for t in parts.session.turns]
        seen["tab"] = parts.window.tabs.currentWidget() is parts.panel
        # the conversation continues, and the next turn is saved in the history
        finished = asyncio.Event()
        parts.session.answer_finished.connect(lambda *_: finished.set())
        parts.session.send_refused.connect(lambda reason: seen.setdefault("refused", reason))
        parts.panel.prompt_input.setPlainText("And another one?")
        parts.panel.send()
        await asyncio.wait_for(finished.wait(), 20)
        seen["after"] = len(parts.session.turns)
        seen["thread"] = parts.session.thread_id

    task = asyncio.ensure_future(app.run(demo=True, script=script))
    qtbot.waitUntil(task.done, timeout=30_000)
    assert task.result() == 0
    assert seen["states"] == ["complete", "error"]
    assert seen["roles"] == [Role.USER, Role.ASSISTANT]
    assert seen["tab"] is True
    assert "refused" not in seen
    assert seen["after"] == 4
    assert str(seen["thread"]).startswith("thread_")
