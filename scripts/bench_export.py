"""Export benchmark: a county's screening campaign exported as CSV zip, Excel and GeoJSON, and the review
list at depth, on this machine.

A synthetic county is loaded (registry of --households), --seed screenings are sent through gunicorn's
OpenRosa endpoint (real ingest: parsed answers, members, geopoints), then copied in SQL with new
instanceIDs until there are --submissions (the issue allows bulk loading), each screening's member repeat made
--members long (copies of its own members). The export lines (CSV and Excel rows) are kept first (`flask odata
keep`, as the background jobs keep them; --written: none kept, each export writes every line from the answers). One
gunicorn worker serves;
each export is downloaded whole through HTTP with a manager's token and timed, and the worker's peak
memory (VmHWM) is read before and after from /proc. The review list is timed at the page holding the
100,000th submission (keyset cursor) and at page 1.

    .venv/bin/python scripts/bench_export.py
    .venv/bin/python scripts/bench_export.py --households 20000 --submissions 20000 --seed 1000
    .venv/bin/python scripts/bench_export.py --keep       (then: --reuse /tmp/dixian-bench-XXXX [--written])
Targets (issue 15): CSV >= 30,000 submissions/s, XLSX >= 10,000/s, memory growth < 100 MB, list < 100 ms.
"""
import argparse
import os
import statistics
import sys
import time

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


def _workers(port: int) -> list[int]:
    """gunicorn's processes serving on `port` (the master and its worker)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"127.0.0.1:{port}".encode() in cmdline:
            found.append(int(pid))
    return found


def _memory_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=250)
    parser.add_argument("--households", type=int, default=120_000)
    parser.add_argument("--submissions", type=int, default=120_000)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3000,
                        help="how many screenings are sent through ingest before they are copied in SQL")
    parser.add_argument("--written", action="store_true",
                        help="time exports that write every line from the answers, as before any were kept")
    parser.add_argument("--depth", type=int, default=100_000, help="the review list page holding this submission")
    parser.add_argument("--keep", action="store_true", help="leave the database running afterwards")
    parser.add_argument("--reuse", metavar="DATA_DIR",
                        help="time the county an earlier --keep run left running (its printed data directory)")
    args = parser.parse_args()

    if args.reuse:
        with kept_county(args.reuse) as county:
            from app import create_app
            measure(args, county, create_app(), signed_in(county.url))
        return 0
    started = time.monotonic()
    with bench_server(villages=args.villages, households=args.households, durable=False, workers=1,
                      keep=args.keep) as server:
        print(f"county loaded in {time.monotonic() - started:.0f}s", flush=True)
        simulate_campaign(server.county, server.loaded, server.url, households=args.seed, inspections_share=0.0)
        clone_screenings(server, FORM, args.submissions)
        pad_members(server, args.members)
        # Lines kept before the members were padded (the job runner's) would be stale: start from none.
        server.psql("TRUNCATE odata_row, odata_store")
        measure(args, server, *admin_session(server))
    return 0


def measure(args, server, app, http) -> None:
    """Keep the export lines (unless --written: then none are kept), then time each export and the list."""
    if args.written:
        server.psql("TRUNCATE odata_row, odata_store")
    else:
        keep_kept_rows(server)           # on a reused county, only what is not kept yet
    total = count_screenings(server, FORM)
    port = int(server.url.rsplit(":", 1)[1])
    project = int(server.psql(f"SELECT project_id FROM form WHERE xml_form_id = '{FORM}'"))
    base = f"{server.url}/v1/projects/{project}/forms/{FORM}/submissions"
    http.get(f"{base}.csv", params={"place": "0"}, timeout=60)            # warm the worker up
    for suffix, target in ((".csv.zip", 30_000), (".csv", 30_000), (".xlsx", 10_000), (".geojson", None)):
        pids = _workers(port)
        before = {pid: _memory_kb(pid, "VmRSS") for pid in pids}
        started = time.monotonic()
        first_byte = None
        size = 0
        with http.get(base + suffix, stream=True, timeout=3600) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_content(1 << 20):
                first_byte = first_byte or time.monotonic() - started
                size += len(chunk)
        elapsed = time.monotonic() - started
        growth = max(_memory_kb(pid, "VmHWM") - before[pid] for pid in pids if pid in before) / 1024
        rate = total / elapsed
        verdict = "" if target is None else (" ✓" if rate >= target else f" ✗ (target {target:,}/s)")
        print(f"{suffix:9} {elapsed:6.1f} s  {rate:8,.0f} submissions/s{verdict}  first byte {first_byte:.2f} s  "
              f"{size / 1e6:7.1f} MB  worker peak growth {growth:.0f} MB"
              f"{' ✓' if growth < 100 else ' ✗ (target < 100 MB)'}", flush=True)

    cursor = server.psql(
        f"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00~' || id "
        f"FROM submission ORDER BY created_at DESC, id DESC OFFSET {min(args.depth, total - 1)} LIMIT 1")
    surveyed_cursor = server.psql(
        "SELECT coalesce(surveyed_on, DATE '0001-01-01') || '~' || id FROM submission "
        f"ORDER BY coalesce(surveyed_on, DATE '0001-01-01') DESC, id DESC "
        f"OFFSET {min(args.depth, total - 1)} LIMIT 1")
    with app.app_context():
        from app.core.access import system_access
        from app.services.submissions.listing import SubmissionFilter, list_submissions
        from app.services.submissions.review import count_matching
        access = system_access(project)
        for label, run in (("list, page 1", lambda: list_submissions(access, SubmissionFilter())),
                           (f"list, page at {args.depth:,}",
                            lambda: list_submissions(access, SubmissionFilter(), after=cursor)),
                           ("by survey date, page 1",
                            lambda: list_submissions(access, SubmissionFilter(), sort="surveyed")),
                           (f"by survey date, {args.depth:,}",
                            lambda: list_submissions(access, SubmissionFilter(), after=surveyed_cursor,
                                                     sort="surveyed")),
                           ("count of the filter", lambda: count_matching(access, SubmissionFilter()))):
            times = []
            for _ in range(10):
                started = time.monotonic()
                assert run()
                times.append((time.monotonic() - started) * 1000)
            p50 = statistics.median(times)
            print(f"{label:22} p50 {p50:6.1f} ms  max {max(times):6.1f} ms{' ✓' if p50 < 100 else ' ✗'}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
