#!/usr/bin/env bash
# Every check CI runs: lint, format, types, layer contracts, then the test suite (Qt offscreen,
# inside a private D-Bus session with an unlocked gnome-keyring for the keyring tests).
# Expects the virtual environment from packaging/bootstrap.sh on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

say "ruff check";            ruff check .
say "ruff format --check";   ruff format --check .
say "mypy (strict below ui/)"; mypy
say "import-linter";         lint-imports
say "pytest"
export QT_QPA_PLATFORM=offscreen
exec bash tests/with_secret_service.sh python -m pytest "$@"
