"""Coverage benchmark: the coverage endpoint on a full synthetic county.

Loads a county (default 250 villages, 120k households), sends its screening campaign
(default 120k submissions, 5% with housing and water inspections) through the OpenRosa
endpoint of gunicorn, then times GET /v1/projects/{id}/coverage at village, township and
county level: the first read after the campaign, which adds up what the background coverage job
(BACKGROUND_JOBS_SECONDS) has not; repeated reads; reads that add up every village in the
request (as right after a registry import, before the refresher gets to it); and the first read
after a batch of revisits spread over the whole county (every village changed).
PostgreSQL runs with synchronous_commit off here: the load is set-up, the reads are what
is measured.

    .venv/bin/python scripts/bench_coverage.py
    .venv/bin/python scripts/bench_coverage.py --villages 200 --households 50000 --submissions 50000
"""
import argparse
import dataclasses
import random
import statistics
import sys
import time

import requests
from benchlib import bench_server

from app.extensions import db
from app.services.accounts.users import create_user
from app.services.coverage.campaign_households import forget_coverage
from demo.simulate import CAMPAIGN, simulate_campaign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=250)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--submissions", type=int, default=120_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--revisits", type=int, default=3000, help="the batch sent between two reads")
    parser.add_argument("--keep", action="store_true", help="leave the database running afterwards")
    args = parser.parse_args()

    started = time.monotonic()
    with bench_server(villages=args.villages, households=args.households, durable=False, keep=args.keep) as server:
        print(f"county loaded in {time.monotonic() - started:.0f}s: {len(server.county.villages)} villages, "
              f"{len(server.county.households)} households", flush=True)
        started = time.monotonic()
        report = simulate_campaign(server.county, server.loaded, server.url,
                                   households=min(args.submissions, len(server.county.households)),
                                   clients=args.clients)
        elapsed = time.monotonic() - started
        print(f"campaign sent in {elapsed:.0f}s ({report.sent / elapsed:.0f}/s): {report.accepted} accepted, "
              f"{len(report.failed)} failed", flush=True)
        from app import create_app
        app = create_app()
        with app.app_context():
            create_user("bench@example.org", "bench password 1", app.config["DIGEST_REALM"], admin=True)
        token = requests.post(f"{server.url}/v1/sessions", timeout=30,
                              json={"email": "bench@example.org", "password": "bench password 1"}).json()["token"]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        url = f"{server.url}/v1/projects/{server.loaded.project_id}/coverage"
        server.psql("VACUUM ANALYZE")

        def read(level: str) -> tuple[float, list]:
            started = time.perf_counter()
            response = http.get(url, params={"campaign": CAMPAIGN, "level": level}, timeout=60)
            assert response.status_code == 200, response.text
            return (time.perf_counter() - started) * 1000, response.json()["units"]

        first, _ = read("county")
        print(f"first read after the campaign: {first:.0f} ms")
        print(f"{'level':>9} {'units':>6} {'p50 ms':>7} {'max ms':>7}")
        for level in ("village", "township", "county"):
            timings, units = zip(*(read(level) for _ in range(args.repeat)), strict=True)
            print(f"{level:>9} {len(units[0]):>6} {statistics.median(timings):>7.0f} {max(timings):>7.0f}", flush=True)
        county = units[0][0]

        def read_afresh() -> float:
            with app.app_context():   # as after a registry import: every village is added up again
                forget_coverage(db.session.connection(), server.loaded.project_id)
                db.session.commit()
            return read("county")[0]
        afresh = [read_afresh() for _ in range(args.repeat)]
        print(f"read adding up all {len(server.county.villages)} villages ({args.repeat} times): "
              f"p50 {statistics.median(afresh):.0f} ms, max {max(afresh):.0f} ms", flush=True)
        # Revisits of households drawn from the whole county; the half dated after the first visit replace it.
        revisited = dataclasses.replace(server.county,
                                        households=random.Random(7).sample(server.county.households, args.revisits))
        report = simulate_campaign(revisited, server.loaded, server.url, households=args.revisits,
                                   clients=args.clients, seed=99)
        touched = len({h.village for h in revisited.households})
        after, _ = read("county")
        again, _ = read("county")
        print(f"after {report.accepted} revisits in {touched} villages: first read {after:.0f} ms, next {again:.0f} ms")
        print(f"county: {county['registeredHouseholds']} registered, {county['screenedHouseholds']} screened, "
              f"coverage {county['coverage']}, rates {county['rates']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
