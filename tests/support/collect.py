"""A client that talks to the server the way ODK Collect does (see openrosa-spec.md §0)."""
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from xml.etree import ElementTree

import requests

XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


@dataclass
class ListedForm:
    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str | None


class CollectClient:
    def __init__(self, server_url: str, auth=None):
        self.server_url = server_url.rstrip("/")
        self.device_id = "collect:" + uuid.uuid4().hex[:16]
        self.http = requests.Session()
        self.http.auth = auth
        self.http.headers.update({
            "User-Agent": "org.odk.collect.android/v2025.2.3 Dalvik/2.1.0 (Linux; U; Android 13)",
            "X-OpenRosa-Version": "1.0",
            "Accept-Encoding": "gzip",
        })

    def _headers(self) -> dict:
        # Collect's Date header uses a 12-hour clock with no AM/PM; servers must not choke on it.
        return {"Date": formatdate(usegmt=True).replace(" 13:", " 01:")}

    def get(self, url: str, **params) -> requests.Response:
        params["deviceID"] = self.device_id
        return self.http.get(url, params=params, headers=self._headers(), timeout=30)

    def form_list(self, **params) -> list[ListedForm]:
        response = self.get(f"{self.server_url}/formList", **params)
        assert response.status_code == 200, response.text
        assert "text/xml" in response.headers["Content-Type"]
        assert response.headers["X-OpenRosa-Version"] == "1.0"
        root = ElementTree.fromstring(response.content)
        forms = []
        for x in root.findall(f"{XFORMS_LIST}xform"):
            text = {child.tag[len(XFORMS_LIST):]: child.text or "" for child in x}
            forms.append(ListedForm(text.get("formID"), text.get("name"), text.get("version"), text.get("hash"),
                                    text.get("downloadUrl"), text.get("manifestUrl")))
        return forms

    def manifest(self, url: str) -> list[dict]:
        response = self.get(url)
        assert response.status_code == 200, response.text
        assert "text/xml" in response.headers["Content-Type"]
        root = ElementTree.fromstring(response.content)
        return [{"filename": m.find(f"{MANIFEST}filename").text, "hash": m.find(f"{MANIFEST}hash").text,
                 "downloadUrl": m.find(f"{MANIFEST}downloadUrl").text}
                for m in root.findall(f"{MANIFEST}mediaFile")]

    def head_submission(self) -> requests.Response:
        return self.http.head(f"{self.server_url}/submission", params={"deviceID": self.device_id},
                              headers=self._headers(), timeout=30)

    def post_submission(self, xml: bytes, attachments: dict[str, bytes] | None = None, *,
                        incomplete: bool = False, head_first: bool = True) -> requests.Response:
        if head_first:
            head = self.head_submission()
            assert head.status_code == 204, head.text
        files = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
        for name, data in (attachments or {}).items():
            files.append((name, (name, data, "image/jpeg" if name.endswith(".jpg") else "application/octet-stream")))
        data = {"*isIncomplete*": "yes"} if incomplete else None
        return self.http.post(f"{self.server_url}/submission", params={"deviceID": self.device_id},
                              files=files, data=data, headers=self._headers(), timeout=60)
