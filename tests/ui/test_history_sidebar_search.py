"""Search in the sidebar: hits with the matches painted bold (from offsets, never markup),
filters by model, tag and identity, and stale answers ignored."""

from __future__ import annotations

import pytest
from history_sidebar_support import seed, ui_factory
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QImage, QPainter

from orq_desktop.ui.history_delegate import HistoryDelegate, bold_ranges, utf16_offsets

pytestmark = pytest.mark.gui

THREADS = [
    {"title": "Fish genomes", "model": "openai/gpt-4o", "tags": ["research"],
     "messages": [("user", "What is special about the zebrafish genome?"),
                  ("assistant", "The <b>zebrafish</b> & its genome: a model organism.")]},
    {"title": "Aquarium", "model": "anthropic/claude-3-haiku", "tags": ["home"],
     "identity": "customer-9",
     "messages": [("user", "Can a zebrafish live with guppies? 🐟 zebrafish!")]},
    {"title": "Unrelated", "messages": [("user", "Quarterly budget review")]},
]  # fmt: skip


@pytest.fixture
def make_ui(qtbot, aloop, tmp_path):
    yield from ui_factory(qtbot, tmp_path)


@pytest.fixture
def ui(sim_server, make_ui, tmp_path):
    seed(tmp_path / "history.sqlite3", THREADS)
    made = make_ui(sim_server.url)
    made.wait_listed(3)
    return made


def hits_shown(ui) -> list:
    return [r for r in ui.sidebar.list.records() if hasattr(r, "highlights")]


def search(qtbot, ui, text: str) -> list:
    ui.sidebar.search.setText(text)
    qtbot.waitUntil(
        lambda: (
            ui.sidebar._search_query is not None
            and ui.sidebar._search_query.text == text
            and ui.sidebar._pending.done()
        ),
        timeout=5000,
    )
    return hits_shown(ui)


def test_typing_shows_hits_with_the_matches_in_bold(qtbot, ui) -> None:
    hits = search(qtbot, ui, "zebrafish")
    assert len(hits) == 3 and len(ui.sidebar.list.records()) == 3
    assert {h.thread_title for h in hits} == {"Fish genomes", "Aquarium"}
    answer = next(h for h in hits if h.role == "assistant")
    assert "<b>" in answer.snippet  # the message's own text, kept literally
    image = QImage(400, 60, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    layout = HistoryDelegate.draw_snippet(
        painter, QFont(), answer.snippet, answer.highlights, QRect(0, 0, 400, 60)
    )
    painter.end()
    bold = [(r.start, r.length) for r in layout.formats()]
    assert [layout.text()[a : a + n] for a, n in bold] == ["zebrafish"]
    assert all(r.format.fontWeight() == QFont.Weight.Bold for r in layout.formats())
    assert (
        "Answer · Fish genomes"
        in ui.sidebar.list.item(
            [r.role for r in ui.sidebar.list.records()].index("assistant")
        ).text()
    )
    ui.sidebar.search.clear()
    ui.wait_listed(3)
    assert not hits_shown(ui)


def test_bold_spans_count_utf16_units_after_an_emoji() -> None:
    text = "🐟 zebrafish!"
    start = text.index("zebrafish")
    assert utf16_offsets(text)[start] == start + 1  # the fish takes two UTF-16 units
    (r,) = bold_ranges(text, ((start, start + 9),))
    assert (r.start, r.length) == (start + 1, 9)


def test_filters_narrow_the_hits_and_the_list(qtbot, ui) -> None:
    sidebar = ui.sidebar
    assert sidebar.tag_filter.count() == 1  # read only once the filters are shown
    sidebar.filters_action.setChecked(True)
    assert sidebar.filter_row.isVisible()
    qtbot.waitUntil(lambda: sidebar.tag_filter.count() == 3, timeout=5000)
    assert [sidebar.tag_filter.itemText(i) for i in range(3)] == [
        "All tags",
        "Tag: home",
        "Tag: research",
    ]
    search(qtbot, ui, "zebrafish")
    sidebar.tag_filter.setCurrentIndex(sidebar.tag_filter.findData("home"))
    qtbot.waitUntil(lambda: {h.thread_title for h in hits_shown(ui)} == {"Aquarium"}, timeout=5000)
    assert "1 on" in sidebar.filters_action.text()
    sidebar.tag_filter.setCurrentIndex(0)
    sidebar.model_filter.setCurrentIndex(sidebar.model_filter.findData("openai/gpt-4o"))
    qtbot.waitUntil(
        lambda: {h.thread_title for h in hits_shown(ui)} == {"Fish genomes"}, timeout=5000
    )
    sidebar.model_filter.setCurrentIndex(0)
    sidebar.identity_filter.setCurrentIndex(sidebar.identity_filter.findData("customer-9"))
    qtbot.waitUntil(lambda: {h.thread_title for h in hits_shown(ui)} == {"Aquarium"}, timeout=5000)
    sidebar.search.clear()
    qtbot.waitUntil(lambda: ui.titles() == ["Aquarium"], timeout=5000)  # the list is filtered too


def test_only_the_last_question_is_answered(qtbot, ui) -> None:
    sidebar = ui.sidebar
    sidebar.search.setText("budget")
    sidebar.reload()
    first = sidebar._pending
    sidebar.search.setText("guppies")
    sidebar.reload()
    qtbot.waitUntil(lambda: sidebar._pending.done() and first.done(), timeout=5000)
    assert first.cancelled() or first is sidebar._pending
    assert [h.thread_title for h in hits_shown(ui)] == ["Aquarium"]
    sidebar.search.setText("no-such-word-anywhere")
    qtbot.waitUntil(lambda: sidebar.empty.isVisible(), timeout=5000)
    assert sidebar.empty.text() == "No matches."


def test_clicking_a_hit_opens_its_thread_at_that_message(qtbot, ui) -> None:
    hits = search(qtbot, ui, "guppies")
    (hit,) = hits
    opened = []
    ui.history.thread_opened.connect(opened.append)
    rect = ui.sidebar.list.visualItemRect(ui.sidebar.list.item(0))
    qtbot.mouseClick(ui.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: ui.chat.thread_id == hit.thread_id, timeout=5000)
    assert ui.chat.turns[0].text.startswith("Can a zebrafish live with guppies?")
    assert opened[0].focus == f"h{hit.item_id}" == ui.chat.turns[0].msg_id
    assert ui.window.statusBar().currentMessage() == "Opened “Aquarium”."
