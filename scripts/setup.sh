#!/usr/bin/env bash
# Installs what Dixian needs on Debian 12 (run as root), idempotently: system packages, then
# a virtualenv with the pinned Python packages. `--dev` adds what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(postgresql-15 postgresql-15-postgis-3 openjdk-17-jre-headless)
requirements=requirements.txt
if [[ "${1:-}" == "--dev" ]]; then
  requirements=requirements-dev.txt
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
# Reinstall only when the requirement files change (one stamp per file, so serve and test
# do not undo each other).
stamp=".venv/.installed-$requirements-$(cat requirements.txt "$requirements" constraints.txt | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "setup: installing Python packages from $requirements" >&2
  .venv/bin/pip install -q --disable-pip-version-check -r "$requirements" -c constraints.txt
  rm -f ".venv/.installed-$requirements-"*
  touch "$stamp"
fi
