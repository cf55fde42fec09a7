"""Places and households import: all rows or none, with every problem named by row."""
import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.core import idcard
from tests.conftest import REPO

DATA = REPO / "tests" / "data"


def _count(model):
    from app.extensions import db
    return db.session.scalar(select(func.count()).select_from(model))


def test_places_import_from_csv_with_boundaries(ctx):
    from app.extensions import db
    from app.models import AdminUnit
    from app.services.registry.imports import import_places
    report = import_places("places.csv", (DATA / "places.csv").read_bytes())
    assert (report.created, report.updated) == (5, 0)
    village = db.session.get(AdminUnit, "420102001001")
    assert village.level == "village" and village.parent_code == "420102001000" and village.seismic_ge7
    area = db.session.scalar(select(func.ST_GeometryType(AdminUnit.boundary)).where(AdminUnit.code == village.code))
    assert area == "ST_MultiPolygon"
    again = import_places("places.csv", (DATA / "places.csv").read_bytes())
    assert (again.created, again.updated) == (0, 5)


def test_places_import_with_bad_rows_imports_nothing_and_names_each_problem(ctx):
    from app.models import AdminUnit
    from app.problems import Problem
    from app.services.registry.imports import import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    with pytest.raises(Problem) as e:
        import_places("places_bad.csv", (DATA / "places_bad.csv").read_bytes())
    messages = {err["row"]: err["message"] for err in e.value.details["errors"]}
    assert "12 digits" in messages[2]
    assert "unknown parent" in messages[3]
    assert "invalid boundary geometry" in messages[4]
    assert "zeros" in messages[5] or "village" in messages[5]
    assert _count(AdminUnit) == 5


def test_places_import_from_geojson(ctx):
    from app.services.registry.imports import import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "420102001005", "level": "village",
                                          "parent_code": "420102001000", "name": "五元村"},
        "geometry": {"type": "Polygon", "coordinates": [[[114.3, 30.6], [114.31, 30.6], [114.31, 30.61],
                                                         [114.3, 30.6]]]}}]}
    report = import_places("v.geojson", json.dumps(collection).encode())
    assert report.created == 1


def _households_csv(rows):
    header = "household_id,village,head_name,head_idno,poverty_status,category,status,last_pc_income\n"
    return (header + "".join(",".join(r) + "\n" for r in rows)).encode()


def test_households_import_checks_ids_and_villages(ctx):
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    good = idcard.make("420102", date(1970, 3, 4), 11)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    report = import_households(project, "h.csv", _households_csv([
        ["H001", "420102001001", "王五", good, "lifted", "none", "none", "9000"],
        ["H002", "420102001002", "李四", "", "ordinary", "", "", ""]]))
    assert (report.created, report.updated) == (2, 0)
    with pytest.raises(Problem) as e:
        import_households(project, "h.csv", _households_csv([
            ["H003", "420102001009", "赵六", bad, "lifted", "", "", "abc"]]))
    messages = " | ".join(err["message"] for err in e.value.details["errors"])
    assert "unknown village" in messages and "check digit" in messages and "not a number" in messages
    assert _count(Household) == 2
    assert report.shared_ids == []


def test_households_sharing_a_head_id_are_reported(ctx, app, tmp_path):
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    shared = idcard.make("420102", date(1970, 3, 4), 11)
    other = idcard.make("420102", date(1981, 6, 7), 12)
    assert import_households(project, "h.csv", _households_csv([
        ["H001", "420102001001", "王五", shared, "", "", "", ""]])).shared_ids == []
    file = tmp_path / "shared.csv"
    file.write_bytes(_households_csv([["H007", "420102001002", "王六", shared, "", "", "", ""],
                                      ["H008", "420102001002", "李八", other, "", "", "", ""]]))
    result = app.test_cli_runner().invoke(args=["households", "import", str(project), str(file)])
    assert result.exit_code == 0, result.output
    assert "households H001, H007 share the head's ID number" in result.output and shared not in result.output


def test_device_accounts_are_assigned_to_villages(ctx):
    from app.models import AppUserPlace
    from app.problems import Problem
    from app.services.accounts.app_users import assign_places, create_app_user
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    create_app_user(project, "张三")
    assign_places(project, "张三", ["420102001001", "420102001002"])
    assert _count(AppUserPlace) == 2
    with pytest.raises(Problem):
        assign_places(project, "张三", ["420102001000"])   # a township, not a village


