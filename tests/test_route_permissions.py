"""Every route says who may call it (app/http/permissions.py): a route that forgets fails here."""
from flask import Flask

from app.http.permissions import ACCESS_RULE, public


def undeclared_routes(app: Flask) -> list[str]:
    """The rules of the app's URL map whose view declares no access rule."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if not getattr(app.view_functions[rule.endpoint], ACCESS_RULE, None))


def test_every_route_of_the_app_declares_who_may_call_it(app):
    assert undeclared_routes(app) == []
    assert len(list(app.url_map.iter_rules())) > 20     # the walk saw the real map


def test_the_walk_finds_a_route_that_declares_nothing():
    probe = Flask("probe")
    probe.add_url_rule("/declared", "declared", public("a test")(lambda: "ok"))
    probe.add_url_rule("/forgotten", "forgotten", lambda: "oops")
    assert undeclared_routes(probe) == ["/forgotten", "/static/<path:filename>"]
