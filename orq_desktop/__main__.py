"""``python -m orq_desktop`` starts the desktop app."""

import sys

from orq_desktop.app import main

sys.exit(main())
