"""/v1/key/{token}/... -> /v1/... with the token remembered, as ODK Central's fieldKeyParser.

Done before routing so every route serves both web users and app users, and
every URL we emit can put the same prefix back.
"""
import re

_KEY_PATH = re.compile(r"^/v1/key/([^/]+)(/.*)$")
ENVIRON_KEY = "dixian.key_token"


class KeyPrefixMiddleware:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        match = _KEY_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            environ[ENVIRON_KEY] = match.group(1)
            environ["PATH_INFO"] = "/v1" + match.group(2)
        return self.wsgi_app(environ, start_response)
