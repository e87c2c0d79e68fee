"""Saved threads in use: open and continue, fork, delete and undo, export and import, search,
images, and what a crash left behind."""

from __future__ import annotations

import json
import time

import pytest
from history_session_support import env_factory, messages, rows, run

from orq_desktop.core.chat_types import MessageState, Role
from orq_desktop.core.history_queries import HistoryFilters, SearchQuery, ThreadQuery
from orq_desktop.core.image_types import ReadyImage
from orq_desktop.store.history import HistoryStore

pytestmark = pytest.mark.gui


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


def test_open_restores_transcript_model_and_options_and_continues(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory()
    env = make_env(sim.url)
    env.routing.set_orq({**env.routing.orq(), "fallbacks": [{"model": "openai/gpt-4o-mini"}]})
    env.send(
        "Tea or coffee?", "You are terse.", model="anthropic/claude-3-5-sonnet", temperature=0.2
    )
    env.send("Why?", "You are terse.", model="anthropic/claude-3-5-sonnet", temperature=0.2)
    first = env.chat.thread_id
    saved_turns = env.chat.turns
    env.chat.new_chat()
    env.routing.set_orq({"thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV"}})
    env.send("Something else")
    assert env.chat.thread_id != first

    loaded = run(qtbot, env.history.open_thread(first))
    assert loaded is not None and env.chat.thread_id == first
    assert [(t.role, t.text, t.state) for t in env.chat.turns] == [
        (t.role, t.text, t.state) for t in saved_turns
    ]
    answer = env.chat.turns[1]
    assert answer.info is not None and answer.info.trace_id == saved_turns[1].info.trace_id
    assert answer.info.primary_model == "anthropic/claude-3-5-sonnet"
    ((opened,),) = env.of("h.thread_opened")
    assert opened.thread_id == first and opened.system_prompt == "You are terse."
    assert opened.options["model"] == "anthropic/claude-3-5-sonnet"
    assert opened.options["temperature"] == 0.2 and "orq" not in opened.options
    orq = env.routing.orq()
    assert orq["thread"]["id"] == first
    assert orq["fallbacks"] == [{"model": "openai/gpt-4o-mini"}]
    # the panel showed it again through the usual signals, once per turn
    shown = [a[1] for a in env.of("user_message_added")[-2:]]
    assert shown == ["Tea or coffee?", "Why?"]

    env.send("And tomorrow?", "You are terse.", model="anthropic/claude-3-5-sonnet")
    body = sim.recorded_requests()[-1]["body"]
    assert [m["content"] for m in body["messages"]] == [
        "You are terse.",
        "Tea or coffee?",
        saved_turns[1].text,
        "Why?",
        saved_turns[3].text,
        "And tomorrow?",
    ]
    assert body["orq"]["thread"]["id"] == first
    assert [r for r, _s, _t in messages(env.path, first)] == [
        "system", "user", "assistant", "user", "assistant", "user", "assistant",
    ]  # fmt: skip


def test_open_is_refused_while_an_answer_arrives(qtbot, sim_server_factory, make_env) -> None:
    sim = sim_server_factory(token_rate=30)
    env = make_env(sim.url)
    env.send("one")
    first = env.chat.thread_id
    env.chat.new_chat()
    assert env.chat.send("two", "", env.options(max_completion_tokens=200))
    qtbot.waitUntil(lambda: len(env.of("delta")) >= 2, timeout=10_000)
    assert run(qtbot, env.history.open_thread(first)) is None
    assert env.of("h.problem")[-1][0].startswith("An answer is still arriving")
    assert env.chat.thread_id != first
    env.chat.stop()


def test_fork_from_a_message_copies_up_to_it_and_leaves_the_original(
    qtbot, sim_server, make_env
) -> None:
    env = make_env(sim_server.url)
    env.send("First", "Sys")
    env.send("Second", "Sys")
    original = env.chat.thread_id
    first_answer = env.chat.turns[1]
    assert env.history.can_fork(first_answer.msg_id)
    assert not env.history.can_fork("m-unknown")
    loaded = run(qtbot, env.history.fork_from(first_answer.msg_id))
    assert loaded is not None and env.chat.thread_id == loaded.thread_id != original
    assert [t.text for t in env.chat.turns] == ["First", first_answer.text]
    assert len(messages(env.path, original)) == 5
    assert [t for _r, _s, t in messages(env.path, loaded.thread_id)] == [
        "Sys",
        "First",
        first_answer.text,
    ]
    assert env.routing.orq()["thread"]["id"] == loaded.thread_id
    env.send("Branching off", "Sys")
    assert len(messages(env.path, loaded.thread_id)) == 5
    assert len(messages(env.path, original)) == 5


