"""What tells two reports from one household: the ID number or the phone a reporter gives, written the
same way however it was typed (domain §8.6: a second report of the same household joins the open lead).
Pure: values in, keys out; None where a value cannot serve as a key.

A value is first put in Unicode's NFKC form: a Chinese IME types full-width digits and letters
('１３８００１３８０００', 'Ｘ') and ideographic spaces, which NFKC writes as ASCII; only then are the
digits taken, and only ASCII ones (re.ASCII: \\d would also match other scripts' digits, which would make
keys no one else's number equals).
"""
import re
import unicodedata

_NOT_DIGITS = re.compile(r"[^0-9]")
_SEPARATORS = re.compile(r"[\s\-]")
_IDNO = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}", re.ASCII)


def _typed(raw: str | None) -> str:
    """What was typed, in NFKC: full-width digits, letters, hyphens and spaces as their ASCII."""
    return unicodedata.normalize("NFKC", raw or "")


def idno_key(raw: str | None) -> str | None:
    """An ID number without spaces or dashes, its check letter upper-case ('x' -> 'X'); None unless it
    then has the 18 (or old 15) characters of one."""
    value = _SEPARATORS.sub("", _typed(raw)).upper()
    return value if _IDNO.fullmatch(value) else None


def phone_key(raw: str | None) -> str | None:
    """A phone number as digits only, without China's country code (+86, 0086, 86 before a mobile's 11
    digits); None for fewer than 7 digits."""
    digits = _NOT_DIGITS.sub("", _typed(raw))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7 and (
                prefix == "0086" or len(digits) == 13):
            digits = digits[len(prefix):]
            break
    return digits if 7 <= len(digits) <= 15 else None
