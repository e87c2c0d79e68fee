"""packaging/install_desktop_entry.sh puts the menu entry, icons and metainfo under a user's
XDG data folder and takes them out again; run here against a temporary XDG_DATA_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "install_desktop_entry.sh"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def run_script(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(data.parent)}
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=env
    )


def installed_files(data: Path) -> list[Path]:
    return [
        data / "applications" / "orq-desktop.desktop",
        data / "metainfo" / "io.orq.OrqDesktop.metainfo.xml",
        data / "icons/hicolor/scalable/apps/orq-desktop.svg",
        *(data / f"icons/hicolor/{n}x{n}/apps/orq-desktop.png" for n in SIZES),
    ]


def exec_lines(desktop: Path) -> list[str]:
    return [
        line for line in desktop.read_text().splitlines() if line.startswith(("Exec=", "TryExec="))
    ]


def test_install_then_uninstall(tmp_path: Path) -> None:
    data = tmp_path / "share"
    out = run_script(data, "install")
    assert out.returncode == 0, out.stderr
    for path in installed_files(data):
        assert path.is_file(), path
    assert (data / "icons/hicolor/48x48/apps/orq-desktop.png").read_bytes() == (
        ROOT / "resources/icons/orq-desktop-48.png"
    ).read_bytes()
    desktop = data / "applications" / "orq-desktop.desktop"
    assert desktop.read_text() == (ROOT / "resources" / "orq-desktop.desktop").read_text()

    out = run_script(data, "uninstall")
    assert out.returncode == 0, out.stderr
    assert [p for p in installed_files(data) if p.exists()] == []


def test_install_twice_is_harmless(tmp_path: Path) -> None:
    data = tmp_path / "share"
    assert run_script(data, "install").returncode == 0
    assert run_script(data, "install").returncode == 0
    assert all(p.is_file() for p in installed_files(data))


def test_exec_points_at_a_given_program_quoted_for_the_desktop(tmp_path: Path) -> None:
    """A bundle in a folder with a space (and a $) still launches: the Exec argument is quoted
    and escaped per the Desktop Entry spec; TryExec is the plain path."""
    program = tmp_path / "my apps" / "orq $1"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    data = tmp_path / "share"
    out = run_script(data, "install", "--exec", str(program))
    assert out.returncode == 0, out.stderr
    desktop = data / "applications" / "orq-desktop.desktop"
    quoted = '"' + str(program).replace("$", "\\\\$") + '"'
    assert exec_lines(desktop) == [
        f"Exec={quoted}",
        f"TryExec={program}",
        f"Exec={quoted} --demo",
    ]
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", "--no-hints", str(desktop)], capture_output=True, text=True
        )
        assert check.returncode == 0 and check.stdout == "", check.stdout


def test_exec_must_be_an_executable_file(tmp_path: Path) -> None:
    data = tmp_path / "share"
    out = run_script(data, "install", "--exec", str(tmp_path / "missing"))
    assert out.returncode == 1
    assert "not an executable file" in out.stderr
    assert not (data / "applications" / "orq-desktop.desktop").exists()


@pytest.mark.parametrize("args", [[], ["remove"], ["install", "--bogus"], ["uninstall", "x"]])
def test_wrong_use_prints_the_usage(tmp_path: Path, args: list[str]) -> None:
    out = run_script(tmp_path / "share", *args)
    assert out.returncode == 2
    assert out.stderr.startswith("usage:")


def test_a_relative_exec_path_becomes_absolute(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    program = tmp_path / "bin" / "orq-desktop"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    out = subprocess.run(
        ["bash", str(SCRIPT), "install", "--exec", "bin/orq-desktop"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    desktop = tmp_path / "share" / "applications" / "orq-desktop.desktop"
    assert exec_lines(desktop)[0] == f"Exec={program}"