def test_delete_with_undo_then_purged_at_close(qtbot, sim_server, make_env, tmp_path) -> None:
    env = make_env(sim_server.url)
    env.send("Keep me")
    kept = env.chat.thread_id
    env.chat.new_chat()
    env.send("Delete me")
    doomed = env.chat.thread_id
    run(qtbot, env.history.delete_thread(doomed, "Delete me"))
    assert env.chat.thread_id is None and env.chat.turns == ()  # it was open: a new chat
    assert env.of("h.thread_deleted") == [(doomed, "Delete me")]
    listed = run(qtbot, env.history.list_threads())
    assert [t.id for t in listed] == [kept]
    assert env.history.can_undo
    assert run(qtbot, env.history.undo_delete()) == doomed
    assert [t.id for t in run(qtbot, env.history.list_threads())] == [doomed, kept]
    assert env.history.undo_delete() is None
    run(qtbot, env.history.delete_thread(doomed))
    run(qtbot, env.history.aclose())
    assert rows(env.path, "SELECT id FROM threads") == [(kept,)]
    assert rows(env.path, "SELECT count(*) FROM messages WHERE text = 'Delete me'") == [(0,)]


def test_export_and_import_with_preview_and_refusals(qtbot, sim_server, make_env, tmp_path) -> None:
    env = make_env(sim_server.url)
    env.send("Export this please", "Sys")
    tid = env.chat.thread_id
    md, js = tmp_path / "t.md", tmp_path / "t.json"
    assert run(qtbot, env.history.export_thread(tid, str(md), "md")) == str(md)
    assert run(qtbot, env.history.export_thread(tid, str(js), "json")) == str(js)
    text = md.read_text()
    assert text.startswith("# Export this please") and env.chat.turns[1].text in text
    doc = json.loads(js.read_text())
    assert doc["format"] == "orq-desktop-thread" and len(doc["threads"]) == 1

    offer = run(qtbot, env.history.prepare_import(str(js)))
    assert offer is not None and env.of("h.import_ready") == [(offer,)]
    assert [t.title for t in offer.preview.threads] == ["Export this please"]
    assert offer.preview.message_count == 3
    assert len(rows(env.path, "SELECT id FROM threads")) == 1  # nothing written yet
    ids = run(qtbot, env.history.apply_import(offer))
    assert len(ids) == 1 and ids[0] != tid
    assert env.of("h.imported") == [(1,)]
    assert messages(env.path, ids[0]) == messages(env.path, tid)

    bad = tmp_path / "bad.json"
    for content in (b"not json at all", b'{"format": "something-else", "version": 1}', b"\xff\xfe"):
        bad.write_bytes(content)
        before = rows(env.path, "SELECT count(*) FROM threads")
        assert run(qtbot, env.history.prepare_import(str(bad))) is None
        assert env.of("h.import_refused")[-1][0].startswith("This file cannot be imported:")
        assert rows(env.path, "SELECT count(*) FROM threads") == before
    assert run(qtbot, env.history.prepare_import(str(tmp_path / "missing.json"))) is None
    assert "could not be read" in env.of("h.import_refused")[-1][0]
    assert len(env.of("h.import_ready")) == 1


