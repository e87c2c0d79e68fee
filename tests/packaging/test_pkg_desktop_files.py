"""The .desktop entry and the AppStream metainfo: their content, and the standard validators.

The validators run when installed (Debian: ``desktop-file-utils``, ``appstream``); otherwise those
tests skip and say which package would run them.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import orq_desktop
from orq_desktop import paths

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "orq-desktop.desktop"
METAINFO = ROOT / "resources" / "io.orq.OrqDesktop.metainfo.xml"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def gui_script_name() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (name,) = project["gui-scripts"]
    return str(name)


def test_desktop_entry_launches_the_installed_program() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] == gui_script_name() == "orq-desktop"
    assert entry["TryExec"] == "orq-desktop"
    assert entry["Terminal"] == "false"
    assert entry["Icon"] == "orq-desktop"
    assert (ROOT / "resources" / "icons" / f"{entry['Icon']}.svg").is_file()


def test_desktop_entry_matches_the_window_it_opens() -> None:
    """The file name, StartupWMClass and the app's QGuiApplication.desktopFileName agree
    (test_pkg_cli checks the last against the running app), so docks group the window."""
    entry = desktop_entry()
    assert DESKTOP.stem == entry["StartupWMClass"] == paths.APP_NAME


def test_desktop_entry_describes_the_app() -> None:
    entry = desktop_entry()
    assert entry["Name"] == "Orq Desktop"
    assert entry["GenericName"]
    assert entry["Comment"] and len(entry["Comment"]) < 120
    assert entry["Categories"] == "Development;Utility;"
    keywords = entry["Keywords"].split(";")
    assert keywords[-1] == "" and {"AI", "LLM", "prompt", "router"} <= set(keywords)


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (Debian package desktop-file-utils)",
)
def test_desktop_entry_passes_desktop_file_validate() -> None:
    out = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stdout + out.stderr
    findings = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    # Hints are advice; the one expected is that two main categories were asked for.
    assert [f for f in findings if ": hint: " not in f] == []
    assert all("main category" in f for f in findings), findings


def test_metainfo_names_the_launcher_binary_and_release() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.orq.OrqDesktop"
    assert root.findtext("name") == desktop_entry()["Name"]
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.findtext("provides/binary") == gui_script_name()
    assert root.findtext("url[@type='homepage']", "").startswith("https://")
    assert root.find("content_rating[@type='oars-1.1']") is not None
    versions = [r.get("version") for r in root.iter("release")]
    assert orq_desktop.__version__ in versions


def test_metainfo_screenshots_are_the_readme_pictures() -> None:
    """Each screenshot is a file that packaging/screenshots.py makes in docs/screenshots/."""
    maker = (ROOT / "packaging" / "screenshots.py").read_text()
    urls = [image.text or "" for image in metainfo().iter("image")]
    assert urls
    for url in urls:
        assert url.startswith("https://")
        folder, _, name = url.rpartition("/")
        assert folder.endswith("/docs/screenshots")
        assert f'"{name}"' in maker, f"{name} is not a picture packaging/screenshots.py makes"


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli is not installed (Debian package appstream)",
)
def test_metainfo_passes_appstreamcli_validate() -> None:
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Validation was successful" in out.stdout
    # Nothing above the pedantic level (errors E:, warnings W:, infos I:).
    assert not [line for line in out.stdout.splitlines() if line[:2] in ("E:", "W:", "I:")]
