"""What a search backend answered, by query, for the index as it was at one moment.

Readers ask the same queries again and again (home page topics, facet clicks, paging back and forth), and
on a large index the first answer to a broad query costs tens to hundreds of milliseconds. Each backend
keeps its answers here, keyed by the query and by a marker of the index's state that every write changes
(tantivy: the commit; PostgreSQL: a generation number), so a write makes every earlier answer unreachable.
Decision 0007 says why answers are remembered and how the keys stay correct.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class Remembered[V]:
    """Answers by key (the key names the query and the state of the index); least recently used goes first.

    Shared by the threads of one server process; each process keeps its own (they are cheap to refill).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._items.move_to_end(key)
            return found

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def copied(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts as a caller may change them: a remembered answer is handed to every later reader of
    the same query, so neither the first reader nor a later one may hold the kept lists."""
    return {name: list(values) for name, values in facets.items()}
