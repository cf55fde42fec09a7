"""Resident ID numbers (居民身份证号码, GB 11643-1999): structure and ISO 7064 MOD 11-2 check digit."""
import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# re.ASCII: \d would also match other scripts' digits (full-width '１'), which int() reads as 1.
_SHAPE = re.compile(r"^[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]\Z", re.ASCII)   # \Z: no trailing newline


# What normalise drops: the spaces a cadre or a spreadsheet puts in a number (ASCII, no-break, ideographic).
_SPACES = str.maketrans("", "", " \t\r\n\u00a0\u3000")
NORMAL_LENGTH = 18


def normalise(idno) -> str | None:
    """An ID number as the registry compares it (issue 17, R22 person in two households): no spaces, the
    check letter upper-case. None when nothing is left, or for what is longer than an ID number (no person
    is found by it)."""
    if idno is None:
        return None
    text = str(idno).translate(_SPACES).upper()
    return text if 0 < len(text) <= NORMAL_LENGTH else None


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problem(idno: str) -> str | None:
    """None for a valid number, otherwise what is wrong with it (in English, for flags)."""
    match = _SHAPE.match(idno or "")
    if not match:
        return "not 18 characters of the form 6 digits, birth date, 3 digits, check digit"
    try:
        born = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return "the birth date in it does not exist"
    if born.year < 1900 or born > date.today():
        return "the birth date in it is out of range"
    if check_digit(idno[:17]) != idno[17].upper():
        return "the check digit is wrong"
    return None


def birth_date(idno: str) -> date | None:
    if problem(idno) is not None:
        return None
    return date(int(idno[6:10]), int(idno[10:12]), int(idno[12:14]))


def make(area_code: str, born: date, sequence: int) -> str:
    """A well-formed number (for synthetic data); sequence is the 3-digit order code."""
    first17 = f"{area_code[:6]}{born:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
