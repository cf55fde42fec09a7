"""Device tokens out of log lines: what stands in a request line for a secret is replaced by ***.

A device token is a password that travels in the URL (ODK Central's /v1/key/{token}/ and Enketo's
?st={token}), so every log line that copies a request line would hold one: gunicorn's "Invalid
request" warnings (case reliability/24) and nginx's error log ("..., request: "POST /v1/key/..."").
Draft-testing codes (/v1/test/{code}/) open a form's draft the same way, and residents' public links
(/f/{token}) let anyone send under a village's name: both are masked too.

A client may write any character of a URL percent-encoded (RFC 3986 section 2.1) and the server
decodes it before routing, so `/v1/k%65y/` is `/v1/key/` and a token's `!` may arrive as `%21`. Every
pattern here therefore allows each character in either form: what is masked is what the server would
read, not only what a well-behaved client writes.

The front door's access log masks with nginx maps built from the same patterns (NGINX_PATTERNS,
rendered into app/frontdoor/nginx.conf.j2), so the two cannot drift apart.
"""
import re

MASK = "***"

# One character of the token alphabet (app/core/tokens.py: A-Z a-z 0-9 ! $), as written or
# percent-encoded in either case of hex digit: ! $ 0-9 A-Z a-z are the bytes 21 24 30-39 41-5A 61-7A.
TOKEN_CHARACTER = r"(?:[A-Za-z0-9!$]|%(?:2[14]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]))"
# Anything shaped like a token, wherever it stands (a draft code in a form's slot, a parameter under any
# name, a whole path): 64 or more token characters in a row. Also hides SHA-256 hex digests, which a
# log line can do without.
TOKEN_RUN = TOKEN_CHARACTER + "{64,}"


def _spelled(text: str) -> str:
    """A regex for `text` in which each character may be percent-encoded and each letter in either case.

    `_spelled("st")` matches "st", "ST", "%73t", "%53%54", ...: what the server decodes to "st" or "ST".
    """
    def hex_digit(n: int) -> str:
        d = f"{n:x}"
        return f"[{d}{d.upper()}]" if d.isalpha() else d

    def one(c: str) -> str:
        forms = sorted({c.lower(), c.upper()})
        encoded = "|".join("%" + hex_digit(ord(f) >> 4) + hex_digit(ord(f) & 15) for f in forms)
        return f"(?:[{''.join(forms)}]|{encoded})"

    return "".join(one(c) for c in text)


# The slots a token or code stands in, whatever it looks like (a truncated token is still masked there):
# the segment after /v1/key/, /v1/test/ or /f/ (a public link), and Enketo's st= parameter. Each is
# (prefix, value).
KEY_SLOT = ("(?:" + _spelled("/v1/") + "(?:" + _spelled("key") + "|" + _spelled("test") + ")" + _spelled("/")
            + "|" + _spelled("/f/") + ")", r"""[^/?#\s'"\\]+""")
ST_SLOT = ("[?&;]" + _spelled("st") + "=", r"""[^&;#\s'"\\]+""")

# For nginx's maps: the same three patterns as plain regex source (PCRE reads them as Python does).
NGINX_PATTERNS = {"key_slot": KEY_SLOT, "st_slot": ST_SLOT, "token_run": TOKEN_RUN}

_KEY_SLOT = re.compile(f"({KEY_SLOT[0]}){KEY_SLOT[1]}")
_ST_SLOT = re.compile(f"({ST_SLOT[0]}){ST_SLOT[1]}")
_TOKEN_RUN = re.compile(TOKEN_RUN)


def mask_tokens(text: str) -> str:
    """`text` with every device token, Enketo st= value, draft-testing code and anything shaped like a
    token (64 or more token characters, each as written or percent-encoded) replaced by ***."""
    text = _KEY_SLOT.sub(lambda m: m.group(1) + MASK, text)
    text = _ST_SLOT.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN_RUN.sub(MASK, text)


def mask_tokens_in_bytes(line: bytes) -> bytes:
    """mask_tokens for raw log bytes (nginx copies request lines byte for byte); other bytes are kept."""
    return mask_tokens(line.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
