"""The small synthetic county shipped in demo/ for a first run (README, "First run").

Generated, never hand-written: 2 townships, 6 villages with boundaries, 60 households whose names
and ID numbers are made up under an area code no real place has (demo.people), and one screening of
one of its households as Collect would send it. The same files every time, so a test can tell when
demo/ no longer matches what this writes.
"""
from datetime import date
from xml.dom import minidom

from demo.county import DemoCounty, build_county
from demo.submissions import member_xml, screening_xml

SIZE = {"townships": 2, "villages": 6, "households": 60, "seed": 11}
# The README's device covers the first two villages; the example screens the first household of the first.
EXAMPLE_VILLAGE = "429901001001"
# Written into the example, and replaced before each sending (README): every submission needs an
# instanceID of its own, and its survey date decides which campaign it counts in.
EXAMPLE_INSTANCE_ID = "uuid:00000000-0000-4000-8000-000000000000"
EXAMPLE_DATE = date(2026, 11, 20)


def first_run_files() -> dict[str, bytes]:
    """File name -> content: places.csv (for `places import`), households.csv (`households import`) and
    screening-example.xml (a submission of the screening form, sent with curl in the README)."""
    county = build_county(**SIZE)
    return {"places.csv": county.places_csv(), "households.csv": county.households_csv(),
            "screening-example.xml": screening_example(county)}


def screening_example(county: DemoCounty) -> bytes:
    """A campaign screening of EXAMPLE_VILLAGE's first household, as it stands in the registry, located
    inside the village; indented for reading (the server reads it as Collect's unindented XML)."""
    household = next(h for h in county.households if h.village == EXAMPLE_VILLAGE)
    inside = county.villages[EXAMPLE_VILLAGE].representative_point()
    members = [member_xml(m.name, m.relation, m.idno, str(m.age)) for m in household.members]
    xml = screening_xml(EXAMPLE_INSTANCE_ID, village=EXAMPLE_VILLAGE, household=household.code,
                        gps=f"{inside.y:.6f} {inside.x:.6f} 30.0 5.0", members=members,
                        head_name=household.head.name, head_idno=household.head.idno,
                        poverty_status=household.poverty_status, survey_date=EXAMPLE_DATE.isoformat())
    return minidom.parseString(xml).toprettyxml(indent="  ", encoding="utf-8")
