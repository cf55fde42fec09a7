"""Every answer: nosniff, and no copy of personal data kept by a browser or proxy (found by the attack
test: household records and pick-lists came without Cache-Control)."""
import requests

from tests.support.people import bearer
from tests.support.registry import SCREENING, load_registry


def test_personal_data_is_never_cached_and_never_sniffed(app, project, publish, device, live_server):
    load_registry(app, project)
    publish(SCREENING)
    record = requests.get(f"{live_server}/v1/projects/{project}/households/H001", timeout=10,
                          headers=bearer(app, live_server, project, "manager"))
    form = next(f for f in device.form_list() if f.form_id == "fpf_hh_screening")
    [households] = [m for m in device.manifest(form.manifest_url) if m["filename"] == "households.csv"]
    pick_list = device.get(households["downloadUrl"])
    refused = requests.get(f"{live_server}/v1/projects/{project}/households/H001", timeout=10)
    for answer in (record, pick_list, refused):
        assert answer.headers["Cache-Control"] == "private, no-store", answer.url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert (record.status_code, pick_list.status_code, refused.status_code) == (200, 200, 401)
    # formList and manifests hold the device's token in their URLs (found by the second attack test), and
    # OpenRosa's own answers, refusals too, are kept by no cache either.
    listed = device.http.get(f"{device.server_url}/formList", timeout=10)
    manifest = device.http.get(form.manifest_url, timeout=10)
    unknown = requests.get(f"{live_server}/v1/key/{'A' * 64}/projects/{project}/formList", timeout=10)
    for answer in (listed, manifest, unknown):
        assert answer.headers["Cache-Control"] == "private, no-store", answer.url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert (listed.status_code, manifest.status_code, unknown.status_code) == (200, 200, 403)
