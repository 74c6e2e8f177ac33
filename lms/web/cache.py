"""A bounded, thread-safe LRU of rendered strings, shared by the page cache and the CSRF tokens."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class FragmentCache:
    """A thread-safe LRU mapping of keys to dicts of strings (rendered page parts, signed
    tokens), capped at `max_bytes` of those strings."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._items: OrderedDict[Hashable, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> dict[str, str] | None:
        with self._lock:
            parts = self._items.get(key)
            if parts is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return parts

    def put(self, key: Hashable, parts: dict[str, str]) -> None:
        cost = sum(len(value) for value in parts.values())
        if cost > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = parts
            self.size += cost
            while self.size > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self.size -= sum(len(value) for value in evicted.values())

    def __len__(self) -> int:
        return len(self._items)