def _registry_csv(header: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue().encode()


_STANDING = "household_id,village,head_name,poverty_status,category,status"


def test_households_import_takes_the_standing_as_codes_or_chinese_terms(ctx):
    from app.extensions import db
    from app.models import Household
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    import_households(project, "h.csv", _registry_csv(_STANDING, [
        ["H001", "420102001001", "王五", "脱贫户", "脱贫不稳定户", "风险未消除"],
        ["H002", "420102001001", "李四", " Ordinary ", "edge", "已消除风险"],
        ["H003", "420102001002", "赵六", "ordinary", "不纳入", "非监测对象"],
        ["H004", "420102001002", "钱七", "", "", ""]]))
    stored = {h.household_code: (h.poverty_status, h.category, h.status)
              for h in db.session.scalars(select(Household))}
    assert stored == {"H001": ("lifted", "unstable", "monitored"), "H002": ("ordinary", "edge", "eliminated"),
                      "H003": ("ordinary", "none", "none"), "H004": (None, None, None)}


def test_households_import_refuses_unknown_or_contradictory_standing_row_by_row(ctx):
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    idno = idcard.make("420102", date(1970, 3, 4), 11)
    with pytest.raises(Problem) as e:
        import_households(project, "h.csv", _registry_csv(_STANDING, [
            ["H001", "420102001001", "王五", "lifted", "none", "none"],            # row 2: good
            ["H002", "420102001001", "李四", "poor", "", ""],                      # row 3
            ["H003", "420102001001", "赵六", "", "两类人群", ""],                    # row 4
            ["H004", "420102001001", "钱七", "", "", "normal"],                    # row 5
            ["H005", "420102001001", "孙八", "ordinary", "unstable", "monitored"],  # row 6
            ["H006", "420102001001", "周九", "lifted", "edge", "monitored"],        # row 7
            ["H007", "420102001001", "吴十", "", "none", "monitored"],              # row 8
            ["H008", "420102001001", "郑一", "", "hardship", "none"],               # row 9
            ["H009", "420102001001", "冯二", idno, "", ""]]))                      # row 10: a shifted column
    assert e.value.status == 400 and e.value.message.startswith("Nothing was imported: 8 problem(s).")
    messages = {err["row"]: err["message"] for err in e.value.details["errors"]}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert messages[3] == "poverty_status is not one of lifted (脱贫户), ordinary (一般农户): 'poor'"
    assert messages[4].startswith("category is not one of none (非监测对象), unstable (脱贫不稳定户), edge")
    assert messages[5].startswith("status is not one of none (非监测对象), monitored (风险未消除), eliminated")
    assert "needs poverty_status lifted" in messages[6] and "needs poverty_status ordinary" in messages[7]
    assert "category must be" in messages[8] and "status must be" in messages[9]
    assert messages[10].startswith("poverty_status is not one of") and idno not in e.value.message
    assert _count(Household) == 0


def test_a_member_count_stands_in_for_the_member_list(ctx):
    from app.core.access import system_access
    from app.extensions import db
    from app.models import Household
    from app.services.accounts.projects import create_project
    from app.services.registry.household_record import MembersSource, household_record
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    son = idcard.make("420102", date(2001, 3, 4), 13)
    listed = json.dumps([{"name": "王五", "relation": "head"}, {"name": "王小五", "relation": "son", "idno": son}],
                        ensure_ascii=False)
    import_households(project, "h.csv", _registry_csv("household_id,village,head_name,members,hh_size", [
        ["H001", "420102001001", "王五", listed, "2"],      # both, and they agree
        ["H002", "420102001001", "李四", "", "4"],          # a count only
        ["H003", "420102001001", "赵六", listed, ""]]))     # a list only
    members = {h.household_code: h.members for h in db.session.scalars(select(Household))}
    assert [len(members[code]) for code in ("H001", "H002", "H003")] == [2, 4, 2]
    assert members["H002"] == [{"name": None, "relation": None, "idno": None}] * 4
    record = household_record(system_access(project), "H002")
    assert len(record.members) == 4 and record.members_from == MembersSource("registry")


@pytest.mark.parametrize("hh_size, members, problem", [
    ("0", "", "hh_size is not a whole number from 1 to 99: '0'"),
    ("100", "", "hh_size is not a whole number from 1 to 99: '100'"),
    ("2.5", "", "hh_size is not a whole number from 1 to 99: '2.5'"),
    ("３", "", "hh_size is not a whole number from 1 to 99: '３'"),
    ("two", "", "hh_size is not a whole number from 1 to 99: 'two'"),
    ("3", '[{"name": "王五"}]', "hh_size is 3 but members lists 1")])
def test_a_wrong_member_count_is_a_row_error(ctx, hh_size, members, problem):
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    with pytest.raises(Problem) as e:
        import_households(project, "h.csv", _registry_csv("household_id,village,head_name,members,hh_size", [
            ["H001", "420102001001", "王五", "", "1"], ["H002", "420102001001", "李四", members, hh_size]]))
    assert [(err["row"], err["message"]) for err in e.value.details["errors"]] == [(3, problem)]
    assert _count(Household) == 0


def test_too_long_a_household_number_or_name_is_a_row_error_not_a_crash(ctx):
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    with pytest.raises(Problem) as e:
        import_households(project, "h.csv", _registry_csv("household_id,village,head_name", [
            ["H" * 41, "420102001001", "王五"], ["H002", "420102001001", "李" * 101]]))
    assert [(err["row"], err["message"]) for err in e.value.details["errors"]] == [
        (2, "household_id is 41 characters long; at most 40 fit"),
        (3, "head_name is 101 characters long; at most 100 fit")]
    assert _count(Household) == 0


@pytest.mark.parametrize("income", ["inf", "-Infinity", "nan", "1e400"])
def test_an_income_that_is_not_finite_is_a_row_error(ctx, income):
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    with pytest.raises(Problem) as e:
        import_households(project, "h.csv", _registry_csv("household_id,village,head_name,last_pc_income", [
            ["H001", "420102001001", "王五", income]]))
    assert [(err["row"], err["message"]) for err in e.value.details["errors"]] == [
        (2, f"last_pc_income is not a number: {income!r}")]
    assert _count(Household) == 0


def test_households_may_carry_a_location_and_keep_it(ctx):
    """lon and lat place a household on the map until a screening locates it; both or neither, in range."""
    from app.extensions import db
    from app.models import Household
    from app.problems import Problem
    from app.services.accounts.projects import create_project
    from app.services.registry.imports import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("定位").id
    import_households(project, "h.csv", b"household_id,village,head_name,lon,lat\n"
                                        b"H001,420102001001,A,114.3055,30.5928\nH002,420102001001,B,,\n")

    def located() -> dict:
        return dict(db.session.execute(select(Household.household_code, func.ST_AsText(Household.location))).all())
    assert located() == {"H001": "POINT(114.3055 30.5928)", "H002": None}
    import_households(project, "again.csv", b"household_id,village,head_name\nH001,420102001001,A\n")
    assert located()["H001"] == "POINT(114.3055 30.5928)"          # imported again without: kept
    for lon, lat in (("114.3", ""), ("inf", "30"), ("200", "30"), ("x", "y")):
        with pytest.raises(Problem) as refused:
            import_households(project, "bad.csv", f"household_id,village,head_name,lon,lat\n"
                                                  f"H003,420102001001,C,{lon},{lat}\n".encode())
        assert "lon and lat" in str(refused.value.details or refused.value.message)


def test_a_place_without_a_boundary_takes_its_childrens(ctx):
    from app.extensions import db
    from app.models import AdminUnit
    from app.services.registry.imports import import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())     # boundaries for villages only
    areas = dict(db.session.execute(select(AdminUnit.code, func.ST_Area(AdminUnit.boundary))).all())
    villages = areas["420102001001"] + areas["420102001002"]
    assert abs(areas["420102001000"] - villages) < 1e-12          # the township: both villages
    assert abs(areas["420102000000"] - villages) < 1e-12          # the county: its one township


