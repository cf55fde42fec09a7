"""The map page as it loads: the places preloaded with the page and asked for once, the map made on the
caller's places (never the whole country first), a campaign or colour chosen while it loads, the map
settling after each campaign switch, an odd campaign name, the Leaflet fallback, no campaign, and two users
of one browser."""
import logging
import time

from tests.web.conftest import sign_in, web_user
from tests.web.test_map import TOWNSHIP, idle, open_map, rendered, table_rows


def _asked(caplog, part: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "werkzeug" and part in r.getMessage()]


def _answered(caplog, part: str, times: int = 1, seconds: float = 15) -> None:
    """Waits until the server has answered `times` requests for `part` (werkzeug logs a request once it
    is answered): the table's numbers are fetched beside the tiles, and may come after the map is idle. A
    test that ended before would have its tables emptied under a request still reading them."""
    deadline = time.monotonic() + seconds
    while len(_asked(caplog, part)) < times:
        assert time.monotonic() < deadline, f"{part} asked {len(_asked(caplog, part))} times, not {times}"
        time.sleep(0.05)


def _second_campaign(app, project, name):
    from datetime import date
    year = date.today().year
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), name, "--start",
                                                f"{year}-02-01", "--end", f"{year}-12-30", "--forms",
                                                "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        return db.session.execute(text("SELECT id FROM campaign WHERE name = :n"), {"n": name}).scalar()


def test_the_preloaded_places_are_asked_for_once(app, page, live_server, demo_county, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type in ("warning", "error") else None)
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    caplog.clear()
    assert open_map(page, live_server, demo_county) == "maplibre"
    idle(page)
    page.wait_for_timeout(3500)          # Chromium warns of a preload unused after 3 s
    asked = _asked(caplog, "/map-units")
    assert len(asked) == 1, asked
    assert not [w for w in warnings if "preload" in w], warnings
    assert page.evaluate("performance.getEntriesByName('dixian:map-ready').length") == 1
    # Tiles of one zoom only, the county's: the country's (zoom 3) were never asked for first.
    zooms = {int(m.split("/tiles/units/")[1].split("/")[0]) for m in _asked(caplog, "/tiles/units/")}
    assert len(zooms) == 1 and min(zooms) >= 5, zooms


