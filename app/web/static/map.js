// The console's coverage map: places coloured by a campaign's numbers, drilled down from county to
// village, then each household as a point. MapLibre GL JS draws the vector tiles of
// /v1/projects/{id}/tiles/...; where WebGL2 is missing, Leaflet draws the current place's children
// from /v1/projects/{id}/map-units. The table beside the map lists the same children. Every request
// goes with the session's cookie; the server cuts everything to the caller's places.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";

const root = document.getElementById("console-map");
const config = JSON.parse(root.dataset.config);
const words = JSON.parse(root.dataset.words);
const api = `/v1/projects/${config.project}`;
const campaignSelect = document.getElementById("campaign");

const NO_DATA = "#c1c7cd";
// Coverage: red (none screened) to green (all); share at risk: green (none) to red (half or more).
const STOPS = {
  coverage: [0, "#d73027", 0.5, "#fee08b", 1, "#1a9850"],
  at_risk_share: [0, "#1a9850", 0.25, "#fee08b", 0.5, "#d73027"],
};
const POINTS = { unscreened: "#9aa5b1", screened: "#3e7cb1", high: "#b42318", medium: "#f79009", low: "#fdb022" };
const RATES = { education: "compulsoryEducation", medical: "basicMedical", housing: "safeHousing",
                water: "safeDrinkingWater" };

const state = { campaign: campaignSelect ? campaignSelect.value : null, colourBy: "coverage",
                trail: [], units: [], sort: { key: "name", down: false } };
let view = null;        // {mode, map, ...}: what draws the map

const ready = start();
window.dixian = { state, ready, get view() { return view; } };

async function start() {
  if (!state.campaign) return;
  // The map opens on the caller's places, asked for first (the page preloads them), so that it never
  // fetches and draws tiles of the whole country before moving to them.
  const top = await fetchUnits(null);
  view = webgl2() ? await maplibreView(opening(null, top)) : leafletView();
  campaignSelect.addEventListener("change", () => { state.campaign = campaignSelect.value; reload(); });
  for (const radio of document.querySelectorAll("input[name=colour]")) {
    radio.addEventListener("change", () => { state.colourBy = radio.value; view.recolour(); legend(); });
  }
  document.getElementById("csv").addEventListener("click", downloadCsv);
  legend();
  showPlace(null, top);
  // A colour or a campaign chosen while the map was being made counts.
  const colour = document.querySelector("input[name=colour]:checked");
  if (colour && colour.value !== state.colourBy) {
    state.colourBy = colour.value;
    view.recolour();
    legend();
  }
  if (campaignSelect.value !== state.campaign) {
    state.campaign = campaignSelect.value;
    await reload();
  }
  await view.settled();
  // When the map was ready, in ms from navigation (User Timing), for scripts/bench_map.py.
  performance.mark("dixian:map-ready");
}

function webgl2() {
  try {
    return !!document.createElement("canvas").getContext("webgl2");
  } catch {
    return false;
  }
}

// ----- places: the children of the place opened, in the table, the breadcrumb and the fallback map

async function openPlace(unit) {
  showPlace(unit, await fetchUnits(unit));
}

// The children of `unit` (null: the caller's top places) in the campaign chosen, from the API. The
// page preloads the top places of its first campaign: the same URL, so the browser answers this from it.
async function fetchUnits(unit) {
  const parent = unit ? `&parent=${unit.numbers.code}` : "";
  const answer = await fetch(`${api}/map-units?campaign=${encodeURIComponent(state.campaign)}${parent}`,
                             { credentials: "same-origin" });
  if (!answer.ok) throw new Error(`map-units: ${answer.status}`);
  return (await answer.json()).units;
}

function showPlace(unit, units) {
  state.units = units;
  if (unit) state.trail.push(unit); else state.trail = [];
  crumbs();
  table();
  view.showUnits(units);
  const seen = opening(unit, units);
  if (seen) view.fit(seen.box, 14, seen.minZoom);
}

