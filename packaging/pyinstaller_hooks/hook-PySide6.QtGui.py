"""Replaces PyInstaller's hook for PySide6.QtGui: the same Qt plugins, less the unused ones.

A plugin left out here is also left out of the binary dependency analysis, so the system
libraries that only it needs (GTK 3, cairo, pango for the GTK theme plugin; QtPdf, QtQml and
QtNetwork for the PDF image plugin) never reach the bundle.
"""

import re

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGINS = re.compile(
    r"plugins/("
    r"imageformats/libqpdf"  # PDF pages as images: pulls QtPdf, QtQml, QtNetwork
    r"|platformthemes/libqgtk3"  # GTK 3 theme: pulls the build machine's GTK, cairo, pango
    r"|egldeviceintegrations/"  # EGLFS on embedded boards
    r"|generic/libqtuiotouchplugin"  # TUIO touch events over the network: pulls QtNetwork
    r"|platforms/lib(qeglfs|qlinuxfb|qminimalegl|qvnc|qvkkhrdisplay)\."  # no desktop platforms
    r"|platforminputcontexts/libqtvirtualkeyboard"
    r")"
)

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [b for b in binaries if not UNUSED_PLUGINS.search(b[0].replace("\\", "/"))]
