"""Residents' self-reports as a test sends them: a public link of the demo county, and report XML."""
import time
import uuid
from dataclasses import dataclass

import requests

from tests.conftest import REPO

SELF_REPORT = REPO / "forms" / "fpf_self_report.md"
# The smallest PNG there is (1×1), as Web Forms would send a photo.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                    "382127f71f0004ba02043e571fc70000000049454e44ae426082")


@dataclass(frozen=True)
class Link:
    id: int
    token: str
    url: str
    village: str
    version: str                    # of the self-report form


def make_link(app, publish, project_id: int, village: str = "429901001001", **options) -> Link:
    """Publish the residents' form and make the village's public link."""
    from app.services.self_report.links import create_links, settings
    _, version = publish(SELF_REPORT)
    with app.app_context():
        issued = create_links(project_id, "fpf_self_report", [village], **settings(app.config), **options)[0]
    return Link(issued.id, issued.token, issued.url, village, version)


def report_xml(version: str, *, village: str = "429901001001", phone: str = "13800138000", idno: str = "",
               name: str = "张三", story: str = "家人住院，医疗费用高", photo: str | None = None,
               form_id: str = "fpf_self_report", instance_id: str | None = None) -> bytes:
    """A self-report's instance as Web Forms writes it (no XML declaration)."""
    evidence = f"<evidence><evidence_photo>{photo}</evidence_photo></evidence>" if photo else ""
    return (f'<data id="{form_id}" version="{version}"><start/><end/><today/>'
            f"<village_code>{village}</village_code><village_name/><village_note/><privacy_note/>"
            f"<agree>yes</agree><name>{name}</name><relation>self</relation><hh_head_name/><idno>{idno}</idno>"
            f"<phone>{phone}</phone><hh_size>4</hh_size><reasons>illness</reasons><big_expense>30000</big_expense>"
            f"<income_est/><story>{story}</story>{evidence}<gps/><thanks/>"
            f"<meta><instanceID>{instance_id or f'uuid:{uuid.uuid4()}'}</instanceID></meta></data>").encode()


# Each report comes from a page of its own: a stamp opens one report, so no two are signed in the same
# second for the same link.
_SIGNED: set[tuple[int, int]] = set()


def post_report(server: str, link: Link, xml: bytes, files: dict | None = None, *, stamp_age: int = 60,
                secret_key: str = "test-secret", **fields) -> requests.Response:
    """POST a report under the link as the resident's page does: the instance, its photos, the page's stamp
    (signed `stamp_age` seconds ago, or a little earlier: each page's own) and honeypot, and any other page
    field given."""
    from app.core.fill_time import render_stamp
    from app.selfreport.views import HONEYPOT_FIELD, STAMP_FIELD
    parts = {"xml_submission_file": ("xml_submission_file", xml, "text/xml")}
    for name, data in (files or {}).items():
        parts[name] = (name, data, "application/octet-stream")
    signed = int(time.time()) - stamp_age
    while (link.id, signed) in _SIGNED:
        signed -= 1
    _SIGNED.add((link.id, signed))
    data = {STAMP_FIELD: render_stamp(secret_key, link.id, signed), HONEYPOT_FIELD: ""} | fields
    return requests.post(f"{server}/f/{link.token}/submission", files=parts, data=data,
                         headers={"Accept": "application/json"}, timeout=30)
