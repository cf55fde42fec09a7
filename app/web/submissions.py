"""Submission review in the console: the list with its filters and a bulk review of what it shows, and a
submission's page with its answers, photos, flags, versions, history and comments, where a reviewer sets
its state (services/submissions: listing, review, view)."""
from urllib.parse import urlencode

from flask import redirect, request, url_for

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import Problem, unexpected_value
from ..services.accounts import projects
from ..services.coverage.campaigns import project_campaigns
from ..services.forms.catalog import form_listings
from ..services.submissions import review
from ..services.submissions.listing import LIST_STATES, SORTS, SubmissionFilter, list_submissions
from ..services.submissions.view import submission_view
from . import bp
from .i18n import FLAG_NAMES
from .problem_page import console_error
from .views import page

_FILTER_FIELDS = ("form", "campaign", "place", "from", "to", "reviewState", "flag", "sort")   # sort: the list's


@bp.get("/projects/<int:project_id>/submissions")
@requires(Permission.SUBMISSION_READ)
def submission_list(project_id: int, access: Access):
    return _list_page(access)


@bp.post("/projects/<int:project_id>/submissions/review")
@requires(Permission.SUBMISSION_REVIEW)
def bulk_review(project_id: int, access: Access):
    """Review every submission the (hidden) filter fields choose, if still as many as the page showed."""
    form = request.form
    query = {name: form.get(name, "") for name in _FILTER_FIELDS if form.get(name)}
    confirmed = form.get("confirmed", "")
    try:
        if not (confirmed.isascii() and confirmed.isdigit() and len(confirmed) < 10):
            raise unexpected_value("confirmed", "The number to confirm is missing.")
        # setState, not reviewState: that is the filter's (the submissions in a review state).
        changed = review.bulk_review(access, SubmissionFilter.from_args(form), form.get("setState", ""),
                                     confirmed=int(confirmed))
    except Problem as problem:
        return _list_page(access, problem, args=form)
    return redirect(url_for("web.submission_list", project_id=project_id, reviewed=changed, **query))


@bp.get("/projects/<int:project_id>/submissions/<xml_form_id>/<instance_id>")
@requires(Permission.SUBMISSION_READ)
def submission_page(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    return _submission_page(access, xml_form_id, instance_id)


@bp.post("/projects/<int:project_id>/submissions/<xml_form_id>/<instance_id>/review")
@requires(Permission.SUBMISSION_REVIEW)
def review_one(project_id: int, xml_form_id: str, instance_id: str, access: Access):
    comment = request.form.get("comment", "").strip()
    try:
        state = request.form.get("reviewState", "")
        if state:
            review.set_review_state(access, xml_form_id, instance_id, state)
        if comment:
            review.add_comment(access, xml_form_id, instance_id, comment)
    except Problem as problem:
        if problem.status == 404:
            raise
        return _submission_page(access, xml_form_id, instance_id, problem)
    return redirect(url_for("web.submission_page", project_id=project_id, xml_form_id=xml_form_id,
                            instance_id=instance_id))


def _list_page(access: Access, problem: Problem | None = None, args=None):
    args = request.args if args is None else args
    chosen, rows, next_cursor, total = SubmissionFilter(), [], None, 0
    try:
        chosen = SubmissionFilter.from_args(args)
        listed = list_submissions(access, chosen, after=args.get("after") or None, sort=args.get("sort") or "received")
        rows, next_cursor, total = listed.rows, listed.next_cursor, review.count_matching(access, chosen)
    except Problem as refused:
        problem = problem or refused
    query = {name: args.get(name, "") for name in _FILTER_FIELDS if args.get(name)}
    reviewed = args.get("reviewed", "")
    return page("submissions.html", problem.status if problem else 200,
                project=projects.require_project(access.project_id), rows=rows, total=total, filter=query,
                next_url=(url_for("web.submission_list", project_id=access.project_id,
                                  **query, after=next_cursor) if next_cursor else None),
                export_query=urlencode(query), forms=form_listings(access.project_id, access.principal),
                campaigns=project_campaigns(access.project_id), states=LIST_STATES, sorts=SORTS,
                settable=review.SETTABLE, flags=sorted(FLAG_NAMES), may_review=access.can(Permission.SUBMISSION_REVIEW),
                may_export=access.can(Permission.SUBMISSION_EXPORT),
                reviewed=int(reviewed) if reviewed.isascii() and reviewed.isdigit() and len(reviewed) < 10 else None,
                error=console_error(problem) if problem else None)


def _submission_page(access: Access, xml_form_id: str, instance_id: str, problem: Problem | None = None):
    return page("submission.html", problem.status if problem else 200,
                project=projects.require_project(access.project_id),
                view=submission_view(access, xml_form_id, instance_id), settable=review.SETTABLE,
                may_review=access.can(Permission.SUBMISSION_REVIEW), error=console_error(problem) if problem else None)
