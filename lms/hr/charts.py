"""Server-rendered bar charts: the geometry of stacked compliance bars, drawn by hr/_chart.html.

No JavaScript and nothing fetched: each bar is a row of SVG rectangles whose
widths are shares of the row's assignments, and every label and segment is a
link to the report behind it. The template adds a data table for people who
cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.reports import Bar

# (key for the report's status filter, legend label): the four groups a bar is split into.
GROUPS = (
    ("compliant", "Compliant"),
    ("pending", "Not yet due"),
    ("overdue", "Overdue"),
    ("expired", "Expired"),
)
WIDTH = 900
BAR_WIDTH = 790
ROW_HEIGHT = 46
BAR_HEIGHT = 18


@dataclass
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float
    href: str


@dataclass
class ChartRow:
    label: str
    href: str
    y: int
    rate: float | None
    total: int
    segments: list[Segment]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    rows: list[ChartRow]

    width: int = WIDTH
    bar_width: int = BAR_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.rows)) * ROW_HEIGHT + 4

    @property
    def groups(self) -> tuple[tuple[str, str], ...]:
        return GROUPS


def stacked_bars(
    chart_id: str,
    title: str,
    bars: list[Bar],
    row_href: Callable[[Bar], str],
    segment_href: Callable[[Bar, str], str],
) -> Chart:
    """Lay out one bar per department or module, split into the four status groups."""
    rows = []
    for index, bar in enumerate(bars):
        x, segments = 0.0, []
        for key, label in GROUPS:
            count = bar.group(key)
            width = BAR_WIDTH * count / bar.total if bar.total else 0.0
            segments.append(
                Segment(key, label, count, round(x, 2), round(width, 2), segment_href(bar, key))
            )
            x += width
        rows.append(
            ChartRow(bar.label, row_href(bar), index * ROW_HEIGHT, bar.rate, bar.total, segments)
        )
    description = "; ".join(
        f"{row.label}: {'no figures' if row.rate is None else f'{row.rate:.0%} compliant'}"
        for row in rows
    )
    return Chart(chart_id, title, description or "No assignments to show.", rows)
