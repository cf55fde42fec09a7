"""Reading numbers from answers: XML Schema's lexical forms, finite, and within what JSON can hold.

An answer that is not such a number is not guessed at: the caller keeps it as text and reports it.
Python's own int() and float() are too lenient for answers from outside: they accept 'inf', 'nan',
'1_000', non-ASCII digits ('١٢') and integers of any length, none of which JSON (RFC 8259 §6)
or arithmetic on money, ages and days can use.
"""
import math
import re

# The largest integer every JSON reader holds exactly (RFC 8259 §6; JavaScript's
# Number.MAX_SAFE_INTEGER): an integer beyond it would be stored but read back changed by a browser,
# an OData client or a spreadsheet. No count, amount or year a form asks for comes near it.
JSON_SAFE_INTEGER = 2**53 - 1
# XML Schema 1.1 Part 2 §3.4.13 (integer) and §3.3.3/3.3.5 (decimal, double), ASCII digits only.
# An exponent is allowed in decimals: JavaRosa writes a very small or large double as "1.0E-5".
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = ("inf", "infinity", "nan")
# More digits than this cannot be within JSON_SAFE_INTEGER; checked before int() converts them.
_MAX_INTEGER_DIGITS = len(str(JSON_SAFE_INTEGER))


class NotANumber(ValueError):
    """The text is not a usable number; str() says why, in English, for a data-quality report."""


class NumberOutOfRange(NotANumber):
    """The text is a number, but not a finite one or not one that fits (inf, nan, 1e400, 400 digits)."""


def read_integer(text: str) -> int:
    """An XML Schema integer within ±JSON_SAFE_INTEGER; raises NotANumber (NumberOutOfRange beyond)."""
    if not _INTEGER.fullmatch(text):
        raise NotANumber("not an integer")
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > _MAX_INTEGER_DIGITS or abs(value := int(text)) > JSON_SAFE_INTEGER:
        raise NumberOutOfRange(f"an integer beyond ±{JSON_SAFE_INTEGER}, the largest JSON holds exactly")
    return value


def read_decimal(text: str) -> float:
    """An XML Schema decimal (or double, exponent allowed) that is finite as a float; raises NotANumber
    (NumberOutOfRange for inf, nan and what overflows a double)."""
    if not _DECIMAL.fullmatch(text):
        if text.lower().lstrip("+-") in _NON_FINITE:
            raise NumberOutOfRange("not a finite number")
        raise NotANumber("not a number")
    value = float(text)
    if not math.isfinite(value):
        raise NumberOutOfRange("not a finite number (too large for a double)")
    return value


def usable_number(value) -> float:
    """A typed or text answer as a float that arithmetic can use; raises NotANumber.

    Within ±JSON_SAFE_INTEGER: a rule reads amounts of yuan, ages, days and litres, and a value
    beyond that bound is no such answer (and its results could not be written to JSON exactly).
    """
    if isinstance(value, bool):
        raise NotANumber("a true/false answer, not a number")
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        number = read_decimal(value.strip())
    else:
        raise NotANumber("not a number")
    if not (isinstance(number, int) or math.isfinite(number)) or abs(number) > JSON_SAFE_INTEGER:
        raise NumberOutOfRange(f"a number beyond ±{JSON_SAFE_INTEGER}")
    return float(number)