def test_a_township_user_opens_on_their_township_and_never_on_the_country(app, page, live_server, demo_county,
                                                                          caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", [TOWNSHIP]))
    caplog.clear()
    open_map(page, live_server, demo_county)
    idle(page)
    [unit] = page.evaluate("window.dixian.state.units")
    w, s, e, n = unit["bounds"]
    zoom = page.evaluate("window.dixian.view.map.getZoom()")
    lon, lat = page.evaluate("(() => { const c = window.dixian.view.map.getCenter(); return [c.lng, c.lat]; })()")
    assert zoom >= 7 and w <= lon <= e and s <= lat <= n, (zoom, lon, lat, unit["bounds"])
    zooms = sorted({int(m.split("/tiles/units/")[1].split("/")[0]) for m in _asked(caplog, "/tiles/units/")})
    assert zooms and min(zooms) >= 7, zooms
    assert {f["properties"]["code"] for f in rendered(page, "townships-fill")} == {TOWNSHIP}
    assert len(table_rows(page)) == 1


def test_switching_campaign_and_back_with_an_odd_name(app, page, live_server, demo_county, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    odd = "第二轮 <b>&amp;\"'#?%/ 排查"
    second = _second_campaign(app, demo_county, odd)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    caplog.clear()
    open_map(page, live_server, demo_county)
    idle(page)
    first = page.evaluate("window.dixian.state.campaign")
    options = page.eval_on_selector_all("#campaign option", "os => os.map(o => [o.value, o.textContent])")
    assert [o[1] for o in options].count(odd) == 1, options
    assert page.evaluate("document.querySelectorAll('#campaign option b').length") == 0
    target = str(second) if first != str(second) else options[1][0]
    page.select_option("#campaign", target)
    page.wait_for_function("(c) => window.dixian.state.campaign === c", arg=target)
    page.wait_for_function("window.dixian.state.units.length === 1")
    idle(page)
    assert page.evaluate("window.dixian.view.map.getSource('units').tiles[0]").endswith(f"campaign={target}")
    _answered(caplog, f"/map-units?campaign={target}")
    back = len(_asked(caplog, f"/map-units?campaign={first}")) + 1
    page.select_option("#campaign", first)
    page.wait_for_function("(c) => window.dixian.state.campaign === c", arg=first)
    idle(page)
    _answered(caplog, f"/map-units?campaign={first}", back)
    assert not errors, errors


def test_a_campaign_chosen_while_the_map_loads_is_the_one_drawn(app, page, live_server, demo_county):
    """The select is usable as soon as the page shows; the change listener is attached only after the
    places were fetched and MapLibre loaded."""
    second = _second_campaign(app, demo_county, "第二轮")
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    first_value = {}

    def slow(route):
        import time
        time.sleep(1.5)
        route.continue_()
    page.route("**/map-units?**", slow)
    page.goto(f"{live_server}/projects/{demo_county}/map")
    page.wait_for_selector("#campaign")
    first_value["v"] = page.eval_on_selector("#campaign", "s => s.value")
    values = page.eval_on_selector_all("#campaign option", "os => os.map(o => o.value)")
    assert str(second) in values
    [other] = [v for v in values if v != first_value["v"]]
    page.select_option("#campaign", other)
    page.wait_for_function("window.dixian && window.dixian.view", timeout=30_000)
    page.evaluate("window.dixian.ready")
    page.unroute("**/map-units?**")
    assert page.evaluate("window.dixian.state.campaign") == page.eval_on_selector("#campaign", "s => s.value")


def test_without_webgl2_the_leaflet_map_opens_on_a_township_users_places(app, browser, live_server, demo_county,
                                                                         caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    context = browser.new_context(locale="zh-CN")
    context.add_init_script("""(() => { const get = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
            return kind === 'webgl2' ? null : get.call(this, kind, ...rest); }; })()""")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", [TOWNSHIP]))
    caplog.clear()
    assert open_map(page, live_server, demo_county) == "leaflet"
    [unit] = page.evaluate("window.dixian.state.units")
    w, s, e, n = unit["bounds"]
    lon, lat = page.evaluate("(() => { const c = window.dixian.view.map.getCenter(); return [c.lng, c.lat]; })()")
    assert w <= lon <= e and s <= lat <= n
    assert page.evaluate("performance.getEntriesByName('dixian:map-ready').length") == 1
    assert len(_asked(caplog, "/map-units")) == 1
    assert not _asked(caplog, "/tiles/")
    assert not errors
    context.close()


def test_no_campaign_no_preload_no_error(app, page, live_server, project, clean):
    from app.services.registry.imports import import_places
    from tests.conftest import REPO
    with app.app_context():
        import_places("places.csv", (REPO / "demo" / "places.csv").read_bytes())
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, *web_user(app, project, "viewer"))
    page.goto(f"{live_server}/projects/{project}/map")
    page.wait_for_function("window.dixian")
    page.evaluate("window.dixian.ready")
    assert page.query_selector("link[rel=preload]") is None
    assert not errors


def test_the_preload_is_not_shared_between_users_of_one_browser(app, page, live_server, demo_county):
    """A county viewer signs out and a township viewer signs in, in the same browser: the township
    viewer's map lists their township only (no county answer kept from the preload or the cache)."""
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    open_map(page, live_server, demo_county)
    assert table_rows(page)[0][0] == "示范县"
    page.context.clear_cookies()
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", [TOWNSHIP]))
    open_map(page, live_server, demo_county)
    rows = table_rows(page)
    assert len(rows) == 1 and rows[0][0] != "示范县", rows
    headers = page.request.get(f"{live_server}/v1/projects/{demo_county}/map-units?campaign="
                               + page.evaluate("window.dixian.state.campaign")).headers
    assert "no-store" in headers.get("cache-control", "") or "private" in headers.get("cache-control", ""), headers


def test_the_map_settles_after_each_campaign_switch(app, page, live_server, demo_county):
    _second_campaign(app, demo_county, "第二轮")
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    open_map(page, live_server, demo_county)
    idle(page)
    shown = page.eval_on_selector("#campaign", "s => s.value")
    [other] = [v for v in page.eval_on_selector_all("#campaign option", "os => os.map(o => o.value)") if v != shown]
    for n in range(8):
        campaign = [other, shown][n % 2]
        page.select_option("#campaign", campaign)
        page.wait_for_function("(c) => window.dixian.state.campaign === c", arg=campaign)
        idle(page)            # fails after 30 s: MapLibre once came to rest here without an idle event
