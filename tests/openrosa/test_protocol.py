"""The OpenRosa conversation as Collect has it: list, manifest, download, HEAD, POST."""
import hashlib
from urllib.parse import quote

import requests

from tests.conftest import REAL_FORMS, REPO
from tests.support.instances import build_instance

SCREENING = REPO / "forms" / "fpf_hh_screening.md"


def test_form_list_is_text_xml_with_hash_of_exact_served_bytes(publish, device):
    publish(SCREENING)
    [form] = device.form_list()
    assert form.form_id == "fpf_hh_screening"
    assert form.name == "防返贫监测排查表"
    assert form.version == "2026112301"
    assert form.download_url.startswith(device.server_url + "/forms/")
    served = device.get(form.download_url)
    assert form.hash == "md5:" + hashlib.md5(served.content).hexdigest()
    assert form.manifest_url.endswith("/forms/fpf_hh_screening/manifest")   # its pick-lists


def test_a_form_without_media_has_no_manifest_url(publish, device):
    publish(REAL_FORMS / "central-withrepeat" / "withrepeat.xml")
    [form] = device.form_list()
    assert form.manifest_url is None


def test_form_list_filters_by_form_id_and_ignores_unknown_parameters(publish, device):
    publish(SCREENING)
    publish(REAL_FORMS / "central-withrepeat" / "withrepeat.xml")
    assert [f.form_id for f in device.form_list(formID="withrepeat")] == ["withrepeat"]
    assert device.form_list(formID="nope") == []
    assert len(device.form_list(verbose="true", listAllVersions="true")) == 2


def test_form_ids_that_need_escaping_are_percent_encoded_in_urls(publish, device):
    publish(REAL_FORMS / "collect-encrypted-unicode" / "one-question-encrypted-unicode.xml")
    [form] = device.form_list()
    assert form.form_id == "one_questión_encrypted_unicode"
    assert form.version == "versión 4"
    assert quote("one_questión_encrypted_unicode", safe="") in form.download_url
    assert device.get(form.download_url).status_code == 200


def test_manifest_lists_media_with_md5_of_served_bytes(publish, device):
    folder = REAL_FORMS / "collect-external-csv"
    publish(folder / "external_csv_form.xml", folder)
    [form] = device.form_list()
    media = device.manifest(form.manifest_url)
    assert {m["filename"] for m in media} == {
        "external_csv_countries.csv", "external_csv_cities.csv", "external_csv_neighbourhoods.csv"}
    for m in media:
        body = device.get(m["downloadUrl"])
        assert body.status_code == 200
        assert m["hash"] == "md5:" + hashlib.md5(body.content).hexdigest()
        assert body.content == (folder / m["filename"]).read_bytes()


def test_missing_display_media_does_not_block_publishing_and_is_not_listed(publish, device):
    folder = REAL_FORMS / "collect-likert"
    publish(folder / "likert_test.xml", folder)
    [form] = device.form_list()
    assert [m["filename"] for m in device.manifest(form.manifest_url)] == ["famous.jpg"]


def test_manifest_of_a_form_without_media_is_empty_not_404(publish, device):
    publish(REAL_FORMS / "central-withrepeat" / "withrepeat.xml")
    response = device.get(f"{device.server_url}/forms/withrepeat/manifest")
    assert response.status_code == 200
    assert b"<manifest" in response.content and b"mediaFile" not in response.content


def test_head_submission_is_204_with_openrosa_headers(device):
    response = device.head_submission()
    assert response.status_code == 204
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert int(response.headers["X-OpenRosa-Accept-Content-Length"]) > 0
    assert "Location" not in response.headers
    get = device.get(f"{device.server_url}/submission")
    assert get.status_code == 204


def test_successful_post_is_201_with_an_openrosa_response(publish, device):
    publish(SCREENING)
    xform = device.get(device.form_list()[0].download_url).content
    xml, files = build_instance(xform)
    response = device.post_submission(xml, files)
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert b'<OpenRosaResponse xmlns="http://openrosa.org/http/response"' in response.content


def test_closing_forms_are_unlisted_but_accept_and_closed_forms_refuse(app, project, publish, device):
    from app.services.forms.publish import set_form_state
    publish(SCREENING)
    xform = device.get(device.form_list()[0].download_url).content
    with app.app_context():
        set_form_state(project, "fpf_hh_screening", "closing")
    assert device.form_list() == []
    assert device.post_submission(*build_instance(xform)).status_code == 201
    with app.app_context():
        set_form_state(project, "fpf_hh_screening", "closed")
    response = device.post_submission(*build_instance(xform))
    assert response.status_code == 409
    assert b'nature="error"' in response.content and "closed" in response.text
    assert device.get(f"{device.server_url}/forms/fpf_hh_screening.xml").status_code == 403


def test_plain_form_download_needs_no_openrosa_header(publish, device, live_server):
    publish(SCREENING)
    url = device.form_list()[0].download_url
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml")


def test_head_form_list_answers_2xx_for_enketo(publish, device):
    response = device.http.head(f"{device.server_url}/formList")
    assert response.status_code == 200


def test_st_query_token_works_like_the_key_prefix_and_urls_keep_the_token(app, project, publish, live_server):
    from app.services.accounts.app_users import create_app_user
    publish(SCREENING)
    with app.app_context():
        _, token = create_app_user(project, "web form")
    response = requests.get(f"{live_server}/v1/projects/{project}/formList", params={"st": token}, timeout=10)
    assert response.status_code == 200
    assert f"/v1/key/{token}/projects/{project}/forms/fpf_hh_screening.xml".encode() in response.content


def test_concurrent_resends_of_one_submission_store_it_once(app, publish, device):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import SubmissionVersion
    publish(SCREENING)
    xml, files = build_instance(device.get(device.form_list()[0].download_url).content)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: device.post_submission(xml, files, head_first=False).status_code, range(8)))
    assert statuses == [201] * 8
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubmissionVersion)) == 1


def test_a_form_assigned_to_some_devices_is_hidden_from_the_others(app, project, publish, device, live_server):
    from app.services.accounts.app_users import create_app_user
    from tests.support.collect import CollectClient
    publish(SCREENING)
    publish(REAL_FORMS / "central-withrepeat" / "withrepeat.xml")
    with app.app_context():
        _, other_token = create_app_user(project, "驻村工作队 王五")
    other = CollectClient(f"{live_server}/v1/key/{other_token}/projects/{project}")
    xform = device.get(f"{device.server_url}/forms/withrepeat.xml").content
    result = app.test_cli_runner().invoke(args=["form", "assign", str(project), "withrepeat", "驻村工作队 王五"])
    assert result.exit_code == 0, result.output

    assert sorted(f.form_id for f in other.form_list()) == ["fpf_hh_screening", "withrepeat"]
    assert [f.form_id for f in device.form_list()] == ["fpf_hh_screening"]
    assert device.get(f"{device.server_url}/forms/withrepeat.xml").status_code == 403
    assert device.post_submission(*build_instance(xform)).status_code == 403
    assert other.post_submission(*build_instance(xform)).status_code == 201