// Where the map shows `unit` opened on its children `units`: {box: [w, s, e, n], minZoom}, or null when
// none has bounds. Tiles hold townships from zoom 7 and villages from 9: a place opened is shown close
// enough for its children, even if it is then larger than the view.
function opening(unit, units) {
  const box = bounds(unit ? [unit] : units);
  return box && { box, minZoom: { township: 7, village: 9 }[units.length ? units[0].level : ""] || 0 };
}

// The campaign chosen changed: the same places opened again with its numbers. Resolves once they are.
function reload() {
  const trail = state.trail.slice();
  state.trail = [];
  view.reloadTiles();
  return openPlace(null).then(async () => {
    for (const unit of trail) await openPlace(unit);
  });
}

function bounds(units) {
  const boxes = units.map((u) => u.bounds).filter(Boolean);
  if (!boxes.length) return null;
  return [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
          Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
}

function drillable(unit) {
  return unit.level === "county" || unit.level === "township";
}

function crumbs() {
  const nav = document.getElementById("crumbs");
  nav.replaceChildren();
  const link = (text, depth) => {
    const a = document.createElement("a");
    a.textContent = text;
    a.addEventListener("click", async () => {
      const trail = state.trail.slice(0, depth);
      await openPlace(null);
      for (const unit of trail) await openPlace(unit);
    });
    return a;
  };
  nav.append(link(words.all, 0));
  state.trail.forEach((unit, depth) => {
    const sep = document.createElement("span");
    sep.className = "sep";
    sep.textContent = ">";
    nav.append(sep, link(unit.numbers.name || unit.numbers.code, depth + 1));
  });
}

// ----- the table of the children, sortable, and as CSV

function columns() {
  const codes = [...new Set(state.units.flatMap((u) => Object.keys(u.numbers.flaggedHouseholds || {})))].sort();
  return [
    ["name", words.place, (n) => n.name || n.code],
    ["registered", words.registered, (n) => n.registeredHouseholds],
    ["screened", words.screened, (n) => n.screenedHouseholds],
    ["coverage", words.coverage, (n) => n.coverage],
    ["at_risk", words.at_risk, (n) => n.householdsAtRisk],
    ["at_risk_share", words.at_risk_share, (n) => share(n.householdsAtRisk, n.screenedHouseholds)],
    // R21: the share of screened households with R1, R4, R8 or R9; past the ruleset's threshold, an alert.
    ["cluster_risk", words.cluster_risk, (n) => (n.clusterRisk ? n.clusterRisk.share : null)],
    ...Object.entries(RATES).map(([key, field]) => [key, words[key], (n) => n.rates[field]]),
    ...codes.map((code) => [`flag:${code}`, (words.flags || {})[code] || code,
                            (n) => (n.flaggedHouseholds || {})[code] || 0]),
  ];
}

function share(part, whole) {
  return whole ? Math.round((part / whole) * 10000) / 10000 : null;
}

function shown(value, key) {
  if (value === null || value === undefined) return "–";
  if (["coverage", "at_risk_share", "cluster_risk", ...Object.keys(RATES)].includes(key)) {
    return `${(value * 100).toFixed(1)}%`;
  }
  return String(value);
}

// Place names sort as a Chinese reader looks them up: by pinyin (芳乡 before 娜镇), not by code point;
// digits inside names by their value (2组 before 10组).
const NAMES = new Intl.Collator(["zh-CN-u-co-pinyin", "en"], { numeric: true });

function sortedUnits(cols) {
  const [, , read] = cols.find(([key]) => key === state.sort.key) || cols[0];
  const sign = state.sort.down ? -1 : 1;
  return state.units.slice().sort((a, b) => {
    const x = read(a.numbers), y = read(b.numbers);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === "string" && typeof y === "string") return NAMES.compare(x, y) * sign;
    return (x < y ? -1 : 1) * sign;
  });
}

