"""The screening submission most tests send: 王五's two-person household in 一元村 (420102001001)."""
from demo.submissions import FORM_VERSION as VERSION
from demo.submissions import member_xml
from demo.submissions import screening_xml as _screening_xml

DEFAULT_MEMBERS = (member_xml("王五", "head", age="52"),
                   member_xml("王小五", "son", age="24", med_ins="none", labor="none", school="college", work=""))


def screening_xml(instance_id: str = "uuid:aaaaaaaa-0000-4000-8000-000000000001", *, village: str = "420102001001",
                  household: str = "H001", gps: str = "30.5928 114.3055 25.5 4.2",
                  members: tuple[str, ...] = DEFAULT_MEMBERS, **answers) -> bytes:
    return _screening_xml(instance_id, village=village, household=household, gps=gps, members=list(members),
                          **answers)


# The screening of H001 most tests send, as text.
HOUSEHOLD = screening_xml().decode()

__all__ = ["HOUSEHOLD", "VERSION", "member_xml", "screening_xml"]
