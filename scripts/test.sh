#!/usr/bin/env bash
# Runs the whole test suite; installs what is missing first. The suite starts its own PostGIS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check --quiet .   # the linter first; pyproject.toml says what it checks
exec .venv/bin/pytest "$@"
