"""The contract between the search service and an engine. A PostgreSQL backend implements the same."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Protocol

from llrc.search.query import ParsedQuery

# Text fields and their weight in ranking; every backend indexes the same analysed text.
TEXT_FIELDS: dict[str, float] = {
    "title": 3.0,
    "subject": 1.5,
    "creator": 1.5,
    "identifier": 2.0,
    "body": 1.0,
}
FACETS: tuple[str, ...] = (
    "type",
    "language",
    "country",
    "year",
    "subject",
    "target_group",
    "collection",
)
FILTER_ONLY: tuple[str, ...] = ("region", "sdg", "status")
# "stem" holds Snowball stems of title, body and subject text; "pinyin" the pinyin of their Chinese words.
DERIVED_FIELDS: dict[str, float] = {"stem": 0.8, "pinyin": 0.8}
# The text fields whose every word (but Chinese ones) is in "stem", as a form `query_stems` looks it up as.
STEMMED_FIELDS = ("title", "body", "subject")
SORTS = ("relevance", "newest", "oldest", "title")
# Where "did you mean" looks a word up (term_frequency): the words of the text fields, and pinyin.
TERM_FIELDS = ("title", "body", "subject", "creator", "pinyin")
# The orders a backend knows besides SORTS: titles as the Chinese interface shows them, the newest added
# (a listing without words), resource ids (cursor paging).
BACKEND_SORTS = (*SORTS, "title_zh", "newest_added", "id")
# Every year must stay reachable from the facet, not only the 30 most frequent.
FACET_SIZES: dict[str, int] = {"year": 300}


WHOLE_FACET_SIZE = 1000


def facet_size(query: BackendQuery, name: str) -> int:
    """How many values of the facet `name` the query counts: the most frequent, all of them when it is
    the query's `whole_facet`."""
    if name == query.whole_facet:
        return WHOLE_FACET_SIZE
    return FACET_SIZES.get(name, query.facet_size)


class SearchTimeout(RuntimeError):
    """The engine stopped a search that ran longer than settings.SEARCH_TIMEOUT_MS allows."""


# When the search being served must be over (time.monotonic()). The service sets it for the whole of one
# search, so all the engine calls and statements that search makes share one budget; a backend used
# directly (benchmarks, tests) has none and limits each statement instead. A ContextVar: each request
# thread has its own.
search_deadline: ContextVar[float | None] = ContextVar("search_deadline", default=None)


def time_left_ms(limit_ms: int) -> int | None:
    """Milliseconds the current statement may run: what is left of the search's deadline, or `limit_ms`
    when no search set one; None when there is no limit at all. Raises SearchTimeout when none is left."""
    deadline = search_deadline.get()
    if deadline is None:
        return limit_ms or None
    left = math.ceil((deadline - time.monotonic()) * 1000)
    if left <= 0:
        raise SearchTimeout(f"the search used up its {limit_ms} ms")
    return left


@dataclass
class IndexDocument:
    id: int
    text: dict[str, str]  # field -> analysed text (space-separated tokens)
    facets: dict[str, list[str]]  # facet -> values (codes, slugs, years)
    # facet -> for each value given to the resource (not those rolled up), the path down to it from the
    # top of its hierarchy: (Education, Adult education). The facet's values above hold every code on
    # these paths. A backend may count from the paths (tantivy does).
    paths: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    year: int | None = None
    created: float = 0.0  # epoch seconds, for "newest first"
    sort_title: str = ""  # the title a reader of any interface but Chinese sees (sort_key)
    sort_title_zh: str = ""  # the title a reader of the Chinese interface sees


@dataclass
class BackendQuery:
    parsed: ParsedQuery
    match_all_terms: bool = (
        True  # False: any group may match (the fallback when nothing has every word)
    )
    filters: dict[str, list[str]] = field(
        default_factory=dict
    )  # OR within a facet, AND across facets
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = FACETS
    facet_size: int = 30  # values per facet, most frequent first; years get more (FACET_SIZES)
    sort: str = "relevance"
    # Resources found by meaning (vectors): they match too, with score 0, so totals and facets count them.
    also_ids: list[int] = field(default_factory=list)
    restrict_ids: list[int] | None = (
        None  # only these resources (used to check candidates against filters)
    )
    after_id: int | None = (
        None  # cursor paging: resources with a larger id, in id order (sort="id")
    )
    # Facets (among `facets`) counted as if their own filter were not set, the others still applying:
    # values within a facet combine with OR, so each value's count is what its link finds on its own.
    # Counted over the filtered results instead, "French 14" under English meant English and French,
    # and clicking it (English or French) found 25.
    own_facets: tuple[str, ...] = ()
    # A facet listed whole, up to WHOLE_FACET_SIZE values, rather than its most frequent `facet_size`:
    # the reader asked for all of them (a language few resources are in is among them).
    whole_facet: str = ""


@dataclass
class BackendResult:
    total: int
    ids: list[int]
    scores: list[float]
    facets: dict[str, list[tuple[str, int]]]


def own_facets_apart(query: BackendQuery) -> tuple[BackendQuery, dict[str, BackendQuery]]:
    """The query counting only the facets its filters apply to, and for each facet counted without its
    own filter (`BackendQuery.own_facets`) a query that counts it alone: what an engine that cannot count
    both in one pass asks."""
    own = own_filtered(query)
    main = replace(query, facets=tuple(f for f in query.facets if f not in own), own_facets=())
    apart = {
        name: replace(
            query,
            filters=filters_without(query.filters, name),
            facets=(name,),
            own_facets=(),
            # Counts only: no page, and the cheapest order (no scores; on PostgreSQL it spares ranking
            # the best hundred documents, 10-30 % of such a query at a million records).
            offset=0,
            limit=0,
            sort="id",
            after_id=None,
        )
        for name in own
    }
    return main, apart


def filters_without(filters: dict[str, list[str]], *names: str) -> dict[str, list[str]]:
    """The filters but those of the facets `names`."""
    return {k: v for k, v in filters.items() if k not in names}


def own_filtered(query: BackendQuery) -> list[str]:
    """The facets the query counts without their own filter: those of `own_facets` it counts and
    filters on."""
    return [n for n in query.facets if n in query.own_facets and query.filters.get(n)]


class SearchBackend(Protocol):
    name: str

    def index(self, docs: Iterable[IndexDocument]) -> int: ...

    def replace_all(self, docs: Iterable[IndexDocument]) -> int: ...

    def delete(self, ids: Iterable[int]) -> None: ...

    def search(self, query: BackendQuery) -> BackendResult: ...

    def start_search(self, query: BackendQuery) -> StartedSearch:
        """Begin a search whose answer is wanted later: an engine that can work on it in the meantime
        does (tantivy counts facets in threads while the caller goes on). An engine that cannot answers
        when asked (`Deferred`)."""
        ...

    def count(self) -> int: ...


class StartedSearch(Protocol):
    def ranked(self) -> tuple[list[int], list[float]]:
        """The page's ids and scores, as soon as they are known (tantivy: before the facets are
        counted)."""
        ...

    def result(self) -> BackendResult:
        """The whole answer: total and facets too."""
        ...


class Deferred:
    """A search answered whole the first time it is asked for."""

    def __init__(self, answer: Callable[[], BackendResult]) -> None:
        self._answer = answer
        self._result: BackendResult | None = None

    def result(self) -> BackendResult:
        if self._result is None:
            self._result = self._answer()
        return self._result

    def ranked(self) -> tuple[list[int], list[float]]:
        found = self.result()
        return found.ids, found.scores
