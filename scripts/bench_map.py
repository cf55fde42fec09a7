"""Map benchmark: vector tiles and the map page on a province-sized area.

Builds a synthetic province in a throwaway PostgreSQL: 10 counties of 10 townships of 20 villages
(2,000 villages over 2 x 2 degrees, 111-113 E, 30-32 N, each a 32-vertex polygon whose edges its
neighbours share; townships and counties are their unions, as a places import makes them) and 500
households per village (1,000,000), placed at random in their village. A campaign screens 90% of them:
a submission, its version, its geopoint and its campaign row each, bulk-loaded with SQL (the ingest path
is measured by bench_ingest.py); a fifth of the screened households carry a risk flag.

Then gunicorn serves it as scripts/serve.sh does, and 8 clients (connections of wrk, Debian's HTTP load
generator, which scripts/setup.sh --dev installs) fetch random tiles at every zoom from 5 to 16 over the
area (units at every zoom, households from 12), as a county supervisor (every place), after as many
again have warmed the server;
and Chromium loads the map page cold and warm (until MapLibre's `idle` on the places it opens on).
Prints a table of zoom x p50/p95/max milliseconds and bytes, and the page times.

Targets (issue 13, this 2-core machine): unit tiles p95 < 50 ms at any zoom; household tiles p95
< 100 ms at zoom >= 12; every tile < 500 KB; the county map ready in < 2 s warm.

    .venv/bin/python scripts/bench_map.py
    .venv/bin/python scripts/bench_map.py --per-village 100 --tiles 100      # a quick run
    .venv/bin/python scripts/bench_map.py --keep                             # then, to time it again:
    .venv/bin/python scripts/bench_map.py --reuse /tmp/dixian-bench-XXXX
"""
import argparse
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests
from benchlib import REPO, gunicorn_serving, throwaway_cluster
from shapely.geometry import Polygon, mapping

from app import create_app

WEST, SOUTH, EAST, NORTH = 111.0, 30.0, 113.0, 32.0
COUNTIES, TOWNSHIPS, VILLAGES = (5, 2), (2, 5), (4, 5)          # (columns, rows) at each level
COLUMNS = COUNTIES[0] * TOWNSHIPS[0] * VILLAGES[0]                # 40 villages across
ROWS = COUNTIES[1] * TOWNSHIPS[1] * VILLAGES[1]                   # 50 down
EDGE_POINTS = 8                                                   # vertices along each side of a village
PASSWORD = "a long enough password"


def corner(i: int, j: int) -> tuple[float, float]:
    return WEST + (EAST - WEST) * i / COLUMNS, SOUTH + (NORTH - SOUTH) * j / ROWS


def wobble(*key) -> float:
    """The same offset (-1 to 1) for the same edge point, seen from either village beside it."""
    return random.Random(repr(key)).uniform(-1, 1)


