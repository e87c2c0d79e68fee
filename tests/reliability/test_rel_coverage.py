"""Every scenario of the fault plan has a test; the report table is generated from the run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rel_report import CRASH_PREFIX, ReportCollector
from rel_scenarios import NOTES, SCENARIOS

HERE = Path(__file__).parent


def tagged_ids(path: Path) -> set[str]:
    """The ids in every ``scenario(...)`` marker call of a test module (read, not imported)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "scenario":
                found.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return found


def test_the_plan_has_61_scenarios() -> None:
    groups = {prefix: sum(1 for s in SCENARIOS if s.startswith(prefix)) for prefix in "BNPKSU"}
    assert groups == {"B": 13, "N": 21, "P": 11, "K": 5, "S": 8, "U": 3}
    assert set(NOTES) <= set(SCENARIOS)


def test_every_scenario_has_at_least_one_test() -> None:
    covered: set[str] = set()
    for path in sorted(HERE.glob("test_*.py")):
        ids = tagged_ids(path)
        if path.name.startswith(CRASH_PREFIX) and not ids:
            ids = {"P2"}
        unknown = ids - set(SCENARIOS)
        assert not unknown, f"{path.name} tags unknown scenario ids {sorted(unknown)}"
        covered |= ids
    missing = [sid for sid in SCENARIOS if sid not in covered]
    assert missing == [], f"scenarios without a test: {missing}"


def test_collected_items_carry_their_scenario_ids(request: pytest.FixtureRequest) -> None:
    """The marker is registered and read back by the plugin (this test tags no scenario)."""
    assert any(line.startswith("scenario(") for line in request.config.getini("markers")), (
        "the scenario marker is not registered"
    )


class _Report:
    def __init__(self, nodeid: str, when: str, outcome: str, **extra: object) -> None:
        self.nodeid, self.when, self.duration = nodeid, when, 0.1
        self.failed = outcome == "failed"
        self.skipped = outcome == "skipped"
        self.passed = outcome == "passed"
        self.longrepr = extra.get("longrepr")
        if "wasxfail" in extra:
            self.wasxfail = extra["wasxfail"]


def test_the_table_shows_each_outcome_by_scenario() -> None:
    collector = ReportCollector()
    collector.add_item("tests/reliability/test_a.py::test_ok", ("N1", "N2"))
    collector.add_item("tests/reliability/test_a.py::test_skip", ("N2",))
    collector.add_item("tests/reliability/test_a.py::test_xf", ("K2",))
    collector.add_item("tests/reliability/test_a.py::test_bad", ("B1",))
    collector.add_report(_Report("tests/reliability/test_a.py::test_ok", "setup", "passed"))
    collector.add_report(_Report("tests/reliability/test_a.py::test_ok", "call", "passed"))
    collector.add_report(
        _Report(
            "tests/reliability/test_a.py::test_skip", "setup", "skipped",
            longrepr=("f.py", 1, "Skipped: needs FUSE"),
        )
    )  # fmt: skip
    collector.add_report(
        _Report("tests/reliability/test_a.py::test_xf", "call", "skipped", wasxfail="no filter")
    )
    collector.add_report(_Report("tests/reliability/test_a.py::test_bad", "call", "failed"))
    table = {
        line.split("|")[1].strip(): line for line in collector.render().splitlines()
        if line.startswith("| ") and not line.startswith("| id")
    }  # fmt: skip
    assert len(table) == 61
    assert table["N1"].endswith("| passed |")
    assert "skipped (needs FUSE)" in table["N2"] and "`test_a.py::test_ok`" in table["N2"]
    assert "xfail (no filter)" in table["K2"]
    assert "not offered by design" in table["K2"]
    assert table["B1"].endswith("| failed |")
    assert table["U3"].endswith("| **no test** |")
