"""JSON bodies that Python reads but nothing after it could use are bad JSON, not a crash.

json.loads raises RecursionError for `[[[[...]]]]` a few thousand levels deep, and reads an escaped
lone UTF-16 surrogate ("\\ud800") into a str that cannot be encoded as UTF-8, so the first database
query or password hash given it fails (found by the attack test). Flask expects a ValueError of
unreadable JSON (get_json(silent=True) then gives None, and the door answers 400).
"""
import json

from flask import Flask
from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
            # Every string, key or value, must be text UTF-8 can carry.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise ValueError("the JSON is nested too deeply to read") from None
        except UnicodeEncodeError:
            raise ValueError("the JSON holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None
        return value


def install(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
