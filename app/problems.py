"""Every failure a client hears about, as one catalogue of named problems.

A Problem has a code in ODK Central's numbering: the HTTP status, a point, and a number naming
the failure (404.1). Where Central has the same failure the factory takes Central's code and
meaning (central-backend lib/util/problem.js), so Central's clients (pyodk, ruODK, Enketo) read
ours as they read Central's. Failures Central does not have take a code from DIXIAN_RANGE (.90 and
up), far from where Central adds its own. No raise site writes a bare number: it calls a factory
here. Services raise Problems; each door renders them in its own format (app/http/errors.py).

Messages say what happened and what to do, in English (the doors add Chinese where people read
them). They never repeat a token, a password or a personal ID number.
"""

DIXIAN_RANGE = 90      # minor codes from here up are Dixian's own


class Problem(Exception):
    def __init__(self, code: float, message: str, details: dict | None = None,
                 headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or []   # e.g. WWW-Authenticate challenges, Retry-After

    @property
    def status(self) -> int:
        """The HTTP status: the code's integer part."""
        return int(self.code)


# 400: the request cannot be used as it is (Central's codes).

def unparseable(what: str, reason: str = "") -> Problem:
    """400.1: the data (an XML submission, a URL, JSON) could not be read at all."""
    return Problem(400.1, f"The {what} could not be read.{' ' + reason if reason else ''}")


def missing_parameter(field: str, message: str | None = None) -> Problem:
    """400.2: a required value is missing or empty."""
    return Problem(400.2, message or f"Required parameter {field} missing.", {"field": field})


def missing_parameters(message: str, **details) -> Problem:
    """400.3: several required values are missing (e.g. email and password)."""
    return Problem(400.3, message, details)


def invalid_header(header: str, reason: str) -> Problem:
    """400.6: a header cannot be used; its value is not repeated (it may hold a credential)."""
    return Problem(400.6, f"The {header} header is not readable: {reason}", {"header": header})


def missing_multipart_field(field: str) -> Problem:
    """400.7: OpenRosa's multipart POST lacks a part it needs (xml_submission_file)."""
    return Problem(400.7, f"Required multipart POST field {field} missing.", {"field": field})


def unexpected_value(field: str, message: str) -> Problem:
    """400.8: a value that is there but cannot be used (an unknown role, a date window that ends
    before it starts, a submission for another form)."""
    return Problem(400.8, message, {"field": field})


def value_too_long(field: str, label: str, limit: int, length: int, plural: str | None = None) -> Problem:
    """400.13 ("Length of value too long for a field"), saying which field and its limit. The value
    itself is not repeated: it may be very long, or personal."""
    plural = plural or label + "s"
    return Problem(400.13, f"The {label} is {length} characters long; {plural} can have at most {limit}.",
                   {"field": field, "limit": limit, "length": length})


def xlsform_not_valid(message: str) -> Problem:
    """400.15: a form file that is not a valid XLSForm or XForm (pyxform's or ODK Validate's reason)."""
    return Problem(400.15, message)


def expected_deprecation() -> Problem:
    """400.19: an edit sent to Central's REST PUT without meta/deprecatedID naming the version it replaces."""
    return Problem(400.19, "An edit must name the version it replaces: its meta/deprecatedID is to hold the "
                           "current version's instanceID.")


def password_too_short(minimum: int) -> Problem:
    """400.21: a password shorter than the minimum."""
    return Problem(400.21, f"The password must be at least {minimum} characters long.", {"minimum": minimum})


def value_out_of_range(field: str, label: str, minimum: int, maximum: int) -> Problem:
    """400.22: a number the column's type cannot hold."""
    return Problem(400.22, f"The {label} must be between {minimum} and {maximum}.",
                   {"field": field, "minimum": minimum, "maximum": maximum})


# 400: Dixian's own.

def unreadable_body(reason: str = "") -> Problem:
    """400.90: the request body could not be read (malformed chunked coding, a dropped connection)."""
    return Problem(400.90, f"The request body could not be read{': ' + reason if reason else ''}. "
                           "Nothing was stored; please send it again.")


def import_rejected(message: str, errors: list[dict]) -> Problem:
    """400.91: a places or registry file with wrong rows; nothing was imported. `errors` lists
    {row, code, message} for every row."""
    return Problem(400.91, message, {"errors": errors})


def ruleset_invalid(reason: str) -> Problem:
    """400.92: a ruleset with missing or contradictory thresholds; it was not saved."""
    return Problem(400.92, f"The ruleset was not saved: {reason}.")


def csrf_missing() -> Problem:
    """400.93: a state-changing request signed in by the console's cookie without the session's CSRF
    token (a page of another site may make the browser send the cookie); nothing was changed."""
    return Problem(400.93, "This form has expired or did not come from this server; reload the page and try again.")


# 401 and 403: who is asking, and whether they may.

def authentication_failed(message: str = "Could not authenticate with the provided credentials.",
                          headers: list[tuple[str, str]] | None = None) -> Problem:
    """401.2: no credentials, or wrong ones; `headers` carry the challenges (WWW-Authenticate)."""
    return Problem(401.2, message, headers=headers)


def https_only(headers: list[tuple[str, str]] | None = None) -> Problem:
    """401.3: a password in the clear (HTTP Basic) over plain http, which Central refuses with these words
    (lib/http/preprocessors.js); Digest, sessions and device tokens still work."""
    return Problem(401.3, "This authentication method is only available over HTTPS", headers=headers)


def insufficient_rights(message: str = "The authentication you provided does not have rights to perform "
                                       "that action.") -> Problem:
    """403.1: the caller is known but may not do this (also: an unknown or revoked device token,
    since a 401 would make Collect ask for a password it does not have)."""
    return Problem(403.1, message)


# 404: nothing there (to this caller).

def not_found(message: str = "Could not find the resource you were looking for.") -> Problem:
    """404.1: no such thing, or none the caller's places reach (the same answer, so that a
    place-limited caller learns nothing of other places)."""
    return Problem(404.1, message)


def failed_draft_access() -> Problem:
    """404.4: a draft test code that opens nothing (the draft was published or replaced)."""
    return Problem(404.4, "There is no draft of this form for that test code; it may have been published.")


def deprecated_id_not_found(deprecated_id: str) -> Problem:
    """404.5: an edit of a submission this server does not have."""
    return Problem(404.5, f"The submission this edits ({deprecated_id}) does not exist.")


def form_version_not_found(xml_form_id: str, version: str) -> Problem:
    """404.6: a submission for a version of the form that was never published here."""
    return Problem(404.6, f"The form version specified in this submission '{version}' does not exist for form "
                          f"'{xml_form_id}'.")


# 409: the request conflicts with what is stored.

def xml_conflict(instance_id: str) -> Problem:
    """409.1: the same instanceID with different XML."""
    return Problem(409.1, f"A submission already exists with the instanceID {instance_id}, but with different "
                          "XML. Resend the original, or edit the submission to change it.")


def not_accepting_submissions(xml_form_id: str) -> Problem:
    """409.2: the form is closed."""
    return Problem(409.2, f"The form '{xml_form_id}' is closed and is not accepting submissions.")


def uniqueness_violation(message: str) -> Problem:
    """409.3: a thing with this name or number exists already."""
    return Problem(409.3, message)


def version_uniqueness_violation(message: str) -> Problem:
    """409.6: a form version that is published already (or a draft that reuses one)."""
    return Problem(409.6, message)


def deprecating_old_submission(deprecated_id: str) -> Problem:
    """409.9: an edit of a version that has itself been edited since."""
    return Problem(409.9, f"The submission you edited ({deprecated_id}) has been edited since; the copy you were "
                          "editing is now out of date. Download the current version and edit that.")


def link_gone(reason: str, message: str) -> Problem:
    """410.90 (Dixian's): a public link that no longer opens: `reason` revoked | expired | quota | closed (its
    form takes no reports)."""
    return Problem(410.90, message, {"reason": reason})


def report_refused(reason: str, status: int, message: str) -> Problem:
    """400.94, 403.90, 413.90 or 429.90 (Dixian's, by `status`): a resident's self-report refused by an abuse control
    (services/self_report/abuse.py REFUSALS names `reason`); nothing of it was stored."""
    return Problem({400: 400.94, 403: 403.90, 413: 413.90, 429: 429.90}[status], message, {"reason": reason})


def lead_state_conflict(message: str) -> Problem:
    """409.91 (Dixian's): a lead cannot take this decision in the state it is in (accepted already, merged)."""
    return Problem(409.91, message)


def ambiguous_name(message: str) -> Problem:
    """409.90: a name that several things share; the caller must give an id instead."""
    return Problem(409.90, message)


# OData (Central's codes and messages: central-backend lib/util/problem.js).

def unparseable_odata_expression(reason: str) -> Problem:
    """400.18: a $filter or $orderby that is not OData."""
    return Problem(400.18, f"The OData filter expression you provided could not be parsed: {reason}")


def property_not_found(name: str) -> Problem:
    """400.23: $select names a property the table does not have."""
    return Problem(400.23, f"Could not find a property named '{name}'", {"property": name})


def unsupported_odata_select_field(name: str) -> Problem:
    """400.24: $select names a field inside a repeat from the parent's table."""
    return Problem(400.24, f"The given OData select property '{name}' uses features not supported by this server.",
                   {"property": name})


def invalid_skiptoken() -> Problem:
    """400.35: a $skiptoken this server did not write (Central's odataInvalidSkiptoken), or one naming a row
    the caller cannot see."""
    return Problem(400.35, "Invalid $skiptoken")


def odata_not_implemented(feature: str) -> Problem:
    """501.1: an OData query option or combination this server does not offer ($search, $expand with
    $select, ...)."""
    return Problem(501.1, f"The requested feature {feature} is not supported by this server.", {"feature": feature})


def unsupported_odata_expression(kind: str, text: str) -> Problem:
    """501.4: a $filter using an operator or function this server does not evaluate."""
    return Problem(501.4, f"The given OData filter expression uses features not supported by this server: "
                          f"{kind} (\"{text}\")", {"type": kind, "text": text})


def unsupported_odata_field(text: str) -> Problem:
    """501.5: a $filter or $orderby on a property other than __id, the __system fields and Dixian's
    __dixian extensions (answers are not filterable, as in Central)."""
    return Problem(501.5, f"The given OData filter expression references fields not supported by this server: "
                          f"{text}", {"text": text})


# 413, 415, 429, 5xx.

def too_large(message: str) -> Problem:
    """413.1: a request (or a submission's XML) larger than this server reads."""
    return Problem(413.1, message)


def unsupported_media_type(message: str) -> Problem:
    """415.1: a body of a type this URL does not take (the submission XML sent as a form, multipart to the
    REST URL). Central has no 415; .1 is what from_http_status gives werkzeug's own."""
    return Problem(415.1, message)


def too_many_attempts(message: str, retry_after_s: int) -> Problem:
    """429.1: locked out for a while (wrong passwords); Retry-After says how long, in seconds."""
    return Problem(429.1, message, headers=[("Retry-After", str(retry_after_s))])


def internal_error() -> Problem:
    """500.1: something the server did not foresee; the transaction was rolled back."""
    return Problem(500.1, "An internal error occurred; nothing was stored. Please try again.")


def service_unavailable(message: str, retry_after_s: int) -> Problem:
    """503.1 with Retry-After (RFC 9110 §10.2.3): ODK Collect and API clients send again later."""
    return Problem(503.1, message, headers=[("Retry-After", str(retry_after_s))])


def from_http_status(status: int, message: str) -> Problem:
    """A Problem for an HTTP error raised by Flask or werkzeug themselves (405, 404 for an unknown
    URL), with the status's first minor code."""
    return Problem(status + 0.1, message)
