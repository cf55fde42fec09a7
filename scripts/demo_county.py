"""Build a synthetic county and run its screening campaign through the OpenRosa endpoint.

    .venv/bin/python scripts/demo_county.py                      # ~12 townships, 200 villages, 50k households
    .venv/bin/python scripts/demo_county.py --households 2000 --submissions 500 --server http://127.0.0.1:8000

It uses DATABASE_URL (default: the local cluster scripts/serve.sh starts). Places get Voronoi
boundaries, households generated names and ID numbers with valid check digits under an area code
no real place has. Each village gets a device account; without --server the campaign is sent to
a server this script starts in-process. Device tokens go to --out (they are credentials).
"""
import argparse
import dataclasses
import json
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.core.access import system_access  # noqa: E402
from app.services.coverage.campaigns import coverage, find_campaign  # noqa: E402
from demo.county import build_county  # noqa: E402
from demo.simulate import CAMPAIGN, load_county, simulate_campaign  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=12)
    parser.add_argument("--villages", type=int, default=200)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--submissions", type=int, default=None, help="households to screen (default: all)")
    parser.add_argument("--photo-share", type=float, default=0.1, help="share of screenings with a photo")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--project", default="示范县防返贫监测")
    parser.add_argument("--server", help="a running Dixian (default: one started here)")
    parser.add_argument("--out", type=Path, default=Path("demo-devices.json"))
    args = parser.parse_args()

    app = create_app()
    started = time.monotonic()
    county = build_county(townships=args.townships, villages=args.villages, households=args.households)
    with app.app_context():
        loaded = load_county(county, args.project, REPO / "forms", app.extensions["blobstore"])
    print(f"county built and loaded in {time.monotonic() - started:.1f}s: {len(county.townships)} townships, "
          f"{len(county.villages)} villages, {len(county.households)} households, project {loaded.project_id}")
    args.out.write_text(json.dumps({"project_id": loaded.project_id, "devices": loaded.devices}, indent=1))
    print(f"device tokens written to {args.out}")

    server, url = None, args.server
    if url is None:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.monotonic()
    report = simulate_campaign(county, loaded, url, households=args.submissions or len(county.households),
                               photo_share=args.photo_share, clients=args.clients)
    elapsed = time.monotonic() - started
    print(f"sent {report.sent} submissions in {elapsed:.1f}s ({report.sent / elapsed:.0f}/s): "
          f"{report.accepted} accepted, {len(report.failed)} failed {report.failed[:5]}")
    with app.app_context():
        campaign = find_campaign(loaded.project_id, CAMPAIGN)
        [unit] = coverage(system_access(loaded.project_id), campaign, "county")
    print(json.dumps(dataclasses.asdict(unit) | {"coverage": unit.coverage}, ensure_ascii=False, indent=1))
    if server:
        server.shutdown()
    return 0 if not report.failed else 1


if __name__ == "__main__":
    sys.exit(main())
