"""Personal data (PIPL) in answers and records, masked for a reader whose role may not see it: ID numbers
and phone numbers.

Answers are personal by their field's name, as the project's forms name them (forms/*.md: head_idno,
m_idno, idno, phone): a name ending in one of ID_SUFFIXES or PHONE_SUFFIXES. Pure: values in, masks out.
"""
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
