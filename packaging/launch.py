"""The bundle's entry point: the same as ``python -m orq_desktop`` and the ``orq-desktop`` script.

PyInstaller needs a script file outside the package to start from.
"""

import sys

from orq_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
