"""Embedded search on tantivy: one index directory under LLRC_DATA_DIR/index.

tantivy allows one writer per index at a time (DESIGN.md): writes in this process are serialised by a
lock and open the writer only for the length of one commit; a writer held by another process (a
`llrc reindex` beside the server) is waited for. Readers reload after every commit made here and pick
up other processes' commits through tantivy's reload-on-commit policy.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import tantivy

from llrc.search.analysis import QueryWord, has_han, query_stems
from llrc.search.backends.base import (
    DERIVED_FIELDS,
    FACETS,
    FILTER_ONLY,
    STEMMED_FIELDS,
    TERM_FIELDS,
    TEXT_FIELDS,
    BackendQuery,
    BackendResult,
    Deferred,
    IndexDocument,
    StartedSearch,
    facet_size,
    filters_without,
    own_facets_apart,
    own_filtered,
)
from llrc.search.backends.facet_numbers import FacetNumbers
from llrc.search.backends.remembered import PackedFacets, Remembered, packed, unpacked
from llrc.search.backends.tree_counts import TreeCounts, tree_values
from llrc.search.query import Match

# Raised when the schema or the analysis changes (4: Chinese split from letters and digits next to it;
# 5: titles sorted by pinyin, without accents and leading articles, and a title key for the Chinese
# interface; 7: languages and countries counted from columns of their own, `counting_columns`, and facet
# values without positions; 8: subjects walked in a column of `tree_values`; 9: stems tagged with their
# language, `STEM_TAG`; 10: Cyrillic and Arabic words stemmed in Russian and Arabic whatever the text's
# language, `analysis._stems`; 11: subjects, target groups and collections counted from numbers,
# `FacetNumbers`; 12: a word its text's stemmer is not for written as it is in the stem stream; 13: the
# dictionary's words of four characters or more inside longer Chinese words, `cut_for_index`; 14: British
# English stems written as their American ones, `spellings.american_stems`; 15: an acronym's plural
# stemmed as the acronym too, `analysis._ACRONYM_PLURAL`, and no piece of a Chinese word that straddles
# the words it is made of, `analysis._search_cut`; 16: й kept, Persian yeh and kaf and Arabic-Indic digits
# folded, `analysis._fold`, and words whose accents, ة or hamza the fold takes off stemmed as typed too,
# `analysis._unfolded_stems`; 17: the characters that show nothing dropped, `analysis.INVISIBLE_RANGES`,
# and an Arabic word of "and the" stemmed as what follows its و or ف too, `analysis._AND_THE`):
# an older index is dropped on opening, and `llrc init` rebuilds it.
SCHEMA_VERSION = "17"
WRITER_HEAP = 64_000_000
# A rebuild writes every document in one commit, a segment each time the writer's memory budget fills
# (about 320,000 resources per 512 MB), and tantivy merges segments only once there are eight of about
# the same size. Facets are counted segment by segment, every value of each converted to its text before
# the segments are added up (`_terms`): fewer segments count faster. But a segment is written out when it
# is complete, and the last one after every document is in: the work no longer overlaps the analysis.
# The million, measured 2026-11-30 (facet counting over the benchmark's 562 engine calls; the rebuild):
# one segment (a 3 GB budget) p90 25.8 ms, p99 62.4, rebuilt in 188 s; two (1 GB) p90 26.9, p99 64.2,
# 182 s; four (512 MB; with the code before decision 0011: p90 33.5, p99 72.0) 169 s. So a rebuild gets
# a quarter of the machine's memory up to 1 GB: two segments for a million, little lost on either side.
# The memory is taken only as documents fill it.
REBUILD_HEAP_BOUNDS = (512_000_000, 1_000_000_000)
WRITER_WAIT_SECONDS = 30.0
COUNT_CACHE_SIZE = 4096  # queries whose totals and facet counts are kept until the next commit
HIT_CACHE_SIZE = 4096  # pages of ranked ids (query, filters, sort, offset, limit) kept
Occur = tantivy.Occur
# Counting facets is most of what a broad search costs (tantivy's terms aggregation, measured 2026-11-30
# over a million resources on the benchmark's mix). tantivy counts a multi-valued column about ten times
# slower per value than a single-valued column every document has: every one of the million matching,
# subject (5.4 values a resource with the roll-up) took 82 ms, language (1.5) 29, country (1.8) 33, type or
# year (one value) 1.2. So:
# - Languages and countries are written a second time for counting, in single-valued columns every
#   document has: a resource's whole set of languages in one column (a catalogue holds a few dozen
#   different sets), its first three countries one to a column, and the rest in one multi-valued
#   column. A value's count is the sum of its counts in the columns: exact, because a resource's values
#   are distinct and each is written to one column. Over the mix's 327 distinct queries, counting
#   either took about what finding the matches takes (p99 23-25 ms, against 37 and 41 multi-valued).
#   Subjects would need eight columns and their values spread over all of them: the buckets of so many
#   values cost more than they save (p50 17.4 ms against 7.9, measured and left out). The facets few
#   resources have (target groups, collections) stay multi-valued: a column every document has costs
#   more than they do.
# - Subjects are counted whichever of two ways costs less for the number of matches: the aggregation
#   reads each match's values (it grows with the matches: 8 ms at the median, 63 past 400,000 matches);
#   walking the postings of every subject and keeping the documents among the matches
#   (`terms_with_prefix` with the query as filter) costs about the same whatever the matches (17 ms at
#   the median, 25 past 400,000). It walks a column of its own, half as long as the rolled-up list
#   (`tree_values`: 2.5 values a resource in the benchmark against 5.4), and rolls the counts up the
#   thesaurus afterwards (`TreeCounts`): past 125,000 matches, 15-20 % faster. Then the walk wins from
#   about one match in ten (in one segment, median ms agg/walk: 60-80,000 matches 11.2/12.7, 80-100,000
#   10.8/10.9, 100-125,000 13.3/11.5). The aggregation stays on the rolled-up list: it costs per match
#   more than per value (half the values saved only 10 %), and the counts of every concept it would then
#   have to return cost more than that (measured 2026-11-30). Which way is decided before counting, from
#   the terms' document frequencies (`_most_matches`), so that subjects are counted at the same time as
#   the other facets (`_start_counting`).
# - The facets counted from a multi-valued column of their own (subjects, target groups, collections)
#   are counted from small numbers standing for their values (`FacetNumbers`): tantivy adds the segments'
#   counts up by number instead of looking every value up in each segment's dictionary first.
SET_FACETS = ("language",)
SLOT_FACETS = {"country": 3}
# Counted by walking their tree column (`tree_column`), or by aggregating the rolled-up list.
TREE_FACETS = ("subject",)
# Counted from numbers standing for their values (`numbered_column`, `FacetNumbers`).
NUMBERED_FACETS = ("subject", "target_group", "collection")
NO_VALUE = "-"  # the value of a column a resource has no value for
SET_SEPARATOR = " "
POSTINGS_SHARE = 10  # walk the postings when more than one document in this many may match
# Facets from the complement (`_count_facets`) cost finding the query's matches (to leave them out) and
# counting the rest: at a million records, 4-5 % of them left (学习, 教育, education) 44-56 ms against
# 49-71 counted directly, a third left (我国, 人们) 53-59 against 33-41 (measured 2026-11-30).
MOST_SHARE = 0.8
COMPLETE_SIZE = (
    100_000  # "every value": far more than any facet has (a thesaurus of ~10,000 concepts)
)


def counting_columns(name: str) -> tuple[str, ...] | None:
    """The columns a facet is counted from, or None for its own multi-valued column (f_name)."""
    return _COLUMNS.get(name)


_COLUMNS = {
    **{name: (f"c_{name}_set", f"c_{name}_more") for name in SET_FACETS},
    **{
        name: (*(f"c_{name}_{i}" for i in range(slots)), f"c_{name}_more")
        for name, slots in SLOT_FACETS.items()
    },
}


def _counting_values(name: str, values: list[str]) -> list[tuple[str, str]]:
    """(column, value) pairs a resource's values of a counted facet are written as (`counting_columns`).

    A value that could be mistaken for the placeholder or for two values of a set goes to the
    multi-valued column, where it stands for itself. (Written once per resource and facet in the main
    process of a rebuild: kept to plain list work.)"""
    columns = _COLUMNS[name]
    plain: list[str] = []
    more: list[str] = []
    for value in values:
        if value in plain or value in more:
            continue
        (plain if value and value != NO_VALUE and SET_SEPARATOR not in value else more).append(
            value
        )
    if name in SET_FACETS:
        single = [SET_SEPARATOR.join(sorted(plain)) or NO_VALUE]
    else:
        slots = len(columns) - 1
        single = plain[:slots] + [NO_VALUE] * (slots - len(plain))
        more = plain[slots:] + more
    return [*zip(columns, single, strict=False), *((columns[-1], v) for v in more)]


def rebuild_heap() -> int:
    """The writer's memory budget for a rebuild (REBUILD_HEAP_BOUNDS)."""
    least, most = REBUILD_HEAP_BOUNDS
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or it will not say
        return least
    return max(least, min(most, memory // 4))


def tree_column(name: str) -> str:
    return f"c_{name}_tree"


def numbered_column(name: str) -> str:
    """The column a facet's values are counted from as numbers (`FacetNumbers`)."""
    return f"n_{name}"


_TREES = TreeCounts()  # the values of tree columns read so far, for every searcher of the process


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        # Text arrives analysed (llrc.search.analysis): tokens separated by spaces, already folded.
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in DERIVED_FIELDS:
        # Stems and pinyin are matched word by word, never as phrases: no positions to write or store.
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for name in (*FACETS, *FILTER_ONLY):
        # Facet values are whole codes (raw), fast fields for aggregation unless counted from columns of
        # their own (`counting_columns`); prefixed to keep apart from text. Filters and the postings
        # walk (TREE_FACETS) need only which documents hold a value.
        columns = counting_columns(name)
        counted_as_text = name in FACETS and columns is None and name not in NUMBERED_FACETS
        builder.add_text_field(
            f"f_{name}", tokenizer_name="raw", fast=counted_as_text, index_option="basic"
        )
        if name in NUMBERED_FACETS:
            builder.add_unsigned_field(numbered_column(name), indexed=False, fast=True)
        for column in columns or ():
            builder.add_text_field(column, tokenizer_name="raw", fast=True, index_option="basic")
        if name in TREE_FACETS:
            builder.add_text_field(tree_column(name), tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("year_num", indexed=True, fast=True)
    builder.add_float_field("created", indexed=False, fast=True)
    builder.add_text_field("sort_title", tokenizer_name="raw", fast=True)
    builder.add_text_field("sort_title_zh", tokenizer_name="raw", fast=True)
    return builder.build()


_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _facets_pool() -> ThreadPoolExecutor:
    """tantivy releases the GIL while it counts, so facets are counted beside the ranking, on the other
    core. Two threads per process, shared by every backend object: under load requests queue for them
    rather than oversubscribe.

    A pool belongs to the process that made it: a forked worker (a pre-forking server) inherits the
    pool's bookkeeping but not its threads, and would wait forever for them.
    """
    global _pool
    pid = os.getpid()
    if _pool is None or _pool[0] != pid:
        with _pool_lock:
            if _pool is None or _pool[0] != pid:
                _pool = (pid, ThreadPoolExecutor(max_workers=2, thread_name_prefix="llrc-facets"))
    return _pool[1]


def _buckets(
    raw: dict[str, Any], sizes: dict[str, int], numbers: FacetNumbers
) -> dict[str, list[tuple[str, int]]]:
    """(value, count) pairs by facet, most frequent first, from tantivy's terms aggregations: a facet's
    own, or those of its counting columns added up (ties in the values' order, as tantivy's)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name, size in sizes.items():
        columns = counting_columns(name)
        if name in NUMBERED_FACETS:
            found = raw.get(name, {}).get("buckets", [])
            values = numbers.values(name, [int(b["key"]) for b in found])
            named = (
                (v, int(b["doc_count"]))
                for v, b in zip(values, found, strict=True)
                if v is not None
            )
            out[name] = _most_frequent(named, size)
            continue
        if columns is None:
            found = raw.get(name, {}).get("buckets", [])
            out[name] = [(str(b["key"]), int(b["doc_count"])) for b in found]
            continue
        counts: Counter[str] = Counter()
        for column in columns:
            more = column == columns[-1]
            for bucket in raw.get(column, {}).get("buckets", []):
                key, count = str(bucket["key"]), int(bucket["doc_count"])
                if more:
                    counts[key] += count
                elif key != NO_VALUE:
                    for value in key.split(SET_SEPARATOR) if name in SET_FACETS else (key,):
                        counts[value] += count
        out[name] = _most_frequent(counts.items(), size)
    return out


def _most_frequent(counts: Iterable[tuple[str, int]], size: int) -> list[tuple[str, int]]:
    return sorted((vc for vc in counts if vc[1] > 0), key=lambda vc: (-vc[1], vc[0]))[:size]


# Facet values, and the number of matches when the counting found it.
Counted = tuple[dict[str, list[tuple[str, int]]], int | None]


def _numbers_asked(size: int) -> int:
    """How many numbered values to ask tantivy for when `size` are shown: more, so that the values tied
    with the last one shown are among them (tantivy breaks ties by number, the page by value), which
    `_cut_in_a_tie` checks."""
    return size if size >= COMPLETE_SIZE else max(4 * size, 200)


def _cut_in_a_tie(raw: dict[str, Any], name: str, size: int) -> bool:
    """Whether tantivy's list of a numbered facet may have left out a value tied with the last shown."""
    found = raw.get(name, {}).get("buckets", [])
    # Fewer than asked for: tantivy's list is whole (and more than `size`, since more are asked).
    if size >= COMPLETE_SIZE or len(found) < _numbers_asked(size):
        return False
    counts = sorted((int(b["doc_count"]) for b in found), reverse=True)
    return counts[size - 1] == counts[-1]


def _facet_aggs(sizes: dict[str, int]) -> dict[str, Any]:
    """tantivy's terms aggregations counting the facets of `sizes`, over each facet's own column or its
    counting columns (`_buckets` reads them)."""
    aggs: dict[str, Any] = {}
    for name, size in sizes.items():
        columns = counting_columns(name)
        if name in NUMBERED_FACETS:
            aggs[name] = _terms(numbered_column(name), _numbers_asked(size))
        elif columns is None:
            aggs[name] = _terms(f"f_{name}", size)
        else:
            # Every value of every column: a value's count is their sum.
            aggs.update((column, _terms(column, COMPLETE_SIZE)) for column in columns)
    return aggs


def _tied(raw: dict[str, Any], sizes: dict[str, int]) -> list[str]:
    """The numbered facets whose list tantivy may have cut among values tied with the last shown: they
    are counted again whole, so that the page's choice among them is by value (a few matches, most
    values once)."""
    return [n for n in sizes if n in NUMBERED_FACETS and _cut_in_a_tie(raw, n, sizes[n])]


def _whole_lists(tied: list[str]) -> dict[str, Any]:
    """Aggregations of every value of the numbered facets `_tied` found cut in a tie."""
    return {n: _terms(numbered_column(n), COMPLETE_SIZE) for n in tied}


def _aggregate(
    searcher: tantivy.Searcher,
    q: tantivy.Query,
    sizes: dict[str, int],
    numbers: FacetNumbers,
    count: bool = True,
) -> Counted:
    """The facet values of the query's matches, `sizes[name]` most frequent of each, from one terms
    aggregation over each facet's own column or its counting columns; and, if `count`, the number of
    matches."""
    # Counting the matches reads every match's id: 0.1 ms at the median query of a million records,
    # 1.5 ms past 100,000 matches (2026-11-30). A search that ranks counts them there.
    aggs: dict[str, Any] = {"matches": {"value_count": {"field": "id"}}} if count else {}
    raw = searcher.aggregate(q, aggs | _facet_aggs(sizes))
    tied = _tied(raw, sizes)
    if tied:
        raw.update(searcher.aggregate(q, _whole_lists(tied)))
    return _buckets(raw, sizes, numbers), int(raw["matches"]["value"]) if count else None


# Facet values written into a filter of tantivy's query language (`_within`) as they are: codes, slugs,
# years. Any other value (a reader may put anything in a link) is counted in passes of its own.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.:/+-]+")


def _within(filters: dict[str, list[str]]) -> str | None:
    """Filters as a filter aggregation takes them (tantivy's query language), "*" for none; None when a
    value is not plain (`_PLAIN_VALUE`)."""
    if not all(_PLAIN_VALUE.fullmatch(v) for values in filters.values() for v in values):
        return None
    return (
        " AND ".join(
            "(" + " OR ".join(f'f_{name}:"{value}"' for value in values) + ")"
            for name, values in filters.items()
        )
        or "*"
    )


def _aggregate_within(
    searcher: tantivy.Searcher,
    q: tantivy.Query,
    parts: list[tuple[str, dict[str, int]]],
    numbers: FacetNumbers,
    count: bool,
) -> Counted:
    """Facets of several subsets of the query's matches in one pass: each part counts its facets over
    the matches its filter (`_within`) lets through, in a filter aggregation, which reads the filter's
    documents into a bitset per segment and checks each match against it. If `count`, the number of
    the first part's matches."""

    def request(wanted: list[tuple[str, dict[str, Any]]], *, first: bool) -> dict[str, Any]:
        # A part with nothing to count is left out, but for the first when its matches are counted.
        return {
            f"part{i}": {"filter": within, "aggs": aggs}
            for i, (within, aggs) in enumerate(wanted)
            if aggs or (first and i == 0)
        }

    raw = searcher.aggregate(
        q, request([(w, _facet_aggs(sizes)) for w, sizes in parts], first=count)
    )
    tied = [_tied(raw[f"part{i}"], sizes) if sizes else [] for i, (_w, sizes) in enumerate(parts)]
    if any(tied):
        again = [(w, _whole_lists(names)) for (w, _s), names in zip(parts, tied, strict=True)]
        for key, found in searcher.aggregate(q, request(again, first=False)).items():
            raw[key].update(found)
    facets: dict[str, list[tuple[str, int]]] = {}
    for i, (_w, sizes) in enumerate(parts):
        if sizes:
            facets.update(_buckets(raw[f"part{i}"], sizes, numbers))
    return facets, int(raw["part0"]["doc_count"]) if count else None


def _walk(searcher: tantivy.Searcher, q: tantivy.Query, name: str, size: int) -> Counted:
    """A tree facet's values of the query's matches, from the postings of its tree column."""
    walked = searcher.terms_with_prefix(tree_column(name), "", filter_query=q)
    return {name: _TREES.most_frequent(walked, size)}, None


def _start_counting(
    searcher: tantivy.Searcher,
    q: tantivy.Query,
    sizes: dict[str, int],
    most: int,
    numbers: FacetNumbers,
    count: bool = True,
) -> Callable[[], Counted]:
    """Start counting the facet values of the query's matches in the facets pool; the result waits for
    the counts (and, if `count`, gives the number of matches when an aggregation counted them). `most`
    is at least the number of matches: when more than one document in POSTINGS_SHARE may match, by the
    terms' document frequencies, the tree facets are walked, each in a task of its own beside one
    aggregation of the other facets, so that the two use both cores while the ranking runs; otherwise
    all are aggregated in one pass (TREE_FACETS).
    """
    # Each task finds the query's matches again. For the broad queries that walk, both tasks take about
    # as long as that; split, they answered in 62 instead of 71 ms at the median of the slowest 5 % of a
    # million records. In one pass with the aggregation, subjects cost 4.5 ms at the median query, and
    # walked apart, the median query took 0.5 ms longer (measured 2026-11-30, 2 cores). Aggregated in a
    # task of their own instead, they sped up the median query when every cache but the engine's was
    # warm (p50 9.71 against 9.91 ms, five alternated runs), and slowed it in the benchmark's own first
    # round, where the request's thread has more to do (11.4, 12.0 and 11.4 against 10.0 and 10.2 ms).
    pool = _facets_pool()
    if most * POSTINGS_SHARE <= searcher.num_docs:
        return pool.submit(_aggregate, searcher, q, sizes, numbers, count).result
    flat = {name: size for name, size in sizes.items() if name not in TREE_FACETS}
    tasks = [pool.submit(_aggregate, searcher, q, flat, numbers, count)] if flat else []
    tasks += [
        pool.submit(_walk, searcher, q, name, sizes[name]) for name in TREE_FACETS if name in sizes
    ]
    return _gathered([task.result for task in tasks])


def _gathered(tasks: list[Callable[[], Counted]]) -> Callable[[], Counted]:
    """The counts of several tasks together, when all are done; the number of matches is the first
    task's (None if it counted none: another task's may be of other filters)."""

    def finish() -> Counted:
        results = [task() for task in tasks]
        facets: dict[str, list[tuple[str, int]]] = {}
        for counted, _found in results:
            facets.update(counted)
        return facets, results[0][1] if results else None

    return finish


def _most_of(searcher: tantivy.Searcher, documents: int) -> bool:
    """Whether `documents` are most of the index (MOST_SHARE): then facets are counted from the
    complement (`TantivyBackend._count_facets`)."""
    return documents > searcher.num_docs * MOST_SHARE


def _narrowed(query: BackendQuery) -> bool:
    """Whether something beside the words narrows the query: an exclusion, a filter, years, ids."""
    parsed = query.parsed
    return bool(
        parsed.excluded
        or parsed.excluded_filters
        or parsed.year_range
        or any(query.filters.values())
        or query.restrict_ids is not None
        or query.after_id is not None
    )


def _matches_everything(query: BackendQuery) -> bool:
    """Whether the query finds every resource: no words, filters or limits."""
    return not query.parsed.groups and not _narrowed(query)


def _terms(field: str, size: int) -> dict[str, Any]:
    # tantivy counts each segment apart and by default keeps only a segment's 10 × size most frequent
    # values before adding the segments up: a value outside one segment's list loses that segment's count,
    # and a filter link would show fewer resources than it finds. Keeping every value of every segment
    # makes the sums exact; it costs the subject facet (thousands of values) about 2 ms at the median
    # query of a million records (15.3 → 17.6 ms for the engine, measured 2026-11-29).
    return {"terms": {"field": field, "size": size, "segment_size": COMPLETE_SIZE}}


def _word_fields(
    match: Match, word: QueryWord, *, scored: bool = True
) -> list[tuple[str, str, float]]:
    """The terms one query word is looked for as: (field, token, the field's weight); with `scored`
    False, the fewest that find the same documents."""
    fields = match.fields or tuple(TEXT_FIELDS)
    if not scored and match.fields is None and _found_by_stems(word.token, tuple(word.stems)):
        # Every word of the stemmed fields (but Chinese ones) is in the stem stream as one of the forms a
        # query looks it up as (`analysis._stems`), so the word's stem terms alone find every document
        # that holds it there; only the score needs to know in which field (PostgreSQL's `words` leaves
        # the same terms out). At a million records, "adult education" and its translations walk 4.7
        # instead of 6.2 million postings, and its facets were counted in 34 instead of 41 ms, its
        # subjects walked in 36 instead of 43 (medians of 15, 2026-12-01, Intel Xeon, 2 cores).
        fields = tuple(f for f in fields if f not in STEMMED_FIELDS)
    terms = [(f, word.token, TEXT_FIELDS[f]) for f in fields]
    # Stems and pinyin are one stream for title, body and subject together, so a query limited to one
    # field (title:) matches exact words only; otherwise a summary word would leak into title:.
    if match.fields is None:
        terms += [("stem", s, DERIVED_FIELDS["stem"]) for s in word.stems]
        if word.pinyin:
            terms.append(("pinyin", word.pinyin, DERIVED_FIELDS["pinyin"]))
    return terms


@lru_cache(maxsize=65_536)
def _found_by_stems(token: str, stems: tuple[str, ...]) -> bool:
    """Whether a query word's stem terms find every document holding it in a stemmed field: a word but a
    Chinese one (those are not in the stem stream), looked up as every form `query_stems` gives."""
    return not has_han(token) and set(query_stems(token)) <= set(stems)


def _meaning_in_groups(query: BackendQuery, *, scored: bool) -> bool:
    """Whether the query's meaning matches can be terms of each group of words
    (`TantivyBackend._query`): always to count; to rank, unless every one of several words must match."""
    return not scored or not (query.match_all_terms and len(query.parsed.groups) > 1)


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        version_file = self.path / "llrc-schema-version"
        if version_file.exists() and version_file.read_text().strip() != SCHEMA_VERSION:
            # An index from an older schema is derived data: drop it; `llrc init` rebuilds it.
            self._drop()
        self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        version_file.write_text(SCHEMA_VERSION)
        try:
            numbers: FacetNumbers | None = FacetNumbers(self.path)
        except (OSError, ValueError):
            numbers = None
        if numbers is None or (not numbers.on_file() and self._index.searcher().num_docs):
            # Without the numbers its documents were written with, the index would count facet values
            # it cannot name, and a writer would give their numbers to other values: dropped, like an
            # index of an older schema.
            logging.getLogger(__name__).warning(
                "%s: the facet values' numbers are missing or unreadable; the index is dropped "
                "(llrc init or llrc reindex rebuilds it)",
                self.path,
            )
            self._drop()
            self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            version_file.write_text(SCHEMA_VERSION)
            numbers = FacetNumbers(self.path)
        self._numbers = numbers
        self._lock = threading.Lock()
        # Totals and facet counts by query (any page, any sort), and the ranked ids of one page of one
        # query, both for the index as of one commit (see `search`).
        self._counts: Remembered[tuple[int, PackedFacets]] = Remembered(COUNT_CACHE_SIZE)
        self._hits: Remembered[tuple[array[int], array[float]]] = Remembered(HIT_CACHE_SIZE)
        # Every facet value over the whole index, for one commit and set of facets (`_index_facets`).
        self._whole_index: tuple[str, dict[str, list[tuple[str, int]]]] | None = None
        self._commit_lock = threading.Lock()
        self._seen_commit: tuple[int, int] = (-1, -1)
        self.count_cache = True  # the benchmark switches it off to time the engine alone

    def _drop(self) -> None:
        for child in self.path.iterdir():
            if child.is_file():
                child.unlink()

    # -- writing -------------------------------------------------------------------------------------
    def _writer(self, heap: int = WRITER_HEAP) -> tantivy.IndexWriter:
        deadline = time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                return self._index.writer(heap_size=heap, num_threads=1)
            except ValueError:
                # Another process holds the writer lock; wait for its commit.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _id_query(self, doc_id: int) -> tantivy.Query:
        # By query, not delete_documents_by_term: tantivy-py turns a Python int into an i64 term, which never
        # matches the u64 id field, so a delete by term silently removes nothing.
        return tantivy.Query.term_query(self.schema, "id", doc_id)

    def _to_doc(self, doc: IndexDocument) -> tantivy.Document:
        out = tantivy.Document()
        out.add_unsigned("id", doc.id)
        for name, text in doc.text.items():
            if text:
                out.add_text(name, text)
        for name, values in doc.facets.items():
            for value in values:
                out.add_text(f"f_{name}", value)
            if name in NUMBERED_FACETS:
                column = numbered_column(name)
                # Each once: the aggregation counts a document once per value it reads.
                for value in dict.fromkeys(values):
                    out.add_unsigned(column, self._numbers.number(name, value))
        # Every document has every counting column, with or without values (see `counting_columns`).
        for name in (*SET_FACETS, *SLOT_FACETS):
            for column, value in _counting_values(name, list(doc.facets.get(name, ()))):
                out.add_text(column, value)
        for name in TREE_FACETS:
            values = list(doc.facets.get(name, ()))
            for value in tree_values(doc.paths.get(name, []), values) if values else ():
                out.add_text(tree_column(name), value)
        if doc.year is not None:
            out.add_unsigned("year_num", doc.year)
        out.add_float("created", float(doc.created))
        out.add_text("sort_title", doc.sort_title)
        out.add_text("sort_title_zh", doc.sort_title_zh)
        return out

    def _write(
        self,
        docs: Iterable[IndexDocument],
        *,
        delete_first: Iterable[int] = (),
        clear: bool = False,
    ) -> int:
        count = 0
        with self._lock:
            writer = self._writer(rebuild_heap() if clear else WRITER_HEAP)
            try:
                # Holding the writer, this process alone gives facet values numbers: from those on file.
                self._numbers.reload(discard=True)
                if clear:
                    writer.delete_all_documents()
                for doc_id in delete_first:
                    writer.delete_documents_by_query(self._id_query(doc_id))
                for doc in docs:
                    if not clear:
                        writer.delete_documents_by_query(self._id_query(doc.id))
                    writer.add_document(self._to_doc(doc))
                    count += 1
                # Before the commit: a reader that meets a new number finds it on file.
                self._numbers.save()
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._index.reload()
        return count

    def index(self, docs: Iterable[IndexDocument]) -> int:
        return self._write(docs)

    def replace_all(self, docs: Iterable[IndexDocument]) -> int:
        # One commit: readers see the old index until the new one is complete.
        return self._write(docs, clear=True)

    def delete(self, ids: Iterable[int]) -> None:
        self._write([], delete_first=list(ids))

    # -- reading -------------------------------------------------------------------------------------
    def _term(self, field: str, token: str | int, weight: float) -> tantivy.Query:
        return tantivy.Query.boost_query(
            tantivy.Query.term_query(self.schema, field, token), weight
        )

    def _match_query(self, match: Match, *, scored: bool = True) -> tantivy.Query:
        fields = match.fields or tuple(TEXT_FIELDS)
        if match.phrase:
            tokens: list[str | tuple[int, str]] = [w.token for w in match.words]
            return tantivy.Query.boolean_query(
                [
                    (
                        Occur.Should,
                        tantivy.Query.boost_query(
                            tantivy.Query.phrase_query(self.schema, f, tokens), TEXT_FIELDS[f]
                        ),
                    )
                    for f in fields
                ]
            )
        return tantivy.Query.boolean_query(
            [
                (Occur.Must, tantivy.Query.boolean_query(self._word_terms(match, w, scored=scored)))
                for w in match.words
            ]
        )

    def _word_terms(
        self, match: Match, word: QueryWord, boost: float = 1.0, *, scored: bool = True
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """One query word in every field it may match, each term weighted by its field (times `boost`)."""
        return [
            (Occur.Should, self._term(f, token, weight * boost))
            for f, token, weight in _word_fields(match, word, scored=scored)
        ]

    def _group(
        self, group: list[Match], *, scored: bool = True
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The alternatives of one query group (a word and its translations) as clauses of one union.

        A one-word alternative contributes its weighted terms directly rather than a nested query of its
        own: a union sums its clauses' scores either way, so the ranking is the same, and one flat union
        of term scorers is walked about 40 % faster than nested ones on a million records ("education":
        34 instead of 56 ms), which is most of what a broad query costs.
        """
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for match in group:
            if not match.phrase and len(match.words) == 1:
                clauses += self._word_terms(match, match.words[0], match.boost, scored=scored)
            else:
                clauses.append((Occur.Should, self._weighted(match, scored=scored)))
        return clauses

    def _weighted(self, match: Match, *, scored: bool = True) -> tantivy.Query:
        query = self._match_query(match, scored=scored)
        return query if match.boost == 1.0 else tantivy.Query.boost_query(query, match.boost)

    def _query(self, query: BackendQuery, *, scored: bool = True) -> tantivy.Query:
        """The query's tantivy query; with `scored` False, one that finds the same matches, for counting
        them, whatever it would score."""
        parsed = query.parsed
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if parsed.groups:
            if query.also_ids and _meaning_in_groups(query, scored=scored):
                # The meaning matches join every group as terms of their own that score nothing:
                # (words₁ or ids) and (words₂ or ids) is (words₁ and words₂) or ids, and each group
                # stays one flat union of term scorers. Beside the words' query as a second clause, the
                # union of the two was walked once more: at a million records, counting "adult
                # education" took 21.7 instead of 19.1 ms, and ranking "education" 22.4 instead of 16.8
                # (2026-11-30). Where every word must match, a resource close in meaning that holds one
                # of two words would score for it, not nothing: so only to count.
                meaning = [
                    (Occur.Should, self._term("id", rid, 0.0))
                    for rid in dict.fromkeys(query.also_ids)
                ]
                groups = [self._group(group, scored=scored) + meaning for group in parsed.groups]
                also: list[tuple[tantivy.Occur, tantivy.Query]] = []
            else:
                groups = [self._group(group, scored=scored) for group in parsed.groups]
                also = (
                    [
                        (
                            Occur.Should,
                            tantivy.Query.const_score_query(
                                tantivy.Query.term_set_query(
                                    self.schema, "id", list(query.also_ids)
                                ),
                                0.0,
                            ),
                        )
                    ]
                    if query.also_ids
                    else []
                )
            if len(groups) == 1:
                alternatives = groups[0]
            else:
                occur = Occur.Must if query.match_all_terms else Occur.Should
                alternatives = [(occur, tantivy.Query.boolean_query(group)) for group in groups]
            if also:
                alternatives = [(Occur.Should, tantivy.Query.boolean_query(alternatives)), *also]
            clauses.append((Occur.Must, tantivy.Query.boolean_query(alternatives)))
        else:
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        for match in parsed.excluded:
            # What is left out scores nothing: the fewest terms that find it.
            clauses.append((Occur.MustNot, self._match_query(match, scored=False)))
        for name, values in parsed.excluded_filters.items():
            clauses.append(
                (Occur.MustNot, tantivy.Query.term_set_query(self.schema, f"f_{name}", values))
            )
        if query.after_id is not None:
            clauses.append(
                (
                    Occur.Must,
                    tantivy.Query.range_query(
                        self.schema, "id", tantivy.FieldType.Unsigned, query.after_id + 1, 2**63
                    ),
                )
            )
        if query.restrict_ids is not None:
            clauses.append(
                (
                    Occur.Must,
                    tantivy.Query.term_set_query(self.schema, "id", list(query.restrict_ids)),
                )
            )
        for name, values in query.filters.items():
            if values:
                clauses.append(
                    (
                        Occur.Must,
                        tantivy.Query.term_set_query(self.schema, f"f_{name}", list(values)),
                    )
                )
        if parsed.year_range:
            low, high = parsed.year_range
            clauses.append(
                (
                    Occur.Must,
                    tantivy.Query.range_query(
                        self.schema, "year_num", tantivy.FieldType.Unsigned, low, high
                    ),
                )
            )
        if len(clauses) == 1:
            return clauses[0][1]  # nothing to intersect with: one level less to walk
        # A filter (a term set, a range) scores 1 for every match it lets through: a resource found by
        # meaning alone, which scores nothing, then scored as if it held the words, and was put among
        # those that do (with type=good_practice, "adult literacy women" listed 6 with every word, one
        # of them without "women", and by title order 20 where relevance listed 2). The filters only
        # filter: a score of 0, as PostgreSQL's filters have.
        return tantivy.Query.boolean_query(
            [clauses[0]]
            + [
                (occur, q if occur == Occur.MustNot else tantivy.Query.const_score_query(q, 0.0))
                for occur, q in clauses[1:]
            ]
        )

    def _current_commit(self) -> str:
        """Reload the searcher and forget remembered answers when the index changed since the last search.

        meta.json is rewritten by every commit, in this process or another (`llrc reindex`): checking it
        costs one stat, and reloading here, not on tantivy's delayed watcher, means a remembered answer
        is never served for a newer index than the one it was found in.
        """
        try:
            stat = (self.path / "meta.json").stat()
            commit = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            commit = (-1, -1)
        if commit != self._seen_commit:
            with self._commit_lock:
                if commit != self._seen_commit:
                    self._index.reload()
                    self.forget_counts()
                    self._seen_commit = commit
        return f"{commit[0]}.{commit[1]}"

    def forget_counts(self) -> None:
        """Forget every remembered total, facet count and ranked page (the benchmark starts cold)."""
        self._counts.clear()
        self._hits.clear()
        self._whole_index = None

    @property
    def count_hits(self) -> int:
        return self._counts.hits

    @property
    def count_misses(self) -> int:
        return self._counts.misses

    @property
    def hit_cache_hits(self) -> int:
        return self._hits.hits

    @property
    def hit_cache_misses(self) -> int:
        return self._hits.misses

    def search(self, query: BackendQuery) -> BackendResult:
        return self._start(query).result()

    def start_search(self, query: BackendQuery) -> StartedSearch:
        """Start counting the query's facets in the facets pool; ranking waits until it is asked for."""
        return self._start(query)

    def _start(self, query: BackendQuery) -> StartedSearch:
        commit = self._current_commit()
        # Counting every match and its facet values, and scoring every match to find the best, is most of
        # the cost of a broad query on a large index (a million resources, "learning"). Readers ask the
        # same queries again and again (home page topics, facet clicks, paging back and forth), so both
        # answers are kept until the next commit: the counts per query whatever the page or order, the
        # ranked ids per page. A commit in any process makes `_current_commit` forget both. Keys name the
        # commit a search started on: an answer that a slow search stores after another thread moved on
        # to a newer commit is never served for it.
        keys = (
            f"{commit} {replace(query, offset=0, limit=0, sort='')!r}",
            f"{commit} {query!r}",
            commit,
        )
        counts = self._counts.get(keys[0]) if self.count_cache else None
        if counts is not None and query.limit == 0:
            ranked: tuple[array[int], array[float]] | None = (array("q"), array("d"))
        else:
            ranked = self._hits.get(keys[1]) if self.count_cache else None
        if counts is not None and ranked is not None:
            ids, scores = ranked
            total, facets = counts
            found = BackendResult(
                total=total, ids=list(ids), scores=list(scores), facets=unpacked(facets)
            )
            return Deferred(lambda: found)
        searcher = self._index.searcher()
        ranking = query.limit > 0
        q = self._query(query, scored=ranking)
        # The counting walks a query that only finds the matches, with fewer postings than the ranked
        # one (`_word_fields`, `_query`).
        counted = self._query(query, scored=False) if ranking and query.parsed.groups else q
        # Facets are counted over every match whatever the total, so they start before the ranking ends;
        # a query that matches nothing costs them next to nothing.
        counting = self._count_facets(searcher, counted, query, keys[2]) if counts is None else None
        return _Searching(self, searcher, q, query, counts, counting, keys)

    def _count_facets(
        self, searcher: tantivy.Searcher, q: tantivy.Query, query: BackendQuery, commit: str
    ) -> Callable[[], Counted]:
        """Start counting the facet values of the query's matches; the result waits for the counts."""
        sizes = {name: facet_size(query, name) for name in query.facets}
        if not sizes:
            return lambda: ({}, None)
        # The number of matches is wanted from the counting only when nothing is ranked.
        count = query.limit == 0
        if own_filtered(query):
            return self._count_own_facets(searcher, q, query, sizes, count, commit)
        holding = self._surely_matching(searcher, query)
        # Without the cache (the benchmark's engine-only timing) the whole index is not counted either.
        if not self.count_cache or not _most_of(searcher, holding):
            most = self._most_matches(searcher, query)
            return _start_counting(searcher, q, sizes, most, self._numbers, count)
        # Most of the index matches ("education" matches 97 % of a million records): count the few
        # resources that do not, and take their counts from those of the whole index, counted once per
        # commit. Exact, because every value of every resource is in the complete lists on both sides.
        complete = dict.fromkeys(sizes, COMPLETE_SIZE)
        everything = self._index_facets(searcher, complete, commit)
        rest = tantivy.Query.boolean_query(
            [(Occur.Must, tantivy.Query.all_query()), (Occur.MustNot, q)]
        )
        # At most the documents without the term that most hold.
        left_at_most = searcher.num_docs - holding
        counting = _start_counting(searcher, rest, complete, left_at_most, self._numbers, count)

        def finish() -> Counted:
            not_matching, left = counting()
            facets: dict[str, list[tuple[str, int]]] = {}
            for name, size in sizes.items():
                missing = dict(not_matching[name])
                counts = ((v, c - missing.get(v, 0)) for v, c in everything[name])
                facets[name] = _most_frequent(counts, size)
            return facets, None if left is None else searcher.num_docs - left

        return finish

    def _count_own_facets(
        self,
        searcher: tantivy.Searcher,
        q: tantivy.Query,
        query: BackendQuery,
        sizes: dict[str, int],
        count: bool,
        commit: str,
    ) -> Callable[[], Counted]:
        """Start counting the facets of a query with facets counted without their own filter
        (`BackendQuery.own_facets`), all in one pass over the matches of the query without those
        filters: each facet is counted over the matches the other filters let through
        (`_aggregate_within`). Counted in passes of their own, each such facet cost a broad query
        another walk of its words' postings: at a million records, "adult education" in Russian
        counted in 25.5 instead of 36.3 ms, "education policy" in Chinese from Morocco in 22.5 instead
        of 38.9 (2026-11-30). A tree facet whose matches are many is walked apart, as
        `_start_counting` does."""
        own = own_filtered(query)
        if (
            self.count_cache
            and len(own) == 1
            and _matches_everything(replace(query, filters=filters_without(query.filters, *own)))
        ):
            return self._count_browsed_facet(searcher, q, query, own[0], commit)
        filters = {name: query.filters[name] for name in own}
        parts = [(_within(filters), {n: s for n, s in sizes.items() if n not in own})]
        parts += [(_within(filters_without(filters, name)), {name: sizes[name]}) for name in own]
        if any(within is None for within, _sizes in parts):
            main, apart = own_facets_apart(query)
            # The main part first: the number of matches is its.
            counting = [self._count_facets(searcher, q, main, commit)]
            counting += [
                self._count_facets(searcher, self._query(one, scored=False), one, commit)
                for one in apart.values()
            ]
            return _gathered(counting)
        pool = _facets_pool()
        walks: list[Future[Counted]] = []
        for (_within_filter, part_sizes), filtered in zip(
            parts,
            [query, *(replace(query, filters=filters_without(query.filters, n)) for n in own)],
            strict=True,
        ):
            for name in TREE_FACETS:
                walked = name in part_sizes and (
                    self._most_matches(searcher, filtered) * POSTINGS_SHARE > searcher.num_docs
                )
                if walked:
                    size = part_sizes.pop(name)
                    tree_q = q if filtered is query else self._query(filtered, scored=False)
                    walks.append(pool.submit(_walk, searcher, tree_q, name, size))
        tasks: list[Callable[[], Counted]] = [walk.result for walk in walks]
        if count or any(part_sizes for _w, part_sizes in parts):
            bare = self._query(
                replace(query, filters=filters_without(query.filters, *own)), scored=False
            )
            parts_left = [(cast("str", w), part_sizes) for w, part_sizes in parts]
            aggregation = pool.submit(
                _aggregate_within, searcher, bare, parts_left, self._numbers, count
            )
            # First: it alone counts the matches.
            tasks.insert(0, aggregation.result)
        return _gathered(tasks)

    def _count_browsed_facet(
        self,
        searcher: tantivy.Searcher,
        q: tantivy.Query,
        query: BackendQuery,
        name: str,
        commit: str,
    ) -> Callable[[], Counted]:
        """Start counting the facets of a query whose one condition is a selection in facet `name`
        (browsing: every report, everything from 2001): that facet counted without its selection is
        counted over the whole index, whose counts are remembered until the next commit
        (`_index_facets`); the others over the matches. Counted over the million each time, the year
        of "everything from 2001" cost 14 of its 23 ms, a country 25 of 57 (2026-12-01)."""
        size = facet_size(query, name)
        everything = self._index_facets(
            searcher, dict.fromkeys(query.facets, COMPLETE_SIZE), commit
        )
        rest = replace(query, facets=tuple(f for f in query.facets if f != name), own_facets=())
        counting = self._count_facets(searcher, q, rest, commit)

        def finish() -> Counted:
            facets, matches = counting()
            return {**facets, name: _most_frequent(everything[name], size)}, matches

        return finish

    def _matches_most(self, searcher: tantivy.Searcher, query: BackendQuery) -> bool:
        """Whether surely most of the index matches (MOST_SHARE)."""
        return _most_of(searcher, self._surely_matching(searcher, query))

    def _surely_matching(self, searcher: tantivy.Searcher, query: BackendQuery) -> int:
        """How many documents surely match, when the query is one word (with its translations) and no
        filter: those holding the one of its terms that most hold; otherwise 0."""
        parsed = query.parsed
        if len(parsed.groups) != 1 or _narrowed(query):
            return 0
        most = 0
        for match in parsed.groups[0]:
            if match.phrase or len(match.words) != 1:
                continue
            word = match.words[0]
            terms = [(f, word.token) for f in match.fields or TEXT_FIELDS]
            if match.fields is None:
                terms += [("stem", s) for s in word.stems]
            most = max([most, *(searcher.doc_freq(f, t) for f, t in terms)])
        return most

    def _most_matches(self, searcher: tantivy.Searcher, query: BackendQuery) -> int:
        """At least the number of the query's matches, from its terms' document frequencies (a few
        microseconds each): each group matches at most the documents holding one of its alternatives,
        an alternative of several words at most those holding its rarest, a filter at most those
        holding one of its values."""
        parsed = query.parsed
        bounds = [searcher.num_docs]
        if query.restrict_ids is not None:
            bounds.append(len(query.restrict_ids))
        for name, values in query.filters.items():
            if values:
                bounds.append(sum(searcher.doc_freq(f"f_{name}", v) for v in values))
        if parsed.groups:
            groups = [
                sum(
                    min(self._holding(searcher, match, word) for word in match.words)
                    if match.words
                    else searcher.num_docs
                    for match in group
                )
                for group in parsed.groups
            ]
            words = min(groups) if query.match_all_terms else sum(groups)
            bounds.append(words + len(query.also_ids))
        return min(bounds)

    def _holding(self, searcher: tantivy.Searcher, match: Match, word: QueryWord) -> int:
        """At least the documents one query word matches in: those holding any of its terms."""
        return sum(int(searcher.doc_freq(f, token)) for f, token, _w in _word_fields(match, word))

    def _index_facets(
        self, searcher: tantivy.Searcher, sizes: dict[str, int], commit: str
    ) -> dict[str, list[tuple[str, int]]]:
        """Every value of the given facets over the whole index, remembered until the next commit."""
        key = f"{commit} {sorted(sizes)}"
        found = self._whole_index
        if found is None or found[0] != key:
            everything = _start_counting(
                searcher, tantivy.Query.all_query(), sizes, searcher.num_docs, self._numbers, False
            )
            found = (key, everything()[0])
            self._whole_index = found
        return found[1]

    def _rank(
        self, searcher: tantivy.Searcher, q: tantivy.Query, query: BackendQuery, count: bool
    ) -> tuple[list[int], list[float], int]:
        """The page's ids and scores, and the number of matches if `count` (else 0)."""
        sort = (
            query.sort
            if query.parsed.has_words
            else (query.sort if query.sort != "relevance" else "newest_added")
        )
        # tantivy panics (a Rust assertion, not an exception a caller could catch) on a limit of 0: a
        # query for counts only asks for one hit, which is dropped below.
        limit = max(1, query.limit)
        # Without counting, tantivy's top-k collector may skip matches that cannot reach the page.
        if sort == "relevance":
            result = searcher.search(q, limit=limit, count=count, offset=query.offset)
        else:
            field, order = {
                "newest": ("year_num", tantivy.Order.Desc),
                "oldest": ("year_num", tantivy.Order.Asc),
                "title": ("sort_title", tantivy.Order.Asc),
                "title_zh": ("sort_title_zh", tantivy.Order.Asc),
                "newest_added": ("created", tantivy.Order.Desc),
                "id": ("id", tantivy.Order.Asc),
            }[sort]
            result = searcher.search(
                q,
                limit=limit,
                count=count,
                offset=query.offset,
                order_by_field=field,
                order=order,
            )
        hits = result.hits[: query.limit]
        addresses = [address for _score, address in hits]
        # Ids from the fast field: no stored document to load and decompress per hit.
        values = cast("list[int]", searcher.fast_field_values("id", addresses)) if addresses else []
        ids = [int(v) for v in values]
        scores = [float(score) if sort == "relevance" else 0.0 for score, _a in hits]
        total = int(result.count or 0) if count else 0  # type: ignore[attr-defined]  # not in the stub
        return ids, scores, total

    def count(self) -> int:
        return int(self._index.searcher().num_docs)

    def term_frequency(self, word: str, fields: tuple[str, ...] = TERM_FIELDS) -> int:
        """Documents holding `word` as an exact token or pinyin (0 means: probably misspelt), summed
        over `fields`."""
        searcher = self._index.searcher()
        return sum(searcher.doc_freq(f, word) for f in fields)

    def has_word(self, word: str) -> bool:
        """Whether some document holds `word` in a text field, itself or as a stem the query looks up."""
        searcher = self._index.searcher()
        fields = [*((f, word) for f in TEXT_FIELDS), *(("stem", s) for s in query_stems(word))]
        return any(searcher.doc_freq(f, t) for f, t in fields)

    def similar_terms(self, word: str, *, limit: int = 2000) -> list[tuple[str, int]]:
        """Indexed words that start like `word` (typos rarely hit the first letters), with their counts."""
        searcher = self._index.searcher()
        prefix = word[:2] if len(word) >= 4 else word[:1]
        counts: dict[str, int] = {}
        for f in ("title", "subject", "body", "pinyin"):
            for term, count in searcher.terms_with_prefix(f, prefix, limit=limit):
                counts[term] = counts.get(term, 0) + int(count)
        return list(counts.items())


class _Searching:
    """One search under way: its facets counted in the pool (`_count_facets`), its page ranked on the
    caller's thread when first asked for, so that a caller can read the page's records while the counts
    finish."""

    def __init__(
        self,
        backend: TantivyBackend,
        searcher: tantivy.Searcher,
        q: tantivy.Query,
        query: BackendQuery,
        counts: tuple[int, PackedFacets] | None,
        counting: Callable[[], Counted] | None,
        keys: tuple[str, str, str],
    ) -> None:
        self._backend, self._searcher, self._q, self._query = backend, searcher, q, query
        self._counts, self._counting, self._keys = counts, counting, keys
        self._ranked: tuple[list[int], list[float], int] | None = None
        self._result: BackendResult | None = None

    def ranked(self) -> tuple[list[int], list[float]]:
        if self._ranked is None:
            query = self._query
            if self._counting is not None and query.limit == 0:
                # Counts only (a selected facet counted without its selection): the aggregation that
                # counts the facets also counts the matches, so nothing is ranked unless it cannot.
                self._ranked = ([], [], 0)
            else:
                self._ranked = self._backend._rank(
                    self._searcher, self._q, query, count=self._counts is None
                )
                if self._backend.count_cache:
                    # Compact arrays: thousands of pages of a hundred ids cost a few MB and nothing to
                    # the GC.
                    ids, scores, _total = self._ranked
                    self._backend._hits.put(self._keys[1], (array("q", ids), array("d", scores)))
        ids, scores, _total = self._ranked
        return ids, scores

    def result(self) -> BackendResult:
        if self._result is None:
            self._result = self._answer()
        return self._result

    def _answer(self) -> BackendResult:
        ids, scores = self.ranked()
        if self._counts is not None:
            total, remembered = self._counts
            return BackendResult(total=total, ids=ids, scores=scores, facets=unpacked(remembered))
        assert self._counting is not None and self._ranked is not None
        counted_total = self._ranked[2]
        if self._query.limit == 0:
            facets, matches = self._counting()
            # No aggregation counted them (subjects walked alone): rank to count.
            if matches is None:
                _ids, _scores, matches = self._backend._rank(
                    self._searcher, self._q, self._query, count=True
                )
            total = matches
        else:
            total = counted_total
            # Without matches only the facets counted without their own filter have values.
            facets = self._counting()[0] if total or own_filtered(self._query) else {}
        if self._backend.count_cache:
            self._backend._counts.put(self._keys[0], (total, packed(facets)))
        return BackendResult(total=total, ids=ids, scores=scores, facets=facets)
