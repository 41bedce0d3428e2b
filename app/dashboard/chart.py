"""The waits-over-the-day chart as inline SVG, drawn on the server (no chart library).

One bar per local hour for the average wait, a tick for the longest, and a dashed line at
the 60-second limit, so a supervisor sees at a glance when the floor fell behind.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

WIDTH, HEIGHT = 320, 96
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 26, 16, 6
LIMIT = 60.0


def waits_chart(hours: list[dict[str, Any]], *, label: str = "") -> Markup:
    """SVG markup for hourly waits: [{hour, calls, average, longest}, ...] from midnight."""
    slots = max(len(hours), 8)
    peak = max([LIMIT * 1.25] + [h["longest"] or 0 for h in hours])
    plot_w = WIDTH - PAD_LEFT - 4
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / slots

    def y(seconds: float) -> float:
        return PAD_TOP + plot_h - plot_h * min(seconds, peak) / peak

    parts = [
        f'<svg class="waits-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label or "Waits over the day")}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 4}" '
        f'y2="{PAD_TOP + plot_h}"/>',
        f'<line class="limit" x1="{PAD_LEFT}" y1="{y(LIMIT):.1f}" x2="{WIDTH - 4}" '
        f'y2="{y(LIMIT):.1f}"/>',
        f'<text class="tick" x="{PAD_LEFT - 3}" y="{y(LIMIT) + 3:.1f}" '
        'text-anchor="end">60s</text>',
        f'<text class="tick" x="{PAD_LEFT - 3}" y="{PAD_TOP + plot_h:.1f}" '
        'text-anchor="end">0</text>',
    ]
    for index, bucket in enumerate(hours):
        x = PAD_LEFT + index * slot
        if bucket["average"] is not None:
            top = y(bucket["average"])
            cls = "bar over" if bucket["average"] > LIMIT else "bar"
            parts.append(
                f'<rect class="{cls}" x="{x + slot * 0.15:.1f}" y="{top:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{PAD_TOP + plot_h - top:.1f}">'
                f'<title>{bucket["hour"]:02d}:00 · {bucket["calls"]} callers · average '
                f'{bucket["average"]:.0f} s · longest {bucket["longest"]:.0f} s</title></rect>'
            )
            parts.append(
                f'<line class="longest" x1="{x + slot * 0.1:.1f}" y1="{y(bucket["longest"]):.1f}" '
                f'x2="{x + slot * 0.9:.1f}" y2="{y(bucket["longest"]):.1f}"/>'
            )
        if bucket["hour"] % 3 == 0:
            parts.append(
                f'<text class="tick" x="{x + slot / 2:.1f}" y="{HEIGHT - 3}" '
                f'text-anchor="middle">{bucket["hour"]:02d}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
