"""Strings and ids from outside are checked against their columns before SQL: a 400 naming the field
(or a row error, or a one-line command error), never a database error; identifiers compared in NFC."""
import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core import idcard
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
NFD_FORM_ID = unicodedata.normalize("NFD", "排查_café")


def _form(tmp_path, *, form_id="limits_test", version="1", title="Limits", image=None):
    """An XLSForm in pyxform's markdown layout, as forms/ holds them."""
    media = (" media::image |", f" {image} |") if image else ("", "")
    path = tmp_path / "form.md"
    path.write_text(f"""| survey |
| | type | name | label |{media[0]}
| | text | name | Name |{media[1]}
| settings |
| | form_id | version | form_title |
| | {form_id} | {version} | {title} |
""", encoding="utf-8")
    return path


def _count(app, model) -> int:
    from app.extensions import db
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def _one_line_error(result) -> str:
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    return result.output.strip()


# bugreports/10 (getodk/central-backend#205): a form ID longer than form.xml_form_id (varchar(300)).
def test_a_form_id_longer_than_its_column_is_refused_with_one_line_and_nothing_stored(app, project, tmp_path):
    from app.models import Form, FormVersion
    path = _form(tmp_path, form_id="household_screening_" + "x" * 300)
    result = _cli(app, "form", "publish", project, path)
    assert _one_line_error(result) == "Error: The form ID is 320 characters long; form IDs can have at most 300."
    assert result.exit_code == 1
    assert _count(app, Form) == 0 and _count(app, FormVersion) == 0


@pytest.mark.parametrize("form,field,limit", [
    ({"version": "v" * 301}, "version", 300),
    ({"title": "题" * 501}, "title", 500),
    ({"image": "p" * 297 + ".jpg"}, "name", 300),
], ids=["version", "title", "media-file-name"])
def test_form_strings_longer_than_their_columns_are_400_13(app, project, tmp_path, form, field, limit):
    from app.models import Form
    from app.problems import Problem
    from app.services.forms.publish import publish_form
    path = _form(tmp_path, **form)
    with app.app_context(), pytest.raises(Problem) as e:
        publish_form(project, path.name, path.read_bytes(), blobs=app.extensions["blobstore"])
    assert e.value.code == 400.13 and e.value.details == {"field": field, "limit": limit, "length": limit + 1}
    assert _count(app, Form) == 0


def test_a_draft_of_a_form_with_a_long_id_gets_a_tester(app, project, tmp_path):
    """The draft tester's name is built from the form ID, and the name column is shorter (200)."""
    from app.services.forms.publish import publish_form
    path = _form(tmp_path, form_id="f" * 250)
    with app.app_context():
        result = publish_form(project, path.name, path.read_bytes(), blobs=app.extensions["blobstore"], draft=True)
        assert result.form.draft_token and len(result.form.xml_form_id) == 250


def test_project_names_longer_than_their_column(app, clean):
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    assert _one_line_error(_cli(app, "project", "create", "项" * 201)) == \
        "Error: The project name is 201 characters long; project names can have at most 200."
    with app.app_context(), pytest.raises(Problem) as e:
        create_project("项" * 201)
    assert e.value.code == 400.13


def test_emails_device_names_and_campaign_names_longer_than_their_columns(app, project, publish):
    publish(REPO / "forms" / "fpf_hh_screening.md")
    # An email is also the account's display name, which holds 200 characters, not 320.
    email = "b" * 238 + "@example.org"
    assert _one_line_error(_cli(app, "user", "create", email, "--password", "long enough pw")) == \
        "Error: The email address is 250 characters long; email addresses can have at most 200."
    assert _one_line_error(_cli(app, "app-user", "create", project, "村" * 201)) == \
        "Error: The device account name is 201 characters long; device account names can have at most 200."
    assert _one_line_error(_cli(app, "campaign", "create", project, "批" * 201, "--start", "2026-11-01",
                                "--end", "2026-11-30", "--forms", "fpf_hh_screening")) == \
        "Error: The campaign name is 201 characters long; campaign names can have at most 200."


def test_whatever_service_writes_it_nothing_flushed_breaks_a_column(ctx, project):
    """The backstop under every ORM write: services with no check of their own still answer 400."""
    from app.extensions import db
    from app.models import Actor, Campaign
    from app.problems import Problem
    from app.services.monitoring.rulesets import save_ruleset
    with pytest.raises(Problem) as e:
        db.session.add(Actor(kind="app_user", display_name="村" * 201))
        db.session.flush()
    assert e.value.code == 400.13 and e.value.details["field"] == "actor.display_name"
    db.session.rollback()
    with pytest.raises(Problem) as e:
        db.session.add(Campaign(project_id=project, name="批" * 201, starts_on=date(2026, 11, 1),
                                ends_on=date(2026, 11, 30), form_ids=[]))
        db.session.flush()
    assert e.value.code == 400.13 and e.value.details["field"] == "campaign.name"
    db.session.rollback()
    with pytest.raises(Problem) as e:
        save_ruleset({"province": "42", "year": 2 ** 31, "version": 1, "monitoring_line": 7500, "watch_line": 10000,
                      "income_drop_ratio": 0.2, "medical_share": 0.5, "school_age_min": 6, "school_age_max": 15,
                      "min_work_months": 6, "water": "2018"})
    assert e.value.code == 400.22 and e.value.details["field"] == "ruleset.year"
    db.session.rollback()   # before the project fixture empties the tables


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() else c for c in text)


