"""A whole session of the real app with a canary key, then a scan of everything it wrote.

The app runs as a user would (not in demo mode): the key comes from ``ORQ_API_KEY``, the router
is the simulator on loopback and accepts only that key. The session chats with a streamed
answer, gets an error, generates an image, exports the conversation, saves a preset and renders
its code snippets; then every file under the data folder (history database and its WAL,
settings, presets, images and their metadata, exports) and everything printed is searched for
the key, raw, URL-encoded and base64.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from test_zz_canary_scan import canary_forms

from orq_desktop import app
from orq_desktop.domain.code_export import to_curl, to_python

pytestmark = [pytest.mark.gui, pytest.mark.scenario("S1", "S2")]


async def _wait(signal: Any, wait_s: float = 20) -> tuple[Any, ...]:
    done: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def fire(*args: Any) -> None:
        if not done.done():
            done.set_result(args)

    signal.connect(fire)
    return await asyncio.wait_for(done, wait_s)


async def _idle(session: Any) -> None:
    for _ in range(200):
        if not session.busy:
            return
        await asyncio.sleep(0.02)


def test_a_whole_session_never_writes_or_prints_the_key(
    qtbot: Any, aloop: Any, sim_server_factory: Any, tmp_path: Path, monkeypatch: Any, capfd: Any
) -> None:
    key = f"sk-orq-CANARY-{uuid.uuid4()}"
    sim = sim_server_factory(api_key=key)
    data = tmp_path / "data"
    monkeypatch.setenv("ORQ_DESKTOP_DATA_DIR", str(data))
    monkeypatch.setenv("ORQ_API_KEY", key)
    monkeypatch.setenv("ORQ_BASE_URL", sim.url)
    snippets: list[str] = []
    seen: dict[str, Any] = {}

    async def script(parts: app.AppParts) -> None:
        panel, session = parts.panel, parts.session
        # chat, streamed
        panel.prompt_input.setPlainText("Tell me about tea")
        panel.send()
        _msg, _text, state, info = await _wait(session.answer_finished)
        seen["chat"] = (state, info.trace_id)
        await _idle(session)
        # an error
        panel.params.model_picker.setCurrentText("sim/status-500")
        panel.prompt_input.setPlainText("Fail please")
        panel.send()
        _msg, card = await _wait(session.answer_failed)
        seen["error"] = card.status
        await _idle(session)
        panel.params.model_picker.setCurrentText("openai/gpt-4o")
        # an image
        parts.images.form.prompt.setPlainText("A teapot")
        parts.images.generate()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if not parts.images.busy:
                break
        seen["images"] = sorted(p.name for p in (data / "images").glob("*.png"))
        # export the conversation
        assert parts.history is not None
        thread = session.thread_id
        for kind in ("md", "json"):
            await parts.history.export_thread(thread, str(data / f"export.{kind}"), kind)
        # a preset
        seen["preset"] = parts.presets_bar.save_as("Canary preset")
        # code snippets
        body = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
        snippets.extend(
            [to_python(body, sim.url, "/v2/gateway"), to_curl(body, sim.url, "/v2/gateway")]
        )

    task = asyncio.ensure_future(app.run(demo=False, script=script))
    qtbot.waitUntil(task.done, timeout=60_000)
    assert task.result() == 0
    assert seen["chat"][0] == "complete"
    assert seen["chat"][1]
    assert seen["error"] == 500
    assert seen["images"]
    assert seen["preset"] is True
    assert (data / "export.md").exists()
    assert (data / "export.json").exists()
    written = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "history.sqlite3" for p in written)
    assert any(p.name == "presets.json" for p in written)
    out, err = capfd.readouterr()
    blobs = {str(p.relative_to(data)): p.read_bytes() for p in written}
    blobs["stdout"], blobs["stderr"] = out.encode(), err.encode()
    blobs.update({f"snippet{i}": s.encode() for i, s in enumerate(snippets)})
    hits = [
        (where, form)
        for where, blob in blobs.items()
        for form, needle in canary_forms(key).items()
        if needle in blob
    ]
    assert hits == []
