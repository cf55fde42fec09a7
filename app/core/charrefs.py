"""Character references to UTF-16 surrogates, as older ODK Collect writes characters above U+FFFF.

JavaRosa before 2022 (getodk/javarosa#685, getodk/collect#4554) serialised an emoji such as
U+1F686 as two references, one per UTF-16 half: `&#55357;&#56966;`. XML forbids references to
surrogates, so a strict parser refuses the whole submission and the device can never send it.
ODK Central reads such submissions leniently; here a high/low pair of references becomes the
character it encodes and a lone half becomes U+FFFD, the replacement character.

Only the text handed to the parser is repaired; the submission is stored as it came.
"""
import re
from functools import lru_cache

# References to high (U+D800–U+DBFF) and low (U+DC00–U+DFFF) surrogates, in hex and in decimal
# (55296–56319 and 56320–57343), with any leading zeros.
_HIGH = (r"&#(?:[xX]0*[dD][89abAB][0-9a-fA-F]{2}"
         r"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-2][0-9]{2}|563[01][0-9]));")
_LOW = (r"&#(?:[xX]0*[dD][c-fC-F][0-9a-fA-F]{2}"
        r"|0*(?:563[2-9][0-9]|56[4-9][0-9]{2}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));")
# Comments, CDATA sections and processing instructions hold literal text: each is matched whole and
# left alone. One that is never closed runs to the end of the text (the parser will refuse it), so
# that no opener is scanned to the end more than once: the whole scan stays linear.
_LITERAL = r"<!--(?:.*?-->|.*)|<!\[CDATA\[(?:.*?\]\]>|.*)|<\?(?:.*?\?>|.*)"
_TOKENS = re.compile(f"{_LITERAL}|(?P<pair>{_HIGH}{_LOW})|{_HIGH}|{_LOW}", re.DOTALL)
REPLACEMENT = "\ufffd"


def repair_surrogate_references(text: str) -> str:
    """`text` with surrogate references replaced by real characters (or U+FFFD for a lone half).

    Linear in len(text): one pass of the regular expression engine over it.
    """
    if "&#" not in text:
        return text
    return _TOKENS.sub(_replacement, text)


def _replacement(match: re.Match) -> str:
    token = match.group(0)
    if token[0] == "<":
        return token
    return _character(token, match.group("pair") is not None)


@lru_cache(maxsize=1024)
def _character(references: str, pair: bool) -> str:
    if not pair:
        return REPLACEMENT
    high, low = (_unit(ref) for ref in references[2:-1].split(";&#"))
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _unit(reference: str) -> int:
    """'x0D83D' or '55357' -> 0xD83D."""
    return int(reference[1:], 16) if reference[0] in "xX" else int(reference)
