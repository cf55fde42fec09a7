"""Personal data (PIPL) in answers and records, masked for a reader whose role may not see it: ID numbers
and phone numbers.

Answers are personal by their field's name, as the project's forms name them (forms/*.md: head_idno,
m_idno, idno, phone): a name ending in one of ID_SUFFIXES or PHONE_SUFFIXES. Free text is not personal by
its name, but people write their numbers into it ('我的身份证号是…', a resident's story): mask_in_text masks
what is shaped like an ID number or a phone within it. Pure: values in, masks out.
"""
import re
import unicodedata

ID_SUFFIXES = ("idno", "id_no", "id_number")
PHONE_SUFFIXES = ("phone", "mobile", "tel")


def mask_idno(idno: str | None) -> str | None:
    """An ID number as 4201**********1234.

    Four digits at each end only of a full-length number (15 or 18 characters, GB 11643); a shorter
    one (mistyped, or some other number) keeps one at each end, or none: 4 + 4 of 8 is all of it.
    """
    if not idno:
        return idno
    keep = 4 if len(idno) >= 15 else 1 if len(idno) >= 6 else 0
    return idno[:keep] + "*" * (len(idno) - 2 * keep) + (idno[-keep:] if keep else "")


def mask_phone(phone: str | None) -> str | None:
    """A phone as 138****8000: the carrier prefix and the last four digits only (one of each if short)."""
    if not phone:
        return phone
    if len(phone) < 8:
        return phone[:1] + "*" * max(0, len(phone) - 2) + phone[-1:] if len(phone) > 2 else "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def is_personal(field_name: str) -> bool:
    """Whether an answer holds an ID number or a phone number, by its field's name (not its path)."""
    return field_name.lower().endswith(ID_SUFFIXES + PHONE_SUFFIXES)


def mask_answer(field_name: str, value: str) -> str:
    """A personal answer masked as its kind is (is_personal says which answers are)."""
    return mask_idno(value) if field_name.lower().endswith(ID_SUFFIXES) else mask_phone(value)


# Numbers in free text, as people type them: ASCII or full-width digits (a Chinese IME's), a space, hyphen or
# ideographic space now and then between them. Masked, each number as a whole (its digits without the
# separators, as mask_idno and mask_phone mask them):
# - a long number: 15 digits or more (an ID number of 15 or 18, with a check letter X; a bank card's 16-19),
#   four digits kept at each end;
# - a mobile number: 1[3-9] and nine more digits, after 86 or 0086 (+86) or not;
# - a number with its area code: 0, 2 or 3 more digits, then 7 or 8.
# A number is only one when no digit touches it: a date (2026-11-20), an amount (30000) or a longer run of
# digits that is none of these is kept. queries.exports.masked_in_text is the same in SQL (NUMBER_IN_TEXT is
# written in what both Python's re and PostgreSQL's regular expressions read alike).
_D = "[0-9０-９]"
_S = "[ 　－-]?"
NUMBER_IN_TEXT = (
    f"(?<!{_D})(?:"
    f"{_D}(?:{_S}{_D}){{16}}{_S}[XxＸｘ]"                                   # 17 digits and a check letter
    f"|{_D}(?:{_S}{_D}){{14,}}"                                             # 15 digits or more
    f"|(?:(?:[+＋]|[0０]{_S}[0０])?[8８]{_S}[6６]{_S})?[1１]{_S}[3-9３-９](?:{_S}{_D}){{9}}"  # a mobile number
    f"|[0０]{_S}[1-9１-９](?:{_S}{_D}){{1,2}}(?:{_S}{_D}){{7,8}}"              # area code and number
    f")(?!{_D})")
_NUMBER_IN_TEXT = re.compile(NUMBER_IN_TEXT)
_SEPARATORS = re.compile(r"[^0-9Xx+]")
LONG_NUMBER = 15                  # digits from which a number is masked as an ID number


def masked_number(typed: str) -> str:
    """A number found in free text, masked: its digits (ASCII, without separators) as mask_idno masks a long
    number, as mask_phone masks the rest."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))
    return mask_idno(digits) if len(digits.lstrip("+")) >= LONG_NUMBER else mask_phone(digits)


def mask_in_text(text: str | None) -> str | None:
    """Free text with each ID-number- or phone-shaped number in it masked (masked_number)."""
    if not text:
        return text
    return _NUMBER_IN_TEXT.sub(lambda found: masked_number(found.group(0)), text)
