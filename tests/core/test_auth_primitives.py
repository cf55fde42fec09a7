from app.core import digest_auth
from app.core.collect_settings import collect_settings, qr_payload, read_qr_payload
from app.core.tokens import is_well_formed, new_token


def test_tokens_are_64_url_path_safe_characters():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(is_well_formed(t) and "/" not in t and "+" not in t for t in tokens)


def test_digest_matches_rfc_2617_example():
    # RFC 2617 §3.5: Mufasa / Circle Of Life
    params = {"username": "Mufasa", "realm": "testrealm@host.com", "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
              "uri": "/dir/index.html", "qop": "auth", "nc": "00000001", "cnonce": "0a4f113b"}
    user_ha1 = digest_auth.ha1("Mufasa", "testrealm@host.com", "Circle Of Life")
    assert digest_auth.expected_response(params, user_ha1, "GET") == "6629fae49393a05397450978507c4ef1"


def test_nonces_expire_and_cannot_be_forged():
    nonce = digest_auth.make_nonce("s", now=1000)
    assert digest_auth.nonce_state("s", nonce, now=1010) == "valid"
    assert digest_auth.nonce_state("s", nonce, now=1000 + digest_auth.NONCE_LIFETIME_S + 1) == "stale"
    assert digest_auth.nonce_state("other", nonce, now=1010) == "invalid"
    assert digest_auth.nonce_state("s", "1000.forged", now=1010) == "invalid"


def test_qr_payload_is_zlib_base64_json_with_general_and_admin():
    settings = collect_settings("https://x/v1/key/T/projects/1", "县项目")
    decoded = read_qr_payload(qr_payload(settings))
    assert decoded == settings and set(decoded) >= {"general", "admin"}


def test_two_challenges_in_the_same_second_get_different_nonces():
    """The server remembers used (nonce, nc) pairs; devices challenged together must not share a nonce."""
    nonces = {digest_auth.make_nonce("s", now=1000) for _ in range(20)}
    assert len(nonces) == 20
    assert all(digest_auth.nonce_state("s", n, now=1001) == "valid" for n in nonces)
