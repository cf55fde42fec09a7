"""Parsing XML that came from outside: no DTDs, no entities, no network, bounded size, depth and count.

Every bound is enforced while the document is read, so a hostile document costs at most the time
to read up to the bound, never the time to build a whole tree and then measure it.
"""
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .charrefs import repair_surrogate_references
from .xml_encoding import EncodingRefused, decode_document

MAX_DEPTH = 64
_CHUNK = 1 << 20     # characters handed to the parser at a time


class XmlRejected(ValueError):
    """The bytes are not XML we are willing to read; the message says why, for a person."""


class XmlTooLarge(XmlRejected):
    """The document is over a size bound (bytes or nodes); a client should hear 413, not 400."""


def parse_untrusted(data: bytes, *, max_bytes: int = 20_000_000, max_nodes: int | None = None) -> Element:
    """Parse bytes into an element tree, refusing DTDs, entity declarations and deep nesting.

    `max_nodes` bounds the elements, attributes, comments and processing instructions together
    (None: no bound). Raises XmlTooLarge past `max_bytes` or `max_nodes`, XmlRejected otherwise.
    The encoding must be UTF-8 or UTF-16 (see xml_encoding); references to UTF-16 surrogates are
    read as the character they encode (see charrefs).
    """
    if len(data) > max_bytes:
        raise XmlTooLarge(f"The XML document is larger than {max_bytes} bytes.")
    try:
        text = repair_surrogate_references(decode_document(data))
    except EncodingRefused as e:
        raise XmlRejected(str(e)) from None
    builder = _BoundedTreeBuilder(MAX_DEPTH, max_nodes)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        for start in range(0, len(text), _CHUNK):
            parser.feed(text[start:start + _CHUNK])
        return parser.close()
    except DefusedXmlException:
        raise XmlRejected("The XML document declares a DOCTYPE or entities, which are not allowed.") from None
    except ParseError as e:
        raise XmlRejected(f"The XML document is not well-formed: {e}.") from None


class _BoundedTreeBuilder(TreeBuilder):
    """A TreeBuilder that stops the parse (by raising from its callbacks) once a bound is passed."""

    def __init__(self, max_depth: int, max_nodes: int | None):
        super().__init__()
        self._depth = 0
        self._max_depth = max_depth
        self._max_nodes = max_nodes
        self._nodes = 0

    def _count(self, nodes: int) -> None:
        self._nodes += nodes
        if self._max_nodes is not None and self._nodes > self._max_nodes:
            raise XmlTooLarge(f"The XML document has more than {self._max_nodes} elements and attributes.")

    def start(self, tag, attrs):
        self._depth += 1
        if self._depth > self._max_depth:
            raise XmlRejected(f"The XML document is nested more than {self._max_depth} levels deep.")
        self._count(1 + len(attrs))
        return super().start(tag, attrs)

    def end(self, tag):
        self._depth -= 1
        return super().end(tag)

    def comment(self, text):
        self._count(1)
        return super().comment(text)

    def pi(self, target, text=None):
        self._count(1)
        return super().pi(target, text)


def local_name(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def attribute(element: Element, name: str) -> str | None:
    """The value of an attribute by local name, whatever its namespace (id, orx:version, ...)."""
    if name in element.attrib:
        return element.attrib[name]
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value
    return None


def child(element: Element, name: str) -> Element | None:
    """The first child with this local name, in any namespace."""
    for c in element:
        if isinstance(c.tag, str) and local_name(c.tag) == name:
            return c
    return None


def children(element: Element, name: str) -> list[Element]:
    return [c for c in element if isinstance(c.tag, str) and local_name(c.tag) == name]
