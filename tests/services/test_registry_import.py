"""Places and households import: all rows or none, with every problem named by row."""
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
    from app.services.registry_import import import_places
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
    from app.services.registry_import import import_places
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
    from app.services.registry_import import import_places
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
    from app.services.projects import create_project
    from app.services.registry_import import import_households, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    good = idcard.make("420102", date(1970, 3, 4), 11)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    report = import_households(project, "h.csv", _households_csv([
        ["H001", "420102001001", "王五", good, "lifted", "none", "normal", "9000"],
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
    from app.services.projects import create_project
    from app.services.registry_import import import_households, import_places
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
    from app.services.accounts import create_app_user
    from app.services.projects import create_project
    from app.services.registry_import import assign_places, import_places
    import_places("places.csv", (DATA / "places.csv").read_bytes())
    project = create_project("县").id
    create_app_user(project, "张三")
    assign_places(project, "张三", ["420102001001", "420102001002"])
    assert _count(AppUserPlace) == 2
    with pytest.raises(Problem):
        assign_places(project, "张三", ["420102001000"])   # a township, not a village
