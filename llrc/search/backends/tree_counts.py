"""Counting a hierarchical facet (subjects in a thesaurus) from fewer values than its rolled-up list.

A resource described with Adult education is found under Education too, so the index holds, for the
filter, every concept above the ones given (5.4 values a resource in the benchmark's million). Counting
a broad query's subjects walks the postings of every value (`TantivyBackend`): walking what
`tree_values` writes (2.5 values a resource there) and rolling the counts up the hierarchy afterwards
(`TreeCounts.most_frequent`) gives the same counts from half the postings.

Counting a value as one for the resource's concept and one for each concept above it counts a resource
twice under a concept it reaches by two ways (Adult education and Literacy, both under Education). So
where ways meet, one is taken away for each way beyond the first: a value `+A>B>C` adds one to A, B and
C; `-1>A` takes one from A. Under any concept, a resource's ways meet until one is left, so every
concept it reaches counts it once, and a concept it does not reach is on none of its paths. Paths that
do not make one tree with the facet's values (a code with the separator in it, a concept with two
different concepts above it, a document made without paths) are written as the values themselves,
`=A`, each counted once: as exact, only longer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

PATH_SEPARATOR = ">"


def tree_values(paths: Sequence[tuple[str, ...]], values: Sequence[str]) -> list[str]:
    """What a resource's values of a hierarchical facet are counted from. `paths` lead from the top of
    the hierarchy down to each concept the resource was given; `values` are the rolled-up list (every
    concept on the paths). (Run once per resource in the main process of a rebuild: plain loops.)"""
    above: dict[str, str] = {}  # concept -> the concept above it on the paths ("" at the top)
    # The ways a resource reaches each concept: from each narrower concept it reaches, and by being
    # given it.
    ways: dict[str, int] = {}
    given = list(dict.fromkeys(paths))
    for path in given:
        parent = ""
        for code in path:
            known = above.get(code)
            if known is None:
                if not code or PATH_SEPARATOR in code:
                    return _as_values(values)
                above[code] = parent
                if parent:
                    ways[parent] = ways.get(parent, 0) + 1
            elif known != parent:  # a concept under two others, or twice on one path
                return _as_values(values)
            parent = code
        if not parent:
            return _as_values(values)
        ways[parent] = ways.get(parent, 0) + 1
    if above.keys() != set(values):
        return _as_values(values)
    out = ["+" + PATH_SEPARATOR.join(path) for path in given]
    if max(ways.values(), default=0) > 1:
        for path in given:
            for depth, code in enumerate(path):
                if ways.get(code, 0) > 1:
                    way = PATH_SEPARATOR.join(path[: depth + 1])
                    out.append(f"-{ways[code] - 1}{PATH_SEPARATOR}{way}")
                    ways[code] = 1  # taken away once, whichever path passes it
    return out


def _as_values(values: Sequence[str]) -> list[str]:
    return [f"={v}" for v in dict.fromkeys(values)]


def _read(value: str) -> tuple[int, list[str]]:
    """The weight of a value of `tree_values` and the concepts it counts for."""
    kind, rest = value[:1], value[1:]
    if kind == "=":
        return 1, [rest]
    codes = rest.split(PATH_SEPARATOR)
    if kind == "+":
        return 1, codes
    return -int(codes[0]), codes[1:]


class TreeCounts:
    """Rolls counts of `tree_values` up to counts of concepts, with numpy: the thousands of values a
    broad query counts cost about a millisecond of Python together (a loop over them took 3-4 ms, and
    sorting every concept to show the 30 most frequent another 3).

    Each value is read once per process and kept (a few thousand: the thesaurus's concepts and the
    places where ways meet), shared by the threads that count facets.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Grown under the lock; readers see only `_state`, replaced whole once the rows are in it.
        self._rows: dict[str, int] = {}  # value -> row
        self._columns: dict[str, int] = {}  # concept code -> column
        self._codes: list[str] = []  # column -> concept code
        self._weights: list[int] = []  # row -> weight
        self._spans: list[tuple[int, int]] = []  # row -> (start, length) in _flat
        self._flat: list[int] = []  # the columns of every row, one row after another
        self._state = _State({}, [], *(np.zeros(0, dtype=np.int64) for _ in range(4)))

    def _learn(self, values: Sequence[str]) -> _State:
        with self._lock:
            for value in values:
                if value in self._rows:
                    continue
                weight, codes = _read(value)
                start = len(self._flat)
                for code in codes:
                    column = self._columns.get(code)
                    if column is None:
                        column = self._columns[code] = len(self._codes)
                        self._codes.append(code)
                    self._flat.append(column)
                self._weights.append(weight)
                self._spans.append((start, len(codes)))
                self._rows[value] = len(self._rows)
            spans = np.array(self._spans, dtype=np.int64).reshape(-1, 2)
            self._state = _State(
                dict(self._rows),
                list(self._codes),
                np.array(self._weights, dtype=np.int64),
                spans[:, 0].copy(),
                spans[:, 1].copy(),
                np.array(self._flat, dtype=np.int64),
            )
            return self._state

    def totals(self, counted: Sequence[tuple[str, int]]) -> dict[str, int]:
        """Each concept's count: the resources holding it or a narrower concept."""
        codes, totals = self._totals(counted)
        return {codes[i]: int(totals[i]) for i in np.flatnonzero(totals)}

    def most_frequent(self, counted: Sequence[tuple[str, int]], size: int) -> list[tuple[str, int]]:
        """The `size` concepts most resources hold (ties by code), with their counts."""
        codes, totals = self._totals(counted)
        held = np.flatnonzero(totals > 0)
        if len(held) > size:
            # Only the concepts tied with or above the size-th count need sorting.
            least = np.partition(totals[held], len(held) - size)[len(held) - size]
            held = held[totals[held] >= least]
        best = sorted(((codes[i], int(totals[i])) for i in held), key=lambda vc: (-vc[1], vc[0]))
        return best[:size]

    def _totals(self, counted: Sequence[tuple[str, int]]) -> tuple[list[str], np.ndarray]:
        state = self._state
        get = state.rows.get
        rows = [get(value, -1) for value, _count in counted]
        if -1 in rows:
            state = self._learn([value for value, _count in counted])
            rows = [state.rows[value] for value, _count in counted]
        picked = np.array(rows, dtype=np.int64)
        counts = np.fromiter((c for _v, c in counted), dtype=np.int64, count=len(counted))
        lengths = state.lengths[picked]
        # Every (row, column) pair of the picked rows, flattened: where each row's columns start in
        # `flat`, plus 0, 1, … within the row.
        firsts = np.repeat(state.starts[picked] - np.cumsum(lengths) + lengths, lengths)
        columns = state.flat[firsts + np.arange(len(firsts))]
        added = np.repeat(state.weights[picked] * counts, lengths)
        # Float sums of integers below 2**53: exact.
        totals = np.bincount(columns, weights=added, minlength=len(state.codes))
        return state.codes, totals.astype(np.int64)


class _State(NamedTuple):
    rows: dict[str, int]  # value -> row
    codes: list[str]  # column -> concept code
    weights: np.ndarray  # row -> weight
    starts: np.ndarray  # row -> where its columns start in `flat`
    lengths: np.ndarray  # row -> how many columns it has
    flat: np.ndarray  # the columns of every row, one row after another
