"""Each section of the routing options editor: its controls, its wire fragment, its reasons."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings

from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot: Any) -> OptionsEditor:
    widget = OptionsEditor("chat", primary_model="openai/gpt-4o")
    qtbot.addWidget(widget)
    widget.set_orq({})
    return widget


# -- retry ------------------------------------------------------------------------------------


def test_retry_codes_toggle_into_the_wire_shape(editor: OptionsEditor) -> None:
    retry = editor.retry
    retry.switch.setChecked(True)
    assert editor.orq() == {"retry": {"count": 3, "on_codes": [429]}}
    retry.codes.button(503).click()
    retry.codes.button(429).click()
    retry.count.setValue(2)
    assert editor.orq() == {"retry": {"count": 2, "on_codes": [503]}}
    assert editor.findChild(type(retry.codes), "retryCodes") is retry.codes
    assert editor.folds["retry"].summary() == "2× on 503"


def test_retry_count_outside_one_to_five_blocks_sending(editor: OptionsEditor) -> None:
    editor.retry.switch.setChecked(True)
    editor.retry.count.setValue(7)
    reason = "Retry attempts must be between 1 and 5 (you entered 7)."
    assert editor.retry.message.text() == reason
    assert editor.validity() == f"Retry: {reason}"
    editor.retry.count.setValue(0)
    assert editor.validity() == "Retry: Retry attempts must be between 1 and 5 (you entered 0)."
    editor.retry.count.setValue(5)
    assert editor.validity() is None
    assert editor.retry.message.isHidden()


def test_custom_codes_are_checked_and_out_of_range_ones_refused(editor: OptionsEditor) -> None:
    retry = editor.retry
    retry.switch.setChecked(True)
    assert retry.add_custom_code("520")
    assert retry.codes.button(520).isChecked()
    assert not retry.add_custom_code("600")
    assert retry.custom_message.text() == (
        "Retry on error codes only: a whole number from 400 to 599 (you entered “600”)."
    )
    assert not retry.add_custom_code("200")
    assert not retry.add_custom_code("４２９")  # digits, but not ASCII ones
    assert retry.add_custom_code("520")
    assert retry.custom_message.text() == "520 is already on: each code is sent once."
    assert not retry.add_custom_code("abc")
    assert editor.orq()["retry"]["on_codes"] == [429, 520]


def test_codes_that_never_help_are_warned_about_not_refused(editor: OptionsEditor) -> None:
    editor.retry.switch.setChecked(True)
    editor.retry.add_custom_code("401")
    assert editor.retry.note.text() == (
        "Retrying on 401 (bad key) never helps (non-transient): the same request fails the same "
        "way."
    )
    assert editor.validity() is None
    assert editor.orq()["retry"]["on_codes"] == [401, 429]


COUNT = "Retry attempts must be a whole number from 1 to 5"


@pytest.mark.parametrize(
    ("retry", "reason"),
    [
        ({"count": 2.5}, f"{COUNT} (the options loaded 2.5)"),
        ({"count": "3"}, f"{COUNT} (the options loaded “3”)"),
        ({"count": -1}, f"{COUNT} (the options loaded -1)"),
        ({"count": 2, "on_codes": [429, 200, "abc", 99]}, "Retry status codes must be whole "
         "numbers from 400 to 599 (the options loaded 200, “abc”, 99)"),
    ],
)  # fmt: skip
def test_loaded_values_the_controls_cannot_show_are_errors_until_chosen_again(
    editor: OptionsEditor, retry: dict[str, object], reason: str
) -> None:
    editor.set_orq({"retry": retry})
    assert editor.validity() is not None and editor.validity().startswith(f"Retry: {reason}")
    if "on_codes" not in retry:
        editor.retry.count.setValue(2)
    else:
        editor.retry.codes.button(429).click()
    assert editor.validity() is None
    sent = editor.orq()["retry"]
    assert sent["count"] == 2 and all(400 <= c <= 599 for c in sent.get("on_codes", []))


def test_no_code_means_the_routers_default(editor: OptionsEditor) -> None:
    editor.retry.switch.setChecked(True)
    editor.retry.codes.button(429).click()
    assert editor.orq() == {"retry": {"count": 3}}
    assert "retries on 429 only" in editor.retry.note.text()


# -- timeout ------------------------------------------------------------------------------------


def test_timeout_is_sent_in_milliseconds_with_the_worst_case(editor: OptionsEditor) -> None:
    editor.timeout.switch.setChecked(True)
    editor.timeout.seconds.setValue(12.5)
    assert editor.orq() == {"timeout": {"call_timeout": 12500}}
    assert editor.timeout.worst.text() == "Worst case: 1 attempt in about 12.5 s."
    editor.retry.switch.setChecked(True)  # 3 retries: 4 attempts plus 1 + 2 + 4 s of backoff
    assert editor.timeout.worst.text() == "Worst case: 4 attempts in about 58.8 s."


def test_zero_timeout_is_refused(editor: OptionsEditor) -> None:
    editor.timeout.switch.setChecked(True)
    editor.timeout.seconds.setValue(0)
    assert editor.validity() == "Timeout: Call timeout must be at least 1 ms (you entered 0)."


# -- cache ----------------------------------------------------------------------------------------


def test_cache_lifetime_in_human_units_is_sent_in_seconds(editor: OptionsEditor) -> None:
    cache = editor.cache
    cache.switch.setChecked(True)
    assert editor.orq() == {"cache": {"type": "exact_match", "ttl": 1800}}
    assert (cache.amount.value(), cache.unit.currentText()) == (30, "minutes")
    cache.unit.setCurrentIndex(cache.unit.findData(86400))
    cache.amount.setValue(3)
    assert editor.orq() == {"cache": {"type": "exact_match", "ttl": 259200}}
    assert editor.validity() is None
    assert editor.folds["cache"].summary() == "exact match, 3 days"


def test_cache_longer_than_three_days_is_refused(editor: OptionsEditor) -> None:
    cache = editor.cache
    cache.switch.setChecked(True)
    cache.unit.setCurrentIndex(cache.unit.findData(86400))
    cache.amount.setValue(4)
    assert editor.validity() == (
        "Cache: The cache can keep answers for at most 3 days (you chose 4 days)."
    )
    cache.amount.setValue(0)
    assert editor.validity() == "Cache: The cache must keep answers for at least 1 second."


def test_cache_loaded_without_ttl_stays_without_until_edited(editor: OptionsEditor) -> None:
    editor.set_orq({"cache": {"type": "exact_match"}})
    assert editor.orq() == {"cache": {"type": "exact_match"}}
    assert "router's default" in editor.cache.note.text()
    editor.cache.amount.setValue(2)
    assert editor.orq() == {"cache": {"type": "exact_match", "ttl": 120}}


def test_ttl_is_shown_in_the_largest_whole_unit(editor: OptionsEditor) -> None:
    for ttl, shown in ((90, (90, "seconds")), (7200, (2, "hours")), (86400, (1, "days"))):
        editor.set_orq({"cache": {"type": "exact_match", "ttl": ttl}})
        assert (editor.cache.amount.value(), editor.cache.unit.currentText()) == shown
        assert editor.orq()["cache"]["ttl"] == ttl


# -- load balancer --------------------------------------------------------------------------------


def test_load_balancer_shares_are_normalised_percentages(editor: OptionsEditor) -> None:
    lb = editor.load_balancer
    lb.switch.setChecked(True)
    assert lb.add_model("openai/gpt-4o", 0.6)
    assert lb.add_model("anthropic/claude-4-sonnet", 0.2)
    assert lb.shares() == pytest.approx([75.0, 25.0])
    assert [round(b.percent()) for b in lb.share_bars()] == [75, 25]
    lb.weight_box("anthropic/claude-4-sonnet").setValue(0.6)
    assert [round(b.percent()) for b in lb.share_bars()] == [50, 50]
    assert editor.orq() == {
        "load_balancer": {
            "type": "weight_based",
            "models": [
                {"model": "openai/gpt-4o", "weight": 0.6},
                {"model": "anthropic/claude-4-sonnet", "weight": 0.6},
            ],
        }
    }
    assert editor.folds["load_balancer"].summary() == "gpt-4o 50% · claude-4-sonnet 50%"


def test_load_balancer_weight_below_minimum_and_empty_list_are_refused(
    editor: OptionsEditor,
) -> None:
    lb = editor.load_balancer
    lb.switch.setChecked(True)
    assert editor.validity() == (
        "Load balancer: Add at least one model to balance between, or switch this off."
    )
    lb.add_model("openai/gpt-4o")
    lb.weight_box("openai/gpt-4o").setValue(0)
    assert editor.validity() == (
        "Load balancer: Load balancer weight must be between 0.001 and 1 (you entered 0)."
    )
    lb.weight_box("openai/gpt-4o").setValue(0.001)
    assert editor.validity() is None
    assert not lb.add_model("openai/gpt-4o")
    assert "already in the load balancer" in lb.add_message.text()
    lb.remove_model("openai/gpt-4o")
    assert lb.entries() == []


def test_load_balancer_keeps_the_list_shape_it_was_given(editor: OptionsEditor) -> None:
    old = {
        "load_balancer": [
            {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7},
            {"type": "weight_based", "model": "openai/gpt-4o-mini", "weight": 0.3},
        ]
    }
    editor.set_orq(old)
    assert editor.orq() == old
    assert editor.load_balancer.shares() == pytest.approx([70.0, 30.0])


# -- thread ---------------------------------------------------------------------------------------


def test_thread_is_on_by_default_with_a_ulid_id(qtbot: Any) -> None:
    fresh = OptionsEditor("chat")
    qtbot.addWidget(fresh)
    thread = fresh.orq()["thread"]
    assert thread["id"].startswith("thread_") and len(thread["id"]) == len("thread_") + 26
    new = fresh.new_thread()
    assert new != thread["id"]
    assert fresh.orq() == {"thread": {"id": new}}


def test_thread_tags_are_chips(editor: OptionsEditor) -> None:
    editor.thread.switch.setChecked(True)
    editor.thread.thread_id.setText("thread_1")
    editor.thread.tags.line_edit.setText("support, billing")
    editor.thread.tags.line_edit.returnPressed.emit()
    assert editor.orq() == {"thread": {"id": "thread_1", "tags": ["support", "billing"]}}
    assert len(editor.thread.tags.chip_buttons()) == 2
    editor.thread.tags.chip_buttons()[0].click()
    assert editor.orq() == {"thread": {"id": "thread_1", "tags": ["billing"]}}


def test_thread_without_id_is_refused(editor: OptionsEditor) -> None:
    editor.thread.switch.setChecked(True)
    editor.thread.thread_id.setText("")
    editor.thread.thread_id.textEdited.emit("")
    assert editor.validity() == "Thread: A thread needs an id: press New to make one."
    editor.thread.new_button.click()
    assert editor.validity() is None


# -- identity -------------------------------------------------------------------------------------


def fill_identity(editor: OptionsEditor, **fields: str) -> None:
    identity = editor.identity
    identity.switch.setChecked(True)
    identity.identity_id.setText(fields.pop("id", "user_42"))
    identity.identity_id.textEdited.emit(identity.identity_id.text())
    for key, text in fields.items():
        identity.fields[key].setText(text)
        identity.fields[key].textEdited.emit(text)


def test_identity_wire_shape_with_metadata_table(editor: OptionsEditor) -> None:
    fill_identity(editor, display_name="Jane Doe", email="jane@example.com")
    editor.identity.add_metadata_row("department", "Engineering")
    editor.identity.add_metadata_row("level", 3)
    assert editor.orq() == {
        "identity": {
            "id": "user_42",
            "display_name": "Jane Doe",
            "email": "jane@example.com",
            "metadata": [{"department": "Engineering", "level": 3}],
        }
    }
    editor.identity.metadata.item(1, 1).setText("4")  # edited: now it is the text typed
    assert editor.orq()["identity"]["metadata"] == [{"department": "Engineering", "level": "4"}]


def test_identity_email_and_id_are_checked(editor: OptionsEditor) -> None:
    fill_identity(editor, id="", display_name="Jane")
    assert editor.validity() == (
        "Identity: An identity needs an id (for example the user's id in your own system)."
    )
    fill_identity(editor, email="jane-at-example")
    assert editor.validity() == (
        'Identity: Email does not look like an email address (you entered "jane-at-example").'
    )
    assert editor.identity.message.isVisibleTo(editor.identity)
    fill_identity(editor, email="jane@example.com")
    assert editor.validity() is None


def test_metadata_needs_keys_that_do_not_repeat(editor: OptionsEditor) -> None:
    fill_identity(editor)
    editor.identity.add_metadata_row("", "orphan")
    assert editor.validity() == "Identity: Metadata row 1 has a value but no key."
    editor.identity.metadata.item(0, 0).setText("team")
    editor.identity.add_metadata_row("team", "b")
    assert editor.validity() == "Identity: The metadata key “team” appears twice."


def test_saved_identities_live_in_qsettings(qtbot: Any, tmp_path: Any) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    first = OptionsEditor("chat", settings=settings)
    qtbot.addWidget(first)
    fill_identity(first, id="user_7", display_name="Sam", email="sam@example.com")
    assert first.identity.save_current()
    second = OptionsEditor("chat", settings=settings)
    qtbot.addWidget(second)
    assert second.identity.saved_combo.itemText(0) == "Sam (user_7)"
    assert second.identity.use_saved("user_7")
    assert second.orq()["identity"] == {
        "id": "user_7",
        "display_name": "Sam",
        "email": "sam@example.com",
    }
    second.identity.forget_button.click()
    assert second.identity.saved.all() == []
    settings.setValue("options/saved_identities", "{not json")
    assert second.identity.saved.all() == []  # damaged settings are ignored


# -- knowledge bases ------------------------------------------------------------------------------


def test_knowledge_bases_send_only_what_is_set(editor: OptionsEditor) -> None:
    kb = editor.knowledge
    kb.switch.setChecked(True)
    assert editor.validity() == "Knowledge bases: Add a knowledge base, or switch this off."
    row = kb.add_row()
    assert editor.validity() == (
        "Knowledge bases: Knowledge base 1 needs its id (it starts with knowledge_)."
    )
    row.knowledge_id.setText("knowledge_01")
    row.knowledge_id.textEdited.emit("knowledge_01")
    assert editor.orq() == {"knowledge_bases": [{"knowledge_id": "knowledge_01"}]}
    row.top_k.set_value(8)
    row.threshold.set_value(0.75)
    row.search_type.setCurrentIndex(row.search_type.findData("vector_search"))
    assert editor.orq() == {
        "knowledge_bases": [
            {
                "knowledge_id": "knowledge_01",
                "top_k": 8,
                "threshold": 0.75,
                "search_type": "vector_search",
            }
        ]
    }
    assert editor.validity() is None


def test_knowledge_base_numbers_out_of_range_are_noted(editor: OptionsEditor) -> None:
    editor.set_orq({"knowledge_bases": [{"knowledge_id": "knowledge_1", "top_k": 500}]})
    assert editor.orq() == {"knowledge_bases": [{"knowledge_id": "knowledge_1", "top_k": 100}]}
    assert "Top K 500 is outside 1 to 100" in editor.knowledge.note.text()


def test_knowledge_base_keys_without_controls_are_kept(editor: OptionsEditor) -> None:
    kb = {"knowledge_id": "k1", "query": "refunds", "rerank_config": {"model": "cohere/r"}}
    editor.set_orq({"knowledge_bases": [kb]})
    assert editor.orq() == {"knowledge_bases": [kb]}
