"""What tells two reports from one household: the ID number or the phone a reporter gives, written the
same way however it was typed (domain §8.6: a second report of the same household joins the open lead).
Pure: values in, keys out; None where a value cannot serve as a key."""
import re

_NOT_DIGITS = re.compile(r"\D")


def idno_key(raw: str | None) -> str | None:
    """An ID number without spaces or dashes, its check letter upper-case ('x' -> 'X'); None unless it
    then has the 18 (or old 15) characters of one."""
    value = re.sub(r"[\s\-]", "", raw or "").upper()
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", value):
        return value
    return None


def phone_key(raw: str | None) -> str | None:
    """A phone number as digits only, without China's country code (+86, 0086, 86 before a mobile's 11
    digits); None for fewer than 7 digits."""
    digits = _NOT_DIGITS.sub("", raw or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7 and (
                prefix == "0086" or len(digits) == 13):
            digits = digits[len(prefix):]
            break
    return digits if 7 <= len(digits) <= 15 else None
