"""Server-rendered bar charts: the geometry of compliance bars, drawn by hr/_chart.html.

No JavaScript and nothing fetched. Each row says its figures in HTML text
(legible at any width, every figure a link to the report behind it) above a
bar that shows the same thing: the bar is split among the assignments that
count towards compliance (compliant, overdue, expired), so the green share is
exactly the percentage beside it. Assignments not yet due do not count
(lms.status.compliance_rate) and are shown apart, as a number, not in the bar.
The template adds a data table for people who cannot see the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.reports.dashboard import Bar

# (key for the report's status filter, legend label): the groups a bar is split into.
COUNTED = (
    ("compliant", "Compliant"),
    ("overdue", "Overdue"),
    ("expired", "Expired"),
)
PENDING = ("pending", "Not yet due")
# The four groups in the table's column order.
GROUPS = (COUNTED[0], PENDING, *COUNTED[1:])


@dataclass
class Segment:
    key: str
    label: str
    count: int
    x: float  # where it starts, in percent of the bar
    width: float  # in percent of the bar
    href: str


@dataclass
class ChartRow:
    label: str
    href: str
    rate: float | None
    total: int  # every assignment, not yet due included
    counted: int  # those that count towards compliance: the bar's whole width
    segments: list[Segment]  # compliant, overdue, expired: the bar
    pending: Segment  # not yet due: shown apart, width 0

    @property
    def cells(self) -> list[Segment]:
        """The four groups in the table's column order."""
        by_key = {s.key: s for s in (*self.segments, self.pending)}
        return [by_key[key] for key, _label in GROUPS]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    rows: list[ChartRow]

    @property
    def groups(self) -> tuple[tuple[str, str], ...]:
        return GROUPS

    @property
    def counted_groups(self) -> tuple[tuple[str, str], ...]:
        return COUNTED


def bar_row(bar: Bar, href: str, segment_href: Callable[[str], str]) -> ChartRow:
    """One row: the counted groups as shares of the counted assignments, pending apart."""
    counted = sum(bar.group(key) for key, _label in COUNTED)
    x, segments = 0.0, []
    for key, label in COUNTED:
        count = bar.group(key)
        width = 100 * count / counted if counted else 0.0
        segments.append(Segment(key, label, count, round(x, 3), round(width, 3), segment_href(key)))
        x += width
    key, label = PENDING
    pending = Segment(key, label, bar.group(key), 0.0, 0.0, segment_href(key))
    return ChartRow(bar.label, href, bar.rate, bar.total, counted, segments, pending)


def stacked_bars(
    chart_id: str,
    title: str,
    bars: list[Bar],
    row_href: Callable[[Bar], str],
    segment_href: Callable[[Bar, str], str],
) -> Chart:
    """Lay out one bar per department or module."""
    rows = [
        bar_row(bar, row_href(bar), lambda key, bar=bar: segment_href(bar, key)) for bar in bars
    ]
    description = "; ".join(
        f"{row.label}: {'no figures' if row.rate is None else f'{row.rate:.0%} compliant'}"
        for row in rows
    )
    return Chart(chart_id, title, description or "No assignments to show.", rows)
