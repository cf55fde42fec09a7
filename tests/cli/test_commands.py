"""The administrator's commands, run through Flask's CLI runner."""
import json

from tests.conftest import REAL_FORMS, REPO


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_user_project_form_and_device_account_lifecycle(app, clean, tmp_path):
    from app.core.collect_settings import read_qr_payload

    result = _run(app, "user", "create", "boss@example.org", "--password", "long enough pw", "--admin")
    assert result.exit_code == 0 and json.loads(result.output)["admin"] is True
    result = _run(app, "project", "create", "县级排查")
    assert result.exit_code == 0
    project_id = int(result.output.strip())

    result = _run(app, "form", "publish", str(project_id), str(REPO / "forms" / "fpf_hh_screening.md"))
    assert result.exit_code == 0 and "published: fpf_hh_screening" in result.output
    result = _run(app, "form", "publish", str(project_id), str(REPO / "forms" / "fpf_hh_screening.md"))
    assert "unchanged: fpf_hh_screening" in result.output

    folder = REAL_FORMS / "collect-external-csv"
    result = _run(app, "form", "publish", str(project_id), str(folder / "external_csv_form.xml"),
                  "--media", str(folder))
    assert result.exit_code == 0, result.output

    png = tmp_path / "qr.png"
    result = _run(app, "app-user", "create", str(project_id), "驻村工作队 李四", "--qr-png", str(png))
    assert result.exit_code == 0, result.output
    device = json.loads(result.output)
    assert device["server_url"].endswith(f"/v1/key/{device['token']}/projects/{project_id}")
    settings = read_qr_payload(device["qr_payload"])
    assert settings["general"]["server_url"] == device["server_url"]
    assert settings["admin"] == {} and settings["project"]["name"] == "县级排查"
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_mode & 0o777 == 0o600          # the code is the device's password

    result = _run(app, "app-user", "revoke", str(project_id), "驻村工作队 李四")
    assert result.exit_code == 0 and "revoked" in result.output
    listing = _run(app, "app-user", "list", str(project_id)).output
    assert "revoked" in listing

    assert "closed" in _run(app, "form", "state", str(project_id), "fpf_hh_screening", "closed").output


def test_publishing_a_broken_form_fails_with_the_reason(app, project):
    broken = REAL_FORMS / "broken" / "xlsform-unknown-type" / "MCH_v1.xls"
    result = _run(app, "form", "publish", str(project), str(broken))
    assert result.exit_code == 1
    assert "Unknown question type" in result.output
    assert "Traceback" not in result.output


def test_form_sync_publishes_the_forms_folder_into_the_default_project(app, clean):
    result = _run(app, "form", "sync", str(REPO / "forms"))
    assert result.exit_code == 0, result.output
    assert "published: fpf_hh_screening" in result.output
    again = _run(app, "form", "sync", str(REPO / "forms"))
    assert "unchanged: fpf_hh_screening" in again.output
