"""OData benchmark (issue 16): a county's screening campaign read through Central's OData URLs, as Power BI,
Excel, pyodk and ruODK read it, on this machine.

A synthetic county is loaded (registry of --households), --seed screenings are sent through gunicorn's
OpenRosa endpoint (real ingest), then copied in SQL under new instanceIDs until there are --submissions, and
each screening's member repeat is made --members long (copies of its own members). One gunicorn worker serves.
For `Submissions` and `Submissions.member`:
- paged: $top=--page rows a request, following @odata.nextLink ($skiptoken) to the end; rows/s, and the first,
  median and last page's latency (flat with depth is the target);
- whole: one request without $top (pyodk's get_table, Power BI), streamed;
and the worker's peak memory growth (VmHWM) over each read.

    .venv/bin/python scripts/bench_odata.py
    .venv/bin/python scripts/bench_odata.py --households 20000 --submissions 20000 --seed 1000
Targets (issue 16): >= 30,000 submissions/s (Central here: ~3,300/s), page latency flat with depth, memory flat.
"""
import argparse
import statistics
import sys
import time

import requests
from bench_export import _memory_kb, _workers
from benchlib import admin_session, bench_server, clone_screenings, count_screenings

from demo.simulate import simulate_campaign

FORM = "fpf_hh_screening"


def _pad_members(server, members: int) -> None:
    """Make every screening's member repeat `members` long, from copies of its own members."""
    server.psql(f"""
        UPDATE submission_version SET answers = jsonb_set(answers, '{{member}}', jsonb_path_query_array(
            {' || '.join(["(answers->'member')"] * members)}, '$[0 to {members - 1}]'))
        WHERE jsonb_typeof(answers->'member') = 'array' AND jsonb_array_length(answers->'member') > 0
    """)
    server.psql("VACUUM ANALYZE submission_version")


def _read(http: requests.Session, url: str, port: int, *, follow: bool = True) -> dict:
    """Read url and (with `follow`) its nextLinks to the end: rows, seconds, each page's seconds, MB read and
    the worker's peak memory growth (MB)."""
    pids = _workers(port)
    before = {pid: _memory_kb(pid, "VmRSS") for pid in pids}
    rows, pages, size = 0, [], 0
    started = time.monotonic()
    while url:
        page_started = time.monotonic()
        answer = http.get(url, timeout=3600)
        answer.raise_for_status()
        body = answer.json()
        pages.append(time.monotonic() - page_started)
        size += len(answer.content)
        rows += len(body["value"])
        url = body.get("@odata.nextLink") if follow else None
    elapsed = time.monotonic() - started
    growth = max(_memory_kb(pid, "VmHWM") - before[pid] for pid in pids if pid in before) / 1024
    return {"rows": rows, "seconds": elapsed, "pages": pages, "mb": size / 1e6, "growth": growth}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=250)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--submissions", type=int, default=120_000)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3000, help="screenings sent through ingest before copying")
    parser.add_argument("--page", type=int, default=10_000, help="$top of each paged request")
    parser.add_argument("--keep", action="store_true", help="leave the database running afterwards")
    args = parser.parse_args()

    started = time.monotonic()
    with bench_server(villages=args.villages, households=args.households, durable=False, workers=1,
                      keep=args.keep) as server:
        print(f"county loaded in {time.monotonic() - started:.0f}s", flush=True)
        simulate_campaign(server.county, server.loaded, server.url, households=args.seed, inspections_share=0.0)
        clone_screenings(server, FORM, args.submissions)
        _pad_members(server, args.members)
        total = count_screenings(server, FORM)
        _, http = admin_session(server)
        port = int(server.url.rsplit(":", 1)[1])
        svc = f"{server.url}/v1/projects/{server.loaded.project_id}/forms/{FORM}.svc"
        http.get(f"{svc}/Submissions?$top=10", timeout=60).raise_for_status()         # warm the worker up
        for table in ("Submissions", "Submissions.member"):
            for mode, url in (("paged", f"{svc}/{table}?$top={args.page}"), ("whole", f"{svc}/{table}")):
                result = _read(http, url, port)
                pages = result["pages"]
                rate = total / result["seconds"]
                verdict = " ✓" if rate >= 30_000 else " ✗ (target 30,000/s)"
                flat = (f"  pages {len(pages)}: first {pages[0] * 1000:.0f} ms, median "
                        f"{statistics.median(pages) * 1000:.0f} ms, last {pages[-1] * 1000:.0f} ms"
                        if len(pages) > 1 else "")
                print(f"{table:19} {mode}: {result['rows']:8,} rows in {result['seconds']:6.1f} s = "
                      f"{result['rows'] / result['seconds']:8,.0f} rows/s, {rate:8,.0f} submissions/s{verdict}"
                      f"{flat}  {result['mb']:.0f} MB  worker peak growth {result['growth']:.0f} MB"
                      f"{' ✓' if result['growth'] < 100 else ' ✗'}", flush=True)
        central = _read(http, f"{svc}/Submissions?$top=10000&$expand=*", port, follow=False)
        print(f"Central's measure (10,000 submissions with members expanded, one request): "
              f"{central['pages'][0]:.2f} s (Central here: about 3 s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
