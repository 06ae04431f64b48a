"""Tiny SVG drawing helpers: scales, axes and marks, written as text so charts need no JS.

Coordinates are SVG user units (pixels at 100% zoom); the y axis grows downwards. Every piece of
text passes through `html.escape`. Inline SVG in HTML needs no namespace URL, so
the pages hold no `http` reference at all. Axes carry class `axis` (and `x-axis` / `y-axis`) so the
browser test can count them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Final

FONT: Final = "font-family:Arial,Helvetica,sans-serif"


@dataclass(frozen=True)
class Scale:
    """Maps a data interval onto a pixel interval, linearly or on a log scale."""

    lo: float
    hi: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        f = math.log if self.log else float
        span = f(self.hi) - f(self.lo)
        share = 0.5 if span == 0 else (f(value) - f(self.lo)) / span
        return round(self.start + share * (self.end - self.start), 2)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round tick values within [lo, hi]: multiples of 1, 2, 2.5 or 5 x 10^k."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    colour: str,
    width: float = 1,
    dash: str = "",
    cls: str = "",
) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    extra += f' class="{cls}"' if cls else ""
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}"'
        f' stroke-width="{width}"{extra}/>'
    )


def polyline(
    points: list[tuple[float, float]],
    colour: str,
    width: float = 1.5,
    dash: str = "",
    cls: str = "",
) -> str:
    if not points:
        return ""
    coords = " ".join(f"{x},{y}" for x, y in points)
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    extra += f' class="{cls}"' if cls else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width}"{extra}/>'
    )


def circle(x: float, y: float, r: float, colour: str, title: str = "", cls: str = "") -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    extra = f' class="{cls}"' if cls else ""
    return f'<circle cx="{x}" cy="{y}" r="{r}" fill="{colour}"{extra}>{tip}</circle>'


def text(
    x: float,
    y: float,
    content: str,
    size: int = 11,
    anchor: str = "middle",
    colour: str = "#333",
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" fill="{colour}"'
        f' font-weight="{weight}" style="{FONT}">{escape(content)}</text>'
    )


CHAR_WIDTH: Final = 0.6
"""Width of a label character as a share of the font size: Arial's digits are 0.556 em, its
widest common characters about 0.6, so labels this far apart never touch."""
GAP: Final = 4.0  # pixels kept clear between neighbouring labels


def label_width(label: str, size: int = 10) -> float:
    return len(label) * size * CHAR_WIDTH


def spaced(
    ticks: list[tuple[float, str]], scale: Scale, extent: Callable[[str], float]
) -> list[tuple[float, str]]:
    """The ticks whose labels do not collide, taken in the order given (so a caller lists the
    ticks it most wants first), returned in axis order. `extent(label)` is the label's size
    along the axis in pixels; a label occupies its position ± half of it."""
    kept: list[tuple[float, float, tuple[float, str]]] = []
    for tick in ticks:
        at, half = scale(tick[0]), extent(tick[1]) / 2
        if all(abs(at - other) >= half + other_half + GAP for other, other_half, _ in kept):
            kept.append((at, half, tick))
    return [tick for _, _, tick in sorted(kept, key=lambda k: k[0])]


def x_axis(scale: Scale, y: float, ticks: list[tuple[float, str]]) -> str:
    """Horizontal axis at pixel row `y` with (data value, label) ticks; a label that would
    overprint one listed before it is left out (`spaced`)."""
    parts = [line(scale.start, y, scale.end, y, "#333", cls="axis-line")]
    for value, label in spaced(ticks, scale, label_width):
        x = scale(value)
        parts += [line(x, y, x, y + 4, "#333"), text(x, y + 16, label, size=10)]
    return f'<g class="axis x-axis">{"".join(parts)}</g>'


def y_axis(scale: Scale, x: float, ticks: list[tuple[float, str]], grid_to: float) -> str:
    """Vertical axis at pixel column `x` with light grid lines across to `grid_to`; labels
    closer than their height are thinned as on the x axis."""
    parts = [line(x, scale.start, x, scale.end, "#333", cls="axis-line")]
    for value, label in spaced(ticks, scale, lambda _: 10.0):
        y = scale(value)
        parts += [
            line(x, y, grid_to, y, "#eeeeee"),
            line(x - 4, y, x, y, "#333"),
            text(x - 6, y + 3.5, label, size=10, anchor="end"),
        ]
    return f'<g class="axis y-axis">{"".join(parts)}</g>'


def svg(width: int, height: int, body: str, label: str, cls: str) -> str:
    return (
        f'<svg class="{cls}" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(label)}">{body}</svg>'
    )


def number(value: float) -> str:
    """Short axis/tooltip label: up to two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