def side(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
    """The points of the side from grid corner a to b (b excluded), wavy, the same for both neighbours."""
    (ax, ay), (bx, by) = corner(*a), corner(*b)
    first, second = sorted((a, b))
    # The offsets are taken across the side as drawn from its first corner to its second, whichever way
    # this village goes round, so that both neighbours draw the very same line.
    (fx, fy), (sx, sy) = corner(*first), corner(*second)
    normal = (-(sy - fy), sx - fx)
    points = []
    for k in range(EDGE_POINTS):
        t = k / EDGE_POINTS
        along = k if a == first else EDGE_POINTS - k          # the point's place counted from the first corner
        shift = 0.0 if k == 0 else 0.08 * wobble(first, second, along)
        points.append((ax + (bx - ax) * t + normal[0] * shift, ay + (by - ay) * t + normal[1] * shift))
    return points


def village_polygon(i: int, j: int) -> Polygon:
    ring = side((i, j), (i + 1, j)) + side((i + 1, j), (i + 1, j + 1)) + side((i + 1, j + 1), (i, j + 1)) \
        + side((i, j + 1), (i, j))
    return Polygon(ring)


def places_csv() -> bytes:
    """Province 99, one city, 10 counties, 100 townships, 2,000 villages; only villages have boundaries."""
    lines = ["code,level,parent_code,name,seismic_ge7,water_scarce,boundary_geojson",
             "990000000000,province,,合成省,0,0,", "990100000000,city,990000000000,合成市,0,0,"]
    for i in range(COLUMNS):
        for j in range(ROWS):
            ci, ti, vi = i // (TOWNSHIPS[0] * VILLAGES[0]), (i // VILLAGES[0]) % TOWNSHIPS[0], i % VILLAGES[0]
            cj, tj, vj = j // (TOWNSHIPS[1] * VILLAGES[1]), (j // VILLAGES[1]) % TOWNSHIPS[1], j % VILLAGES[1]
            county = f"9901{cj * COUNTIES[0] + ci + 1:02d}"
            township = f"{county}{tj * TOWNSHIPS[0] + ti + 1:03d}"
            village = f"{township}{vj * VILLAGES[0] + vi + 1:03d}"
            if vi == vj == 0:
                if ti == tj == 0:
                    lines.append(f"{county}000000,county,990100000000,合成{county[-2:]}县,0,0,")
                lines.append(f"{township}000,township,{county}000000,合成{township[-3:]}镇,0,0,")
            outline = json.dumps(mapping(village_polygon(i, j))).replace('"', '""')
            lines.append(f'{village},village,{township}000,合成{village[-3:]}村,0,0,"{outline}"')
    return ("\n".join(lines) + "\n").encode()


# Households in every village, placed at random inside it; then a campaign's screenings of `share` of
# them, each a submission, its version, its first geopoint (near the registered place) and its campaign
# row; one in five screened households has a risk flag (income below the line), one in ten of those
# also a low one.
LOAD_SQL = """
INSERT INTO household (project_id, household_code, admin_code, head_name, poverty_status, category, status,
    members, created_at, location)
SELECT :project, 'H' || v.code || lpad(d.path[1]::text, 4, '0'), v.code, '户主', 'ordinary', 'none', 'none', '[]',
    now(), d.geom
FROM admin_unit v, LATERAL ST_Dump(ST_GeneratePoints(v.boundary, :per_village, 7)) d
WHERE v.level = 'village';

CREATE TEMP TABLE screened AS
SELECT h.id AS household_id, h.admin_code, row_number() OVER (ORDER BY h.id) AS n,
    ST_SetSRID(ST_MakePoint(ST_X(h.location) + (random() - 0.5) * 0.0005, ST_Y(h.location) + (random() - 0.5) * 0.0005),
               4326) AS point
FROM household h WHERE h.project_id = :project AND random() < :share;

INSERT INTO submission (id, project_id, form_id, instance_id, current_version_id, submitter_id, created_at,
    admin_code, household_id, is_draft)
SELECT s.n, :project, :form, 'uuid:bench-' || s.n, s.n, :actor, now(), s.admin_code, s.household_id, false
FROM screened s;

INSERT INTO submission_version (id, submission_id, form_id, form_version_id, instance_id, xml, xml_sha256, answers,
    problems, encrypted, submitter_id, received_at)
SELECT s.n, s.n, :form, :form_version, 'uuid:bench-' || s.n, '\\x3c646174612f3e'::bytea, repeat('0', 64), '{}',
    '[]', false, :actor, now()
FROM screened s;

INSERT INTO geo_answer (submission_version_id, form_id, field_path, repeat_positions, kind, geom, raw)
SELECT s.n, :form, '/data/hh_gps', '{}', 'geopoint', s.point, ''
FROM screened s;

INSERT INTO campaign_household (campaign_id, household_id, village, screening_version_id, screening_on, persons,
    insured, school_age, out_of_school, screening_housing_unsafe, screening_water_unsafe, screening_flags, flag_codes,
    screening_location)
SELECT :campaign, s.household_id, s.admin_code, s.n, :day, 4, 4, 1, 0, false, false, f.codes, f.codes, s.point
FROM screened s,
LATERAL (SELECT CASE WHEN s.n % 50 = 0 THEN ARRAY['income_below_line', 'income_watch_10k']::varchar[]
                     WHEN s.n % 5 = 0 THEN ARRAY['income_below_line']::varchar[]
                     ELSE '{}'::varchar[] END AS codes) f;

SELECT setval('submission_id_seq', (SELECT max(id) FROM submission));
SELECT setval('submission_version_id_seq', (SELECT max(id) FROM submission_version));
"""


def load_province(per_village: int, share: float) -> tuple[int, str]:
    """Loads the province; returns (project id, campaign name)."""
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Form, FormVersion
    from app.services.accounts.app_users import create_app_user
    from app.services.accounts.grants import grant_role
    from app.services.accounts.users import create_user
    from app.services.coverage.campaigns import campaign_for_tiles, create_campaign
    from app.services.forms.folder import publish_directory
    from app.services.registry.imports import import_places

    app = create_app()
    with app.app_context():
        started = time.monotonic()
        import_places("province.csv", places_csv())
        project = publish_directory(REPO / "forms", "bench", blobs=app.extensions["blobstore"]).project_id
        device, _ = create_app_user(project, "bench device")
        form = db.session.query(Form).filter_by(project_id=project, xml_form_id="fpf_hh_screening").one()
        version = db.session.query(FormVersion).filter_by(form_id=form.id).first()
        day = date.today()
        campaign = create_campaign(project, "bench", day.replace(month=1, day=1), day.replace(month=12, day=31),
                                   ["fpf_hh_screening"])
        connection = db.session.connection()
        for statement in LOAD_SQL.split(";\n"):
            if statement.strip():
                connection.execute(text(statement), {
                    "project": project, "per_village": per_village, "share": share, "form": form.id,
                    "form_version": version.id, "actor": device.actor_id, "campaign": campaign.id, "day": day})
        db.session.commit()
        campaign_for_tiles(project, str(campaign.id))          # its numbers added up
        db.session.commit()
        # As autovacuum would after a bulk load: the visibility map set, so index-only scans read no rows.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
        create_user("county@example.org", PASSWORD)
        grant_role(project, "county@example.org", "manager", [])
        counts = db.session.execute(text(
            "SELECT (SELECT count(*) FROM admin_unit WHERE level = 'village'), (SELECT count(*) FROM household), "
            "(SELECT count(*) FROM campaign_household)")).one()
        print(f"loaded {counts[0]} villages, {counts[1]} households, {counts[2]} screened "
              f"in {time.monotonic() - started:.0f} s", file=sys.stderr)
        db.engine.dispose()
    return project, "bench"


def tile_at(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def time_tiles(url: str, project: int, campaign: str, token: str, tiles: int, clients: int,
               seed: int = 5) -> list[tuple]:
    """Random tiles over the province at each zoom (from random.Random(seed)), shuffled and dealt to
    `clients` connections of wrk (scripts/bench_tiles.lua times each request): rows of
    (layer, zoom, p50 ms, p95 ms, max ms, max bytes, mean bytes)."""
    rng = random.Random(seed)
    jobs = []
    for z in range(5, 17):
        for _ in range(tiles):
            jobs.append(("units", *tile_at(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), z)))
            if z >= 12:
                jobs.append(("households", *tile_at(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), z)))
    rng.shuffle(jobs)
    # wrk (C) rather than Python threads: the clients share the server's two cores, and 8 threads of
    # urllib3 took 12% of them (measured), time a request's wait for a core would count as the server's.
    with tempfile.TemporaryDirectory() as work:
        for client in range(clients):
            Path(work, f"jobs-{client}.txt").write_text("".join(
                f"/v1/projects/{project}/tiles/{layer}/{z}/{x}/{y}.mvt?campaign={campaign} {layer} {z}\n"
                for layer, z, x, y in jobs[client::clients]))
        started = time.perf_counter()
        wrk = subprocess.Popen(["wrk", f"-t{clients}", f"-c{clients}", "-d3600s", "--timeout", "60s",
                                "-H", f"Authorization: Bearer {token}", "-s", str(REPO / "scripts" / "bench_tiles.lua"),
                                url, "--", work], stdout=subprocess.DEVNULL)
        while not all(Path(work, f"done-{client}").exists() for client in range(clients)):
            if wrk.poll() is not None:
                raise SystemExit(f"wrk ended early ({wrk.returncode})")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        wrk.send_signal(signal.SIGINT)            # wrk runs for its -d unless interrupted
        wrk.wait(timeout=30)
        timed = [line.split() for client in range(clients)
                 for line in Path(work, f"times-{client}.txt").read_text().splitlines()]
    print(f"{len(jobs)} tiles in {elapsed:.1f} s", file=sys.stderr)
    assert len(timed) == len(jobs) and all(status == "200" for _, _, status, _, _ in timed), "a tile failed"
    results: dict[tuple, list] = {}
    for layer, z, _, ms, size in timed:
        results.setdefault((layer, int(z)), []).append((float(ms), int(size)))
    rows = []
    for (layer, z), values in sorted(results.items()):
        times = sorted(v[0] for v in values)
        sizes = [v[1] for v in values]
        rows.append((layer, z, statistics.median(times), times[int(len(times) * 0.95) - 1], times[-1],
                     max(sizes), statistics.mean(sizes)))
    return rows


