"""XML from uploads is parsed with defusedxml: no entity expansion (the "billion laughs"),
no external entities or DTDs fetched; and in known text encodings only, counted against
the request's budget as it is read."""

from __future__ import annotations

import codecs
import io
import re
import xml.etree.ElementTree as ET

import defusedxml
from defusedxml import ElementTree as SafeET

from imports.parsers.budget import Budget
from imports.parsers.records import UnreadableFile

DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
# The encodings activity files are written in, by their codecs' names. Any other is
# refused before decoding: Python's codecs include some that are no text encoding at all
# ("undefined" raises on every byte) or that decode in quadratic time ("punycode": a
# megabyte took half a minute of CPU).
READABLE_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "iso8859-1", "cp1252"})
READABLE_NAMES = "UTF-8, UTF-16, ASCII, ISO-8859-1 (Latin-1) or Windows-1252"
# How many elements are read between two looks at the budget.
COUNT_EVERY = 4096


def _codec(declared: str) -> str:
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        raise UnreadableFile(
            f"The file declares an unknown text encoding ({declared}): save it as {READABLE_NAMES}."
        ) from None
    if name not in READABLE_ENCODINGS:
        raise UnreadableFile(
            f"The file declares the text encoding {declared}, which an import does not read: "
            f"save it as {READABLE_NAMES}."
        )
    return "utf-8-sig" if name == "utf-8" else name


def decode_text(data: bytes) -> str:
    """The file as text: UTF-16 with a byte order mark, the encoding its XML declaration
    names (older Garmin software writes ISO-8859-1) if it is one of the readable ones, or
    UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif match := DECLARED_ENCODING.match(data[:200]):
        encoding = _codec(match.group(1).decode("ascii"))
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeError:
        if encoding == "utf-8-sig":
            raise UnreadableFile("The file is not UTF-8 text.") from None
        raise UnreadableFile(f"The file is not text in the encoding it declares ({encoding}).") from None


def safe_tree(text: str, kind: str, budget: Budget, *, point: str) -> ET.Element:
    """The root element of ``text`` (decoded by :func:`decode_text`: the parser is given
    text, so the declaration's encoding is not looked at again); :class:`UnreadableFile`
    for XML that is malformed or uses entities or a DTD to reach outside itself. Every
    element is spent from ``budget``, and every ``point`` element (the format's track
    point) as a track point too, as they are read: a flood stops early."""
    root: ET.Element | None = None
    elements = points = 0
    try:
        for _, element in SafeET.iterparse(io.StringIO(text), events=("start",), forbid_dtd=False):
            if root is None:
                root = element
            elements += 1
            if local_name(element.tag) == point:
                points += 1
            if elements == COUNT_EVERY:
                budget.spend("elements", elements)
                budget.spend("points", points)
                budget.check_time()
                elements = points = 0
    except defusedxml.DefusedXmlException:
        raise UnreadableFile(
            f"This {kind} file uses XML entities or external references, which are not allowed."
        ) from None
    except (ET.ParseError, ValueError, RecursionError):
        raise UnreadableFile(f"This is not a readable {kind} file (the XML is malformed).") from None
    budget.spend("elements", elements)
    budget.spend("points", points)
    if root is None:
        raise UnreadableFile(f"This is not a readable {kind} file (the XML is malformed).")
    return root


def local_name(tag: object) -> str:
    """An element's name without its namespace: ``{http://…}Lap`` → ``Lap``."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
