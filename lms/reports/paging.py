"""Pages of a list: by number (`Page`), or by keyset after or before a row (`keyset_rows`).

An empty list is one empty page ("page 1 of 1"), not zero pages: page numbers
start at 1, the page asked for exists, and `page <= pages` always holds, so a
client looping `while page <= pages` asks once and stops. tests/api/test_paging.py
pins this for the lists that still page by number (the audit trail, and the API's
employee list when asked for a `page`).

The lists that grow with the organisation page by keyset instead: a page goes on
from one row's place in the list's order (`WHERE (name, id) > (cursor's name,
cursor's id) ... LIMIT n + 1`), so page 500 costs what page 1 does. Their pages are
`KeysetPage`s (the assignments report's, HR's people list); `keyset_rows` turns the
rows read on one side of a cursor into such a page's rows and cursors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any


def page_count(total: int, per_page: int) -> int:
    """Return how many pages `total` rows fill, `per_page` a page: at least one."""
    return max(1, ceil(total / per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """Return `page` moved into 1..page_count, for pages that show the last page past the end."""
    return min(max(1, page), page_count(total, per_page))


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


@dataclass
class KeysetPage:
    """One page of a list by keyset: rows after (or before) a cursor, never an OFFSET.

    The cursor is a row's id (an assignment's in the report, a person's in HR's
    people list); the page goes on from that row's place in the list's order, so
    page 500 costs what page 1 does.
    """

    rows: list[Any]
    total: int
    per_page: int
    after: int | None = None  # the cursor for the next page, when there is one
    before: int | None = None  # the cursor for the previous page, when there is one
    capped: bool = False  # the count stopped at `total`: more than that many match


def keyset_rows(
    rows: Sequence[Any],
    per_page: int,
    *,
    cursor: int | None,
    forward: bool,
    key: Callable[[Any], int],
) -> tuple[list[Any], int | None, int | None]:
    """Return a keyset page's rows in the list's order and its cursors (`after`, `before`).

    `rows` are up to `per_page` + 1 rows read from `cursor` on, in the list's order
    when `forward`, in reverse order when not (a page before the cursor); the extra
    row only says there is more. `after` is the last row's key when a page follows,
    `before` the first row's when one comes before (None: there is none); `cursor`
    None is the first page.
    """
    more = len(rows) > per_page
    page = list(rows[:per_page]) if forward else list(reversed(rows[:per_page]))
    if not page:
        return page, None, None
    has_next, has_previous = (more, cursor is not None) if forward else (cursor is not None, more)
    return (
        page,
        key(page[-1]) if has_next else None,
        key(page[0]) if has_previous else None,
    )
