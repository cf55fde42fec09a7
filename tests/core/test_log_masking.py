"""app/core/log_masking.py: a token is masked however its characters are written, in whatever slot it
stands; what is not token-shaped is left as it was."""
import random
from urllib.parse import unquote

from app.core.log_masking import mask_tokens, mask_tokens_in_bytes
from app.core.tokens import new_token

TOKEN = "!$" + new_token()[2:]      # one of each character percent-encoding changes


def encoded(text: str, which: str = "!$", case: str = "upper") -> str:
    digits = "%{:02X}" if case == "upper" else "%{:02x}"
    return "".join(digits.format(ord(c)) if not which or c in which else c for c in text)


def test_each_slot_and_spelling_the_walk_found_is_masked():
    t, pct, hexed = TOKEN, encoded(TOKEN), encoded(TOKEN, which="", case="lower")
    cases = {
        f"GET /v1/key/{pct}/projects/1/formList": "GET /v1/key/***/projects/1/formList",
        f"GET /v1/test/{pct}/projects/1/forms/x/draft/formList": "GET /v1/test/***/projects/1/forms/x/draft/formList",
        f"GET /v1/projects/1/forms/x.xml?st={pct}&a=1": "GET /v1/projects/1/forms/x.xml?st=***&a=1",
        f"GET /v1/k%65y/{t}/projects/1/formList": "GET /v1/k%65y/***/projects/1/formList",
        f"GET /v1/k%65y/{pct}/projects/1/formList": "GET /v1/k%65y/***/projects/1/formList",
        f"GET /v1/x.xml?%73t={t}&a=1": "GET /v1/x.xml?%73t=***&a=1",
        f"GET /v1/key/{hexed}/projects/1/formList": "GET /v1/key/***/projects/1/formList",
        f"GET /v1/projects/1/forms/{pct} HTTP/1.1": "GET /v1/projects/1/forms/*** HTTP/1.1",
        f"GET /v1/projects/1/forms/x.xml?x={t}": "GET /v1/projects/1/forms/x.xml?x=***",
        f"GET /{pct} HTTP/1.1": "GET /*** HTTP/1.1",
        f"GET /{hexed.upper()}?a={pct}&b={t}": "GET /***?a=***&b=***",
        # The slots mask what stands in them even when it is too short to be a token.
        "GET /v1/K%45Y/abc/projects/1": "GET /v1/K%45Y/***/projects/1",
        "GET /v1/TEST/abc/projects/1": "GET /v1/TEST/***/projects/1",
        "GET /x?a=1&%53%54=abc": "GET /x?a=1&%53%54=***",
    }
    for line, masked in cases.items():
        assert mask_tokens(line) == masked, line


def test_any_mix_of_written_and_encoded_characters_is_masked_wherever_it_stands():
    rng = random.Random(7)
    slots = ("/v1/key/{}/projects/1/submission", "/v1/test/{}/projects/1/forms/f/draft", "/x?st={}",
             "/x?%73t={}&y=1", "/v1/projects/1/forms/{}", "/{}", "/x?a=1&b={}", "/v1/k%65y/{}/x")
    for _ in range(300):
        token = new_token()
        written = "".join(rng.choice((c, encoded(c, ""), encoded(c, "", "lower"))) for c in token)
        line = "POST " + rng.choice(slots).format(written) + " HTTP/1.1"
        masked = unquote(mask_tokens(line))
        assert not any(token[i:i + 12] in masked for i in range(len(token) - 11)), line
        assert "***" in masked


def test_what_is_not_token_shaped_is_left_as_it_was():
    untouched = ("POST /v1/projects/1/submission?deviceID=collect:abc HTTP/1.1 "
                 "uuid:6b1e8f0c-2d3a-4f5b-9c7d-1e2f3a4b5c6d /v1/keys/list?first=1&sta=2 "
                 "/v1/projects/1/forms/%E9%98%B2%E8%BF%94%E8%B4%AB.xml " + "%20" * 70 + " " + "a" * 63)
    assert mask_tokens(untouched) == untouched


def test_bytes_that_are_not_utf8_are_kept():
    line = b"request: \"GET /v1/key/" + TOKEN.encode() + b"/x?\x80\xff HTTP/1.1\""
    assert mask_tokens_in_bytes(line) == b"request: \"GET /v1/key/***/x?\x80\xff HTTP/1.1\""

