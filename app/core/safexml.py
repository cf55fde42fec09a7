"""Parsing XML that came from outside: no DTDs, no entities, no network, bounded size and depth."""
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_DEPTH = 64


class XmlRejected(ValueError):
    """The bytes are not XML we are willing to read; the message says why, for a person."""


def parse_untrusted(data: bytes, *, max_bytes: int = 20_000_000) -> Element:
    """Parse bytes into an element tree, refusing DTDs, entity declarations and deep nesting."""
    if len(data) > max_bytes:
        raise XmlRejected(f"The XML document is larger than {max_bytes} bytes.")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise XmlRejected("The XML document declares a DOCTYPE or entities, which are not allowed.") from None
    except ParseError as e:
        raise XmlRejected(f"The XML document is not well-formed: {e}.") from None
    if _depth_exceeds(root, MAX_DEPTH):
        raise XmlRejected(f"The XML document is nested more than {MAX_DEPTH} levels deep.")
    return root


def _depth_exceeds(root: Element, limit: int) -> bool:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


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
