"""The coverage map in Chromium: MapLibre draws the tiles (asserted on the features it rendered, not on
a canvas existing), drill-down county > township > village, household points and their popup link,
the household page, the table and its CSV, the map without WebGL2, and a township user's view."""
import json
import re

import pytest

from tests.conftest import REPO
from tests.web.conftest import ARTIFACTS, sign_in, web_user

EXAMPLE = (REPO / "demo" / "screening-example.xml").read_text(encoding="utf-8")
TOWNSHIP, OTHER_TOWNSHIP = "429901001000", "429901002000"


def open_map(page, live_server, project):
    page.goto(f"{live_server}/projects/{project}/map")
    page.wait_for_function("window.dixian && window.dixian.view", timeout=30_000)
    page.evaluate("window.dixian.ready")
    return page.evaluate("window.dixian.view.mode")


def idle(page):
    """Until MapLibre has drawn everything it asked for (the page's own test of it, map.js's settled()),
    within 30 s."""
    assert page.evaluate("""() => Promise.race([window.dixian.view.settled().then(() => true),
                                                new Promise((resolve) => setTimeout(() => resolve(false), 30000))])""")


def rendered(page, layer) -> list[dict]:
    return page.evaluate("(layer) => window.dixian.view.map.queryRenderedFeatures({layers: [layer]})"
                         ".map((f) => ({id: f.id, properties: f.properties}))", layer)


def table_rows(page) -> list[list[str]]:
    return page.eval_on_selector_all("#children tbody tr",
                                     "rows => rows.map(r => [...r.cells].map(c => c.textContent))")


