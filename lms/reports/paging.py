"""One page of a list, the same for HR's pages and the API.

An empty list is one empty page ("page 1 of 1"), not zero pages: page numbers
start at 1, the page asked for exists, and `page <= pages` always holds, so a
client looping `while page <= pages` asks once and stops. tests/api/test_paging.py
pins this for the HR report and the API's employee list.
"""

from __future__ import annotations

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
