#!/usr/bin/env bash
# Installs what Dixian needs on Debian 12 (run as root), idempotently: system packages, then
# a virtualenv with the pinned Python packages. `--dev` adds what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx: the front door (app/frontdoor), run with its own configuration, never Debian's. fonts-noto-cjk:
# the Chinese text of the self-report posters (PDF).
packages=(postgresql-15 postgresql-15-postgis-3 openjdk-17-jre-headless nginx fonts-noto-cjk)
requirements=requirements.txt
if [[ "${1:-}" == "--dev" ]]; then
  requirements=requirements-dev.txt
  # The front door's tests make a TLS certificate (openssl) and watch the blob store's fsyncs (strace);
  # the console's tests drive Debian's Chromium through Playwright (no browser download), with CJK fonts
  # for the Chinese pages' screenshots; the posters' QR codes are read back with zbar (libzbar0);
  # scripts/bench_map.py fetches tiles with wrk, whose clients cost the shared cores little.
  packages+=(openssl strace chromium libzbar0 wrk)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts its own nginx (the welcome page on port 80) on install and at boot; Dixian's front
  # door is a separate nginx started by scripts/serve.sh. Only when this script installed nginx.
  if [[ " ${missing[*]} " == *" nginx "* ]]; then
    if [[ -d /run/systemd/system ]]; then
      systemctl disable --now nginx.service >/dev/null 2>&1 || true
    else
      { invoke-rc.d nginx stop; update-rc.d nginx disable; } >/dev/null 2>&1 || true
    fi
  fi
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
