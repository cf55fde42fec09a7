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
mkdir -p "$vendor/maplibre-gl" "$vendor/leaflet" "$vendor/web-forms" "$vendor/vue" "$vendor/altcha"

# MapLibre GL JS 6 is ESM only; its module worker is loaded by URL next to maplibre-gl.mjs.
cp "$modules/maplibre-gl/dist/"{maplibre-gl.mjs,maplibre-gl-worker.mjs,maplibre-gl.css} "$vendor/maplibre-gl/"
cp "$modules/maplibre-gl/LICENSE.txt" "$vendor/maplibre-gl/LICENSE.txt"
# Leaflet: the fallback map where WebGL2 is missing.
cp -r "$modules/leaflet/dist/"{leaflet.js,leaflet.css,images} "$vendor/leaflet/"
cp "$modules/leaflet/LICENSE" "$vendor/leaflet/LICENSE"

# ODK Web Forms renders the residents' self-report form: a prebuilt library whose only bare import is
# "vue" (mapped by the page's import map). Its chunk names are hashed, so the whole dist/ is copied.
cp "$modules/@getodk/web-forms/dist/"*.js "$vendor/web-forms/"
# The npm package declares Apache-2.0 but ships no licence file: its package.json (which says so) and the
# licence's text from Debian's common-licenses go with the copy.
cp "$modules/@getodk/web-forms/package.json" "$vendor/web-forms/package.json"
cp /usr/share/common-licenses/Apache-2.0 "$vendor/web-forms/LICENSE"
cp "$modules/vue/dist/vue.runtime.esm-browser.prod.js" "$vendor/vue/"
cp "$modules/vue/LICENSE" "$vendor/vue/LICENSE"
# ALTCHA: the self-hosted proof-of-work widget (its workers are inlined as blob: URLs) and its Chinese texts.
cp "$modules/altcha/dist/main/altcha.min.js" "$vendor/altcha/"
cp "$modules/altcha/dist/i18n/zh-cn.js" "$vendor/altcha/zh-cn.js"
cp "$modules/altcha/LICENSE.txt" "$vendor/altcha/LICENSE.txt"

for package in maplibre-gl leaflet @getodk/web-forms vue altcha; do
  version="$(node -p "require('$modules/$package/package.json').version")"
  echo "$package $version" > "$vendor/${package#@getodk/}/VERSION"
done
echo "vendor: $(cat "$vendor"/*/VERSION | tr '\n' ' ')into $vendor" >&2
