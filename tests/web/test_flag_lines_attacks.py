"""Attacks on the console's flag lines (app/web/flag_lines.py, _flags.html, household_record._flag)."""
import re
from datetime import date

import requests

from demo.submissions import housing_xml
from tests.support.households import member_xml, screening_xml
from tests.support.registry import REPO, SCREENING, cover_test_villages, load_registry
from tests.web.conftest import web_user

HOUSING = REPO / "forms" / "fpf_housing.md"
OUTSIDE = "30.7000 114.3055 25.5 4.2"          # ~11 km north of 一元村's boundary (lat 30.58-30.60)


def signed_in(live_server: str, email: str, password: str) -> requests.Session:
    """A requests session signed in through the console's form (with its double-submit CSRF token)."""
    http = requests.Session()
    form = http.get(f"{live_server}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = http.post(f"{live_server}/login", timeout=10, allow_redirects=False,
                       data={"csrf_token": token, "email": email, "password": password})
    assert answer.status_code in (302, 303)
    return http


def flag_items(html: str, code: str) -> list[str]:
    """The <li> lines of the page's #flags list with this data-code."""
    flags = html[html.index('id="flags"'):]
    flags = flags[:flags.index("</ul>")]
    return re.findall(rf'<li class="flag-\w+" data-code="{code}">(.*?)</li>', flags, re.S)


def test_one_households_flags_from_two_forms_are_not_called_two_households(app, live_server, project, publish,
                                                                            device):
    """The screening and the housing inspection of H001, both captured at the same point outside its village,
    each carry the same gps_outside_village flag. The household page's current flags merge them into one line
    saying "共 2 户" (2 households): it is one household, and the flag names no other household at all."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    publish(HOUSING)
    assert device.post_submission(screening_xml("uuid:dddddddd-0000-4000-8000-000000000001",
                                                gps=OUTSIDE)).status_code == 201
    assert device.post_submission(housing_xml("uuid:dddddddd-0000-4000-8000-000000000002", village="420102001001",
                                              household="H001", gps=OUTSIDE, grade="A")).status_code == 201
    http = signed_in(live_server, *web_user(app, project, "viewer", ["420102001000"]))
    for lang, count in (("zh", "共 2 户"), ("en", "2 households")):
        page = http.get(f"{live_server}/projects/{project}/households/H001?lang={lang}", timeout=10)
        assert page.status_code == 200
        lines = flag_items(page.text, "gps_outside_village")
        assert lines, "both forms were flagged gps_outside_village"
        assert not any(count in line for line in lines), lines


def test_a_household_moved_out_of_the_readers_places_is_not_named_or_linked(app, live_server, project, publish,
                                                                            device):
    """person_in_two_households keeps the other household's village as it was when the flag was raised;
    household_record decides by that snapshot whether the reader may know the household. After a registry import
    moves H003 from 一元村 to 二元村, a viewer of 一元村 alone still sees H003 named and linked on H001's
    screening (and in the API's flag inputs), though H003's page answers them 404: their places do not hold it."""
    from app.core import idcard
    from app.services.registry.imports import import_households
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    granny = idcard.make("420102", date(1941, 3, 8), 2)
    header = "household_id,village,head_name,head_idno,poverty_status,members\n"
    members = f'"[{{""name"": ""王奶奶"", ""relation"": ""parent"", ""idno"": ""{granny}""}}]"'

    def row(village: str) -> str:
        return f"H003,{village},赵六,,ordinary,{members}\n"
    with app.app_context():
        import_households(project, "h3.csv", (header + row("420102001001")).encode())
    instance = "uuid:cccccccc-0000-4000-8000-000000000201"
    assert device.post_submission(screening_xml(instance, members=(
        member_xml("王五", "head"), member_xml("王奶奶", "parent", idno=granny)))).status_code == 201
    with app.app_context():                                  # H003 is registered in 二元村 from now on
        import_households(project, "h3.csv", (header + row("420102001002")).encode())

    http = signed_in(live_server, *web_user(app, project, "viewer", ["420102001001"]))
    assert http.get(f"{live_server}/projects/{project}/households/H003", timeout=10).status_code == 404
    page = http.get(f"{live_server}/projects/{project}/submissions/fpf_hh_screening/{instance}", timeout=10)
    assert page.status_code == 200
    [line] = flag_items(page.text, "person_in_two_households")
    assert "H003" not in line and "other-household" not in line, line
    flags = http.get(f"{live_server}/v1/projects/{project}/forms/fpf_hh_screening/submissions/{instance}/flags",
                     timeout=10).json()
    assert all("other_household" not in f["inputs"] for f in flags if f["code"] == "person_in_two_households")
