"""Fuzz the whole server as it is deployed: generated bad requests through nginx to gunicorn.

Starts its own PostgreSQL, loads a small synthetic county (places, registry, the forms in forms/,
a device per village), starts gunicorn as scripts/serve.sh does and the front door (nginx) in
front of it, then sends generated requests (tests/support/fuzzing.py) from several threads and
reports the answers by status, every 5xx or missing answer with its request, and whether anything
was left half-stored. Exit status 1 if there was any 5xx, missing answer or half-stored row.

    .venv/bin/python scripts/fuzz.py --requests 100000 --threads 4
    .venv/bin/python scripts/fuzz.py --requests 2000 --direct      # straight to gunicorn, no nginx
"""
import argparse
import random
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchlib import bench_server  # noqa: I001  (puts the repository on sys.path)

from app import create_app
from app.config import request_body_limit
from app.frontdoor.settings import FrontDoorSettings
from app.frontdoor.supervise import FrontDoor
from demo.submissions import housing_xml, water_xml
from tests.support.fuzzing import FuzzReport, FuzzTarget, half_stored, run
from tests.support.households import screening_xml

ADMIN = ("fuzz-admin@example.org", "correct horse battery staple")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--direct", action="store_true", help="send to gunicorn itself, without the front door")
    args = parser.parse_args()

    with bench_server(villages=8, households=400, workers=2, threads=4) as server:
        app = create_app()
        with app.app_context():
            target = _target(app, server)
        door = None
        if not args.direct:
            door = _front_door(server.url.rsplit("/", 1)[1], app.config["OPENROSA_ACCEPT_CONTENT_LENGTH"])
            target.port = int(door.settings.bind.rsplit(":", 1)[1])
        try:
            report = _send(target, args.requests, args.threads, args.seed)
        finally:
            if door is not None:
                door.stop(grace_seconds=3)
        with app.app_context():
            from app.extensions import db
            leftovers = half_stored(db.session.connection(), app.extensions["blobstore"].exists)
            db.engine.dispose()

    where = "gunicorn directly" if args.direct else "nginx in front of gunicorn"
    print(f"{report.sent} requests to {where} in {report.seconds:.0f} s ({report.sent / report.seconds:.0f}/s), "
          f"{args.threads} threads, seed {args.seed}")
    for status, count in sorted(report.statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        print(f"  {status if status is not None else 'no answer'}: {count}")
    for index, status, request, answer in report.server_errors[:20]:
        print(f"  !! #{index} -> {status}: {request[:200]!r}\n     answer: {answer[:300]!r}")
    print("half-stored rows: " + ("none" if not leftovers else "; ".join(leftovers)))
    return 1 if report.server_errors or leftovers else 0


def _target(app, server) -> FuzzTarget:
    """What the generator needs: valid ids, a device token, an administrator's session."""
    import requests

    from app.services.accounts.users import create_user
    create_user(*ADMIN, app.config["DIGEST_REALM"], admin=True)
    village, token = next(iter(server.loaded.devices.items()))
    household = next(h for h in server.county.households if h.village == village)
    bearer = requests.post(f"{server.url}/v1/sessions", json={"email": ADMIN[0], "password": ADMIN[1]},
                           timeout=30).json()["token"]
    lon, lat = server.county.point_in(village, random.Random(1))
    gps = f"{lat:.6f} {lon:.6f} 30 5"
    submissions = [
        screening_xml(village=village, household=household.code, gps=gps),
        housing_xml("uuid:bbbbbbbb-0000-4000-8000-000000000001", village=village, household=household.code,
                    gps=gps, grade="C"),
        water_xml("uuid:bbbbbbbb-0000-4000-8000-000000000002", village=village, household=household.code, gps=gps,
                  qty_lpcd="30", outage_days="10")]
    host, port = server.url.rsplit("/", 1)[1].split(":")
    return FuzzTarget(
        host=host, port=int(port), project_id=server.loaded.project_id, device_token=token, bearer_token=bearer,
        user=ADMIN,
        routes=[(rule.rule, tuple(sorted(rule.methods - {"OPTIONS"}))) for rule in app.url_map.iter_rules()],
        valid={"project_id": [str(server.loaded.project_id)],
               "xml_form_id": ["fpf_hh_screening", "fpf_water", "fpf_housing", "fpf_self_report"],
               "instance_id": ["uuid:bbbbbbbb-0000-4000-8000-000000000001"],
               "household_id": [h.code for h in server.county.households[:20]],
               "name": ["admin_units.csv", "households.csv"], "campaign": ["1"], "level": ["village", "county"]},
        submissions=submissions)


def _front_door(upstream: str, accept_bytes: int) -> FrontDoor:
    base = Path(tempfile.mkdtemp(prefix="dixian-fuzz-door-"))
    base.chmod(0o755)           # nginx's unprivileged workers reach its temporary folder
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = FrontDoorSettings(bind=f"127.0.0.1:{port}", app_bind=upstream, accept_bytes=accept_bytes,
                                 body_limit_bytes=request_body_limit(accept_bytes), run_dir=base / "run",
                                 log_dir=base / "log", temp_dir=base / "temp").check()
    door = FrontDoor(settings).start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return door
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the front door did not start")


def _send(target: FuzzTarget, requests: int, threads: int, seed: int) -> FuzzReport:
    """Split the requests over threads, each with its own seed; one report for all."""
    reports: list[FuzzReport] = []
    share = -(-requests // threads)

    def work(n: int) -> None:
        reports.append(run(target, share, seed=seed * 1000 + n))
    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = FuzzReport(statuses=sum((r.statuses for r in reports), Counter()), seconds=time.monotonic() - started)
    total.sent = sum(r.sent for r in reports)
    total.server_errors = [e for r in reports for e in r.server_errors]
    return total


if __name__ == "__main__":
    sys.exit(main())
