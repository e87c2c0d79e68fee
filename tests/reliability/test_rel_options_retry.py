"""B4-B5 end to end: the retry count and codes typed into the real options editor, wired to a
real chat on the scripted router (test_rel_options_env.py). Refused values leave the kept options
(the routing state and the history's thread row) as they were and send nothing; what is sent is
exactly what is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from test_rel_options_env import OptionsEnv, options_env_factory

pytestmark = pytest.mark.gui

RANGE = "Retry: Retry attempts must be between 1 and 5"


@pytest.fixture
def make_options(qtbot: Any, aloop: Any, rel_dir: Path) -> Iterator[Callable[[str], OptionsEnv]]:
    """``make_options(router.url)`` -> an ``OptionsEnv`` (closed after the test)."""
    yield from options_env_factory(qtbot, rel_dir)


def with_retry(env: OptionsEnv) -> OptionsEnv:
    """Retry switched on by a click, and one turn sent so the history keeps the options."""
    switch = env.editor.retry.switch
    assert switch is not None
    env.click_check_box(switch)
    assert switch.isChecked()
    env.send_and_wait("Hello")
    env.type_prompt("next question")
    return env


def type_count(env: OptionsEnv, text: str) -> None:
    """Select the attempts box's text and type ``text`` over it, as a user would."""
    box = env.editor.retry.count
    line = box.lineEdit()
    line.setFocus()
    line.selectAll()
    env.qtbot.keyClicks(line, text)
    env.qtbot.keyClick(line, Qt.Key.Key_Tab)  # leave the box: the value is committed


def sent_retry(router: Any) -> Any:
    return json.loads(router.seen[-1].body)["orq"]["retry"]


@pytest.mark.scenario("B4")
@pytest.mark.parametrize("typed", ["0", "6"])
def test_b4_a_count_out_of_range_names_the_range_and_keeps_the_options(
    router: Any, make_options: Any, typed: str
) -> None:
    env = with_retry(make_options(router.url))
    saved = env.config_hash()
    type_count(env, typed)
    assert env.editor.retry.count.value() == int(typed)
    reason = f"{RANGE} (you entered {typed})."
    assert env.editor.validity() == reason
    assert env.editor.retry.message.text() == reason.removeprefix("Retry: ")
    assert env.blocked() and env.panel.composer.send_button.toolTip() == reason
    env.click_send()
    env.press_send_shortcut()
    assert len(router.seen) == 1 and env.config_hash() == saved
    assert env.panel.prompt_input.toPlainText() == "next question"
    type_count(env, "4")  # a count in range goes out as it is kept
    assert env.editor.validity() is None
    env.click_send()
    env.qtbot.waitUntil(lambda: env.finished() == 2, timeout=15_000)
    env.wait_saved()
    assert sent_retry(router)["count"] == 4 == env.saved_options()[0]["orq"]["retry"]["count"]


@pytest.mark.scenario("B4")
@pytest.mark.parametrize(("before", "typed"), [("1", "-1"), ("2", "2.5"), ("3", "3")])
def test_b4_signs_and_fractions_cannot_be_typed_into_the_attempts(
    router: Any, make_options: Any, before: str, typed: str
) -> None:
    """The box takes digits only: "-1" keeps 1, "2.5" keeps 2, "3" is the integer 3."""
    env = with_retry(make_options(router.url))
    type_count(env, before)
    saved = env.config_hash()
    type_count(env, typed)
    box = env.editor.retry.count
    assert box.value() == int(before) and box.text() == f"{before} times"
    assert env.editor.validity() is None and env.config_hash() == saved
    assert env.routing.orq()["retry"]["count"] == int(before)


