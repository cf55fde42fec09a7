"""What the tests of Central's REST submission routes share: screenings of the demo county (forms/
fpf_hh_screening.md, as demo/submissions.py writes them), a photo, the URLs, and reading back what the
server stored."""
import io
import uuid

from PIL import Image
from sqlalchemy import text

from tests.support.households import screening_xml

FORM = "fpf_hh_screening"
# The demo county (tests/conftest.py demo_county): 芳乡 (429901001) and 娜镇 (429901002), a registered
# household in a village of each.
FANGXIANG, NAZHEN = "429901001000", "429901002000"
FANGXIANG_VILLAGE, FANGXIANG_HOUSEHOLD = "429901001001", "H0000001"
NAZHEN_VILLAGE, NAZHEN_HOUSEHOLD = "429901002001", "H0000004"


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def screening(instance_id: str, *, village: str = FANGXIANG_VILLAGE, household: str = FANGXIANG_HOUSEHOLD,
              photo: str = "", deprecated_id: str | None = None, **answers) -> bytes:
    """A screening of a demo household as Collect writes it; with `deprecated_id`, an edit of that version."""
    xml = screening_xml(instance_id, village=village, household=household, photo=photo, **answers)
    if deprecated_id is not None:
        xml = xml.replace(b"</instanceID>", f"</instanceID><deprecatedID>{deprecated_id}</deprecatedID>".encode())
    return xml


def jpeg(colour: tuple[int, int, int] = (30, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def submissions_url(live_server: str, project: int, form: str = FORM) -> str:
    return f"{live_server}/v1/projects/{project}/forms/{form}/submissions"


def rows(app, sql: str, **params) -> list:
    from app.extensions import db
    with app.app_context():
        return db.session.execute(text(sql), params).all()


def actor_of(app, email: str) -> tuple[int, str]:
    """(actor id, display name) of a web user."""
    return tuple(rows(app, "SELECT a.id, a.display_name FROM actor a JOIN web_user u ON u.actor_id = a.id "
                           "WHERE u.email = :email", email=email)[0])
