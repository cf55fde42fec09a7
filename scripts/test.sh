#!/usr/bin/env bash
# Runs the whole test suite; installs what is missing first. The suite starts its own PostGIS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
exec .venv/bin/pytest "$@"
