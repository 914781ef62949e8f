"""Server-rendered SVG bar charts: no script, no library, labels escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from dashboard.needs import Count

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 170
BAR_WIDTH = 320
COLOURS = ("#2b6cb0", "#2f855a", "#b7791f", "#9b2c2c", "#553c9a")


def bar_chart(counts: Sequence[Count], *, title: str, colour: int = 0) -> Markup:
    """Return an accessible horizontal bar chart of counts as inline SVG ('' without data)."""
    if not counts:
        return Markup("")
    most = max((item.count for item in counts), default=0) or 1
    height = len(counts) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    fill = COLOURS[colour % len(COLOURS)]
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for row, item in enumerate(counts):
        y = GAP + row * (BAR_HEIGHT + GAP)
        length = max(round(BAR_WIDTH * item.count / most), 1)
        middle = y + BAR_HEIGHT / 2
        label = item.key if len(item.key) <= 24 else item.key[:23] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="13" fill="#222">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{fill}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle" '
            f'font-size="13" fill="#222">{item.count}</text>'
        )
    parts.append("</svg>")
    # Every piece of text above went through escape(); the rest are numbers.
    return Markup("".join(parts))
