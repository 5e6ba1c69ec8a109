"""The pain calendar's colour scales (static/css/charts.css): in both themes every score
is told apart from its neighbours by lightness and by colour (docs/product.md#dashboard: "every colour
scale stays distinguishable in the dark theme too")."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static" / "css" / "charts.css").read_text()


def ramps() -> dict[str, list[str]]:
    light, dark = CSS.split("@media (prefers-color-scheme: dark)", 1)
    found = {
        name: re.findall(r"--pain-(\d+): (#[0-9a-f]{6});", text)
        for name, text in (("light", light), ("dark", dark))
    }
    for name, entries in found.items():
        assert [int(score) for score, _ in entries] == list(range(11)), name
    return {name: [colour for _, colour in entries] for name, entries in found.items()}


def linear(colour: str) -> list[float]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def luminance(colour: str) -> float:
    r, g, b = linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def lab(colour: str) -> tuple[float, float, float]:
    r, g, b = linear(colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize(("theme", "min_delta_e"), [("light", 10.0), ("dark", 13.0)])
def test_neighbouring_scores_differ_in_lightness_and_colour(theme: str, min_delta_e: float) -> None:
    ramp = ramps()[theme]
    lightness = [luminance(colour) for colour in ramp]
    # Monotonic: the order reads in greyscale (light theme: darker is more; dark: lighter).
    assert lightness == sorted(lightness, reverse=theme == "light")
    for low, high in itertools.pairwise(ramp):
        ratio = (max(luminance(low), luminance(high)) + 0.05) / (min(luminance(low), luminance(high)) + 0.05)
        assert ratio >= 1.15, (theme, low, high, ratio)
        assert math.dist(lab(low), lab(high)) >= min_delta_e, (theme, low, high)
