"""`households import` from the command line: the allowed values in its help, every bad row named."""
from tests.conftest import REPO

DATA = REPO / "tests" / "data"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def test_the_help_lists_the_allowed_values(app):
    result = _run(app, "households", "import", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "poverty_status: lifted (脱贫户), ordinary (一般农户)" in text
    assert ("category: none (非监测对象), unstable (脱贫不稳定户), edge (边缘易致贫户), "
            "hardship (突发严重困难户)") in text
    assert "status: none (非监测对象), monitored (风险未消除), eliminated (风险消除)" in text
    assert "hh_size" in text


def test_bad_rows_are_named_and_nothing_is_imported(app, project, tmp_path):
    from app.extensions import db
    from app.models import Household
    assert _run(app, "places", "import", DATA / "places.csv").exit_code == 0
    file = tmp_path / "households.csv"
    file.write_text("household_id,village,head_name,poverty_status,category,status,hh_size\n"
                    "H001,420102001001,王五,lifted,unstable,monitored,3\n"
                    "H002,420102001001,李四,一般农户,脱贫不稳定户,风险未消除,2\n"
                    "H003,420102001002,赵六,ordinary,none,eliminated,\n"
                    "H004,420102001002,钱七,ordinary,,,0\n", encoding="utf-8")
    result = _run(app, "households", "import", project, file)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Nothing was imported: 3 problem(s)." in result.output
    assert "row 3 (H002): category unstable (脱贫不稳定户) needs poverty_status lifted (脱贫户)" in result.output
    assert "row 4 (H003): status eliminated is for a 监测对象" in result.output
    assert "row 5 (H004): hh_size is not a whole number from 1 to 99: '0'" in result.output
    with app.app_context():
        assert db.session.query(Household).count() == 0


def test_a_count_without_a_list_is_imported(app, project, tmp_path):
    from app.extensions import db
    from app.models import Household
    assert _run(app, "places", "import", DATA / "places.csv").exit_code == 0
    file = tmp_path / "households.csv"
    file.write_text("household_id,village,head_name,poverty_status,category,status,hh_size\n"
                    "H001,420102001001,王五,脱贫户,脱贫不稳定户,风险未消除,3\n", encoding="gb18030")
    result = _run(app, "households", "import", project, file)
    assert result.exit_code == 0 and "households: 1 added, 0 updated" in result.output
    with app.app_context():
        h = db.session.query(Household).one()
        assert (h.poverty_status, h.category, h.status, len(h.members)) == ("lifted", "unstable", "monitored", 3)
