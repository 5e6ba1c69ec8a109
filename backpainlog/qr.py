"""QR codes for the pages that show one (a new share link, an authenticator app's key)."""

from __future__ import annotations

import segno
from django.utils.html import escape


def qr_svg(url: str, label: str) -> str:
    """The URL as a QR code in inline SVG, dark on white (scanners need the contrast, in
    the dark theme too); no style attributes, so it passes a strict CSP. ``label`` is
    what screen readers say for it (plain text: it is escaped here)."""
    svg = segno.make(url, error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
