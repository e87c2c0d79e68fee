"""The reliability suite's set-up: the ``scenario`` marker, the report plugin, the canary key.

- ``@pytest.mark.scenario("N1", ...)`` tags a test with the fault plan's scenario ids
  (``rel_scenarios.SCENARIOS``).
- With ``ORQ_RELIABILITY_REPORT=<path>`` set, the outcome of every test in this folder is
  collected by scenario id and a markdown table is written to ``<path>`` at the end of the run.
- A canary key ``sk-orq-CANARY-<uuid4>`` is the suite's ``ORQ_API_KEY``; every file the suite's
  app code writes lives under one root (``rel_root``), and ``test_zz_canary_scan.py`` (collected
  last) scans that root, the suite's DEBUG log and captured subprocess output for the canary.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rel_app import ChatEnv, chat_env_factory
from rel_checks import check_heartbeat
from rel_report import CRASH_PREFIX, ReportCollector
from rel_scenarios import SCENARIOS
from rel_server import ScriptedRouter, Tracker, running
from rel_state import STATE as _STATE

REPORT_ENV = "ORQ_RELIABILITY_REPORT"
_HERE = Path(__file__).parent


_COLLECTOR = pytest.StashKey[ReportCollector]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scenario(*ids): the fault-plan scenario ids (RELIABILITY.md §6) a test covers"
    )
    config.stash[_COLLECTOR] = ReportCollector()
    _STATE["config"] = config


def scenario_ids(item: pytest.Item) -> tuple[str, ...]:
    ids: list[str] = []
    for mark in item.iter_markers("scenario"):
        ids.extend(str(a) for a in mark.args)
    if not ids and item.path.name.startswith(CRASH_PREFIX):
        ids.append("P2")
    return tuple(dict.fromkeys(ids))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    collector = config.stash[_COLLECTOR]
    for item in items:
        if _HERE not in item.path.parents:
            continue
        ids = scenario_ids(item)
        unknown = [i for i in ids if i not in SCENARIOS]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid}: unknown scenario ids {unknown}")
        collector.add_item(item.nodeid, ids)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # A hook of a conftest is called for the reports of every test; the collector ignores others.
    config = _STATE.get("config")
    if config is not None:
        config.stash[_COLLECTOR].add_report(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get(REPORT_ENV)
    collector = session.config.stash[_COLLECTOR]
    if target and collector.outcomes:
        collector.write(Path(target))


# -- the canary key and the suite's file root ---------------------------------------------------


@pytest.fixture(scope="session")
def rel_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every data dir, database, image folder, log and captured output of the suite lives here."""
    root = tmp_path_factory.mktemp("reliability")
    (root / "captured").mkdir()
    _STATE["root"] = root
    return root


@pytest.fixture(scope="session", autouse=True)
def canary_key(rel_root: Path) -> Iterator[str]:
    """``ORQ_API_KEY`` for the suite's app sessions, plus a DEBUG log of everything they say."""
    key = f"sk-orq-CANARY-{uuid.uuid4()}"
    _STATE["canary"] = key
    saved = {k: os.environ.get(k) for k in ("ORQ_API_KEY", "ORQ_DESKTOP_DATA_DIR")}
    os.environ["ORQ_API_KEY"] = key
    os.environ["ORQ_DESKTOP_DATA_DIR"] = str(rel_root / "appdata")
    handler = logging.FileHandler(rel_root / "suite-debug.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root_logger = logging.getLogger()
    old_level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.DEBUG)
    try:
        yield key
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(old_level)
        handler.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def rel_dir(rel_root: Path, request: pytest.FixtureRequest) -> Path:
    """A fresh folder for this test under the suite's root (scanned for the canary at the end)."""
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)[:80]
    path = rel_root / "tests" / name
    index = 0
    while path.exists():
        index += 1
        path = rel_root / "tests" / f"{name}-{index}"
    path.mkdir(parents=True)
    return path


# -- loopback servers and the chat machinery ----------------------------------------------------


@pytest.fixture
def router() -> Iterator[ScriptedRouter]:
    """A scripted router stand-in on loopback (``.script(Reply, ...)``, ``.seen``)."""
    yield from running(ScriptedRouter)


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    """A loopback server counting every request: remote resources in answers point here."""
    yield from running(Tracker)


@pytest.fixture
def make_chat(qtbot: Any, aloop: Any, rel_dir: Path) -> Iterator[Callable[..., ChatEnv]]:
    """``make_chat(url, read_timeout=, deadline=, max_retries=, history=)`` -> ``ChatEnv``."""
    yield from chat_env_factory(qtbot, rel_dir)


@pytest.fixture
def heartbeat_chat(make_chat: Any, heartbeat: Any) -> Iterator[Callable[..., ChatEnv]]:
    """``make_chat`` with the 5 ms heartbeat restarted once the widgets are built, and checked
    after the test: no gap over 250 ms while the fault plays out."""

    def make(*args: Any, **kwargs: Any) -> ChatEnv:
        env = make_chat(*args, **kwargs)
        heartbeat.start()
        return env

    yield make
    check_heartbeat(heartbeat)