def test_a_large_import_writes_its_persons_in_batches(ctx, monkeypatch):
    """A county's registry (10^5 households) once failed: one statement named every household, past the
    65,535 parameters PostgreSQL takes. Batches are BATCH households; here 7, over 20 households."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import HouseholdPerson
    from app.services.accounts.projects import create_project
    from app.services.registry import persons
    from app.services.registry.imports import import_households, import_places
    monkeypatch.setattr(persons, "BATCH", 7)
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    heads = [idcard.make("420102", date(1960, 1, 1 + n), n) for n in range(20)]
    report = import_households(project, "h.csv", _households_csv([
        [f"H{n:03d}", "420102001001", "王五", head, "", "", "", ""] for n, head in enumerate(heads)]))
    assert report.created == 20 and report.shared_persons == []
    stored = db.session.scalars(select(HouseholdPerson.idno).where(HouseholdPerson.project_id == project)
                                .order_by(HouseholdPerson.idno)).all()
    assert stored == sorted(heads)
    # Imported again: written again, not twice.
    import_households(project, "h.csv", _households_csv([
        [f"H{n:03d}", "420102001001", "王五", head, "", "", "", ""] for n, head in enumerate(heads)]))
    assert db.session.scalar(select(func.count()).select_from(HouseholdPerson)) == 20