def test_search_highlights_and_filters(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.routing.set_orq({**env.routing.orq(), "identity": {"id": "customer-7"}})
    env.routing.set_orq(
        {**env.routing.orq(), "thread": {**env.routing.orq()["thread"], "tags": ["legal"]}}
    )
    env.send("Tell me about the zebrafish genome", model="openai/gpt-4o")
    legal = env.chat.thread_id
    env.chat.new_chat()
    env.routing.set_orq({"thread": env.routing.orq()["thread"] | {"tags": ["eval"]}})
    env.send("More zebrafish facts", model="anthropic/claude-3-haiku")
    other = env.chat.thread_id

    hits = run(qtbot, env.history.search(SearchQuery("zebrafish")))
    users = [h for h in hits if h.role == "user"]
    assert {h.thread_id for h in users} == {legal, other}
    for hit in users:
        assert hit.highlights
        assert all(hit.snippet[a:b].lower() == "zebrafish" for a, b in hit.highlights)
    by_model = run(
        qtbot, env.history.search(SearchQuery("zebrafish", HistoryFilters(model="openai/gpt-4o")))
    )
    assert {h.thread_id for h in by_model} == {legal}
    by_tag = run(qtbot, env.history.search(SearchQuery("zebrafish", HistoryFilters(tag="eval"))))
    assert {h.thread_id for h in by_tag} == {other}
    by_person = run(
        qtbot,
        env.history.search(SearchQuery("zebrafish", HistoryFilters(identity_id="customer-7"))),
    )
    assert {h.thread_id for h in by_person} == {legal}
    assert run(qtbot, env.history.search(SearchQuery("   "))) == []
    choices = run(qtbot, env.history.load_choices())
    assert set(choices.tags) == {"legal", "eval"} and choices.identities == ("customer-7",)
    page = run(qtbot, env.history.list_threads(ThreadQuery(HistoryFilters(tag="legal"))))
    assert [t.id for t in page] == [legal] and page[0].tags == ("legal",)


def test_tags_set_in_the_history_reach_the_next_request(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.send("Tag me")
    tid = env.chat.thread_id
    assert run(qtbot, env.history.set_tags(tid, ["b", " a "])) == ("a", "b")
    assert env.routing.orq()["thread"] == {"id": tid, "tags": ["a", "b"]}
    run(qtbot, env.history.rename_thread(tid, "  A   new\nname "))
    assert rows(env.path, "SELECT title FROM threads") == [("A new name",)]


def test_saved_images_are_searchable(qtbot, sim_server, make_env, tmp_path) -> None:
    env = make_env(sim_server.url)
    image = ReadyImage(
        path=str(tmp_path / "cat.png"),
        settings={"prompt": "a watercolor quokka", "model": "openai/dall-e-3", "size": "1024x1024"},
        width=8,
        height=8,
        revised_prompt="A soft watercolor painting of a quokka",
    )
    env.history.on_image_ready(image)
    qtbot.waitUntil(lambda: bool(rows(env.path, "SELECT id FROM images")), timeout=5000)
    (hit,) = run(qtbot, env.history.search(SearchQuery("quokka")))
    assert hit.kind == "image" and hit.model == "openai/dall-e-3" and hit.thread_id is None


def test_an_answer_cut_short_by_a_crash_opens_as_interrupted(
    qtbot, sim_server, make_env, tmp_path
) -> None:
    path = tmp_path / "crashed.sqlite3"
    store = HistoryStore.open(path).store
    tid = store.create_thread("Before the crash", model="openai/gpt-4o")
    store.add_message(tid, "user", "Question")
    answer = store.start_assistant_message(tid)
    store.update_message_text(answer, "Half an ans")
    store._live().close()  # as if the process died: nothing more is written
    env = make_env(sim_server.url, path=path)
    assert any("interrupted" in n[0] for n in env.of("h.notice"))
    run(qtbot, env.history.open_thread(tid))
    assert [(t.role, t.state, t.text) for t in env.chat.turns] == [
        (Role.USER, MessageState.COMPLETE, "Question"),
        (Role.ASSISTANT, MessageState.INTERRUPTED, "Half an ans"),
    ]
    t0 = time.monotonic()
    env.send("Go on")
    assert time.monotonic() - t0 < 10
    assert len(messages(env.path, tid)) == 4


def test_a_compare_thread_opens_in_the_compare_tab_not_the_chat(
    qtbot, sim_server, make_env, tmp_path
) -> None:
    path = tmp_path / "compare.sqlite3"
    store = HistoryStore.open(path).store
    tid = store.create_thread(
        "Which is faster?",
        kind="compare",
        options={"columns": [{"model": "openai/gpt-4o"}, {"model": "openai/gpt-4o-mini"}]},
    )
    store.add_message(tid, "user", "Which is faster?")
    store.add_message(tid, "assistant", "Column one", column_index=0)
    store.add_message(tid, "assistant", "Column two", column_index=1)
    store.close()
    env = make_env(sim_server.url, path=path)
    env.send("A chat of its own")
    chat_thread, chat_turns = env.chat.thread_id, env.chat.turns
    opened = []
    env.history.compare_opened.connect(opened.append)
    assert run(qtbot, env.history.open_thread(tid)) is None
    (saved,) = opened
    assert saved.thread_id == tid and [c.model for c in saved.columns] == [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
    ]
    assert [r.text for r in saved.results] == ["Column one", "Column two"]
    assert env.chat.thread_id == chat_thread and env.chat.turns == chat_turns
    assert not env.of("h.thread_opened")
