"""A viewer's CSV, CSV zip (members) and OData of several submissions whose free text (remarks, and m_name in
the member repeat) holds numbers: each cell is mask_in_text of its own text, nothing of another row's."""
import csv
import io
import zipfile
from xml.sax.saxutils import escape

import requests

from app.core.personal_fields import mask_in_text
from tests.support.households import member_xml, screening_xml
from tests.support.people import bearer
from tests.support.registry import SCREENING, cover_test_villages, load_registry

FORM = "fpf_hh_screening"
IDS = [f"uuid:eeeeeeee-0000-4000-8000-00000000000{n}" for n in range(1, 7)]
REMARKS = ["电话13800138000", "电话13800138000", "身份证42990119721215639X,电话+86 139 0013 9000",
           "１３８００１３８０００和0710-1234567,2026-11-20 花了30000元", "没有数字 [.*] (?<!x)",
           "13800138000" * 3 + " 末尾13700137000"]
NAMES = [["王五13800138000", "王小五"], ["王五13800138000", "张三13900139000"], ["李四"],
         ["赵六 429901197212156394", "钱七１３６００１３６０００"], ["孙八13500135000"], ["周九"]]


def test_each_cell_of_a_viewer_is_its_own_text_masked(app, project, publish, device, live_server):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for instance_id, remarks, names in zip(IDS, REMARKS, NAMES):
        members = tuple(member_xml(name, "head" if k == 0 else "son", age="40") for k, name in enumerate(names))
        xml = screening_xml(instance_id, members=members).replace(
            b"<remarks/>", f"<remarks>{escape(remarks)}</remarks>".encode())
        assert device.post_submission(xml).status_code == 201
    remarks_wanted = {i: mask_in_text(r) for i, r in zip(IDS, REMARKS)}
    names_wanted = {f"{i}/member[{k + 1}]": mask_in_text(n) for i, names in zip(IDS, NAMES)
                    for k, n in enumerate(names)}
    viewer = bearer(app, live_server, project, "viewer")
    base = f"{live_server}/v1/projects/{project}/forms/{FORM}"
    answer = requests.get(f"{base}/submissions.csv", headers=viewer, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert {row["KEY"]: row["risk_g-remarks"] for row in rows} == remarks_wanted
    answer = requests.get(f"{base}/submissions.csv.zip", headers=viewer, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    members = list(csv.DictReader(io.TextIOWrapper(archive.open(f"{FORM}-member.csv"), encoding="utf-8-sig")))
    assert {m["KEY"]: m["m_name"] for m in members} == names_wanted
    main = list(csv.DictReader(io.TextIOWrapper(archive.open(f"{FORM}.csv"), encoding="utf-8-sig")))
    assert {row["KEY"]: row["risk_g-remarks"] for row in main} == remarks_wanted
    svc = f"{live_server}/v1/projects/{project}/forms/{FORM}.svc"
    odata = requests.get(f"{svc}/Submissions", headers=viewer, timeout=60)
    assert odata.status_code == 200, odata.text[:500]
    assert {row["__id"]: row["risk_g"]["remarks"] for row in odata.json()["value"]} == remarks_wanted
    odata = requests.get(f"{svc}/Submissions.member", headers=viewer, timeout=60)
    assert odata.status_code == 200, odata.text[:500]
    got = {(row["__Submissions-id"], row["m_name"]) for row in odata.json()["value"]}
    assert got == {(i, mask_in_text(n)) for i, names in zip(IDS, NAMES) for n in names}
    for instance_id, names in zip(IDS, NAMES):   # one submission's members
        odata = requests.get(f"{svc}/Submissions('{instance_id}')/member", headers=viewer, timeout=60)
        assert odata.status_code == 200, odata.text[:500]
        assert [row["m_name"] for row in odata.json()["value"]] == [mask_in_text(n) for n in names]


def test_a_remarks_with_many_phones_does_not_stall_a_viewers_export(app, project, publish, device, live_server):
    """One submission whose remarks holds 1,000 phones (14,000 characters): a manager's CSV is immediate; a
    viewer's masks each number, and should not take much longer."""
    import time
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    remarks = "户主13800138000，" * 1000
    xml = screening_xml(IDS[0]).replace(b"<remarks/>", f"<remarks>{remarks}</remarks>".encode())
    assert device.post_submission(xml).status_code == 201
    base = f"{live_server}/v1/projects/{project}/forms/{FORM}"
    timings = {}
    for role in ("manager", "viewer"):
        headers = bearer(app, live_server, project, role)
        for what in ("submissions.csv", ".svc/Submissions"):
            url = f"{base}/{what}" if what.endswith("csv") else f"{base}{what}"
            start = time.monotonic()
            answer = requests.get(url, headers=headers, timeout=300)
            timings[role, what] = (answer.status_code, round(time.monotonic() - start, 1))
    assert all(status == 200 and seconds < 5 for status, seconds in timings.values()), timings