@pytest.mark.scenario("B4")
@pytest.mark.parametrize(("loaded", "shown"), [(2.5, "2.5"), ("3", "“3”"), (-1, "-1"), (6, "6")])
def test_b4_a_loaded_count_that_is_not_1_to_5_blocks_sending(
    router: Any, make_options: Any, loaded: Any, shown: str
) -> None:
    """A pasted request or an old preset: never rounded or read as a number; 0 requests."""
    env = with_retry(make_options(router.url))
    saved_row = env.saved_options()
    env.routing.set_orq({"retry": {"count": loaded, "on_codes": [429]}})
    assert env.editor.validity() == (
        f"Retry: Retry attempts must be a whole number from 1 to 5 (the options loaded {shown}): "
        "choose the attempts again."
    )
    assert env.blocked()
    env.click_send()
    env.press_send_shortcut()
    assert len(router.seen) == 1 and env.saved_options() == saved_row
    type_count(env, "2")
    assert env.editor.validity() is None and env.routing.orq()["retry"]["count"] == 2


def add_code(env: OptionsEnv, text: str) -> str:
    """Type ``text`` into the other-code box and press Enter; the reason shown (or "")."""
    retry = env.editor.retry
    retry.custom.setFocus()
    retry.custom.selectAll()
    env.qtbot.keyClicks(retry.custom, text)
    env.qtbot.keyClick(retry.custom, Qt.Key.Key_Return)
    return retry.custom_message.text()


@pytest.mark.scenario("B5")
def test_b5_retry_codes_outside_400_599_are_refused_and_what_is_sent_is_what_is_kept(
    router: Any, make_options: Any
) -> None:
    env = with_retry(make_options(router.url))
    retry = env.editor.retry
    saved = env.config_hash()
    for text in ("99", "600", "200", "abc", "4O4", "-429", "429.5"):
        assert add_code(env, text) == (
            f"Retry on error codes only: a whole number from 400 to 599 (you entered “{text}”)."
        ), text
        assert retry.custom.text() == text  # left to be corrected
        assert env.config_hash() == saved
    assert retry.codes.codes() == [429]

    # 429 again is kept once; 501 and 401 are taken, with the non-transient warning.
    assert add_code(env, "429") == "429 is already on: each code is sent once."
    assert add_code(env, "501") == "" and add_code(env, "401") == ""
    assert retry.codes.codes() == [401, 429, 501]
    assert retry.note.text() == (
        "Retrying on 401 (bad key), 501 (not supported) never helps (non-transient): the same "
        "request fails the same way."
    )
    assert retry.note.isVisible() and env.editor.validity() is None
    env.click(retry.codes.button(503))
    assert add_code(env, "403") == ""
    assert "403 (no access)" in retry.note.text()

    kept = env.routing.orq()["retry"]
    assert kept == {"count": 3, "on_codes": [401, 403, 429, 501, 503]}
    env.click_send()
    env.qtbot.waitUntil(lambda: env.finished() == 2, timeout=15_000)
    env.wait_saved()
    assert sent_retry(router) == kept == env.saved_options()[0]["orq"]["retry"]


@pytest.mark.scenario("B5")
def test_b5_loaded_codes_are_checked_and_duplicates_sent_once(
    router: Any, make_options: Any
) -> None:
    env = with_retry(make_options(router.url))
    saved_row = env.saved_options()
    env.routing.set_orq({"retry": {"count": 2, "on_codes": [429, 429, 99, 200, 600, "abc", 503]}})
    assert env.editor.validity() == (
        "Retry: Retry status codes must be whole numbers from 400 to 599 (the options loaded "
        "99, 200, 600, “abc”): choose the codes again."
    )
    assert env.blocked()
    env.click_send()
    env.press_send_shortcut()
    assert len(router.seen) == 1 and env.saved_options() == saved_row
    # Choosing the codes again (a click on 500) drops the unreadable ones; 429 goes out once.
    env.click(env.editor.retry.codes.button(500))
    assert env.editor.validity() is None
    kept = env.routing.orq()["retry"]
    assert kept == {"count": 2, "on_codes": [429, 500, 503]}
    env.click_send()
    env.qtbot.waitUntil(lambda: env.finished() == 2, timeout=15_000)
    env.wait_saved()
    assert sent_retry(router) == kept == env.saved_options()[0]["orq"]["retry"]
