"""Full-text search: messages and image prompts, highlights, query syntax, filters, ordering."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_search import build_match, split_marks
from orq_desktop.store.history_types import SearchHit


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(tmp_path / "history.sqlite3").store
    yield s
    s.close()


def bold(hit: SearchHit) -> list[str]:
    return [hit.snippet[a:b] for a, b in hit.highlights]


def test_finds_messages_with_highlighted_snippets(store: HistoryStore) -> None:
    tid = store.create_thread("Routing notes", model="openai/gpt-4o")
    store.add_message(tid, "user", "How do retries and fallbacks interact?")
    answer = store.add_message(
        tid, "assistant", "The router retries first. Then each Fallback model is tried in order."
    )
    [hit] = store.search("fallback")
    assert (hit.kind, hit.item_id, hit.thread_id, hit.role) == ("message", answer, tid, "assistant")
    assert hit.thread_title == "Routing notes" and hit.model == "openai/gpt-4o"
    assert bold(hit) == ["Fallback"]
    assert "\ue000" not in hit.snippet and "\ue001" not in hit.snippet
    assert hit.snippet == "The router retries first. Then each Fallback model is tried in order."


def test_long_text_gives_a_short_snippet_around_the_match(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    store.add_message(tid, "assistant", "filler " * 200 + "needle " + "padding " * 200)
    [hit] = store.search("needle")
    assert bold(hit) == ["needle"]
    assert len(hit.snippet.split()) <= 20 and hit.snippet.startswith("…")


def test_finds_image_prompts_and_revised_prompts(store: HistoryStore) -> None:
    tid = store.create_thread("art")
    a = store.add_image("/a.png", "a watercolor heron", model="openai/dall-e-3", thread_id=tid)
    b = store.add_image("/b.png", "city at night", revised_prompt="Neon city, watercolor style")
    hits = store.search("watercolor")
    assert {(h.kind, h.item_id) for h in hits} == {("image", a), ("image", b)}
    by_id = {h.item_id: h for h in hits}
    assert bold(by_id[a]) == ["watercolor"] and by_id[a].thread_title == "art"
    assert by_id[b].thread_id is None and bold(by_id[b]) == ["watercolor"]
    assert store.search("heron", kinds=["message"]) == []
    assert [h.item_id for h in store.search("heron", kinds=["image"])] == [a]


def test_query_forms(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    emb = store.add_message(tid, "user", "Compute the embeddings for every chunk")
    fox = store.add_message(tid, "user", "the quick brown fox jumps")
    rev = store.add_message(tid, "user", "brown quick dogs")
    cafe = store.add_message(tid, "user", "Meet me at the Café")
    assert {h.item_id for h in store.search("embed*")} == {emb}
    assert {h.item_id for h in store.search("quick brown")} == {fox, rev}  # all words
    assert {h.item_id for h in store.search('"quick brown"')} == {fox}  # the phrase
    assert {h.item_id for h in store.search("cafe")} == {cafe}  # diacritics folded
    assert {h.item_id for h in store.search("EMBEDDINGS")} == {emb}
    assert bold(store.search('"quick brown"')[0]) == ["quick brown"]


@pytest.mark.parametrize(
    "query",
    ["AND", "OR NOT", "fox)", "(fox", "-fox", "fox:", "a:b", "*", '"unterminated', "NEAR(a b)",
     "^fox", "fox + -", '""', "   "],
)  # fmt: skip
def test_user_text_is_never_fts_syntax(store: HistoryStore, query: str) -> None:
    tid = store.create_thread("t")
    store.add_message(tid, "user", "a fox and or not near")
    store.search(query)  # no exception, whatever was typed


def test_operator_words_are_searched_as_words(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    mid = store.add_message(tid, "user", "salt AND pepper")
    store.add_message(tid, "user", "salt only")
    assert [h.item_id for h in store.search("and pepper")] == [mid]
    assert build_match("") is None and build_match("* - ()") is None
    assert build_match('fox "a b" emb*') == '"fox" AND "a b" AND "emb"*'
    assert build_match("a* xy*") == '"a" AND "xy"*'  # one letter is too short for a prefix


def test_split_marks() -> None:
    assert split_marks("a \ue000b\ue001 c \ue000d\ue001") == ("a b c d", ((2, 3), (6, 7)))
    assert split_marks("\ue001x\ue000\ue000y\ue001") == ("xy", ((1, 2),))


def test_filters_by_model_tag_and_identity(store: HistoryStore) -> None:
    a = store.create_thread("a", model="openai/gpt-4o", tags=["work"], identity_id="u1")
    b = store.create_thread("b", model="anthropic/claude", tags=["home"], identity_id="u2")
    ma = store.add_message(a, "user", "zucchini soup")
    mb = store.add_message(b, "assistant", "zucchini bread")
    store.record_run(b, message_id=mb, model_requested="x/y", model_answered="mistral/large")
    img_a = store.add_image("/i.png", "zucchini still life", model="openai/dall-e-3", thread_id=a)
    img_loose = store.add_image("/j.png", "zucchini garden", model="openai/gpt-image-1")

    def ids(**filters: str) -> set[int]:
        return {h.item_id for h in store.search("zucchini", **filters)}  # type: ignore[arg-type]

    assert ids() == {ma, mb, img_a, img_loose}
    assert ids(model="openai/gpt-4o") == {ma}
    assert ids(model="mistral/large") == {mb}  # the model that answered counts
    assert ids(model="x/y") == {mb}  # and the one that was asked
    assert ids(model="openai/gpt-image-1") == {img_loose}
    assert ids(tag="work") == {ma, img_a}  # an image without a thread has no tags
    assert ids(tag="home") == {mb}
    assert ids(identity_id="u2") == {mb}
    assert ids(tag="work", identity_id="u2") == set()
    assert ids(tag="nobody-has-this") == set() and ids(identity_id="u9") == set()
    assert ids(model="no/such-model") == set()


def test_deleted_threads_and_streaming_answers_are_not_found(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    mid = store.start_assistant_message(tid)
    store.update_message_text(mid, "halfway through the kumquat")
    assert store.search("kumquat") == []  # indexed once it stops streaming
    store.finish_message(mid, "stopped")
    assert [h.item_id for h in store.search("kumquat")] == [mid]
    store.finish_message(mid, "complete", "a whole clementine")
    assert store.search("kumquat") == []
    assert [h.item_id for h in store.search("clementine")] == [mid]
    img = store.add_image("/k.png", "clementine tree", thread_id=tid)
    store.delete_thread(tid)
    assert store.search("clementine") == []
    store.restore_thread(tid)
    assert {h.item_id for h in store.search("clementine")} == {mid, img}
    assert store.integrity_check() == []


def test_newest_first_with_limit_and_offset(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    ids = [store.add_message(tid, "user", f"common word number {i}") for i in range(30)]
    found = [h.item_id for h in store.search("common", limit=10)]
    assert found == list(reversed(ids))[:10]
    page2 = [h.item_id for h in store.search("common", limit=10, offset=10)]
    assert page2 == list(reversed(ids))[10:20]
    assert store.search("common", limit=0) == []


def test_relevance_order_puts_the_denser_match_first(store: HistoryStore) -> None:
    tid = store.create_thread("t")
    dense = store.add_message(tid, "user", "llama llama llama")
    store.add_message(tid, "user", "one llama among many many other words in a long sentence")
    assert store.search("llama", order="relevance")[0].item_id == dense
