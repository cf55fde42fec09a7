#!/usr/bin/env bash
# Installs the console's browser libraries exactly as package-lock.json pins them (npm ci) and copies
# their built files, with their licences, into app/web/static/vendor/. The copies are committed: a
# server needs no Node and no CDN (the console must work on an intranet). Run after changing a version
# in package.json (then `npm install --package-lock-only` first, to update the lockfile).
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
modules="$work/node_modules"
vendor=app/web/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/maplibre-gl" "$vendor/leaflet"

# MapLibre GL JS 6 is ESM only; its module worker is loaded by URL next to maplibre-gl.mjs.
cp "$modules/maplibre-gl/dist/"{maplibre-gl.mjs,maplibre-gl-worker.mjs,maplibre-gl.css} "$vendor/maplibre-gl/"
cp "$modules/maplibre-gl/LICENSE.txt" "$vendor/maplibre-gl/LICENSE.txt"
# Leaflet: the fallback map where WebGL2 is missing.
cp -r "$modules/leaflet/dist/"{leaflet.js,leaflet.css,images} "$vendor/leaflet/"
cp "$modules/leaflet/LICENSE" "$vendor/leaflet/LICENSE"

for package in maplibre-gl leaflet; do
  version="$(node -p "require('$modules/$package/package.json').version")"
  echo "$package $version" > "$vendor/$package/VERSION"
done
echo "vendor: $(cat "$vendor"/*/VERSION | tr '\n' ' ')into $vendor" >&2
