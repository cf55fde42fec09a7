"""Device tokens out of log lines: what stands in a request line for a secret is replaced by ***.

A device token is a password that travels in the URL (ODK Central's /v1/key/{token}/ and Enketo's
?st={token}), so every log line that copies a request line would hold one: gunicorn's "Invalid
request" warnings (case reliability/24) and nginx's error log ("..., request: "POST /v1/key/..."").
Draft-testing codes (/v1/test/{code}/) open a form's draft the same way and are masked too.

The front door's access log masks the same three shapes with nginx maps
(app/frontdoor/nginx.conf.j2); a change here belongs there too.
"""
import re

MASK = "***"

# The segment after /v1/key/ or /v1/test/, up to the next path, query or quoting character. Case is
# ignored: masking a little more than the app would route costs nothing.
_KEY_SEGMENT = re.compile(r"(/v1/(?:key|test)/)[^/?#\s'\"\\]+", re.IGNORECASE)
# Enketo's ?st= (or &st=) query parameter.
_ST_PARAMETER = re.compile(r"([?&;]st=)[^&;#\s'\"\\]+")
# Anything that looks like a token on its own (64 or more characters of the token alphabet, see
# app/core/tokens.py), e.g. after a percent-encoded "/v1/k%65y/". Also hides SHA-256 hex digests,
# which a log line can do without.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9!$]{64,}")


def mask_tokens(text: str) -> str:
    """`text` with every device token, Enketo st= value and draft-testing code replaced by ***."""
    text = _KEY_SEGMENT.sub(lambda m: m.group(1) + MASK, text)
    text = _ST_PARAMETER.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN_LIKE.sub(MASK, text)


def mask_tokens_in_bytes(line: bytes) -> bytes:
    """mask_tokens for raw log bytes (nginx copies request lines byte for byte); other bytes are kept."""
    return mask_tokens(line.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
