"""Stage 1 of parsing: untrusted bytes to an lxml tree, under the limits of reliability.md §1.3 #4.

Part of the ``bpmn`` layer (imports only ``cadenza.errors`` from cadenza). A size cap, an explicit
DOCTYPE refusal (raw prolog and ``docinfo``), no entity resolution, no network, no DTD loading,
no XInclude, bounded element depth and count, and messages that never quote the resource: the
tree handed on to model building can be walked without further care.
"""

from __future__ import annotations

import codecs

from lxml import etree

from cadenza.bpmn.namespaces import XINCLUDE_NAMESPACES, namespace_of
from cadenza.bpmn.tree import line_of
from cadenza.errors import ParseError, Problem

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DOCTYPE_MESSAGE",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "XINCLUDE_MESSAGE",
    "RefusedResourceError",
    "load_tree",
    "load_xml",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Largest resource accepted by default (deployments may set their own ``max_bytes``)."""
MAX_DEPTH = 200
"""Deepest element nesting accepted (real models stay far below 50)."""
MAX_ELEMENTS = 200_000
"""Most elements accepted in one resource (diagram shapes included)."""

_FEED_CHUNK = 64 * 1024
# Fed in chunks so the depth and element limits stop a hostile resource while it is read,
# before lxml has built the whole tree.

DOCTYPE_MESSAGE = "DOCTYPE is not allowed in BPMN resources"
XINCLUDE_MESSAGE = "XInclude is not allowed in BPMN resources"


class RefusedResourceError(Exception):
    """The resource is refused before any model is built; ``problem`` says why."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.problem = Problem(message, (), line, column)


def _decode_for_prolog(data: bytes) -> str:
    """Enough of a decoding to look at the prolog, whatever the (BOM-announced) encoding."""
    boms: tuple[tuple[bytes, str], ...] = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sniffed: tuple[tuple[bytes, str], ...] = (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    )
    for prefix, encoding in sniffed:
        if data.startswith(prefix):
            return data.decode(encoding, errors="replace")
    # Any ASCII-compatible encoding: markup characters keep their byte values.
    return data.decode("latin-1")


# What may stand before a DOCTYPE: the XML declaration and other PIs, and comments.
_PROLOG_SKIPPED = (("<?", "?>"), ("<!--", "-->"))


def _prolog_has_doctype(data: bytes) -> bool:
    """True when a ``<!DOCTYPE`` follows the optional BOM, XML declaration, PIs and comments."""
    text = _decode_for_prolog(data)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        for opener, closer in _PROLOG_SKIPPED:
            if text.startswith(opener, position):
                end = text.find(closer, position + len(opener))
                if end < 0:
                    return False
                position = end + len(closer)
                break
        else:
            return text[position : position + 9].upper() == "<!DOCTYPE"


def _new_parser() -> etree.XMLPullParser:
    return etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        attribute_defaults=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def load_xml(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an lxml root element, or raise ``ParseError`` (no resource).

    Never resolves entities, loads DTDs, touches the network or the file system, or processes
    XInclude; refuses any DOCTYPE, oversized input and pathological nesting.
    """
    try:
        return load_tree(xml, max_bytes)
    except RefusedResourceError as refused:
        raise ParseError([refused.problem]) from None


def load_tree(xml: bytes, max_bytes: int) -> etree._Element:
    """Like ``load_xml``, but a refusal is raised as ``RefusedResourceError`` (for ``parse_bpmn``,
    which adds the resource name)."""
    if len(xml) > max_bytes:
        raise RefusedResourceError(f"Resource is larger than the limit of {max_bytes} bytes")
    if not xml.strip():
        raise RefusedResourceError("Resource is empty")
    if _prolog_has_doctype(xml):
        raise RefusedResourceError(DOCTYPE_MESSAGE)
    parser = _new_parser()
    depth = 0
    count = 0
    try:
        for offset in range(0, len(xml), _FEED_CHUNK):
            parser.feed(xml[offset : offset + _FEED_CHUNK])
            for event, item in parser.read_events():
                if not isinstance(item, etree._Element):
                    continue
                element = item
                if event != "start":
                    depth -= 1
                    continue
                depth += 1
                count += 1
                line = line_of(element)
                if depth > MAX_DEPTH:
                    raise RefusedResourceError(f"Resource nests elements deeper than {MAX_DEPTH}", line)
                if count > MAX_ELEMENTS:
                    raise RefusedResourceError(f"Resource has more than {MAX_ELEMENTS} elements", line)
                tag: object = element.tag
                if isinstance(tag, str) and namespace_of(tag) in XINCLUDE_NAMESPACES:
                    raise RefusedResourceError(XINCLUDE_MESSAGE, line)
        root = parser.close()
    except etree.XMLSyntaxError as error:
        line, column = _position(error)
        # libxml2's text may quote names or content from the resource: do not pass it on.
        raise RefusedResourceError("Resource is not well-formed XML", line, column) from None
    except (etree.LxmlError, ValueError, LookupError, UnicodeError, TypeError):
        raise RefusedResourceError("Resource is not well-formed XML") from None
    docinfo = root.getroottree().docinfo
    declared = [getattr(docinfo, name, None) for name in ("doctype", "system_url", "public_id")]
    if any(declared):
        # Reached only if the prolog scan was fooled (e.g. an exotic encoding).
        raise RefusedResourceError(DOCTYPE_MESSAGE)
    return root


def _position(error: etree.XMLSyntaxError) -> tuple[int, int]:
    position: object = getattr(error, "position", None)
    if isinstance(position, tuple) and len(position) == 2:
        line, column = position
        if isinstance(line, int) and isinstance(column, int):
            return line, column
    return 0, 0
