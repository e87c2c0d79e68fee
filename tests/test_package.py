"""The package installs, imports and reports its version; the layers stay Qt-free below core."""

from __future__ import annotations

import subprocess
import sys

import orq_desktop


def test_version_is_a_string() -> None:
    assert orq_desktop.__version__.count(".") == 2


def test_layers_below_core_do_not_import_qt() -> None:
    code = (
        "import sys\n"
        "import orq_desktop.api, orq_desktop.domain, orq_desktop.store, orq_desktop.simulator\n"
        "import orq_desktop.paths\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'qasync'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_uses_qtcore_only() -> None:
    """core/ holds sessions and signals; widgets and painting belong to ui/."""
    from pathlib import Path

    core = Path(orq_desktop.__file__).parent / "core"
    offenders = [
        f"{path.name}:{n}"
        for path in core.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.lstrip().startswith(
            (
                "from PySide6.QtWidgets",
                "from PySide6.QtGui",
                "import PySide6.QtWidgets",
                "import PySide6.QtGui",
            )
        )
    ]
    assert offenders == []