def time_page(url: str, project: int) -> list[tuple[float, float]]:
    """The map page loaded cold (a new browser profile) and warm (loaded again, with the browser's cache):
    for each, (ms from navigation to the map ready, by the page's own clock: map.js's User Timing mark
    `dixian:map-ready`, set once every tile in view of the opened places is loaded; ms as this script waits
    for it, which adds Playwright's round trips)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/lib/chromium/chromium", args=[
            "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"])
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(f"{url}/login")
        page.fill("input[name=email]", "county@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/console")
        times = []
        for _ in range(2):
            started = time.perf_counter()
            page.goto(f"{url}/projects/{project}/map")
            page.wait_for_function("window.dixian && window.dixian.ready", timeout=60_000)
            page.evaluate("window.dixian.ready")
            assert page.evaluate("window.dixian.view.mode") == "maplibre"
            waited = (time.perf_counter() - started) * 1000
            times.append((page.evaluate("performance.getEntriesByName('dixian:map-ready')[0].startTime"), waited))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-village", type=int, default=500, help="households per village (500: 1,000,000)")
    parser.add_argument("--share", type=float, default=0.9, help="share of households screened")
    parser.add_argument("--tiles", type=int, default=200, help="random tiles per zoom and layer")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's (serve.sh: 2 x cores)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn's, per worker (serve.sh: 4)")
    parser.add_argument("--front-door", action="store_true",
                        help="through nginx as serve.sh runs it (one upstream connection a request), not straight "
                             "to gunicorn, where each kept-alive connection stays with the worker that took it")
    parser.add_argument("--keep", action="store_true", help="leave the database running afterwards")
    parser.add_argument("--reuse", metavar="DATA_DIR",
                        help="time the province an earlier --keep run left running (its printed data directory) "
                             "instead of loading one")
    args = parser.parse_args()
    if args.reuse:
        url, project = kept_province(args.reuse)
        os.environ.update({"DATABASE_URL": url, "DIXIAN_DATA_DIR": f"{args.reuse}/dixian"})
        measure(args, project, "bench")
        return
    with throwaway_cluster(durable=False, keep=args.keep, settings=" -c shared_buffers=1GB -c work_mem=32MB"):
        project, campaign = load_province(args.per_village, args.share)
        measure(args, project, campaign)


def kept_province(data: str) -> tuple[str, int]:
    """The database URL of the cluster an earlier --keep run left in `data`, and the province's project."""
    import psycopg
    port = Path(data, "data", "postmaster.pid").read_text().splitlines()[3]   # pid, directory, start, port
    url = f"postgresql://postgres@127.0.0.1:{port}/bench"
    with psycopg.connect(url) as connection:
        return url, connection.execute("SELECT project_id FROM campaign WHERE name = 'bench'").fetchone()[0]


