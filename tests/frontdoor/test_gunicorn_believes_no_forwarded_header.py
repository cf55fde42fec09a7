"""gunicorn, as scripts/serve.sh runs it (app.serving), believes no forwarded header of its own: a plain
http request from a local process straight to APP_BIND that claims https in a header gunicorn knows
(X-Forwarded-Ssl, X-Forwarded-Protocol) stays plain http, so a Basic password is still refused (Central's
401.3). Only the app's TrustedProxies reads forwarded headers (X-Forwarded-Proto from TRUSTED_PROXIES)."""
import requests

OPENROSA = {"X-OpenRosa-Version": "1.0"}


def test_a_header_claiming_https_straight_to_gunicorn_is_not_believed(site, gunicorn):
    url = f"http://{gunicorn.address}/v1/projects/{site.project_id}/formList"
    for claim in ({"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Protocol": "ssl"}):
        answer = requests.get(url, headers={**OPENROSA, **claim}, auth=site.admin, timeout=10)
        assert answer.status_code == 401, (claim, answer.status_code)
        assert "only available over HTTPS" in answer.text
    # By its defaults gunicorn would also take a SCRIPT_NAME header as the WSGI variable, and route what
    # follows it: /elsewhere/v1/... as /v1/...
    moved = requests.get(f"http://{gunicorn.address}/elsewhere/v1/projects/{site.project_id}/formList",
                         headers={**OPENROSA, "SCRIPT_NAME": "/elsewhere"}, timeout=10)
    assert moved.status_code == 404
