"""Which character encodings an XML document from outside may use, and decoding it to text.

Accepted: UTF-8 (the XML default, and what ODK Collect, Enketo and pyxform write), UTF-16 (the
other encoding every XML processor must read, XML 1.0 §4.3.3) and US-ASCII (a subset of UTF-8:
the same bytes mean the same characters). Every other declaration (ISO-8859-1, windows-1252, GBK,
UTF-7, an unknown name) is refused: no ODK client writes one, and the document is stored verbatim
and served back as it came, so a reader that (as ODK Central and most ODK tools do) takes it as
UTF-8 would see other characters than we parsed.

Decoding here, not in expat, also turns what expat would raise for such declarations
(LookupError, "multi-byte encodings are not supported") into one clear refusal.
"""
import codecs
import re

# XML 1.0 appendix F: the first bytes tell UTF-16 from ASCII-compatible encodings.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF16_STARTS = {b"<\x00": "utf-16-le", b"\x00<": "utf-16-be"}
# The XML declaration, only at the very start of the document.
_DECLARATION = re.compile(r"""<\?xml\s+version\s*=\s*(["'])[^"']*\1\s+encoding\s*=\s*(["'])([^"']*)\2""")
_DECLARATION_BYTES = 512      # enough for any real declaration, in UTF-16 too
_ACCEPTED = {
    "utf-8": ("utf-8", "utf8", "us-ascii", "ascii"),
    "utf-16": ("utf-16", "utf16", "utf-16le", "utf-16be"),
}


class EncodingRefused(ValueError):
    """The document's encoding is not one we read; the message says which, for a person."""


def decode_document(data: bytes) -> str:
    """The document as text, its byte order mark removed; raises EncodingRefused.

    The declaration stays in the text; a parser fed text ignores the encoding it names.
    """
    family, codec = _family(data)
    # The declaration is ASCII, at the start: read it before decoding the rest, so that a document in
    # another encoding is refused for its encoding, not for the first byte that is not UTF-8.
    declared = _declared_encoding(data[:_DECLARATION_BYTES].decode(codec, errors="replace"))
    _check(declared, family)
    try:
        text = data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise EncodingRefused(f"The XML document is not valid {family.upper()} (byte {e.start}).") from None
    if declared is None:
        declared = _declared_encoding(text)     # a declaration padded past the first bytes
        _check(declared, family)
    if declared is not None and declared.lower() in ("us-ascii", "ascii") and not text.isascii():
        raise EncodingRefused("The XML document declares the encoding US-ASCII but holds other characters.")
    return text


def _check(declared: str | None, family: str) -> None:
    if declared is None or declared.lower() in _ACCEPTED[family]:
        return
    if any(declared.lower() in names for names in _ACCEPTED.values()):
        raise EncodingRefused(f"The XML document declares the encoding {_shown(declared)} but is not "
                              "encoded that way.")
    raise EncodingRefused(f"The XML document declares the encoding {_shown(declared)}; "
                          "only UTF-8 and UTF-16 are accepted.")


def _family(data: bytes) -> tuple[str, str]:
    """('utf-8' | 'utf-16', the codec that decodes these bytes)."""
    if data.startswith(_UTF16_BOMS):
        return "utf-16", "utf-16"          # the codec reads the byte order mark
    codec = _UTF16_STARTS.get(data[:2])
    if codec:
        return "utf-16", codec
    return "utf-8", "utf-8"


def _declared_encoding(text: str) -> str | None:
    match = _DECLARATION.match(text.removeprefix("\ufeff"))
    return match.group(3) if match else None


def _shown(name: str) -> str:
    # The name comes from outside: short and printable in the message, never a wall of text.
    name = "".join(ch for ch in name[:40] if ch.isprintable())
    return repr(name)
