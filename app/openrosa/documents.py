"""Every OpenRosa XML document the server sends, in one place.

Collect is strict about these: text/xml, the xformsList and xformsManifest
namespaces, an entry missing a child kills the whole list. Built as text with
escaping, never re-serialised, so what is read here is what goes on the wire.
"""
from dataclasses import dataclass
from xml.sax.saxutils import escape

OPENROSA_HEADERS = {"X-OpenRosa-Version": "1.0"}


@dataclass(frozen=True)
class FormListEntry:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class MediaFile:
    filename: str
    md5: str
    download_url: str


def form_list(entries: list[FormListEntry]) -> bytes:
    items = []
    for e in entries:
        manifest = f"\n    <manifestUrl>{escape(e.manifest_url)}</manifestUrl>" if e.manifest_url else ""
        items.append(
            "  <xform>\n"
            f"    <formID>{escape(e.form_id)}</formID>\n"
            f"    <name>{escape(e.name or e.form_id)}</name>\n"
            f"    <version>{escape(e.version)}</version>\n"
            f"    <hash>md5:{e.md5}</hash>\n"
            f"    <downloadUrl>{escape(e.download_url)}</downloadUrl>{manifest}\n"
            "  </xform>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xforms xmlns="http://openrosa.org/xforms/xformsList">\n'
            + "".join(items) + "</xforms>\n").encode("utf-8")


def manifest(files: list[MediaFile]) -> bytes:
    items = "".join(
        "  <mediaFile>\n"
        f"    <filename>{escape(f.filename)}</filename>\n"
        f"    <hash>md5:{f.md5}</hash>\n"
        f"    <downloadUrl>{escape(f.download_url)}</downloadUrl>\n"
        "  </mediaFile>\n" for f in files)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">\n'
            + items + "</manifest>\n").encode("utf-8")


def openrosa_response(message: str, *, error: bool = False) -> bytes:
    nature = "error" if error else ""
    return ('<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">\n'
            f'  <message nature="{nature}">{escape(message)}</message>\n'
            "</OpenRosaResponse>\n").encode("utf-8")
