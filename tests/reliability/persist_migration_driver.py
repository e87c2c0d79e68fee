"""The child process of the killed-migration test (P3): the product's upgrade, paused half-way.

    python persist_migration_driver.py <database> <ready-file>

Opens ``<database>`` (an older format) through ``orq_desktop.store.db.open_database`` with the
product's own migration steps, except that the last step's statement list is wrapped: after half
of its statements have run (inside the step's ``BEGIN IMMEDIATE`` transaction) it writes
``<ready-file>`` and sleeps until the parent kills it. Nothing in the product is patched.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from orq_desktop.store import db, schema


class PausingStatements(Sequence[str]):
    """A step's statements that stop half-way through and wait there (inside the transaction)."""

    def __init__(self, statements: Sequence[str], ready: Path) -> None:
        self._statements = list(statements)
        self._ready = ready

    def __len__(self) -> int:
        return len(self._statements)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._statements[index]

    def __iter__(self) -> Iterator[str]:
        half = len(self._statements) // 2
        for n, statement in enumerate(self._statements):
            if n == half:
                self._ready.write_text(f"paused after {n} of {len(self._statements)} statements")
                time.sleep(120)  # the parent's SIGKILL lands here
            yield statement


def main() -> int:
    path, ready = Path(sys.argv[1]), Path(sys.argv[2])
    *earlier, last = schema.MIGRATIONS
    steps = [*earlier, schema.Migration(last.version, PausingStatements(last.statements, ready))]
    db.open_database(path, steps)
    return 3  # only reached if the pause did not happen


if __name__ == "__main__":
    sys.exit(main())
