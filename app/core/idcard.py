"""Resident ID numbers (居民身份证号码, GB 11643-1999): structure and ISO 7064 MOD 11-2 check digit."""
import re
import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# re.ASCII: \d would also match other scripts' digits (full-width '１'), which int() reads as 1.
_SHAPE = re.compile(r"^[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]\Z", re.ASCII)   # \Z: no trailing newline


# What clean drops: the spaces a cadre or a spreadsheet puts in a number (after NFKC, the no-break and
# ideographic spaces are ASCII ones).
_SPACES = str.maketrans("", "", " \t\r\n")
# The first-generation number (GB 11643-1989): 6 digits of area, the birth date as YYMMDD (19YY), 3 digits.
_SHAPE_15 = re.compile(r"^[1-9]\d{5}(\d{2})(\d{2})(\d{2})\d{3}\Z", re.ASCII)


def clean(idno) -> str:
    """An ID number as written, without what only its writing adds: full-width digits and letters (an IME's
    全角 １２３, Ｘ) read as ASCII (NFKC), no spaces, the check letter upper-case."""
    return unicodedata.normalize("NFKC", str(idno)).translate(_SPACES).upper()


def normalise(idno) -> str | None:
    """An ID number as R22 compares it (issue 17, person in two households): cleaned (clean), and only if it
    is an ID number: 18 characters that pass problem() (digits, a birth date, the check digit), or the 15
    digits of a first-generation number. None for anything else: the placeholders and mangled numbers a
    form or spreadsheet holds ('0', '无', '4.20102E+17', a typo caught by the check digit) are nobody's,
    and compared they would tie every household that used one together."""
    if idno is None:
        return None
    text = clean(idno)
    if len(text) == 18:
        return text if problem(text) is None else None
    match = _SHAPE_15.match(text)
    if not match:
        return None
    try:
        date(1900 + int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return text


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