function table() {
  const cols = columns();
  const head = document.querySelector("#children thead");
  const body = document.querySelector("#children tbody");
  const row = document.createElement("tr");
  for (const [key, title] of cols) {
    const th = document.createElement("th");
    th.textContent = title + (state.sort.key === key ? (state.sort.down ? " ▼" : " ▲") : "");
    th.dataset.key = key;
    th.addEventListener("click", () => {
      state.sort = { key, down: state.sort.key === key ? !state.sort.down : false };
      table();
    });
    row.append(th);
  }
  head.replaceChildren(row);
  body.replaceChildren(...sortedUnits(cols).map((unit) => {
    const tr = document.createElement("tr");
    tr.dataset.code = unit.numbers.code;
    if (drillable(unit)) tr.className = "drill";
    for (const [key, , read] of cols) {
      const td = document.createElement("td");
      td.textContent = shown(read(unit.numbers), key);
      if (key === "cluster_risk" && unit.numbers.clusterRisk && unit.numbers.clusterRisk.alert) {
        td.className = "alert";
        td.textContent = `⚠ ${td.textContent} ${words.cluster_alert}`;
        td.title = words.cluster_alert_title;
      }
      tr.append(td);
    }
    tr.firstChild.addEventListener("click", () => choose(unit));
    if (unit.level === "village" && config.households) {
      const td = document.createElement("td");
      const link = document.createElement("a");
      link.href = householdList(unit.numbers.code);
      link.textContent = words.household_list;
      td.append(link);
      tr.append(td);
    }
    return tr;
  }));
}

function downloadCsv() {
  const cols = columns();
  const quote = (v) => `"${String(v ?? "").replaceAll('"', '""')}"`;
  const lines = [cols.map(([, title]) => quote(title)).join(",")];
  for (const unit of sortedUnits(cols)) {
    lines.push(cols.map(([, , read]) => quote(read(unit.numbers))).join(","));
  }
  // A byte order mark, so that Excel on Chinese Windows reads the file as UTF-8.
  const blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const a = document.createElement("a");
  const place = state.trail.length ? state.trail[state.trail.length - 1].numbers.code : "all";
  a.href = URL.createObjectURL(blob);
  a.download = `coverage-${state.campaign}-${place}.csv`;
  a.click();
  URL.revokeObjectURL(a.href);
}

function legend() {
  const box = document.getElementById("legend");
  const stops = STOPS[state.colourBy];
  const items = [];
  for (let i = 0; i < stops.length; i += 2) items.push([stops[i + 1], `${Math.round(stops[i] * 100)}%`]);
  items.push([NO_DATA, words.no_data]);
  if (config.households) {
    // Households are drawn as dots, so their swatch is a dot of their colour (no text bullet beside it).
    items.push([POINTS.unscreened, words.unscreened, "point"], [POINTS.screened, words.screened_ok, "point"],
               [POINTS.high, words.high, "point"], [POINTS.medium, words.medium, "point"],
               [POINTS.low, words.low, "point"]);
  }
  box.replaceChildren(...items.map(([colour, text, shape]) => {
    const line = document.createElement("div");
    const swatch = document.createElement("span");
    swatch.className = shape ? `swatch ${shape}` : "swatch";
    swatch.style.background = colour;
    line.append(swatch, text);
    return line;
  }));
}

// A unit chosen in the table or on the map: a county or township opens; a village is zoomed to, where
// its households appear.
function choose(unit) {
  if (drillable(unit)) return openPlace(unit);
  // Close enough for its households (zoom 12 on), even when the village is too large to fit at that zoom.
  if (unit.bounds) view.fit(unit.bounds, 15, config.households ? 12 : 0);
  return Promise.resolve();
}

function householdList(village) {
  return `/projects/${config.project}/villages/${village}/households?campaign=${encodeURIComponent(state.campaign)}`;
}

function unitByCode(code) {
  return state.units.find((u) => u.numbers.code === code);
}

function numbersHtml(n) {
  const div = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = n.name || n.code;
  div.append(title);
  for (const [label, value] of [[words.registered, n.registered], [words.screened, n.screened],
                                [words.coverage, shown(n.coverage, "coverage")], [words.at_risk, n.at_risk],
                                [words.at_risk_share, shown(n.at_risk_share, "at_risk_share")]]) {
    const line = document.createElement("div");
    line.textContent = `${label}: ${value ?? "–"}`;
    div.append(line);
  }
  if (n.code && n.code.length === 12 && !n.code.endsWith("000") && config.households) {
    const link = document.createElement("a");
    link.href = householdList(n.code);
    link.textContent = words.household_list;
    div.append(link);
  }
  return div;
}

