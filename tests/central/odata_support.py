"""What the OData tests share: screenings of households in two townships of the demo county, the stored
answers to compare OData's rows with, and Central's row id formula written out independently."""
import hashlib
import re
import uuid
from datetime import date

from tests.conftest import REPO

# Households of the demo registry (demo/households.csv): two in township 429901001, one in 429901002.
HOUSEHOLDS = (("H0000001", "429901001001"), ("H0000002", "429901001002"), ("H0000004", "429901002001"))


def screening(household: str, village: str) -> tuple[str, bytes]:
    """The README's example screening (demo/screening-example.xml, three members) of another household."""
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = (REPO / "demo" / "screening-example.xml").read_text(encoding="utf-8")
    xml = re.sub(r"uuid:[0-9a-f-]*", instance_id, xml).replace("2026-11-20", date.today().isoformat())
    xml = xml.replace("429901001001", village).replace("429901001000", village[:9] + "000")
    xml = xml.replace("H0000001", household)
    return instance_id, xml.encode()


def send_screenings(editor, times: int = 1) -> list[str]:
    """`times` screenings of each household in HOUSEHOLDS, sent over OpenRosa; their instanceIDs."""
    sent = []
    for _ in range(times):
        for household, village in HOUSEHOLDS:
            instance_id, xml = screening(household, village)
            assert editor.post_submission(xml, {}).status_code == 201
            sent.append(instance_id)
    return sent


def stored(app, xml_form_id: str = "fpf_hh_screening") -> dict[str, dict]:
    """instanceID -> the current version's parsed answers, as ingest stored them."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Form, Submission, SubmissionVersion
    with app.app_context():
        rows = db.session.execute(
            select(Submission.instance_id, SubmissionVersion.answers)
            .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
            .join(Form, Form.id == Submission.form_id).where(Form.xml_form_id == xml_form_id)).all()
    return {r.instance_id: r.answers for r in rows}


def central_row_id(instance_id: str, *steps: str) -> str:
    """Central's hashId: sha1 of 'Submissions#{instanceId}' and '%%'-joined steps ('group#', 'repeat#i')."""
    return hashlib.sha1("%%".join([f"Submissions#{instance_id}", *steps]).encode()).hexdigest()


def geopoint(raw: str) -> dict:
    """A Collect geopoint 'lat lon alt acc' as OData's GeoJSON."""
    lat, lon, alt, acc = (float(x) for x in raw.split())
    return {"type": "Point", "coordinates": [lon, lat, alt], "properties": {"accuracy": acc}}


def as_odata(value):
    """A stored answer as OData writes it, for the demo form's types (numbers, text, geopoints, lists of
    choices as spaced text)."""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)? -?\d+(\.\d+)? -?\d+(\.\d+)? \d+(\.\d+)?", value):
        return geopoint(value)
    return value


def same_answers(row: dict, answers: dict, *, skip=("member",)) -> None:
    """Every stored answer of a group (recursively) equals the row's member of that name."""
    for name, value in answers.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            same_answers(row[name], value, skip=skip)
        else:
            assert row[name] == as_odata(value), (name, row[name], value)


def keep_all(app, monkeypatch, most: int | None = None) -> int:
    """Run the OData rows writer (services/submissions/odata_store.py) as the job runner would, without waiting
    for versions to settle: to the end, or one round of at most `most` submissions. How many it wrote."""
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    with app.app_context():
        if most is not None:
            return odata_store.keep_due(max_submissions=most)
        total = 0
        while written := odata_store.keep_due():
            total += written
        return total


def three_readers(app, live_server: str, project: int, administrator, folder) -> dict:
    """Sessions of the demo county's administrator (`administrator`, a signed-in session), a viewer (masked) and
    a manager of township 429901002000 (its rows only), through pyodk's."""
    from tests.support.pyodk_client import pyodk_as_role
    township_folder = folder / "township"
    township_folder.mkdir()
    return {"administrator": administrator,
            "viewer": pyodk_as_role(app, live_server, project, "viewer", folder).session,
            "township": pyodk_as_role(app, live_server, project, "manager", township_folder,
                                      places=("429901002000",)).session}
