"""The resident's page under a public link, the form it renders, and the report it sends.

/f/{token}                     the page: ODK Web Forms renders the form, in Chinese
/f/{token}/form.xml            the published XForm with the link's village as the village's default
/f/{token}/attachments/{name}  the form's files (its village list holds the link's village only)
/f/{token}/challenge           a proof-of-work challenge (ALTCHA), asked of busy addresses
/f/{token}/submission          the report: OpenRosa multipart, with the page's stamp, honeypot and proof
/f/{token}/thanks              the thank-you page with the report's reference
"""
import re
import time
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for

from ..core.fill_time import render_stamp
from ..core.xform import with_default
from ..http.permissions import public
from ..openrosa.views import media_response, read_upload
from ..services.forms import catalog
from ..services.self_report import abuse, challenge, links
from ..services.self_report.reports import Filling, take_report
from ..services.submissions.ingest import VILLAGE_FIELD
from . import bp
from .pages import page_nonce, with_policy

LINK = "/f/<token>"
_LINK_KEY = "the token in the URL opens one form of one village, to fill in and send, never to read back"
# The page's own fields, sent beside the form's (Web Forms' FormData): never a question's name, which are
# the instance's elements, inside xml_submission_file.
STAMP_FIELD, HONEYPOT_FIELD, SOLUTION_FIELD = "dixian_stamp", "website", "altcha"
_REFERENCE = re.compile(r"SR-[0-9]{1,18}")


def _limits() -> abuse.ReportLimits:
    return abuse.ReportLimits(**current_app.config["SELF_REPORT_LIMITS"])


@bp.get(LINK)
@public(_LINK_KEY)
def report_page(token: str):
    link = links.open_link(token)
    config = current_app.config
    page = {
        "formUrl": url_for(".report_form", token=token),
        "attachmentsUrl": url_for(".report_attachment", token=token, name=""),
        "submitUrl": url_for(".report_submission", token=token),
        "stamp": render_stamp(config["SECRET_KEY"], link.id, int(time.time())),
        "stampField": STAMP_FIELD, "honeypotField": HONEYPOT_FIELD, "solutionField": SOLUTION_FIELD,
        "challengeUrl": (url_for(".report_challenge", token=token)
                         if abuse.needs_challenge(request.remote_addr, _limits()) else None),
    }
    body = render_template("self_report/page.html", page=page, village_name=links.village_name(link),
                           hotline=config["SELF_REPORT_HOTLINE"], nonce=page_nonce())
    return with_policy(Response(body, mimetype="text/html"))


@bp.get(f"{LINK}/form.xml")
@public(_LINK_KEY)
def report_form(token: str):
    link = links.open_link(token)
    access = links.link_access(link)
    version = catalog.current_version(link.project_id, link.form.xml_form_id, access.principal)
    return Response(with_default(version.xml, VILLAGE_FIELD, link.village), mimetype="application/xml")


@bp.get(f"{LINK}/attachments/<name>")
@public(_LINK_KEY)
def report_attachment(token: str, name: str):
    link = links.open_link(token)
    access = links.link_access(link)
    version = catalog.current_version(link.project_id, link.form.xml_form_id, access.principal)
    return media_response(catalog.media_file(version, access, name))


@bp.get(f"{LINK}/challenge")
@public(_LINK_KEY)
def report_challenge(token: str):
    links.open_link(token)
    return jsonify(challenge.new_challenge(current_app.config["SECRET_KEY"], _limits().challenge_work))


@bp.post(f"{LINK}/submission")
@public(_LINK_KEY)
def report_submission(token: str):
    config = current_app.config
    form = request.form
    filling = Filling(stamp=form.get(STAMP_FIELD), honeypot=form.get(HONEYPOT_FIELD),
                      solution=form.get(SOLUTION_FIELD), cross_site=_cross_site())
    taken = take_report(token, read_upload(), filling, address=request.remote_addr, limits=_limits(),
                        secret_key=config["SECRET_KEY"], blobs=current_app.extensions["blobstore"],
                        max_xml_bytes=config["MAX_SUBMISSION_XML_BYTES"],
                        max_xml_nodes=config["MAX_SUBMISSION_ELEMENTS"], now_s=int(time.time()),
                        assess=config["RISK_RULES"], accept_working_days=config["LEAD_ACCEPT_WORKING_DAYS"],
                        join_days=config["LEAD_JOIN_DAYS"])
    thanks = url_for(".report_thanks", token=token, ref=taken.reference)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"reference": taken.reference, "thanks": thanks}), 201
    return redirect(thanks, code=303)


def _cross_site() -> bool:
    """Whether the browser says another site's page sent this (Sec-Fetch-Site, else Origin): the resident's
    page posts from this server's own origin, and a foreign page must not send reports through its visitors."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc != request.host


@bp.get(f"{LINK}/thanks")
@public("a thank-you page: it shows only the reference number in its own URL, nothing stored")
def report_thanks(token: str):
    links.find_link(token)          # a token that never opened anything has no thanks page (404)
    reference = request.args.get("ref", "")
    body = render_template("self_report/thanks.html", reference=reference if _REFERENCE.fullmatch(reference) else None,
                           again=url_for(".report_page", token=token),
                           hotline=current_app.config["SELF_REPORT_HOTLINE"],
                           accept_days=current_app.config["LEAD_ACCEPT_WORKING_DAYS"])
    return with_policy(Response(body, mimetype="text/html"))