def test_place_imports_report_long_names_and_foreign_digits_as_row_errors(ctx):
    from app.models import AdminUnit
    from app.problems import Problem
    from app.services.registry.imports import import_places
    rows = (DATA / "places.csv").read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace("一元村", "村" * 101)
    rows[4] = rows[4].replace("420102001002", _fullwidth("420102001002"), 1)
    with pytest.raises(Problem) as e:
        import_places("places.csv", "\n".join(rows).encode())
    messages = {err["row"]: err["message"] for err in e.value.details["errors"]}
    assert messages == {4: "name is 101 characters long; at most 100 fit", 5: "a place code has 12 digits"}
    assert _count(ctx, AdminUnit) == 0


def test_household_imports_report_unstorable_fields_as_row_errors(app, project):
    from app.models import Household
    from app.problems import Problem
    from app.services.registry.imports import import_households, import_places
    with app.app_context():
        import_places("places.csv", (DATA / "places.csv").read_bytes())
    head = idcard.make("420102", date(1974, 5, 6), 21)
    csv = ("household_id,village,head_name,head_idno,members\n"
           f"{'H' * 41},420102001001,王五,,\n"
           f"H2,420102001001,{'王' * 101},,\n"
           f"H3,420102001001,李四,{_fullwidth(head)},\n"
           'H4,420102001001,赵六,,"[{""name"": ""a\\u0000b""}]"\n'
           "H5,420102001001,钱七,,\n"
           f"H6,420102001001,孙八,,{'[' * 100_000}\n"
           'H7,420102001001,周九,,"[1]"\n')
    with app.app_context(), pytest.raises(Problem) as e:
        import_households(project, "h.csv", csv.encode())
    messages = {err["row"]: err["message"] for err in e.value.details["errors"]}
    assert messages[2] == "household_id is 41 characters long; at most 40 fit"
    assert messages[3] == "head_name is 101 characters long; at most 100 fit"
    assert messages[4].startswith("head_idno: not 18 characters")
    assert "NUL" in messages[5] and 6 not in messages
    assert messages[7] == "members is not a JSON list"
    assert messages[8].startswith("member 1 is not an object")
    assert _count(app, Household) == 0


def test_a_registry_file_the_csv_reader_cannot_read_is_400(app, project):
    from app.problems import Problem
    from app.services.registry.imports import import_households
    csv = f"household_id,village,head_name\nH1,420102001001,{'王' * 200_000}\n"
    with app.app_context(), pytest.raises(Problem) as e:
        import_households(project, "h.csv", csv.encode())
    assert e.value.code == 400.1 and "not readable as CSV" in e.value.message


def test_form_ids_are_stored_and_compared_in_nfc(app, project, tmp_path, device):
    from app.extensions import db
    from app.models import Form, Submission
    from tests.support.instances import build_instance
    path = _form(tmp_path, form_id=NFD_FORM_ID)
    assert _cli(app, "form", "publish", project, path).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Form.xml_form_id)) == unicodedata.normalize("NFC", NFD_FORM_ID)
    assert _cli(app, "form", "state", project, NFD_FORM_ID, "closing").exit_code == 0
    assert _cli(app, "form", "state", project, NFD_FORM_ID, "open").exit_code == 0
    [listed] = device.form_list()
    xml, _ = build_instance(device.get(listed.download_url).content)
    assert f'id="{NFD_FORM_ID}"'.encode() in xml            # the XForm is served as published
    assert device.post_submission(xml).status_code == 201
    assert _count(app, Submission) == 1


def test_campaign_names_are_stored_and_found_in_nfc_and_ids_only_in_ascii(app, project, publish):
    from app.models import Campaign
    from app.services.coverage.campaigns import find_campaign
    publish(REPO / "forms" / "fpf_hh_screening.md")
    name = unicodedata.normalize("NFD", "Campagne d'été")
    result = _cli(app, "campaign", "create", project, name, "--start", "2026-11-01", "--end", "2026-11-30",
                  "--forms", "fpf_hh_screening")
    assert result.exit_code == 0, result.output
    campaign_id = int(result.output)
    with app.app_context():
        assert find_campaign(project, name).name == unicodedata.normalize("NFC", name)
        assert find_campaign(project, str(campaign_id)).id == campaign_id
        with pytest.raises(Exception) as e:
            find_campaign(project, _fullwidth(str(campaign_id)))
        assert getattr(e.value, "code", None) == 404.1
    assert _count(app, Campaign) == 1


def test_command_line_ids_are_ascii_digits_that_fit(app, project):
    from app.services.accounts.app_users import create_app_user, list_app_users
    for bad in (_fullwidth(str(project)), "99999999999", "9" * 5000):
        result = _cli(app, "form", "list", bad)
        assert result.exit_code == 2 and "There is no project" in result.output, result.output
        assert "Traceback" not in result.output
    with app.app_context():
        app_user, _ = create_app_user(project, "村干部 张三")
        actor_id = app_user.actor_id
    result = _cli(app, "app-user", "revoke", project, _fullwidth(str(actor_id)))
    assert result.exit_code == 1 and "No device account" in result.output
    with app.app_context():
        assert all(a.token_sha256 for a in list_app_users(project))    # not revoked
