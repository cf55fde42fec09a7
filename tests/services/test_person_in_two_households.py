"""R22 person in two households (issue 17): one ID number (normalised: no spaces, upper-case X) on members of
two households is found at ingest, at registry import and by `rules recompute`; the later record is flagged
and names the other household, with the number masked."""
from datetime import date

from sqlalchemy import select

from app.core import idcard
from tests.support.households import member_xml, screening_xml
from tests.support.registry import SCREENING, load_registry

# A grandmother both households list: her number ends in X, and is written with a space and a small x once.
GRANNY = idcard.make("420102", date(1941, 3, 8), 2)
while not GRANNY.endswith("X"):
    GRANNY = idcard.make("420102", date(1941, 3, 8), int(GRANNY[14:17]) + 1)
SLOPPY = f"{GRANNY[:6]} {GRANNY[6:-1]}x"
SON = idcard.make("420102", date(1970, 1, 1), 31)


def _person_flags(app) -> dict[str, list]:
    """The person_in_two_households flags by the instanceID of the current version flagged."""
    from app.extensions import db
    from app.models import RiskFlag, SubmissionVersion
    with app.app_context():
        rows = db.session.execute(select(SubmissionVersion.instance_id, RiskFlag.inputs, RiskFlag.explanation_zh)
                                  .join(RiskFlag, RiskFlag.submission_version_id == SubmissionVersion.id)
                                  .where(RiskFlag.code == "person_in_two_households")).all()
    found: dict[str, list] = {}
    for instance_id, inputs, explanation in rows:
        found.setdefault(instance_id, []).append((inputs, explanation))
    return found


def _screen(device, n: int, household: str, village: str, *members: str) -> str:
    instance_id = f"uuid:ffffffff-0000-4000-8000-{n:012d}"
    xml = screening_xml(instance_id, household=household, village=village, members=members)
    assert device.post_submission(xml, {}).status_code == 201
    return instance_id


def test_a_screening_listing_a_person_another_household_lists_is_flagged(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    first = _screen(device, 1, "H001", "420102001001", member_xml("王五", "head", idno=SON),
                    member_xml("王奶奶", "parent", idno=GRANNY))
    later = _screen(device, 2, "H002", "420102001002", member_xml("李四", "head"),
                    member_xml("王奶奶", "parent", idno=SLOPPY))
    flags = _person_flags(app)
    assert first not in flags                                           # the earlier record stands
    [(inputs, explanation)] = flags[later]
    masked = GRANNY[:4] + "*" * 10 + GRANNY[-4:]
    assert inputs == {"other_household": "H001", "other_village": "420102001001",
                      "persons": [{"member": 2, "idno": masked}]}
    assert GRANNY not in str(inputs) and GRANNY not in explanation       # never the number itself


def test_the_registry_import_reports_and_later_screenings_are_flagged(app, project, publish, device, tmp_path):
    load_registry(app, project)
    csv = ("household_id,village,head_name,head_idno,poverty_status,members\n"
           f'H003,420102001002,赵六,{SON},ordinary,"[{{""name"": ""王奶奶"", ""relation"": ""parent"", '
           f'""idno"": ""{GRANNY[:-1]}x""}}]"\n'
           f'H004,420102001002,钱七,,ordinary,"[{{""name"": ""王奶奶"", ""relation"": ""other"", '
           f'""idno"": ""{GRANNY}""}}]"\n')
    registry = tmp_path / "more.csv"
    registry.write_text(csv, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["households", "import", str(project), str(registry)])
    assert result.exit_code == 0, result.output
    assert "H003, H004 list the same person" in result.output
    publish(SCREENING)
    # H003's own screening lists her too: flagged for H004's registry record, not for H003's own.
    mine = _screen(device, 3, "H003", "420102001002", member_xml("赵六", "head", idno=SON),
                   member_xml("王奶奶", "parent", idno=GRANNY))
    assert [i["other_household"] for i, _ in _person_flags(app)[mine]] == ["H004"]


def test_recompute_finds_them_again_and_flags_the_later(app, project, publish, device):
    from app.extensions import db
    from app.models import HouseholdPerson, RiskFlag
    load_registry(app, project)
    publish(SCREENING)
    _screen(device, 1, "H001", "420102001001", member_xml("王奶奶", "parent", idno=GRANNY))
    later = _screen(device, 2, "H002", "420102001002", member_xml("王奶奶", "parent", idno=GRANNY))
    with app.app_context():                          # as a database restored from before issue 17 would be
        db.session.execute(RiskFlag.__table__.delete().where(RiskFlag.code == "person_in_two_households"))
        db.session.execute(HouseholdPerson.__table__.delete())
        db.session.commit()
    assert _person_flags(app) == {}
    result = app.test_cli_runner().invoke(args=["rules", "recompute", str(project)])
    assert result.exit_code == 0, result.output
    flags = _person_flags(app)
    assert list(flags) == [later] and flags[later][0][0]["other_household"] == "H001"


def test_a_screening_that_no_longer_lists_the_person_frees_them(app, project, publish, device):
    load_registry(app, project)
    publish(SCREENING)
    _screen(device, 1, "H001", "420102001001", member_xml("王奶奶", "parent", idno=GRANNY))
    # H001's next visit: she moved out (to H002). H002's screening then lists her alone.
    _screen(device, 2, "H001", "420102001001", member_xml("王五", "head", idno=SON))
    moved = _screen(device, 3, "H002", "420102001002", member_xml("王奶奶", "parent", idno=GRANNY))
    assert moved not in _person_flags(app)

