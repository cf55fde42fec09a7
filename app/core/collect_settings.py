"""The settings QR code ODK Collect scans: base64(zlib(JSON)), with 'general' and 'admin' present."""
import base64
import json
import zlib


def collect_settings(server_url: str, project_name: str) -> dict:
    return {
        "general": {
            "server_url": server_url,
            # Devices keep exactly the published forms and send as soon as they have signal.
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
        },
        "admin": {},
        "project": {"name": project_name},
    }


def qr_payload(settings: dict) -> str:
    return base64.b64encode(zlib.compress(json.dumps(settings, ensure_ascii=False).encode("utf-8"))).decode()


def read_qr_payload(payload: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))
