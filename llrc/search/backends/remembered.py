"""What a search backend answered, by query, for the index as it was at one moment.

Readers ask the same queries again and again (home page topics, facet clicks, paging back and forth), and
on a large index the first answer to a broad query costs tens to hundreds of milliseconds. Each backend
keeps its answers here, keyed by the query and by a marker of the index's state that every write changes
(tantivy: the commit; PostgreSQL: a generation number), so a write makes every earlier answer unreachable.
Decision 0007 says why answers are remembered and how the keys stay correct.
"""

from __future__ import annotations

import threading
from array import array
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


Facets = dict[str, list[tuple[str, int]]]
# Per facet: its name, its values and their counts. Values are shared between answers (`_VALUES`) and
# counts kept in an array: an answer with the most values a page shows (300 years and 30 values of six
# other facets) costs ~9 KB instead of ~70 KB as lists of tuples, so 4,096 remembered answers take about
# 36 MB; tuples of strings and arrays are soon left alone by the cyclic collector.
PackedFacets = tuple[tuple[str, tuple[str, ...], "array[int]"], ...]
_VALUES: dict[str, str] = {}
_MOST_VALUES = 200_000  # distinct facet values shared at most (a thesaurus has ~10,000)


def packed(facets: Facets) -> PackedFacets:
    """Facet counts as a remembered answer keeps them."""
    if len(_VALUES) > _MOST_VALUES:
        _VALUES.clear()  # answers keep their own references; later ones share anew
    share = _VALUES.setdefault
    return tuple(
        (name, tuple(share(v, v) for v, _c in values), array("q", [c for _v, c in values]))
        for name, values in facets.items()
    )


def unpacked(facets: PackedFacets) -> Facets:
    """Facet counts as a reader gets them: new lists, so that what one reader does with its answer never
    reaches another reader of the same remembered answer."""
    return {name: list(zip(values, counts, strict=True)) for name, values, counts in facets}
