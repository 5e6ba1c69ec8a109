"""XML from uploads is parsed with defusedxml: no entity expansion (the "billion laughs"),
no external entities or DTDs fetched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml
from defusedxml import ElementTree as SafeET

from imports.parsers.records import UnreadableFile

DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def decode_text(data: bytes) -> str:
    """The file as text: UTF-16 with a byte order mark, the encoding its XML declaration
    names (older Garmin software writes ISO-8859-1), or UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif match := DECLARED_ENCODING.match(data[:200]):
        encoding = match.group(1).decode("ascii")
        if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
            encoding = "utf-8-sig"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except LookupError:
        raise UnreadableFile(f"The file declares an unknown text encoding ({encoding}).") from None
    except UnicodeDecodeError:
        if encoding == "utf-8-sig":
            raise UnreadableFile("The file is not UTF-8 text.") from None
        raise UnreadableFile(f"The file is not text in the encoding it declares ({encoding}).") from None


def safe_tree(data: bytes, kind: str) -> ET.Element:
    """The root element of ``data``; :class:`UnreadableFile` for XML that is malformed or
    uses entities or a DTD to reach outside itself."""
    try:
        # The bytes, not decoded text: the parser reads the encoding declaration itself.
        return SafeET.fromstring(data, forbid_dtd=False)
    except defusedxml.DefusedXmlException:
        raise UnreadableFile(
            f"This {kind} file uses XML entities or external references, which are not allowed."
        ) from None
    except (ET.ParseError, ValueError, RecursionError):
        raise UnreadableFile(f"This is not a readable {kind} file (the XML is malformed).") from None


def local_name(tag: object) -> str:
    """An element's name without its namespace: ``{http://…}Lap`` → ``Lap``."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