def measure(args, project: int, campaign: str) -> None:
    """Times the tiles and the page on the loaded province and prints the table."""
    with gunicorn_serving(workers=args.workers, threads=args.threads, env={"BACKGROUND_JOBS_SECONDS": "0"},
                          front_door=args.front_door) as url:
        token = requests.post(f"{url}/v1/sessions", json={"email": "county@example.org", "password": PASSWORD},
                              timeout=30).json()["token"]
        # As on a server that has been up a while: the caches warm, and each worker's connections have
        # prepared the tile statements and planned them once for all (psycopg prepares a statement on
        # its fifth run on a connection, PostgreSQL keeps a generic plan after five more).
        time_tiles(url, project, campaign, token, 40, args.clients, seed=6)
        rows = time_tiles(url, project, campaign, token, args.tiles, args.clients)
        (cold, cold_waited), (warm, warm_waited) = time_page(url, project)
    print(f"{args.clients} clients, {args.tiles} random tiles per zoom and layer, "
          f"{args.per_village} households per village")
    print("layer       zoom   p50 ms   p95 ms   max ms   max KB  mean KB")
    for layer, z, p50, p95, worst, biggest, mean in rows:
        print(f"{layer:<11} {z:>4} {p50:>8.1f} {p95:>8.1f} {worst:>8.1f} {biggest / 1024:>8.1f} {mean / 1024:>8.1f}")
    print(f"map page ready (MapLibre idle, from navigation): cold {cold:.0f} ms, warm {warm:.0f} ms "
          f"(as this script waited for it: {cold_waited:.0f} and {warm_waited:.0f} ms)")


if __name__ == "__main__":
    main()