// ----- MapLibre GL JS (WebGL2)

function tiles(layer) {
  return [`${location.origin}${api}/tiles/${layer}/{z}/{x}/{y}.mvt?campaign=${encodeURIComponent(state.campaign)}`];
}

function fillColour() {
  return ["case", ["has", state.colourBy],
          ["interpolate", ["linear"], ["get", state.colourBy], ...STOPS[state.colourBy]], NO_DATA];
}

function basemap() {
  if (!config.tiandituKey) return { sources: {}, layers: [] };
  // Tianditu's Web Mercator layers (vec_w and its annotation cva_w): WGS84 points need no shift.
  const wmts = (layer) => [0, 1, 2, 3, 4, 5, 6, 7].map((n) =>
    `https://t${n}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
    `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${config.tiandituKey}`);
  return {
    sources: { tianditu: { type: "raster", tiles: wmts("vec"), tileSize: 256, attribution: "© 天地图" },
               tianditu_labels: { type: "raster", tiles: wmts("cva"), tileSize: 256 } },
    layers: [{ id: "tianditu", type: "raster", source: "tianditu" },
             { id: "tianditu_labels", type: "raster", source: "tianditu_labels" }],
  };
}

// `seen`: where the map opens (as opening() gives it), else on the whole country.
async function maplibreView(seen) {
  const base = basemap();
  // The places filled are the level the table lists (the children of the place opened), whatever the
  // zoom; tiles hold townships from zoom 7 and villages from zoom 9.
  const fill = (id, sourceLayer) => ({
    id, type: "fill", source: "units", "source-layer": sourceLayer,
    layout: { visibility: sourceLayer === "counties" ? "visible" : "none" },
    // Lighter from zoom 12 on, where the households' points are drawn over it.
    paint: { "fill-color": fillColour(),
             "fill-opacity": ["interpolate", ["linear"], ["zoom"], 11, base.layers.length ? 0.55 : 0.8, 12, 0.3] },
  });
  const line = (id, sourceLayer, minzoom, width) => ({
    id, type: "line", source: "units", "source-layer": sourceLayer, minzoom,
    paint: { "line-color": "#323f4b", "line-width": width },
  });
  const map = new maplibregl.Map({
    container: "map",
    style: {
      version: 8,
      sources: {
        ...base.sources,
        units: { type: "vector", tiles: tiles("units"), minzoom: 0, maxzoom: 16 },
        ...(config.households ? { households: { type: "vector", tiles: tiles("households"), minzoom: 12,
                                                maxzoom: 16 } } : {}),
      },
      layers: [
        ...base.layers,
        fill("counties-fill", "counties"), fill("townships-fill", "townships"), fill("villages-fill", "villages"),
        line("villages-line", "villages", 7, 0.6), line("townships-line", "townships", 5, 1.2),
        line("counties-line", "counties", 0, 2),
        ...(config.households ? [{
          id: "households", type: "circle", source: "households", "source-layer": "households", minzoom: 12,
          paint: {
            "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 4, 16, 8],
            "circle-color": ["match", ["get", "state"], "unscreened", POINTS.unscreened, "screened", POINTS.screened,
                             ["match", ["get", "severity"], "high", POINTS.high, "medium", POINTS.medium, POINTS.low]],
            "circle-stroke-color": "#fff", "circle-stroke-width": 0.8,
          },
        }] : []),
      ],
    },
    center: [105, 35], zoom: 3.5, attributionControl: false,
  });
  // `box` [w, s, e, n] in view, zoomed in at most to maxZoom and at least to minZoom.
  const fit = (box, maxZoom = 14, minZoom = 0) => {
    map.fitBounds([[box[0], box[1]], [box[2], box[3]]], { padding: 24, maxZoom, duration: 0 });
    if (map.getZoom() < minZoom) map.jumpTo({ zoom: minZoom });
  };
  // Moved there before the first frame, which is when tiles are first asked for: never the country's.
  if (seen) fit(seen.box, 14, seen.minZoom);
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  await new Promise((resolve) => map.once("load", resolve));

  const fills = ["counties-fill", "townships-fill", "villages-fill"];
  map.on("click", (event) => {
    const layers = [...(config.households ? ["households"] : []), ...fills];
    const [feature] = map.queryRenderedFeatures(event.point, { layers });
    if (!feature) return;
    if (feature.layer.id === "households") {
      const link = document.createElement("a");
      link.href = `${config.householdPage}${feature.id}`;
      link.textContent = words.open_household;
      // No close button: it would lie over the link; a click elsewhere closes the popup.
      new maplibregl.Popup({ closeButton: false }).setLngLat(event.lngLat).setDOMContent(link).addTo(map);
      return;
    }
    const unit = unitByCode(feature.properties.code);
    if (unit) choose(unit);
    new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(numbersHtml(feature.properties)).addTo(map);
  });
  for (const layer of [...fills, "households"]) {
    map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
  }
  return {
    mode: "maplibre",
    map,
    showUnits(units) {
      const level = units.length ? units[0].level : "county";
      const parent = state.trail.length ? state.trail[state.trail.length - 1].numbers.code : null;
      const prefix = parent ? parent.slice(0, parent.endsWith("000000") ? 6 : 9) : null;
      for (const [id, shown] of [["counties-fill", "county"], ["townships-fill", "township"],
                                 ["villages-fill", "village"]]) {
        map.setLayoutProperty(id, "visibility", shown === level ? "visible" : "none");
        const filter = prefix ? ["==", ["slice", ["get", "code"], 0, prefix.length], prefix] : null;
        // Set again unchanged, a filter would still make MapLibre lay out every tile of the source anew.
        if (JSON.stringify(map.getFilter(id) ?? null) !== JSON.stringify(filter)) map.setFilter(id, filter);
      }
    },
    fit,
    recolour() { for (const id of fills) map.setPaintProperty(id, "fill-color", fillColour()); },
    // Resolves once every tile in view is loaded. Looked at every 50 ms: after tiles are reloaded MapLibre
    // may come to rest without an `idle` event, or any frame drawn once it is.
    settled() {
      return new Promise((resolve) => {
        const look = () => (map.loaded() && map.areTilesLoaded() ? resolve() : setTimeout(look, 50));
        look();
      });
    },
    reloadTiles() {
      map.getSource("units").setTiles(tiles("units"));
      if (config.households) map.getSource("households").setTiles(tiles("households"));
    },
  };
}

// ----- Leaflet, where WebGL2 is missing: the children of the place opened, as GeoJSON

function leafletView() {
  const L = window.L;
  const notice = document.getElementById("notice");
  notice.textContent = words.simple_map;
  notice.hidden = false;
  const map = L.map("map", { attributionControl: false }).setView([35, 105], 4);
  if (config.tiandituKey) {
    L.tileLayer(`https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec` +
                `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}` +
                `&tk=${config.tiandituKey}`, { subdomains: "01234567" }).addTo(map);
  }
  let layer = null;
  const colour = (unit) => {
    const n = unit.numbers;
    const value = state.colourBy === "coverage" ? n.coverage : share(n.householdsAtRisk, n.screenedHouseholds);
    if (value === null || value === undefined) return NO_DATA;
    const stops = STOPS[state.colourBy];
    let best = stops[1];
    for (let i = 0; i < stops.length; i += 2) if (value >= stops[i]) best = stops[i + 1];
    return best;
  };
  const draw = () => {
    if (layer) layer.remove();
    const features = state.units.filter((u) => u.outline).map((u) => ({
      type: "Feature", geometry: u.outline, properties: { code: u.numbers.code } }));
    layer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: (f) => ({ color: "#323f4b", weight: 1, fillOpacity: 0.75, fillColor: colour(unitByCode(f.properties.code)) }),
      onEachFeature: (f, shape) => shape.on("click", () => choose(unitByCode(f.properties.code))),
    }).addTo(map);
  };
  return {
    mode: "leaflet",
    map,
    get layer() { return layer; },
    showUnits: draw,
    fit(box, maxZoom = 14) { map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { maxZoom }); },
    recolour: draw,
    settled: () => Promise.resolve(),
    reloadTiles() {},
  };
}
