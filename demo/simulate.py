"""Loading a synthetic county into a project, and sending its campaign through OpenRosa like Collect."""
import http.client
import os
import random
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from app.services.accounts.app_users import assign_places, create_app_user
from app.services.coverage.campaigns import create_campaign
from app.services.forms.folder import publish_directory
from app.services.registry.imports import import_households, import_places
from app.storage.blobstore import BlobStore
from demo.county import DemoCounty
from demo.submissions import collect_multipart, random_housing, random_screening, random_water

CAMPAIGN = "2026年防返贫集中排查"
CAMPAIGN_START = date(2026, 11, 1)


@dataclass
class LoadedCounty:
    project_id: int
    devices: dict[str, str] = field(default_factory=dict)   # village code -> device token


def load_county(county: DemoCounty, project_name: str, forms_dir: Path, blobs: BlobStore) -> LoadedCounty:
    """Places, registry, forms, one device account per village, and the campaign."""
    import_places("demo.geojson", county.places_geojson())
    project_id = publish_directory(forms_dir, project_name, blobs=blobs).project_id
    import_households(project_id, "demo_households.csv", county.households_csv())
    loaded = LoadedCounty(project_id)
    for village in sorted(county.villages):
        name = f"村干部 {county.names[village]} {village[-6:]}"
        _, token = create_app_user(project_id, name)
        assign_places(project_id, name, [village])
        loaded.devices[village] = token
    create_campaign(project_id, CAMPAIGN, CAMPAIGN_START, CAMPAIGN_START + timedelta(days=20),
                    ["fpf_hh_screening", "fpf_housing", "fpf_water"])
    return loaded


@dataclass
class SimulationReport:
    sent: int = 0
    accepted: int = 0
    failed: list[str] = field(default_factory=list)


def simulate_campaign(county: DemoCounty, loaded: LoadedCounty, server: str, *, households: int,
                      photo_share: float = 0.0, photo_kb: int = 200, inspections_share: float = 0.05,
                      clients: int = 8, seed: int = 11) -> SimulationReport:
    """Screen the first `households` households; inspect housing and water for a share of them."""
    rng = random.Random(seed)
    work: list[tuple[str, bytes, dict]] = []
    for h in county.households[:households]:
        surveyed = CAMPAIGN_START + timedelta(days=rng.randrange(0, 21))
        photo = os.urandom(photo_kb * 1024) if rng.random() < photo_share else None
        xml, files = random_screening(rng, county, h, surveyed, photo)
        work.append((h.village, xml, files))
        if rng.random() < inspections_share:
            work.append((h.village, random_housing(rng, county, h, surveyed), {}))
        if rng.random() < inspections_share:
            work.append((h.village, random_water(rng, county, h, surveyed), {}))
    report = SimulationReport()
    lock = threading.Lock()
    queue = iter(work)

    def device_loop() -> None:
        url = urlsplit(server)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            village, xml, files = item
            path = f"{url.path}/v1/key/{loaded.devices[village]}/projects/{loaded.project_id}/submission"
            status = _post(conn, path, xml, files)
            with lock:
                report.sent += 1
                if status == 201:
                    report.accepted += 1
                else:
                    report.failed.append(f"{status} {village}")
        conn.close()

    threads = [threading.Thread(target=device_loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return report


def _post(conn: http.client.HTTPConnection, path: str, xml: bytes, files: dict[str, bytes]) -> int:
    body, content_type = collect_multipart(xml, files)
    headers = {"X-OpenRosa-Version": "1.0", "Content-Type": content_type, "User-Agent": "org.odk.collect.android/demo"}
    try:
        conn.request("HEAD", path + "?deviceID=collect:demo", headers=headers)
        conn.getresponse().read()
        conn.request("POST", path + "?deviceID=collect:demo", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0
