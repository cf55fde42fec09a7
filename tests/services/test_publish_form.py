"""Publishing: versions, idempotence, media and the forms/ folder."""
import pytest
from sqlalchemy import func, select

from tests.conftest import REAL_FORMS, REPO

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def _versions(app):
    from app.extensions import db
    from app.models import FormVersion
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FormVersion))


@pytest.mark.parametrize("path", sorted(p for p in (REPO / "forms").iterdir() if p.suffix in {".md", ".xlsx", ".xml"}),
                         ids=lambda p: p.name)
def test_every_form_in_the_repository_publishes_with_odk_validate(ctx, path):
    from app.core.xform import read_xform
    from app.services.forms.compile import compile_form
    compiled = compile_form(path.name, path.read_bytes(), validate=True)
    definition = read_xform(compiled.xml)
    assert definition.version, "forms/ must carry a version so devices see updates"
    assert not [w for w in compiled.warnings if "ODK Validate" in w]


def test_republishing_an_unchanged_form_creates_no_version(app, publish):
    publish(SCREENING)
    publish(SCREENING)
    assert _versions(app) == 1


def test_same_version_with_other_content_is_refused(app, publish, tmp_path):
    from app.problems import Problem
    publish(SCREENING)
    changed = tmp_path / SCREENING.name
    changed.write_text(SCREENING.read_text().replace("排查人姓名", "调查人姓名"))
    with pytest.raises(Problem) as e:
        publish(changed)
    assert e.value.status == 409 and "Change the version" in e.value.message


def test_new_version_becomes_current_and_carries_media_forward(app, publish, tmp_path):
    from app.extensions import db
    from app.models import Form
    folder = REAL_FORMS / "collect-external-csv"
    publish(folder / "external_csv_form.xml", folder)
    newer = tmp_path / "external_csv_form.xml"
    newer.write_bytes((folder / "external_csv_form.xml").read_bytes().replace(b'version=""', b'version="2"'))
    publish(newer)
    with app.app_context():
        form = db.session.scalars(select(Form)).one()
        assert form.current_version.version == "2"
        assert all(a.blob_sha256 for a in form.current_version.attachments)


def test_xlsform_itemsets_become_an_attachment(app, publish, tmp_path):
    from app.extensions import db
    from app.models import FormAttachment
    form = tmp_path / "ext.md"
    form.write_text("""
| survey |
| | type | name | label | choice_filter |
| | select_one province | province | Province | |
| | select_one_external city | city | City | province=${province} |
| choices |
| | list_name | name | label |
| | province | hubei | Hubei |
| external_choices |
| | list_name | name | label | province |
| | city | wuhan | Wuhan | hubei |
| settings |
| | form_id | version |
| | ext | 1 |
""")
    publish(form)
    with app.app_context():
        [attachment] = db.session.scalars(select(FormAttachment)).all()
    assert attachment.name == "itemsets.csv" and attachment.blob_sha256


def test_forms_directory_sync_is_idempotent(app, clean, tmp_path):
    from app.services.forms.folder import publish_directory
    (tmp_path / "fpf_hh_screening.md").write_bytes(SCREENING.read_bytes())
    (tmp_path / "~$lockfile.xlsx").write_bytes(b"office lock file")
    with app.app_context():
        first = publish_directory(tmp_path, "默认项目", blobs=app.extensions["blobstore"])
        second = publish_directory(tmp_path, "默认项目", blobs=app.extensions["blobstore"])
    assert first.project_id == second.project_id
    assert first.lines[0].startswith("published") and second.lines[0].startswith("unchanged")
    assert _versions(app) == 1
