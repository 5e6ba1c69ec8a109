"""The charts' fallback style rules, which every server-drawn SVG (:mod:`runs.charts`)
carries in an inline ``<style>``.

Here, in the project package and importing nothing of the project, rather than with the
charts: settings allow exactly this text in the Content-Security-Policy by its hash, and
settings import no app.
"""

from __future__ import annotations

import base64
import hashlib

# Fallback styling for where app.css and charts.css are absent (the PDF, an <img>): greys
# that survive black-and-white printing, text and markers in currentColor. Strokes are hex:
# svglib resolves currentColor for fills but draws no stroke with it. The selectors are
# ".chart .x" so that charts.css ("svg.chart .x") wins on the page. No "<" or "&" in here:
# the same text must parse as XML and as HTML foreign content.
FALLBACK_CSS = (
    ".chart{color:#1c1c1c;font-family:Helvetica,Arial,sans-serif}"
    ".chart .chart-label,.chart .chart-message{fill:currentColor}"
    ".chart .chart-tick{fill:#555555}"
    ".chart .chart-axis{fill:none;stroke:#1c1c1c;stroke-width:1}"
    ".chart .chart-grid{fill:none;stroke:#d0d0d0;stroke-width:0.6}"
    ".chart .chart-bar{fill:#a6a6a6}"
    ".chart .chart-line{fill:none;stroke:#1c1c1c;stroke-width:2;"
    "stroke-linejoin:round;stroke-linecap:round}"
    ".chart .chart-pain{stroke-dasharray:5 3}"
    ".chart .chart-marker{fill:currentColor;stroke:#ffffff;stroke-width:0.8}"
    ".chart .chart-flare{fill:currentColor}"
    ".chart .cal-episode{fill:none;stroke:#1c1c1c;stroke-width:1.6}"
    ".chart .cal-radiating{fill:#ffffff;stroke:#1c1c1c;stroke-width:0.8}"
    ".chart .chart-threshold{fill:none;stroke:#1c1c1c;stroke-width:1.5;stroke-dasharray:6 4}"
    ".chart .pain-none{fill:none;stroke:#b0b0b0;stroke-width:0.6}"
    ".chart .pain-0{fill:#ededed}"
    ".chart .pain-1{fill:#dcdcdc}"
    ".chart .pain-2{fill:#c9c9c9}"
    ".chart .pain-3{fill:#b5b5b5}"
    ".chart .pain-4{fill:#a0a0a0}"
    ".chart .pain-5{fill:#8a8a8a}"
    ".chart .pain-6{fill:#737373}"
    ".chart .pain-7{fill:#5c5c5c}"
    ".chart .pain-8{fill:#454545}"
    ".chart .pain-9{fill:#2e2e2e}"
    ".chart .pain-10{fill:#141414}"
    # Browsers only (svglib skips at-rules): readable text on a dark page even without
    # charts.css.
    "@media (prefers-color-scheme: dark){.chart{color:#eceff1}"
    ".chart .chart-axis,.chart .chart-line,.chart .chart-threshold,.chart .cal-episode{stroke:#eceff1}"
    ".chart .chart-tick{fill:#a4abb1}.chart .chart-grid{stroke:#4a4f54}"
    ".chart .chart-marker{stroke:#1b1e21}}"
)
# Every page with a chart carries the rules above in an inline <style>: the
# Content-Security-Policy (settings) allows exactly this text by its hash instead of
# 'unsafe-inline', and unlike a per-request nonce the hash holds for cached chart markup.
FALLBACK_CSS_CSP_SOURCE = (
    f"'sha256-{base64.b64encode(hashlib.sha256(FALLBACK_CSS.encode()).digest()).decode()}'"
)
