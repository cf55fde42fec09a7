"""What the API's map tests share: the test county with a campaign and one screening."""
import pytest

from tests.support.households import screening_xml
from tests.support.registry import SCREENING, cover_test_villages, load_registry

LAT, LON = 30.5928, 114.3055           # the test screening's geopoint, inside 一元村 (420102001001)


@pytest.fixture()
def mapped(app, project, publish, device):
    """The test county with a campaign and one screening of H001 (a risk flag: income below the line)."""
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    result = app.test_cli_runner().invoke(args=["campaign", "create", str(project), "排查", "--start", "2026-11-01",
                                                "--end", "2026-11-30", "--forms", "fpf_hh_screening"])
    assert result.exit_code == 0, result.output
    xml = screening_xml(inc_wage="3000", survey_date="2026-11-10", gps=f"{LAT} {LON} 25 4")
    assert device.post_submission(xml, {}).status_code == 201
    return project


def register_at(app, project: int, point: tuple[float, float], heads: dict[str, str]) -> dict[str, int]:
    """Registers households (code: head's name) in 一元村 at `point` (lon, lat); returns every household's
    row id by its code."""
    from sqlalchemy import text

    from app.extensions import db
    from app.services.registry.imports import import_households
    rows = "".join(f"{code},420102001001,{name},ordinary,{point[0]},{point[1]}\n" for code, name in heads.items())
    with app.app_context():
        import_households(project, "more.csv", ("household_id,village,head_name,poverty_status,lon,lat\n" + rows)
                          .encode())
        return dict(db.session.execute(text("SELECT household_code, id FROM household")).all())
