"""A JSON body nested deeper than Python can parse is bad JSON, not a crash.

json.loads raises RecursionError for `[[[[...]]]]` a few thousand levels deep; Flask expects a
ValueError of unreadable JSON (get_json(silent=True) then gives None, and the door answers 400).
"""
from flask import Flask
from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply to read") from None


def install(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