def test_a_county_supervisor_drills_from_county_to_household(app, page, live_server, demo_county):
    sign_in(page, live_server, *web_user(app, demo_county, "manager"))
    assert open_map(page, live_server, demo_county) == "maplibre"
    idle(page)
    # At the top, the counties the table lists are drawn, coloured by their numbers.
    [county] = {f["properties"]["code"]: f["properties"] for f in rendered(page, "counties-fill")}.values()
    assert (county["registered"], county["screened"]) == (60, 1)
    assert table_rows(page)[0][:3] == ["示范县", "60", "1"]

    page.click("#children tbody tr td:first-child")                 # the county opens: its townships
    page.wait_for_function("window.dixian.state.trail.length === 1")
    assert len(table_rows(page)) == 2
    idle(page)
    townships = {f["properties"]["code"]: f["properties"] for f in rendered(page, "townships-fill")}
    assert set(townships) == {TOWNSHIP, OTHER_TOWNSHIP} and townships[TOWNSHIP]["screened"] == 1
    assert rendered(page, "counties-fill") == []
    page.click(f"#children tbody tr[data-code='{TOWNSHIP}'] td:first-child")
    page.wait_for_function("window.dixian.state.trail.length === 2")
    assert len(table_rows(page)) == 3 and page.inner_text("#crumbs").count(">") == 2
    # By pinyin, as a Chinese reader looks a name up: li, liu, zhang (by code point 刘 张 李).
    assert [row[0] for row in table_rows(page)] == ["李家湾", "刘家坪", "张家岭"]
    idle(page)
    villages = {f["properties"]["code"] for f in rendered(page, "villages-fill")}
    assert "429901001001" in villages

    page.click("#children tbody tr[data-code='429901001001'] td:first-child")    # a village: zoomed to
    page.wait_for_function("window.dixian.view.map.getZoom() >= 12")
    # Where the example screening was made (the demo's villages are large: not all of one fits at zoom 12).
    lat, lon = (float(v) for v in re.search(r"<hh_gps>(\S+) (\S+)", EXAMPLE).groups())
    page.evaluate("([lon, lat]) => window.dixian.view.map.jumpTo({center: [lon, lat], zoom: 14})", [lon, lat])
    idle(page)
    points = rendered(page, "households")
    assert {p["properties"]["state"] for p in points} <= {"unscreened", "screened", "flagged"}
    visited = [p for p in points if p["properties"]["state"] != "unscreened"]
    assert len(visited) == 1 and set(visited[0]["properties"]) <= {"state", "severity"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-village.png"))

    # Its popup links to the household page.
    box = page.eval_on_selector("#map canvas", "c => { const r = c.getBoundingClientRect(); return [r.x, r.y]; }")
    x, y = page.evaluate("""(id) => {
        const map = window.dixian.view.map;
        const f = map.queryRenderedFeatures({layers: ['households']}).find((f) => f.id === id);
        const p = map.project(f.geometry.coordinates); return [p.x, p.y]; }""", visited[0]["id"])
    page.mouse.click(box[0] + x, box[1] + y)
    page.click(".maplibregl-popup a")
    page.wait_for_selector("#history")
    assert page.url.startswith(f"{live_server}/projects/{demo_county}/households/H")
    assert len(page.query_selector_all("#history tbody tr")) == 1
    # A visit is named by its form's title (its instance name holds the head's name) and opens its page.
    with app.app_context():
        from app.extensions import db
        from app.models import Form, FormVersion
        title = db.session.scalar(db.select(FormVersion.title).join(Form, Form.current_version_id == FormVersion.id)
                                  .where(Form.project_id == demo_county, Form.xml_form_id == "fpf_hh_screening"))
    assert page.inner_text("#history tbody td:first-child") == title
    page.click("#history tbody td:first-child a")
    page.wait_for_selector("#answers")
    assert "/submissions/fpf_hh_screening/uuid" in page.url
    page.go_back()
    page.wait_for_selector("#history")
    assert "*" not in page.inner_text("#head-idno")                 # a manager sees ID numbers
    # Registry codes are shown as the terms people use, never as codes.
    from app.core.household_standing import TERMS
    from app.web.i18n import RELATIONS
    codes = {code for terms in TERMS.values() for code in terms} | set(RELATIONS)
    shown = set(re.findall(r"[a-z_]+", page.inner_text("dl.record") + page.inner_text("#members")))
    assert not shown & codes, shown & codes
    assert "户主" in page.inner_text("#members")


def test_colour_switch_legend_table_sort_and_csv(app, page, live_server, demo_county):
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    open_map(page, live_server, demo_county)
    assert [row[0] for row in table_rows(page)] == ["示范县"]
    page.click("#children tbody tr td:first-child")
    page.wait_for_function("window.dixian.state.trail.length === 1")
    assert [row[0] for row in table_rows(page)] == ["芳乡", "娜镇"]           # fang before na, by pinyin
    paint = "window.dixian.view.map.getPaintProperty('townships-fill', 'fill-color')"
    assert "coverage" in json.dumps(page.evaluate(paint))
    page.check("input[name=colour][value=at_risk_share]")
    assert "at_risk_share" in json.dumps(page.evaluate(paint))
    assert "0%" in page.inner_text("#legend")
    # Households are dots of their colour in the legend, with no text bullet (a black dot) beside them.
    assert "●" not in page.inner_text("#legend")
    dots = page.eval_on_selector_all("#legend .swatch.point", "s => s.map(e => getComputedStyle(e).borderRadius)")
    assert len(dots) == 5 and all(radius == "50%" for radius in dots)
    page.click("#children thead th[data-key=screened]")
    page.click("#children thead th[data-key=screened]")               # descending
    assert table_rows(page)[0][2] == "1"
    with page.expect_download() as download:
        page.click("#csv")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and "登记户数".encode() in data


def test_without_webgl2_a_leaflet_map_of_the_children_and_the_table(app, browser, live_server, demo_county):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script("""(() => { const get = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
            return kind === 'webgl2' ? null : get.call(this, kind, ...rest); }; })()""")
    page = context.new_page()
    sign_in(page, live_server, *web_user(app, demo_county, "viewer"))
    assert open_map(page, live_server, demo_county) == "leaflet"
    assert page.is_visible("#notice")
    assert page.evaluate("Object.keys(window.dixian.view.layer._layers).length") == 1
    page.click("path.leaflet-interactive")                             # the county opens
    page.wait_for_function("window.dixian.state.trail.length === 1")
    assert page.evaluate("Object.keys(window.dixian.view.layer._layers).length") == 2
    assert len(table_rows(page)) == 2
    context.close()


def test_a_township_user_sees_their_township_only(app, page, live_server, demo_county):
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", [TOWNSHIP]))
    open_map(page, live_server, demo_county)
    rows = table_rows(page)
    assert len(rows) == 1 and rows[0][1] == "30"                      # their township, at the top
    idle(page)
    assert {f["properties"]["code"] for f in rendered(page, "townships-fill")} <= {TOWNSHIP}
    assert rendered(page, "counties-fill") == []
    # Another township's page and numbers are not there for them.
    answer = page.request.get(f"{live_server}/v1/projects/{demo_county}/map-units?campaign=示范排查"
                              f"&parent={OTHER_TOWNSHIP}")
    assert answer.status == 404
    other = page.request.get(f"{live_server}/projects/{demo_county}/households/H0000060")
    assert other.status == 404


@pytest.mark.parametrize("path", ["/projects/{p}/map", "/projects/{p}/households/H0000001"])
def test_pages_need_signing_in(live_server, page, demo_county, path):
    page.goto(live_server + path.format(p=demo_county))
    assert "/login?next=" in page.url


def test_a_villages_households_paged_and_filtered(app, page, live_server, demo_county):
    sign_in(page, live_server, *web_user(app, demo_county, "viewer", [TOWNSHIP]))
    base = f"{live_server}/projects/{demo_county}/villages/429901001001/households"
    page.goto(base)
    assert page.inner_text("#total") == "共 10 户"
    states = page.eval_on_selector_all("#households tbody tr", "rows => rows.map(r => r.dataset.state)")
    assert len(states) == 10 and states.count("unscreened") == 9
    page.select_option("select[name=state]", "unscreened")
    page.click("#filters button")
    page.wait_for_url("**state=unscreened**")
    assert page.inner_text("#total") == "共 9 户"
    page.select_option("select[name=state]", "")
    page.select_option("select[name=flag]", "no_med_ins")
    page.click("#filters button")
    page.wait_for_url("**flag=no_med_ins**")
    assert page.inner_text("#total") in ("共 0 户", "共 1 户")
    # The flags by their names, not their codes.
    assert "未参加基本医保" in page.inner_text("select[name=flag]")
    # Another township's village (not even its name) and a village that does not exist: 404 for them.
    for other in ("429901002001", "429901999999"):
        answer = page.request.get(f"{live_server}/projects/{demo_county}/villages/{other}/households")
        assert answer.status == 404 and "李家湾" not in answer.text()
    # A bad state is a readable page, not a 5xx.
    answer = page.request.get(base + "?state=bogus")
    assert answer.status == 400 and "请求有误" in answer.text()
