"""Submission review in the console, in a real browser: filter the list, approve what it shows at once,
open one submission (answers with the form's Chinese labels, the members' repeat as a table, flags,
versions), review it with a comment; a viewer reads masked and never reviews; another village sees none of it."""
import re

from sqlalchemy import text

from tests.support.households import screening_xml
from tests.support.registry import SCREENING, cover_test_villages, load_registry
from tests.web.conftest import sign_in, web_user

FIRST = "uuid:cccccccc-0000-4000-8000-000000000001"


def _screenings(app, project, publish, device) -> str:
    """Four screenings: three of 一元村 (420102001001), the first of them edited once (to give the head's ID
    number), one of 二元村. Returns that ID number."""
    head = load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    for n in range(1, 4):
        assert device.post_submission(screening_xml(f"uuid:cccccccc-0000-4000-8000-00000000000{n}")).status_code == 201
    assert device.post_submission(screening_xml("uuid:cccccccc-0000-4000-8000-000000000009", village="420102001002",
                                                household="H002")).status_code == 201
    edit = screening_xml("uuid:cccccccc-0000-4000-8000-000000000101", head_idno=head).decode().replace(
        "<instanceID>", f"<deprecatedID>{FIRST}</deprecatedID><instanceID>", 1)
    from tests.support.people import digest_client
    manager_phone = digest_client(app, device.server_url.split("/v1/")[0], project, "manager")
    assert manager_phone.post_submission(edit.encode()).status_code == 201
    return head


def test_a_township_manager_filters_approves_in_bulk_and_reviews_one(app, page, live_server, project, publish,
                                                                     device):
    _screenings(app, project, publish, device)
    sign_in(page, live_server, *web_user(app, project, "manager", ["420102001000"]))
    page.click("a:has-text('提交记录')")
    assert page.inner_text("#total") == "共 4 条"
    page.fill("#filters input[name=place]", "420102001001")
    page.click("#filters button")
    assert page.inner_text("#total") == "共 3 条"
    page.click("#bulk-review button")                                   # approve all three at once
    assert "已将 3 条提交记录设为新的审核状态" in page.inner_text("#reviewed")
    assert {r.get_attribute("data-state") for r in page.query_selector_all("#submissions tbody tr")} == {"approved"}
    # Export what the filter shows, with its progress, and read the file back.
    page.select_option("#filters select[name=form]", "fpf_hh_screening")
    page.click("#filters button")
    with page.expect_download() as download:
        page.click("a.export[data-format=csv]")
    page.wait_for_selector("#export-progress:has-text('导出完成:共 3 条')")
    exported = download.value.path().read_bytes().decode("utf-8-sig").splitlines()
    assert len(exported) == 1 + 3 and "户主姓名" in exported[0]             # the form's labels as headers
    assert sum(FIRST in line for line in exported) == 1
    page.click(f"#submissions tr[data-instance='{FIRST}'] a")
    assert page.inner_text("#review-state") == "已通过"
    answers = page.inner_text("#answers")
    assert "户主姓名" in answers and "王五" in answers                  # the form's own Chinese labels
    assert page.locator("#answers table.repeat").count() == 1          # the members, as a table
    assert "家庭成员" in answers
    assert "户主身份证号" in page.inner_text("#versions")                # the edit's change, field by field
    page.select_option("#review select[name=reviewState]", "hasIssues")
    page.fill("#review input[name=comment]", "联系电话有误,请核实")
    page.click("#review button")
    assert page.inner_text("#review-state") == "有问题"
    assert "联系电话有误,请核实" in page.inner_text("#comments")
    assert "已通过 → 有问题" in page.inner_text("#history")


def test_a_viewer_reads_masked_and_another_village_sees_nothing(app, page, live_server, project, publish, device):
    head = _screenings(app, project, publish, device)
    sign_in(page, live_server, *web_user(app, project, "viewer", ["420102001000"]))
    page.goto(f"{live_server}/projects/{project}/submissions?place=420102001001")
    assert page.locator("#bulk-review").count() == 0
    page.click(f"#submissions tr[data-instance='{FIRST}'] a")
    assert page.locator("#review").count() == 0
    assert head not in page.content()
    assert re.search(rf"{head[:4]}\*+{head[-4:]}", page.inner_text("#answers"))          # masked for a viewer
    page.context.clear_cookies()
    sign_in(page, live_server, *web_user(app, project, "manager", ["420102001002"]))      # the next village
    page.goto(f"{live_server}/projects/{project}/submissions")
    assert page.inner_text("#total") == "共 1 条"
    assert page.goto(f"{live_server}/projects/{project}/submissions/fpf_hh_screening/{FIRST}").status == 404
    from app.extensions import db
    with app.app_context():
        # Only the edit's move to edited is in the history: the viewer reviewed nothing.
        assert db.session.execute(text("SELECT to_state FROM submission_review")).scalars().all() == ["edited"]


def test_a_flag_per_other_household_names_it_or_is_said_once(app, page, live_server, project, publish, device):
    """person_in_two_households is raised once per other household listing the person: a reader whose places
    hold those households sees each named and linked; one whose places do not sees one line with the count,
    not one sentence repeated."""
    from datetime import date

    from app.core import idcard
    from app.services.registry.imports import import_households
    from tests.support.households import member_xml
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    granny = idcard.make("420102", date(1941, 3, 8), 2)
    with app.app_context():                                              # H003 lists her in the registry
        import_households(project, "h3.csv", (
            "household_id,village,head_name,head_idno,poverty_status,members\n"
            f'H003,420102001001,赵六,,ordinary,"[{{""name"": ""王奶奶"", ""relation"": ""parent"", '
            f'""idno"": ""{granny}""}}]"\n').encode())
    assert device.post_submission(screening_xml(                       # H001's screening lists her
        "uuid:cccccccc-0000-4000-8000-000000000201", members=(member_xml("王五", "head"),
                                                              member_xml("王奶奶", "parent", idno=granny)))
    ).status_code == 201
    later = "uuid:cccccccc-0000-4000-8000-000000000202"                # and so does H002's, in 二元村
    assert device.post_submission(screening_xml(
        later, village="420102001002", household="H002",
        members=(member_xml("李四", "head"), member_xml("王奶奶", "parent", idno=granny)))).status_code == 201
    url = f"{live_server}/projects/{project}/submissions/fpf_hh_screening/{later}"

    sign_in(page, live_server, *web_user(app, project, "viewer", ["420102001000"]))
    page.goto(url)
    lines = page.query_selector_all("#flags li[data-code=person_in_two_households]")
    assert [line.inner_text().split("(")[0].split(":")[-1].strip() for line in lines] == ["H001", "H003"]
    page.click("#flags li[data-code=person_in_two_households] a.other-household >> nth=1")
    page.wait_for_selector("#history")
    assert page.url.endswith("/households/H003")

    page.context.clear_cookies()
    sign_in(page, live_server, *web_user(app, project, "viewer", ["420102001002"]))
    page.goto(url)
    [line] = page.query_selector_all("#flags li[data-code=person_in_two_households]")
    assert "共 2 户" in line.inner_text() and "H00" not in line.inner_text()
    assert not line.query_selector("a")
