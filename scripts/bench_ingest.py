"""Ingest benchmark: gunicorn on a fresh PostGIS, driven by Collect-like clients.

Starts its own PostgreSQL cluster (default durability: fsync and synchronous_commit
on), migrates, loads a synthetic county (places, registry, the forms in forms/), creates
a device account and starts gunicorn. Then, for each client count, N threads each do
what Collect does per submission: HEAD /submission, then a multipart POST of a
household screening with a unique instanceID, 5 members, a geopoint inside the
household's village and optionally a photo. Prints submissions/s, latency percentiles,
errors, and whether the rows stored equal the 201s received.

    .venv/bin/python scripts/bench_ingest.py --clients 1 8 32 --photo-kb 0 200 --seconds 20
    .venv/bin/python scripts/bench_ingest.py --clients 32 --photo-kb 0 --rules off   # what the rules cost
"""
import argparse
import http.client
import os
import random
import statistics
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit

from benchlib import bench_server

from demo.submissions import collect_multipart, member_xml, screening_xml


def household_xml(county, rng: random.Random, photo_name: str | None) -> tuple[bytes, str]:
    """A screening of a registered household with 5 members and a geopoint inside its village."""
    h = county.households[rng.randrange(len(county.households))]
    lon, lat = county.point_in(h.village, rng)
    members = [member_xml(f"{h.head.name}{i}", "head" if i == 0 else "son", age=str(20 + 7 * i)) for i in range(5)]
    xml = screening_xml(f"uuid:{uuid.uuid4()}", village=h.village, household=h.code,
                        gps=f"{lat:.6f} {lon:.6f} 30 5", members=members, head_name=h.head.name,
                        poverty_status=h.poverty_status,
                        inc_wage=str(rng.randrange(20_000, 90_000)), photo=photo_name or "")
    return xml, h.village


class Client(threading.Thread):
    """One device: a keep-alive connection, HEAD then POST per submission, until the deadline."""

    def __init__(self, base: str, county, deadline: float, photo_kb: int, results: list):
        super().__init__(daemon=True)
        self.url = urlsplit(base)
        self.county = county
        self.rng = random.Random()
        self.deadline = deadline
        self.photo = os.urandom(photo_kb * 1024) if photo_kb else None
        self.results = results

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
        path = f"{self.url.path}/submission?deviceID=collect:{uuid.uuid4().hex[:16]}"
        headers = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/bench"}
        while time.monotonic() < self.deadline:
            photo_name = f"{time.time_ns()}.jpg" if self.photo else None
            xml, _ = household_xml(self.county, self.rng, photo_name)
            body, ctype = collect_multipart(xml, {photo_name: self.photo} if self.photo else {})
            started = time.perf_counter()
            try:
                conn.request("HEAD", path, headers=headers)
                head = conn.getresponse()
                head.read()
                conn.request("POST", path, body=body, headers={**headers, "Content-Type": ctype})
                post = conn.getresponse()
                post.read()
                ok = head.status == 204 and post.status == 201
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=60)
            self.results.append((ok, time.perf_counter() - started))
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--photo-kb", type=int, nargs="+", default=[0, 200])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unreported load first")
    parser.add_argument("--rules", choices=["on", "off"], default="on",
                        help="risk rules and household/place linking at ingest")
    parser.add_argument("--villages", type=int, default=50, help="synthetic county loaded first")
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-connections", type=int, default=8,
                        help="gthread: connections one worker holds; keeps keep-alive clients spread out")
    args = parser.parse_args()

    with bench_server(villages=args.villages, households=args.households, rules=args.rules, workers=args.workers,
                      threads=args.threads, worker_connections=args.worker_connections) as server:
        county = server.county
        token = next(iter(server.loaded.devices.values()))
        base = f"{server.url}/v1/key/{token}/projects/{server.loaded.project_id}"
        warm: list = []
        warmers = [Client(base, county, time.monotonic() + args.warmup, 0, warm) for _ in range(8)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.worker_connections} connections each; "
              f"PostgreSQL fsync=on synchronous_commit=on; rules {args.rules}; county of {args.villages} villages, "
              f"{args.households} households")
        print(f"{'clients':>7} {'photo':>6} {'subs/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'errors':>6} {'acked':>6} {'stored':>6}")
        for photo_kb in args.photo_kb:
            for clients in args.clients:
                before = int(server.psql("SELECT count(*) FROM submission_version"))
                results: list = []
                deadline = time.monotonic() + args.seconds
                started = time.monotonic()
                threads = [Client(base, county, deadline, photo_kb, results) for _ in range(clients)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                elapsed = time.monotonic() - started
                stored = int(server.psql("SELECT count(*) FROM submission_version")) - before
                acked = sum(1 for ok, _ in results if ok)
                latencies = sorted(lat * 1000 for ok, lat in results if ok) or [0.0]
                q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
                print(f"{clients:>7} {photo_kb:>4}KB {acked / elapsed:>8.1f} {q[49]:>7.1f} {q[94]:>7.1f} {q[98]:>7.1f} "
                      f"{len(results) - acked:>6} {acked:>6} {stored:>6}  {'OK' if stored == acked else 'MISMATCH'}",
                      flush=True)


if __name__ == "__main__":
    sys.exit(main())
