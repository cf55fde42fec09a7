"""OData benchmark (issue 16): a county's screening campaign read through Central's OData URLs, as Power BI,
Excel, pyodk and ruODK read it, on this machine.

A synthetic county is loaded (registry of --households), --seed screenings are sent through gunicorn's
OpenRosa endpoint (real ingest), then copied in SQL under new instanceIDs until there are --submissions, and
each screening's member repeat is made --members long (copies of its own members). One gunicorn worker serves.
The rows are kept first (`flask odata keep`, as the background jobs keep them; --written: none kept, each read
writes every row from the answers). For `Submissions` and `Submissions.member`:
- paged: $top=--page rows a request, following @odata.nextLink ($skiptoken) to the end; rows/s, and the first,
  median and last page's latency (flat with depth is the target);
- whole: one request without $top (pyodk's get_table, Power BI), streamed;
the rate served (the seconds the client waited for bytes) and with the client's JSON parsing (requests' json(),
as pyodk parses), and the worker's peak memory growth (VmHWM) over each read.

    .venv/bin/python scripts/bench_odata.py
    .venv/bin/python scripts/bench_odata.py --households 20000 --submissions 20000 --seed 1000
    .venv/bin/python scripts/bench_odata.py --keep        (then: --reuse /tmp/dixian-bench-XXXX [--written])
Targets (issue 16): >= 30,000 submissions/s (Central here: ~3,300/s), page latency flat with depth, memory flat.
"""
import argparse
import statistics
import sys
import time

import requests
from bench_export import _memory_kb, _workers
from benchlib import (
    admin_session,
    bench_server,
    clone_screenings,
    count_screenings,
    keep_kept_rows,
    kept_county,
    pad_members,
    signed_in,
)

from demo.simulate import simulate_campaign

FORM = "fpf_hh_screening"


def _read(http: requests.Session, url: str, port: int, *, follow: bool = True) -> dict:
    """Read url and (with `follow`) its nextLinks to the end, parsing each page's JSON as pyodk does: rows,
    seconds, each page's seconds, MB read, the seconds of those spent parsing, and the worker's peak memory
    growth (MB)."""
    pids = _workers(port)
    before = {pid: _memory_kb(pid, "VmRSS") for pid in pids}
    rows, pages, size, parsing = 0, [], 0, 0.0
    started = time.monotonic()
    while url:
        page_started = time.monotonic()
        answer = http.get(url, timeout=3600)
        answer.raise_for_status()
        parse_started = time.monotonic()
        body = answer.json()
        parsing += time.monotonic() - parse_started
        pages.append(time.monotonic() - page_started)
        size += len(answer.content)
        rows += len(body["value"])
        url = body.get("@odata.nextLink") if follow else None
    elapsed = time.monotonic() - started
    growth = max(_memory_kb(pid, "VmHWM") - before[pid] for pid in pids if pid in before) / 1024
    return {"rows": rows, "seconds": elapsed, "pages": pages, "mb": size / 1e6, "growth": growth, "parsing": parsing}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=250)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--submissions", type=int, default=120_000)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3000,
                        help="how many screenings are sent through ingest before they are copied in SQL")
    parser.add_argument("--page", type=int, default=10_000, help="$top of each paged request")
    parser.add_argument("--keep", action="store_true", help="leave the database running afterwards")
    parser.add_argument("--reuse", metavar="DATA_DIR",
                        help="time the county an earlier --keep run left running (its printed data directory)")
    parser.add_argument("--written", action="store_true",
                        help="time rows written from the answers by each read, as before any were kept")
    args = parser.parse_args()

    if args.reuse:
        with kept_county(args.reuse) as county:
            measure(args, county, reused=True)
        return 0
    started = time.monotonic()
    with bench_server(villages=args.villages, households=args.households, durable=False, workers=1,
                      keep=args.keep) as server:
        print(f"county loaded in {time.monotonic() - started:.0f}s", flush=True)
        simulate_campaign(server.county, server.loaded, server.url, households=args.seed, inspections_share=0.0)
        clone_screenings(server, FORM, args.submissions)
        pad_members(server, args.members)
        measure(args, server, reused=False)
    return 0


def measure(args, server, *, reused: bool) -> None:
    """Keep the OData rows (unless --written: then none are kept), then read each table paged and whole."""
    # Rows kept before _pad_members changed the answers in place (which nothing but this script does: a
    # version's answers never change) would be stale: start from none.
    server.psql("TRUNCATE odata_row, odata_store")
    if not args.written:
        keep_kept_rows(server)
    total = count_screenings(server, FORM)
    kept = int(server.psql("SELECT count(DISTINCT submission_id) FROM odata_row"))
    if not args.written and kept < total:
        print(f"warning: only {kept:,} of {total:,} submissions have rows kept", flush=True)
    _, http = admin_session(server) if not reused else (None, signed_in(server.url))
    port = int(server.url.rsplit(":", 1)[1])
    project = int(server.psql(f"SELECT project_id FROM form WHERE xml_form_id = '{FORM}'"))
    svc = f"{server.url}/v1/projects/{project}/forms/{FORM}.svc"
    http.get(f"{svc}/Submissions?$top=10", timeout=60).raise_for_status()         # warm the worker up
    print(f"rows {'written from the answers by each read' if args.written else 'kept'}:", flush=True)
    for table in ("Submissions", "Submissions.member"):
        for mode, url in (("paged", f"{svc}/{table}?$top={args.page}"), ("whole", f"{svc}/{table}")):
            result = _read(http, url, port)
            pages = result["pages"]
            # The server's rate: the seconds the client waited for bytes, not those it spent parsing them
            # (sequential: a page is parsed once read, before the next is asked for).
            served = result["seconds"] - result["parsing"]
            verdict = " ✓" if total / served >= 30_000 else " ✗ (target 30,000/s)"
            flat = (f"  pages {len(pages)}: first {pages[0] * 1000:.0f} ms, median "
                    f"{statistics.median(pages) * 1000:.0f} ms, last {pages[-1] * 1000:.0f} ms"
                    if len(pages) > 1 else "")
            print(f"{table:19} {mode}: {result['rows']:8,} rows, {result['mb']:.0f} MB, served in {served:5.1f} s = "
                  f"{result['rows'] / served:8,.0f} rows/s, {total / served:8,.0f} submissions/s{verdict}; "
                  f"with the client's JSON parsing {result['seconds']:5.1f} s = {total / result['seconds']:7,.0f} "
                  f"submissions/s{flat}  worker peak growth {result['growth']:.0f} MB"
                  f"{' ✓' if result['growth'] < 100 else ' ✗'}", flush=True)
    central = _read(http, f"{svc}/Submissions?$top=10000&$expand=*", port, follow=False)
    print(f"Central's measure ({central['rows']:,} submissions with members expanded, one request; Central here: "
          f"10,000 in about 3 s): {central['pages'][0]:.2f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
