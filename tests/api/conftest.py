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
