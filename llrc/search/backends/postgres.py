"""Shared search on PostgreSQL full-text search: the search_document table (llrc.search.models).

It answers every BackendQuery as the tantivy backend does (docs/decisions/0004-postgres-search.md):

- The text arrives analysed (llrc.search.analysis), so nothing here runs a text-search parser. The
  tsvectors and tsqueries are written as literals from the tokens themselves: to_tsvector('simple', ...)
  would split a DOI such as 10.1234/abc.2020 at its punctuation and no longer match it as one word.
- `words` (GIN-indexed, no positions) finds the matches: each word once as "x:" (any text field), its
  stems "m:", its pinyin "p:", and the facet values "f:country:CN", so words, filters and plain
  exclusions are one tsquery the index answers exactly, without reading any row's text.
- `document` (not indexed, kept out of the row) holds every field's lexemes with positions and weight
  labels ("t:learning" in the title, "b:learning" in the body): phrases and field limits (title:) are
  checked against it, and it gives the relevance score.
- Counting, sorting and ranking never read a tsvector per match: one pass concatenates the matches'
  fixed-size `ranking` records and `facet_codes` (string_agg), numpy counts and sorts them here, and only
  the RANK_WINDOW matches with the best title score (the query's words in their title, each weighed by
  its idf, see WordShares) have their whole document ranked.
"""

from __future__ import annotations

import math
import re
import struct
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import islice
from typing import Any, cast

import numpy as np
import psycopg
from django.conf import settings
from django.db import OperationalError, connection, transaction

from llrc.search.analysis import QueryWord, bare_stem
from llrc.search.analysis import query_stems as analysed_query_stems
from llrc.search.backends.base import (
    BACKEND_SORTS,
    DERIVED_FIELDS,
    FACETS,
    FILTER_ONLY,
    TERM_FIELDS,
    TEXT_FIELDS,
    BackendQuery,
    BackendResult,
    Deferred,
    IndexDocument,
    SearchTimeout,
    facet_size,
    own_facets_apart,
    own_filtered,
    time_left_ms,
)
from llrc.search.backends.remembered import PackedFacets, Remembered, packed, unpacked
from llrc.search.query import Match

TABLE = "search_document"
FACET_TABLE = "search_facet_value"
# One row: the index's generation, set from search_generation_seq by every statement that changes
# search_document (a trigger, migration 0003) and by the backend's writes (`_lock`).
GENERATION_TABLE = "search_generation"
_NEW_GENERATION = (
    f"INSERT INTO {GENERATION_TABLE} (id, value) VALUES (1, nextval('search_generation_seq')) "
    "ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value"
)
ANSWER_CACHE_SIZE = 4096  # answers (total, facets, page) kept per process, as tantivy keeps them

# The prefix of a field's lexemes in `document`. Order matters: when a huge document meets the tsvector
# size limit, the fields listed first keep their words.
FIELD_CODES: dict[str, str] = {
    "title": "t",
    "identifier": "i",
    "creator": "c",
    "subject": "s",
    "body": "b",
    "stem": "m",
    "pinyin": "p",
}
# tsvector has four weight labels for seven fields: body and the derived streams share D.
FIELD_LABELS: dict[str, str] = {
    "title": "A",
    "identifier": "B",
    "creator": "C",
    "subject": "C",
    "body": "D",
    "stem": "D",
    "pinyin": "D",
}
# ts_rank takes the weights of {D, C, B, A}, each at most 1: TEXT_FIELDS scaled so title is 1.
RANK_WEIGHTS: list[float] = [
    TEXT_FIELDS[name] / TEXT_FIELDS["title"] for name in ("body", "creator", "identifier", "title")
]
assert set(FIELD_CODES) == set(TEXT_FIELDS) | set(DERIVED_FIELDS)
# The fields of the token mask in `ranking`: the strongest weights, and few tokens, so 128 bits tell
# them apart well enough to choose which matches to rank.
MASK_FIELDS = ("title", "identifier")
MASK_BITS = 128
# `ranking`: resource id, created, year (-1: none), mask low and high 64 bits; little-endian.
RANKING = np.dtype(
    [("id", "<i8"), ("created", "<f8"), ("year", "<i8"), ("lo", "<u8"), ("hi", "<u8")]
)
_RANKING_ROW = struct.Struct("<qdqQQ")
assert RANKING.itemsize == _RANKING_ROW.size
# In `words`: a word in any text field, the stem and pinyin streams, facet values.
ANY_FIELD, STEM, PINYIN, FACET = "x", "m", "p", "f"

# tantivy's whitespace tokenizer splits on Rust's ASCII whitespace (space, tab, LF, FF, CR; not VT).
_WHITESPACE = re.compile(r"[ \t\n\x0c\r]+")
# PostgreSQL tsvector limits (src/include/tsearch/ts_type.h, tsvectorin): a lexeme is at most 2047
# bytes; lexemes (2-byte aligned) and their positions (2 bytes each, plus 2 per lexeme) together under
# 1 MiB; positions run from 1 to 16383 and a lexeme keeps at most 256 of them.
MAX_LEXEME_BYTES = 2047
MAX_VECTOR_BYTES = 1_000_000
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
# Text short enough that no field reaches MAX_POSITION tokens and the whole document stays under
# MAX_VECTOR_BYTES (a token costs at most 8 bytes per UTF-8 byte, a UTF-8 character at most 4 bytes).
FAST_PATH_CHARS = min(MAX_POSITION, MAX_VECTOR_BYTES // 32)
LONG_TOKEN_CHARS = MAX_LEXEME_BYTES // 4  # longer tokens may be too long for a lexeme
_OTHER_WHITESPACE = re.compile(r"[\t\n\x0c\r]")

BATCH = 500  # documents per upsert statement
COPY_BATCH = 2000  # documents per COPY in replace_all (the iterator may query the database between)
# Index writes take this transaction-scoped advisory lock: one writer at a time, as tantivy has, so two
# processes updating overlapping rows in different orders cannot deadlock. Readers never wait for it.
WRITE_LOCK = 0x6C6C7263  # "llrc"
# How many matches, best title score first (_title_score), have their whole document ranked: the first
# pages are in true relevance order, and a query matching no more than this many is ranked exactly.
# Ranking one costs reading its document from TOAST (about 40 µs here), so not thousands. At least
# search.services.FUSION_WINDOW, which reorders the first 100 results.
RANK_WINDOW = 100
# A GIN build sorts its entries in memory; with too little it writes and merges runs many times.
BUILD_MEMORY = "512MB"

TITLE_COLUMNS = {"title": "sort_title", "title_zh": "sort_title_zh"}
# "Did you mean" reads the documents holding a word, or words with the same first letters: at most this
# many. A common word or a two-letter prefix is in hundreds of thousands of documents at a million
# records, and reading each from TOAST took longer than the whole time limit of a search (3 s); 500
# documents take ~0.1 s besides the ~0.15 s of finding a common prefix's matches (measured 2026-11-29).
WORD_SAMPLE = 500
# Fewer analysed rows than this (autovacuum's own threshold for analysing a table): words weigh the same.
MIN_ANALYSED_ROWS = 50
# Added to both sides of the idf's ratio, so that a word in every document still weighs a little.
IDF_SMOOTHING = 0.001


def _quote(lexeme: str) -> str:
    return "'" + _escaped(lexeme) + "'"  # _escaped is with the documents below


def _prefixed(code: str, token: str) -> str | None:
    """The quoted lexeme `code:token`; None when it is too long for any tsvector to hold."""
    lexeme = f"{code}:{token}"
    if len(lexeme.encode()) > MAX_LEXEME_BYTES:
        return None
    return _quote(lexeme)


def _lexeme(field: str, token: str) -> str | None:
    return _prefixed(FIELD_CODES[field], token)


# -- documents -------------------------------------------------------------------------------------
# A field's tokens, each with its positions; () for the derived streams, which keep none.
Positions = dict[str, dict[str, Any]]


def _positions(text: dict[str, str]) -> Positions:
    """Per field, each token with its positions (none for stems and pinyin), within the tsvector
    limits."""
    # This runs for every document of a rebuild, so the usual document (short, only spaces between
    # tokens) takes a path with one dict lookup per token of a text field and C loops for the rest;
    # _positions_within_limits counts bytes for the others.
    if sum(map(len, text.values())) > FAST_PATH_CHARS or any(
        _OTHER_WHITESPACE.search(value) for value in text.values() if value
    ):
        return _positions_within_limits(text)
    out: Positions = {}
    for name in FIELD_CODES:
        value = text.get(name)
        if not value:
            continue
        tokens = filter(None, value.split(" "))
        positions: dict[str, Any]
        if name in DERIVED_FIELDS:
            positions = dict.fromkeys(tokens, ())
        else:
            positions = {}
            for position, token in enumerate(tokens, start=1):
                seen = positions.get(token)
                if seen is None:
                    positions[token] = [position]
                elif len(seen) < MAX_POSITIONS_PER_LEXEME:
                    seen.append(position)
        for token in [t for t in positions if len(t) > LONG_TOKEN_CHARS]:
            if len(FIELD_CODES[name]) + 1 + len(token.encode()) > MAX_LEXEME_BYTES:
                del positions[token]
        if positions:
            out[name] = positions
    return out


def _positions_within_limits(text: dict[str, str]) -> Positions:
    out: Positions = {}
    size = 0
    for name, code in FIELD_CODES.items():
        value = text.get(name)
        if not value:
            continue
        prefix_bytes = len(code) + 1
        with_positions = name not in DERIVED_FIELDS
        positions: dict[str, Any] = {}
        # Positions restart at 1 in every field: prefixes keep fields apart, so a phrase never spans
        # two fields, and each field has the whole position range for itself. Words past the last
        # position share it: they are still found, but a phrase there is not.
        position = 0
        for token in _WHITESPACE.split(value):
            if not token:
                continue
            if position < MAX_POSITION:
                position += 1
            seen = positions.get(token)
            if seen is None:
                length = prefix_bytes + len(token.encode())
                cost = length + length % 2 + 4 + (2 if with_positions else 0)
                if length > MAX_LEXEME_BYTES or size + cost > MAX_VECTOR_BYTES:
                    continue  # full: the rest of a huge text is left out
                size += cost
                positions[token] = [position] if with_positions else ()
            elif (
                with_positions
                and len(seen) < MAX_POSITIONS_PER_LEXEME
                and seen[-1] != position
                and size + 2 <= MAX_VECTOR_BYTES
            ):
                size += 2
                seen.append(position)
        if positions:
            out[name] = positions
    return out


def _escaped(token: str) -> str:
    # Inside the quotes of a tsvector/tsquery literal, quotes and backslashes are doubled.
    if "'" in token or "\\" in token:
        return token.replace("\\", "\\\\").replace("'", "''")
    return token


def _joined(code: str, tokens: list[str]) -> str:
    """'code:a' 'code:b' ...: lexemes without positions, joined in one C loop when none needs escaping."""
    if not tokens:
        return ""
    joined = f"' '{code}:".join(tokens)
    # The separators hold two quotes each; any other quote or backslash is in a token.
    if joined.count("'") != 2 * (len(tokens) - 1) or "\\" in joined:
        return " ".join(f"'{code}:{_escaped(token)}'" for token in tokens)
    return f"'{code}:{joined}'"


def _vector(fields: Positions, names: Iterable[str]) -> str:
    parts: list[str] = []
    append = parts.append
    for name in names:
        positions = fields.get(name)
        if not positions:
            continue
        code, label = FIELD_CODES[name], FIELD_LABELS[name]
        if name in DERIVED_FIELDS:
            # No positions, so no label either: ts_rank counts such a lexeme once with the weight of
            # D, which is these streams' label anyway. Stems rank without their language (which
            # records match is for `words` to say, where stems keep it): one stem in the English,
            # French and Spanish labels of a concept would be three words found, and a record ranked
            # by its concepts' labels above one with the word in its title.
            tokens = list(positions)
            if name == "stem":
                tokens = list(dict.fromkeys(map(bare_stem, tokens)))
            append(_joined(code, tokens))
            continue
        start, separator = f"'{code}:", label + ","
        for token, found in positions.items():
            if len(found) == 1:
                append(f"{start}{_escaped(token)}':{found[0]}{label}")
            else:
                append(f"{start}{_escaped(token)}':{separator.join(map(str, found))}{label}")
    return " ".join(parts)


def build_tsvector(text: dict[str, str]) -> str:
    """The tsvector literal of `document`: a document's analysed fields, prefixed, with positions and
    weights."""
    return _vector(_positions(text), FIELD_CODES)


@lru_cache(maxsize=1 << 18)
def query_stems(token: str) -> frozenset[str]:
    """The stems a query looks up for this word (llrc.search.analysis.query_stems, which hold the word)."""
    return frozenset(analysed_query_stems(token))


def _words(fields: Positions, facets: dict[str, list[str]]) -> str:
    """The tsvector literal of `words`: what the index finds a document by."""
    facet_values = [f"{name}:{value}" for name, values in facets.items() for value in values]
    # A query word looks up "x:word" and "m:" of each of query_stems(word). Where one of those stems is
    # in the document already, "x:word" would only repeat it: left out, the index is smaller and a
    # query reads half the postings for a word of English text ("x:digital" and "m:digit" hold the
    # same documents), with the same matches. Words without stems (Chinese, names) keep theirs.
    stems = set(fields.get("stem", ()))
    any_field = dict.fromkeys(
        token
        for name in TEXT_FIELDS
        if name in fields
        for token in fields[name]
        if stems.isdisjoint(query_stems(token))
    )
    streams = [
        (FACET, facet_values),
        (ANY_FIELD, list(any_field)),
        (STEM, list(fields.get("stem", ()))),
        (PINYIN, list(fields.get("pinyin", ()))),
    ]
    # Lexemes without positions cost their bytes (2-byte aligned) and 4 bytes of entry each.
    bound = sum(len(t) * 4 + 8 for _code, tokens in streams for t in tokens)
    if bound > MAX_VECTOR_BYTES or any(len(v) > LONG_TOKEN_CHARS for v in facet_values):
        # Facet values first: a filter must find the document whatever the size of its text.
        size = 0
        kept: list[tuple[str, list[str]]] = []
        for code, tokens in streams:
            fitting = []
            for token in tokens:
                length = len(code) + 1 + len(token.encode())
                cost = length + length % 2 + 4
                if length > MAX_LEXEME_BYTES or size + cost > MAX_VECTOR_BYTES:
                    continue
                size += cost
                fitting.append(token)
            kept.append((code, fitting))
        streams = kept
    return " ".join(part for code, tokens in streams if (part := _joined(code, tokens)))


# -- queries: a tsquery is built as text; None stands for "matches nothing" ---------------------------
def _any(parts: Iterable[str | None]) -> str | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else "(" + " | ".join(kept) + ")"


def _all(parts: Iterable[str | None], operator: str = "&") -> str | None:
    kept: list[str] = []
    for part in parts:
        if part is None:
            return None
        kept.append(part)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else "(" + f" {operator} ".join(kept) + ")"


def _fields(match: Match) -> tuple[str, ...]:
    return match.fields or tuple(TEXT_FIELDS)


def _alternatives(match: Match) -> Iterator[list[tuple[str, str]]]:
    """(field, token) pairs per word, any of which satisfies that word (as tantivy's Should clauses)."""
    # Stems and pinyin are one stream for title, body and subject together, so a query limited to one
    # field (title:) matches exact words only; otherwise a summary word would leak into title:.
    derived = match.fields is None
    for word in match.words:
        pairs = [(f, word.token) for f in _fields(match)]
        if derived:
            pairs += [("stem", s) for s in word.stems]
            if word.pinyin:
                pairs.append(("pinyin", word.pinyin))
        yield pairs


def needs_document(match: Match) -> bool:
    """Whether `words` alone cannot tell: a phrase needs positions, a field limit the field."""
    return match.phrase or match.fields is not None


def match_tsquery(match: Match) -> str | None:
    """The exact condition, on `document`."""
    if match.phrase:
        # <-> asks for the next position, as tantivy's phrase query; in any one of the fields.
        tokens = [w.token for w in match.words]
        return _any(_all((_lexeme(f, t) for t in tokens), "<->") for f in _fields(match))
    return _all(_any(_lexeme(f, t) for f, t in pairs) for pairs in _alternatives(match))


def _word_anywhere(token: str) -> list[tuple[str, str]]:
    """The `words` lexemes, as (code, token), of a document holding `token` in some text field (see
    _words): "x:token", or a stem of it the query looks up (a query word's stems are these or none)."""
    return [(ANY_FIELD, token), *((STEM, s) for s in sorted(query_stems(token)))]


def _word_lexemes(word: QueryWord) -> list[tuple[str, str]]:
    """The `words` lexemes, as (code, token), any of which finds a plain query word: also the stems the
    word was given beyond its token's (an acronym's plural as typed, SDGs, looks up sdg too)."""
    own = query_stems(word.token)
    return [
        *_word_anywhere(word.token),
        *((STEM, s) for s in word.stems if s not in own),
        *([(PINYIN, word.pinyin)] if word.pinyin else []),
    ]


def words_tsquery(match: Match) -> str | None:
    """The condition on `words`: exact for plain words, otherwise implied by match_tsquery."""
    if needs_document(match):
        # Every word somewhere in the text: what a phrase or a field-limited word has at least.
        return _all(
            _any(_prefixed(code, t) for code, t in _word_anywhere(w.token)) for w in match.words
        )
    return _all(_any(_prefixed(code, t) for code, t in _word_lexemes(word)) for word in match.words)


def filter_tsquery(filters: dict[str, list[str]]) -> tuple[str | None, bool]:
    """(tsquery over the facet lexemes, whether anything can pass): OR within a facet, AND across."""
    parts: list[str] = []
    for name, values in filters.items():
        if name not in FACETS and name not in FILTER_ONLY:
            raise ValueError(f"unknown filter field {name!r}")
        if not values:
            continue
        part = _any(_prefixed(FACET, f"{name}:{v}") for v in values)
        if part is None:
            return None, False  # only values too long to be indexed: nothing has them
        parts.append(part)
    return _all(parts), True


def idf(share: float) -> float:
    """How much a word found in this share of the documents counts: BM25's inverse document frequency,
    ln(1 + (N - n) / n), as tantivy scores, written with the share n / N (and smoothed)."""
    share = min(max(share, 0.0), 1.0)
    return math.log(1 + (1 - share + IDF_SMOOTHING) / (share + IDF_SMOOTHING))


@dataclass(frozen=True)
class WordShares:
    """The share of documents holding each of the most frequent lexemes of `words`, as ANALYZE counts
    them (pg_stats.most_common_elems, from a sample of the rows; the thousand most frequent at the
    default statistics target). A lexeme not listed is in at most `floor`, the lowest listed share."""

    shares: dict[str, float]
    floor: float

    def share(self, word: QueryWord) -> float:
        # A document holds the word if it holds any of the lexemes a query looks up for it (words_tsquery):
        # the word is in at least the share of the most frequent of them.
        found = (self.shares.get(f"{code}:{token}", 0.0) for code, token in _word_lexemes(word))
        return max(found) or self.floor

    def weight(self, words: list[QueryWord]) -> float:
        """The idf of a word, or the mean idf of a phrase's words."""
        return sum(idf(self.share(w)) for w in words) / len(words) if words else 1.0


def _units(match: Match) -> Iterator[tuple[list[QueryWord], list[tuple[str, str]]]]:
    """What a score weighs as one, with the (field, token) pairs that find it: a phrase whole, any other
    match word by word."""
    if match.phrase:
        yield match.words, [(f, w.token) for f in _fields(match) for w in match.words]
    else:
        yield from zip(([w] for w in match.words), _alternatives(match), strict=True)


def _rounded(weight: float) -> float:
    # Two significant digits: words about as rare share one ts_rank call per ranked document.
    return float(f"{weight:.2g}")


def rank_tsqueries(
    query: BackendQuery, shares: WordShares | None = None
) -> list[tuple[float, str, int]]:
    """(weight, tsquery, lexeme count) for each weight among the query's words. A word weighs its match's
    boost (translations count less, as in tantivy) times, with `shares`, its idf: without it "physical
    education" would rank a record for "education" in title and summary above one for "physical" in its
    title, where most records hold "education". Words of about the same weight share one tsquery.

    A tsquery of lexemes ORed makes ts_rank sum, over the lexemes found, their field weight (saturating
    with repeats) and divide by the number of lexemes; multiplied back by that number, the parts add up
    to one score in which every lexeme counts its field weight times its word's weight.
    """
    by_weight: dict[float, dict[str, None]] = {}
    for group in query.parsed.groups:
        for match in group:
            for words, pairs in _units(match):
                weight = match.boost * (shares.weight(words) if shares is not None else 1.0)
                lexemes = by_weight.setdefault(_rounded(weight), {})
                for field_name, token in pairs:
                    lexeme = _rank_lexeme(field_name, token)
                    if lexeme is not None:
                        lexemes[lexeme] = None
    return [
        (weight, " | ".join(lexemes), len(lexemes))
        for weight, lexemes in by_weight.items()
        if lexemes
    ]


def _rank_lexeme(field_name: str, token: str) -> str | None:
    """The `document` lexeme that ranks a document for one of a word's (field, token) pairs: stems
    without their language, as `document` holds them (see _vector)."""
    return _lexeme(field_name, bare_stem(token) if field_name == "stem" else token)


def _bit(token: str) -> int:
    # crc32, not hash(): the same bit in every process, at index and at query time.
    return zlib.crc32(token.encode()) % MASK_BITS


def _mask(tokens: Iterable[str]) -> int:
    mask = 0
    for token in tokens:
        mask |= 1 << _bit(token)
    return mask


def _query_masks(query: BackendQuery, shares: WordShares | None) -> list[tuple[int, int]]:
    """(weight, mask) pairs: the mask bits of the query's words that can match a title, grouped by
    weight: the reader's own words count twice, translations once, each times its idf (in eighths, so
    that the title score stays a small integer). A bit shared by two words counts the higher weight."""
    best: dict[int, int] = {}
    for group in query.parsed.groups:
        for match in group:
            if match.fields is not None and not set(match.fields) & set(MASK_FIELDS):
                continue
            for word in match.words:
                rarity = idf(shares.share(word)) if shares is not None else 1.0
                # At least one eighth, so that a word in nearly every title still counts, and the
                # reader's own words twice that of translations however common.
                weight = (2 if match.boost >= 1 else 1) * max(1, round(rarity * 8))
                bit = _bit(word.token)
                best[bit] = max(best.get(bit, 0), weight)
    masks: dict[int, int] = {}
    for bit, weight in best.items():
        masks[weight] = masks.get(weight, 0) | 1 << bit
    return sorted(masks.items())


def _split(mask: int) -> tuple[np.uint64, np.uint64]:
    return np.uint64(mask & 0xFFFF_FFFF_FFFF_FFFF), np.uint64(mask >> 64)


def _title_score(
    rows: np.ndarray, query: BackendQuery, meaning_only: list[int], shares: WordShares | None
) -> np.ndarray:
    """How much of the query each match has in its title or identifiers: its words found there, each by
    its weight (see _query_masks); -1 for matches found only by meaning."""
    score = np.zeros(len(rows), dtype=np.int64)
    for weight, mask in _query_masks(query, shares):
        lo, hi = _split(mask)
        score += weight * (
            np.bitwise_count(rows["lo"] & lo).astype(np.int64) + np.bitwise_count(rows["hi"] & hi)
        )
    if meaning_only:
        score[np.isin(rows["id"], meaning_only)] = -1
    return score


def _first(keys: list[np.ndarray], ids: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` first rows ordered by the key (ascending), then by id."""
    count = min(count, len(ids))
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if not keys:
        key = ids
    else:
        key = keys[0]
        low, high = (int(key.min()), int(key.max())) if key.dtype.kind == "i" else (0, -1)
        if 0 <= high - low < 1 << 15 and int(ids.min()) >= 0 and int(ids.max()) < 1 << 47:
            # Small integer keys (title scores, years): key and id in one int64, so one linear
            # partition finds the first rows, however many share a key.
            key = ((key - low) << 47) | ids
        else:
            # Only rows up to the count-th key can be among the first; ties at that key are all kept.
            threshold = np.partition(key, count - 1)[count - 1]
            chosen = np.flatnonzero(key <= threshold)
            order = np.lexsort((ids[chosen], key[chosen]))
            return chosen[order[:count]]
    chosen = np.argpartition(key, count - 1)[:count] if count < len(key) else np.arange(len(key))
    return chosen[np.argsort(key[chosen], kind="stable")]


@dataclass
class Compiled:
    """A BackendQuery as SQL: the rows that match, by their words (and those found by meaning)."""

    words: str | None  # what `words @@` must match: words, filters and plain exclusions together
    exact: str | None  # what `document @@` must match as well (phrases, field limits)
    conditions: list[str] = field(default_factory=list)  # on the row: year, ids, other exclusions
    params: dict[str, Any] = field(default_factory=dict)
    by_words: bool = True  # False: no words were asked for (browsing), every row passing is a match
    also: list[int] = field(default_factory=list)  # found by meaning: they match without the words
    rest: str | None = None  # for them: the filters and exclusions of `words`

    def word_rows(self) -> str:
        """The WHERE clause of the rows found by their words (or by the filters, when browsing)."""
        conditions = []
        if self.words is not None:
            conditions.append("words @@ %(words)s::tsquery")
        if self.exact is not None:
            conditions.append("document @@ %(exact)s::tsquery")
        return " AND ".join([*conditions, *self.conditions]) or "TRUE"

    def meaning_rows(self) -> str:
        """The WHERE clause of the resources found by meaning that their words do not match."""
        conditions = ["resource_id = ANY(%(also)s::bigint[])"]
        if self.words is not None:
            matched = ["words @@ %(words)s::tsquery"]
            if self.exact is not None:
                matched.append("document @@ %(exact)s::tsquery")
            # A few dozen rows: reading their tsvectors is cheap.
            conditions.append(f"NOT ({' AND '.join(matched)})")
        if self.rest is not None:
            # Checked on these rows only: coalesce() keeps the planner from starting a GIN scan with
            # it (a tsquery of only exclusions would read the whole index).
            conditions.append("coalesce(words @@ %(rest)s::tsquery, FALSE)")
        return " AND ".join([*conditions, *self.conditions])


def compile_query(query: BackendQuery) -> Compiled | None:
    """The SQL conditions of a query; None when nothing can match."""
    parsed = query.parsed
    filters, possible = filter_tsquery(query.filters)
    if not possible:
        return None
    compiled = Compiled(words=None, exact=None)
    params, conditions = compiled.params, compiled.conditions

    compiled.by_words = bool(parsed.groups)
    if parsed.groups:
        matches = [m for group in parsed.groups for m in group]
        group_words = [_any(words_tsquery(m) for m in group) for group in parsed.groups]
        compiled.words = _all(group_words) if query.match_all_terms else _any(group_words)
        if any(needs_document(m) for m in matches):
            groups = [_any(match_tsquery(m) for m in group) for group in parsed.groups]
            compiled.exact = _all(groups) if query.match_all_terms else _any(groups)
            if compiled.exact is None:
                compiled.words = None
        if compiled.words is None:
            compiled.exact = None
            if not query.also_ids:
                return None

    # Exclusions of plain words join the tsquery, which GIN answers exactly, as long as it has
    # something positive to start from; the others are a subquery. Never NOT on a row's tsvector: that
    # would read the tsvector of every match.
    rest = filters
    # Excluded filter values (-type:report) are facet lexemes, left out like plain words.
    excluded = _any(
        [
            *(words_tsquery(m) for m in parsed.excluded),
            *(
                _prefixed(FACET, f"{name}:{value}")
                for name, values in parsed.excluded_filters.items()
                for value in values
            ),
        ]
    )
    if excluded is not None:
        exact_needed = any(needs_document(m) for m in parsed.excluded)
        if not exact_needed and (filters is not None or compiled.words is not None):
            rest = f"({filters} & !{excluded})" if filters is not None else f"!{excluded}"
        else:
            subquery = f"SELECT resource_id FROM {TABLE} WHERE words @@ %(excluded)s::tsquery"
            params["excluded"] = excluded
            if exact_needed:
                subquery += " AND document @@ %(excluded_exact)s::tsquery"
                params["excluded_exact"] = _any(match_tsquery(m) for m in parsed.excluded)
            conditions.append(f"resource_id NOT IN ({subquery})")

    if not compiled.by_words:
        compiled.words = rest  # browsing: the filters (and exclusions) alone, if any
    elif compiled.words is not None and rest is not None:
        compiled.words = f"({compiled.words} & {rest})"
    if compiled.words is not None:
        params["words"] = compiled.words
    if compiled.exact is not None:
        params["exact"] = compiled.exact
    if compiled.by_words and query.also_ids:
        compiled.also = list(query.also_ids)
        params["also"] = compiled.also
        compiled.rest = rest
        if rest is not None:
            params["rest"] = rest

    if query.after_id is not None:
        conditions.append("resource_id > %(after)s")
        params["after"] = query.after_id
    if query.restrict_ids is not None:
        conditions.append("resource_id = ANY(%(restrict)s::bigint[])")
        params["restrict"] = list(query.restrict_ids)
    if parsed.year_range:
        conditions.append("year BETWEEN %(year_from)s AND %(year_to)s")
        params["year_from"], params["year_to"] = parsed.year_range
    return compiled


def _rank_sql(
    parts: list[tuple[float, str, int]], column: str, name: str, params: dict[str, Any]
) -> str:
    """Σ boost × lexemes × ts_rank(column, part): the relevance score (see rank_tsqueries)."""
    if not parts:
        return "0.0"
    params["weights"] = RANK_WEIGHTS
    terms = []
    for i, (boost, tsquery, size) in enumerate(parts):
        params[f"{name}_boost_{i}"] = boost * size
        params[f"{name}_query_{i}"] = tsquery
        terms.append(
            f"%({name}_boost_{i})s::float8 * "
            f"ts_rank(%(weights)s::float4[], {column}, %({name}_query_{i})s::tsquery)"
        )
    return " + ".join(terms)


@contextmanager
def _search_settings() -> Iterator[None]:
    """One transaction, planned for this table.

    - enable_seqscan off: the planner thinks `@@` costs as little as any operator, but on a row whose
      tsvector is out of line it costs a TOAST read; a sequential scan would read every one.
    - jit off: a broad query's estimated cost passes the JIT threshold, and compiling costs more than
      the query.
    - work_mem: the bitmap of a broad query's matches stays exact (a lossy one would make PostgreSQL
      recheck its pages, reading the `words` of every row there), and an exclusion's NOT IN a hash.
    - statement_timeout: a statement may run only for what is left of its search's time
      (settings.SEARCH_TIMEOUT_MS for the whole search, see base.time_left_ms); PostgreSQL stops it,
      and the search raises SearchTimeout. Its transaction (a savepoint inside a request's) rolls back,
      and with it these settings. Without a limit, the database's own statement_timeout stays.
    """
    outer = connection.in_atomic_block
    limit = time_left_ms(settings.SEARCH_TIMEOUT_MS)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
                    "current_setting('work_mem'), current_setting('statement_timeout'), "
                    "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
                    "set_config('work_mem', '64MB', true), set_config('statement_timeout', "
                    "coalesce(%s, current_setting('statement_timeout')), true)",
                    [None if limit is None else f"{limit}ms"],
                )
                before = cursor.fetchone()[:4]
            yield
            if outer:
                # SET LOCAL lasts to the end of the enclosing transaction, not of our savepoint.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true), "
                        "set_config('work_mem', %s, true), set_config('statement_timeout', %s, true)",
                        list(before),
                    )
    except (psycopg.errors.QueryCanceled, OperationalError) as error:
        # Django's cursors wrap the driver's error; the backend's own psycopg cursor does not.
        cancelled = error if isinstance(error, psycopg.errors.QueryCanceled) else error.__cause__
        if not isinstance(cancelled, psycopg.errors.QueryCanceled):
            raise
        reason = cancelled.diag.message_primary or "cancelled"
        raise SearchTimeout(
            f"PostgreSQL stopped a search statement after {limit} ms ({reason})"
            if limit is not None
            else f"PostgreSQL stopped a search statement ({reason})"
        ) from error


@dataclass
class _FacetTable:
    """SearchFacetValue rows as arrays indexed by id, for counting in numpy."""

    names: dict[str, int] = field(default_factory=dict)  # facet name -> number
    facet: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # -1: unknown id
    byte_order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # of the value
    values: dict[int, str] = field(default_factory=dict)


class _FacetValues:
    """The process's copy of search_facet_value. Ids are never reused (a sequence), so what is known
    stays true; ids not known yet are read when a count meets them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table = _FacetTable()

    def covering(self, ids: np.ndarray) -> _FacetTable:
        table = self._table
        known = ids < len(table.facet)
        if known.all() and (table.facet[ids] >= 0).all():
            return table
        with self._lock:
            table = self._table
            missing = [pk for pk in ids.tolist() if pk >= len(table.facet) or table.facet[pk] < 0]
            if missing:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT id, name, value FROM {FACET_TABLE} WHERE id = ANY(%s::int[])",
                        [missing],
                    )
                    rows = cursor.fetchall()
                table = self._extended(table, rows)
                self._table = table  # replaced whole: readers keep a consistent one
            return table

    @staticmethod
    def _extended(table: _FacetTable, rows: list[tuple[int, str, str]]) -> _FacetTable:
        names = dict(table.names)
        values = dict(table.values)
        size = max([len(table.facet), *(pk + 1 for pk, _n, _v in rows)])
        facet = np.full(size, -1, np.int32)
        facet[: len(table.facet)] = table.facet
        for pk, name, value in rows:
            facet[pk] = names.setdefault(name, len(names))
            values[pk] = value
        # Ties in a count are broken by the value's bytes: rank every known value once.
        byte_order = np.zeros(size, np.int64)
        ranked = sorted(values, key=lambda pk: values[pk].encode())
        byte_order[ranked] = np.arange(len(ranked))
        return _FacetTable(names=names, facet=facet, byte_order=byte_order, values=values)


_FACET_VALUES = _FacetValues()


@dataclass(frozen=True)
class _IndexState:
    """What a search's answer depends on besides the query (PostgresBackend._state)."""

    key: str  # generation, tables, last ANALYZE: names a remembered answer
    statistics: str  # the search table and its last ANALYZE: names the WordShares read for it


class PostgresBackend:
    name = "postgres"

    def __init__(self) -> None:
        # Whole answers (total, facet counts, one page) by query, for one generation of the index: see
        # `search` and decisions/0007.
        self._answers: Remembered[tuple[int, array[int], array[float], PackedFacets]] = Remembered(
            ANSWER_CACHE_SIZE
        )
        self.count_cache = True  # the benchmark switches it off to time the engine alone
        # (the table and its last ANALYZE, as _IndexState.statistics; WordShares or None).
        self._shares: tuple[str, WordShares | None] = ("", None)

    # -- writing -------------------------------------------------------------------------------------
    def _lock(self) -> None:
        """Take the write lock and start a new generation of the index, both until the transaction ends.

        The trigger of migration 0003 starts one for every statement that changes the rows; this one is
        for what fires no trigger (replace_all's DROP and RENAME). Readers see the new generation exactly
        when they can see the write, and a write that rolls back takes its generation with it (nextval
        never gives that number again, so no answer is ever filed under it for other rows)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            cursor.execute(_NEW_GENERATION)

    def _facet_ids(
        self, cursor: Any, pairs: Iterable[tuple[str, str]], known: dict[tuple[str, str], int]
    ) -> None:
        """Fill `known` with the ids of these (name, value) pairs, adding the values never seen."""
        missing = [p for p in dict.fromkeys(pairs) if p not in known]
        if not missing:
            return
        lookup = (
            f"SELECT name, value, id FROM {FACET_TABLE} "
            "WHERE (name, value) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"
        )
        names, values = [p[0] for p in missing], [p[1] for p in missing]
        cursor.execute(lookup, [names, values])
        for name, value, pk in cursor.fetchall():
            known[(name, value)] = pk
        new = [p for p in missing if p not in known]
        if new:
            # Writers hold WRITE_LOCK, so nobody adds the same values meanwhile; ON CONFLICT covers
            # a writer that does not.
            cursor.execute(
                f"INSERT INTO {FACET_TABLE} (name, value) "
                "SELECT * FROM unnest(%s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                [[p[0] for p in new], [p[1] for p in new]],
            )
            cursor.execute(lookup, [[p[0] for p in new], [p[1] for p in new]])
            for name, value, pk in cursor.fetchall():
                known[(name, value)] = pk

    def _rows(
        self, cursor: Any, docs: list[IndexDocument], known: dict[tuple[str, str], int]
    ) -> list[tuple[Any, ...]]:
        """Table rows for these documents, in column order (see _COLUMNS)."""
        pairs = [
            [(name, value) for name, values in doc.facets.items() for value in values]
            for doc in docs
        ]
        self._facet_ids(cursor, (p for doc_pairs in pairs for p in doc_pairs), known)
        rows = []
        pack = _RANKING_ROW.pack
        for doc, doc_pairs in zip(docs, pairs, strict=True):
            fields = _positions(doc.text)
            mask = _mask(t for name in MASK_FIELDS for t in fields.get(name, ()))
            codes = np.fromiter(
                dict.fromkeys(known[p] for p in doc_pairs), dtype="<i4", count=-1
            ).tobytes()
            rows.append(
                (
                    doc.id,
                    doc.year,
                    pack(
                        doc.id,
                        float(doc.created),
                        -1 if doc.year is None else doc.year,
                        mask & 0xFFFF_FFFF_FFFF_FFFF,
                        mask >> 64,
                    ),
                    codes,
                    doc.sort_title,
                    _vector(fields, FIELD_CODES),
                    _words(fields, doc.facets),
                    doc.sort_title_zh,
                )
            )
        return rows

    _COLUMNS = "resource_id, year, ranking, facet_codes, sort_title, document, words, sort_title_zh"

    def _upsert(self, docs: Iterable[IndexDocument]) -> int:
        row = "(%s, %s, %s, %s, %s, %s::tsvector, %s::tsvector, %s)"
        conflict = (
            "ON CONFLICT (resource_id) DO UPDATE SET year = EXCLUDED.year, "
            "ranking = EXCLUDED.ranking, facet_codes = EXCLUDED.facet_codes, "
            "sort_title = EXCLUDED.sort_title, document = EXCLUDED.document, words = EXCLUDED.words, "
            "sort_title_zh = EXCLUDED.sort_title_zh"
        )
        count = 0
        known: dict[tuple[str, str], int] = {}
        iterator = iter(docs)
        while batch := list(islice(iterator, BATCH)):
            # One statement a batch, not one a row: the table's trigger (migration 0003) then runs once
            # a batch (row by row it doubled the time of a 5,000-document write). A statement may not
            # change a row twice, so a resource given twice in a batch is written as last given.
            unique = list({doc.id: doc for doc in batch}.values())
            with connection.cursor() as cursor:
                rows = self._rows(cursor, unique, known)
                cursor.execute(
                    f"INSERT INTO {TABLE} ({self._COLUMNS}) VALUES "
                    f"{', '.join([row] * len(rows))} {conflict}",
                    [value for values in rows for value in values],
                )
            count += len(rows)
        return count

    def index(self, docs: Iterable[IndexDocument]) -> int:
        with transaction.atomic():
            self._lock()
            return self._upsert(docs)

    def refresh_statistics(self) -> None:
        """Read the table's statistics now (ANALYZE), not when autovacuum gets to them: the relevance
        order weighs words by them (`_word_shares`), and a reader paging just after `llrc init --demo`
        (rows added one by one, never analysed) saw pages repeat and skip results when autovacuum
        analysed the table some 30 s later and the order changed."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def replace_all(self, docs: Iterable[IndexDocument]) -> int:
        """Fill a new table and swap it in, all in one transaction.

        Readers see the old table until the commit and wait only for the swap itself (a DROP and a few
        RENAMEs at the end). Filling an empty table without indexes and building them afterwards is many
        times faster than inserting into indexed rows (and than DELETE plus INSERT, which also leaves the
        table twice its size until vacuumed).
        """
        new = f"{TABLE}_new"
        with transaction.atomic():
            self._lock()
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                cursor.execute(
                    "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = %s::regclass",
                    [TABLE],
                )
                options = ", ".join(cursor.fetchone()[0])
                cursor.execute(
                    f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE "
                    f"INCLUDING COMPRESSION INCLUDING CONSTRAINTS)"
                    + (f" WITH ({options})" if options else "")
                )
                count = self._copy(cursor, new, docs)
                cursor.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary "
                    "FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
                    "WHERE i.indrelid = %s::regclass ORDER BY i.indisprimary DESC, c.relname",
                    [TABLE],
                )
                indexes = cursor.fetchall()
                for name, definition, _primary in indexes:
                    cursor.execute(_renamed_index(definition, f"{name}_new", new))
                # The table's own triggers (the generation's, migration 0003), made again on the new
                # table once it has the name: LIKE copies none. Filling it fires none either, which is
                # right: `_lock` set the generation once for the whole swap.
                cursor.execute(
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE tgrelid = %s::regclass AND NOT tgisinternal ORDER BY tgname",
                    [TABLE],
                )
                triggers = [row[0] for row in cursor.fetchall()]
                # Statistics now, not when autovacuum gets to it: the planner needs them at once.
                cursor.execute(f"ANALYZE {new}")
                cursor.execute(f"DROP TABLE {TABLE}")
                cursor.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
                for name, _definition, primary in indexes:
                    if primary:
                        cursor.execute(
                            f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} "
                            f"PRIMARY KEY USING INDEX {name}_new"
                        )
                    else:
                        cursor.execute(f"ALTER INDEX {name}_new RENAME TO {name}")
                for definition in triggers:
                    cursor.execute(definition)
            return count

    def _copy(self, cursor: Any, table: str, docs: Iterable[IndexDocument]) -> int:
        raw = cursor.cursor  # psycopg's own cursor: COPY
        known: dict[tuple[str, str], int] = {}
        seen: set[int] = set()
        count = 0
        iterator = iter(docs)
        # In batches: the documents may come from queries on this same connection, which cannot run
        # while a COPY is open. (No FREEZE: PostgreSQL refuses it when such a query left a cursor open,
        # and the refusal would abort the rebuild. Autovacuum sets the visibility map soon after.)
        while batch := list(islice(iterator, COPY_BATCH)):
            # A resource given twice is indexed once (the first time), as the primary key demands.
            unique = []
            for doc in batch:
                if doc.id not in seen:
                    seen.add(doc.id)
                    unique.append(doc)
            rows = self._rows(cursor, unique, known)
            with raw.copy(f"COPY {table} ({self._COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            count += len(rows)
        return count

    def delete(self, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        with transaction.atomic():
            self._lock()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE resource_id = ANY(%s::bigint[])", [wanted]
                )

    # -- reading -------------------------------------------------------------------------------------
    def _state(self) -> _IndexState:
        """The state of the index as this connection sees it now: the generation, and the generation
        table's and the search table's identities, so that a generation table made anew (migration 0003
        reversed and applied again restarts the sequence) or a table swapped or truncated in a way that
        fired no trigger cannot bring an old key back; and when the table was last analysed, because
        the ranking weighs words by the statistics ANALYZE keeps (WordShares): an ANALYZE changes the
        order of answers without writing a row.

        PostgreSQL keeps the analysis times it has read until the transaction ends: a search in a
        transaction that analysed the table itself goes on seeing the earlier time. An ANALYZE
        reports its time a moment before its statistics commit; a process that reads them in between
        keeps the earlier statistics under the new time until the next ANALYZE: its order of results
        stays one order, only not the newest."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT value FROM {GENERATION_TABLE} WHERE id = 1), %s::regclass::oid, "
                "t.oid, pg_relation_filenode(t.oid), greatest(pg_stat_get_last_analyze_time(t.oid), "
                "pg_stat_get_last_autoanalyze_time(t.oid)) FROM (SELECT %s::regclass::oid AS oid) AS t",
                [GENERATION_TABLE, TABLE],
            )
            value, generations, table, filenode, analysed = cursor.fetchone()
        return _IndexState(
            key=f"{value}.{generations}.{filenode}.{analysed}", statistics=f"{table}.{analysed}"
        )

    def forget_counts(self) -> None:
        """Forget every remembered answer (the benchmark starts cold)."""
        self._answers.clear()

    @property
    def count_hits(self) -> int:
        return self._answers.hits

    @property
    def count_misses(self) -> int:
        return self._answers.misses

    def start_search(self, query: BackendQuery) -> Deferred:
        # One connection per thread, and each statement waits for its answer: nothing can run meanwhile.
        return Deferred(partial(self.search, query))

    def search(self, query: BackendQuery) -> BackendResult:
        # Readers repeat queries (topics on the home page, facet clicks, paging back), and a broad query
        # costs hundreds of milliseconds here at a million records: its answer is kept until the next
        # write (decisions/0007). The generation is read before the search runs, and under READ
        # COMMITTED (Django's default) every statement after it sees at least that state: an answer is
        # filed under a generation no newer than the rows it was computed from, so no reader of a later
        # generation is ever given it.
        if own_filtered(query):
            # Each facet counted without its own filter is a search of its own here.
            main, apart = own_facets_apart(query)
            answer = self.search(main)
            for name, counting in apart.items():
                answer.facets[name] = self.search(counting).facets.get(name, [])
            return answer
        state = self._state()
        key = f"{state.key} {query!r}" if self.count_cache else None
        if key is not None:
            found = self._answers.get(key)
            if found is not None:
                total, ids, scores, facets = found
                return BackendResult(
                    total=total, ids=list(ids), scores=list(scores), facets=unpacked(facets)
                )
        result = self._search(query, state)
        if key is not None:
            self._answers.put(
                key,
                (
                    result.total,
                    array("q", result.ids),
                    array("d", result.scores),
                    packed(result.facets),
                ),
            )
        return result

    def _search(self, query: BackendQuery, state: _IndexState) -> BackendResult:
        compiled = compile_query(query)
        if compiled is None:
            return BackendResult(total=0, ids=[], scores=[], facets={})
        sort = query.sort
        if sort == "relevance" and not query.parsed.has_words:
            sort = "newest_added"
        if sort not in BACKEND_SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        with_facets = bool(query.facets)
        # One pass over the matches: their fixed-size records and their facet codes concatenated;
        # everything else happens here (numpy), or on the few rows of the page. The number of matches
        # is the length of the records (one aggregate less per row), except for the title order,
        # which PostgreSQL sorts and which needs no records.
        outputs = [
            "NULL" if sort not in TITLE_COLUMNS else "count(*)",
            "string_agg(facet_codes, ''::bytea)" if with_facets else "NULL::bytea",
            "string_agg(ranking, ''::bytea)" if sort not in TITLE_COLUMNS else "NULL::bytea",
            "array_agg(resource_id) FILTER (WHERE NOT by_words)" if compiled.also else "NULL",
        ]
        # psycopg's own cursor (binary results): Django's binds parameters client-side, which allows
        # text results only, and the records of a broad query are megabytes of bytea.
        with _search_settings(), psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"SELECT {', '.join(outputs)} FROM ({self._matched(compiled)}) AS matched",
                compiled.params,
                prepare=False,
                binary=True,
            )
            # An aggregate without GROUP BY gives one row, even over no rows.
            count, codes, records, meaning_only = cast("tuple[Any, ...]", cursor.fetchone())
            scores: list[float] = []
            if sort in TITLE_COLUMNS:
                total = int(count)
                ids = self._title_page(cursor, compiled, query, TITLE_COLUMNS[sort])
            else:
                total = len(records or b"") // RANKING.itemsize
                ids, scores = self._page(
                    cursor, query, sort, records or b"", meaning_only or [], state
                )
        facets: dict[str, list[tuple[str, int]]] = {}
        if with_facets and total:
            facets = self._count_facets(codes or b"", query)
        return BackendResult(
            total=total,
            ids=ids,
            scores=scores if sort == "relevance" else [0.0] * len(ids),
            facets=facets,
        )

    def _matched(self, compiled: Compiled, title: str = "") -> str:
        """The matching rows (resource_id, ranking, facet_codes, by_words), and the `title` key column
        when a page is ordered by it."""
        columns = f"resource_id, ranking, facet_codes{f', {title}' if title else ''}"
        words = f"SELECT {columns}, TRUE AS by_words FROM {TABLE} WHERE {compiled.word_rows()}"
        if not compiled.also:
            return words
        meaning = (
            f"SELECT {columns}, FALSE AS by_words FROM {TABLE} WHERE {compiled.meaning_rows()}"
        )
        if compiled.words is None:
            return meaning  # no word could be looked up: only what meaning found matches
        return f"{words} UNION ALL {meaning}"

    def _page(
        self,
        cursor: Any,
        query: BackendQuery,
        sort: str,
        records: bytes,
        meaning_only: list[int],
        state: _IndexState,
    ) -> tuple[list[int], list[float]]:
        """The ids (and relevance scores) of the page, from the matches' ranking records."""
        rows = np.frombuffer(records, dtype=RANKING)
        depth = query.offset + query.limit
        if sort == "relevance":
            depth = max(depth, RANK_WINDOW)
        ids = rows["id"]
        if sort == "relevance":
            shares = self._word_shares(cursor, state)
            keys: list[np.ndarray] = [-_title_score(rows, query, meaning_only, shares)]
        elif sort == "newest":
            keys = [np.where(rows["year"] < 0, np.iinfo(np.int64).max, -rows["year"])]
        elif sort == "oldest":
            keys = [np.where(rows["year"] < 0, np.iinfo(np.int64).max, rows["year"])]
        elif sort == "newest_added":
            keys = [-rows["created"]]
        else:  # id
            keys = []
        order = _first(keys, ids, depth)
        ranked = ids[order].tolist()
        if sort != "relevance":
            return ranked[query.offset : query.offset + query.limit], []
        # The RANK_WINDOW with the best title score are ordered by their whole document's score; past
        # them, the order is the title score's, so pages never repeat or skip a result.
        window, rest = ranked[:RANK_WINDOW], ranked[RANK_WINDOW:]
        by_meaning = set(meaning_only)
        scores = {i: 0.0 for i in window if i in by_meaning}  # as tantivy's constant score 0
        if query.offset < RANK_WINDOW:
            words = [i for i in window if i not in by_meaning]
            scores |= self._document_scores(cursor, query, words, shares)
            # A resource deleted since the first statement has no score now: it drops out.
            shown = sorted((i for i in window if i in scores), key=lambda i: (-scores[i], i))
        else:
            # A page past the window needs only how many the window holds, not their order: kept
            # to the meaning matches (those given a score above), pages 6 and on of 20 were empty.
            shown = window
        # Past the window only the order is known: the scores there repeat the window's lowest, so
        # they never rise down the list (and a word match stays above 0, a meaning match at 0).
        floor = min((v for v in scores.values() if v > 0), default=1e-6)
        scores |= {i: 0.0 if i in by_meaning else floor for i in rest}
        page = (shown + rest)[query.offset : query.offset + query.limit]
        return page, [scores[i] for i in page]

    def _word_shares(self, cursor: Any, state: _IndexState) -> WordShares | None:
        """How many documents hold the most frequent words, for the idf of the relevance score: from the
        statistics PostgreSQL keeps anyway (ANALYZE after every rebuild, autovacuum after many updates),
        read again when the table was analysed since (`state`). Counting a common word's documents at a
        million records would read most of its GIN postings on every search. None before the table was
        ever analysed, or from fewer than MIN_ANALYSED_ROWS rows: every word then weighs the same."""
        read_for, shares = self._shares
        if read_for == state.statistics:
            return shares
        # most_common_elems is an anyarray column: through text to text[]. The frequencies list the
        # elements' shares, then the lowest and the highest of them (and, for some types, a null share).
        # reltuples is the row count ANALYZE saw (-1 after a TRUNCATE). It is updated in place, so an
        # ANALYZE rolled back leaves its count beside the statistics it replaced: the guard is against
        # a table analysed with a handful of rows, not proof that these statistics describe them.
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs "
            "FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "JOIN pg_stats AS s ON s.schemaname = n.nspname AND s.tablename = c.relname "
            "AND s.attname = 'words' WHERE c.oid = %s::regclass",
            [TABLE],
            prepare=False,
        )
        row = cursor.fetchone()
        shares = None
        if row is not None and row[0] >= MIN_ANALYSED_ROWS and row[1] and len(row[2]) > len(row[1]):
            _rows, elements, frequencies = row
            shares = WordShares(
                shares=dict(zip(elements, map(float, frequencies), strict=False)),
                floor=float(frequencies[len(elements)]),
            )
        self._shares = (state.statistics, shares)
        return shares

    def _document_scores(
        self, cursor: Any, query: BackendQuery, ids: list[int], shares: WordShares | None
    ) -> dict[int, float]:
        if not ids:
            return {}
        params: dict[str, Any] = {"ids": ids}
        score = _rank_sql(rank_tsqueries(query, shares), "d", "rank", params)
        # Each ts_rank call would fetch and decompress the document from TOAST again (one call per word
        # weight): `|| ''` makes it a value in memory once per row, for every call (about 8 µs a call
        # and document saved at a million records, measured 2026-11-29).
        cursor.execute(
            f"SELECT resource_id, {score} FROM (SELECT resource_id, document || ''::tsvector AS d "
            f"FROM {TABLE} WHERE resource_id = ANY(%(ids)s::bigint[]) OFFSET 0) AS ranked",
            params,
            prepare=False,
        )
        return {int(i): float(v) for i, v in cursor.fetchall()}

    def _title_page(
        self, cursor: Any, compiled: Compiled, query: BackendQuery, column: str
    ) -> list[int]:
        # Titles are text: PostgreSQL sorts them (byte order: the column's collation is "C").
        cursor.execute(
            f"SELECT resource_id FROM ({self._matched(compiled, column)}) AS matched "
            f"ORDER BY {column}, resource_id LIMIT %(limit)s OFFSET %(offset)s",
            compiled.params | {"limit": query.limit, "offset": query.offset},
            prepare=False,
        )
        return [int(row[0]) for row in cursor.fetchall()]

    def _count_facets(self, blob: bytes, query: BackendQuery) -> dict[str, list[tuple[str, int]]]:
        """Facet counts from the matches' concatenated codes; per facet the most frequent values, ties in
        byte order of the value, as tantivy's terms aggregation gives them."""
        counts = np.bincount(np.frombuffer(blob, dtype="<i4"))
        present = np.flatnonzero(counts)
        table = _FACET_VALUES.covering(present)
        facet_of = table.facet[present]
        out: dict[str, list[tuple[str, int]]] = {}
        for name in query.facets:
            ids = present[facet_of == table.names.get(name, -1)]
            n = counts[ids]
            size = facet_size(query, name)
            top = np.lexsort((table.byte_order[ids], -n))[:size]
            out[name] = [
                (table.values[pk], count)
                for pk, count in zip(ids[top].tolist(), n[top].tolist(), strict=True)
            ]
        return out

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return int(cursor.fetchone()[0])

    # -- "did you mean" (search.services uses these when a backend has them) -------------------------
    def term_frequency(self, word: str, fields: tuple[str, ...] = TERM_FIELDS) -> int:
        """Documents holding `word` as an exact token or pinyin, summed over the fields as tantivy does
        (0 means: probably misspelt), counted in at most WORD_SAMPLE of the documents that may hold it
        (the word, or one of its stems, or its pinyin: `words` keeps an English word only as its stem),
        the first in table order. Exact when fewer may hold it; otherwise a lower bound, and 1 when
        none in a full sample holds the word itself: a word whose stems fill the sample is a form of
        an indexed word, not a misspelling for "did you mean" to correct."""
        lexemes = [
            lexeme for field_name in fields if (lexeme := _lexeme(field_name, word)) is not None
        ]
        pairs = [*_word_anywhere(word)] if set(fields) - {"pinyin"} else []
        if "pinyin" in fields:
            pairs.append((PINYIN, word))
        candidates = _any(_prefixed(code, t) for code, t in pairs)
        if not lexemes or candidates is None:
            return 0
        counts = " + ".join(["count(*) FILTER (WHERE document @@ %s::tsquery)"] * len(lexemes))
        with _search_settings(), connection.cursor() as cursor:
            # `words` finds the documents; `document` tells the fields (only theirs are read).
            cursor.execute(
                f"SELECT {counts}, count(*) FROM (SELECT document FROM {TABLE} "
                "WHERE words @@ %s::tsquery LIMIT %s) AS sample",
                [*lexemes, candidates, WORD_SAMPLE],
            )
            found, sampled = cursor.fetchone()
        if not found and sampled >= WORD_SAMPLE:
            return 1
        return int(found or 0)

    def has_word(self, word: str) -> bool:
        """Whether some document holds `word` in a text field, itself or in a form the query looks up
        (`words` alone). Asked of every long Chinese word of a query, before it is looked for as its
        parts: term_frequency, which tells the fields apart, reads up to WORD_SAMPLE documents from
        TOAST for a common word, tens of milliseconds at a million records for a yes or no that
        `words` gives without reading any document."""
        condition = _any(_prefixed(code, t) for code, t in _word_anywhere(word))
        if condition is None:
            return False
        with _search_settings(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT EXISTS (SELECT FROM {TABLE} WHERE words @@ %s::tsquery)", [condition]
            )
            return bool(cursor.fetchone()[0])

    def memory_advice(self) -> str:
        """`buffer_advice` for this server and this table's present size."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('shared_buffers'), "
                "pg_size_bytes(current_setting('shared_buffers')), "
                "pg_relation_size(%s::regclass) + pg_indexes_size(%s::regclass)",
                [TABLE, TABLE],
            )
            setting, shared, searched = cursor.fetchone()
        return buffer_advice(setting, int(shared), int(searched))

    def prewarm(self, advice: str | None = None) -> int | None:
        """Read the search table's rows and indexes into PostgreSQL's buffer cache, where the pg_prewarm
        extension is installed (creating it takes a superuser) and the cache can hold them
        (`memory_advice` has nothing to say; `advice` is what it said when the caller has just asked):
        the first searches after a restart then find their pages there instead of reading each from the
        operating system. Returns the blocks read, or None when it read nothing."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_extension AS e "
                "JOIN pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_prewarm'"
            )
            row = cursor.fetchone()
            if row is None or (self.memory_advice() if advice is None else advice):
                return None
            function = f"{connection.ops.quote_name(row[0])}.pg_prewarm"
            cursor.execute(
                f"SELECT {function}(%s::regclass) + coalesce((SELECT sum({function}(indexrelid)) "
                "FROM pg_index WHERE indrelid = %s::regclass), 0)",
                [TABLE, TABLE],
            )
            return int(cursor.fetchone()[0])

    def similar_terms(self, word: str, *, limit: int = 2000) -> list[tuple[str, int]]:
        """Indexed words that start like `word` (typos rarely hit the first letters), with their counts:
        per field the `limit` most frequent, ties in byte order, as tantivy's terms_with_prefix. Read from
        at most WORD_SAMPLE documents with such words: in a large index the counts are those in the
        sample (what "did you mean" compares them for is which of two equally close words is more
        common), and a word found only outside it is not offered. The sample is the first documents in
        table order, not a random one: it leans to the records indexed first."""
        prefix = word[:2] if len(word) >= 4 else word[:1]
        starts = [f"{FIELD_CODES[f]}:{prefix}" for f in ("title", "subject", "body", "pinyin")]
        if any(len(s.encode()) > MAX_LEXEME_BYTES for s in starts):
            return []
        # A word of the text is under "x:" or, when a stem stands for it, under "m:" (see _words);
        # stems keep a word's first letters (except where the Arabic stemmer strips a prefix).
        candidates = " | ".join(
            f"{_quote(f'{code}:{prefix}')}:*" for code in (ANY_FIELD, STEM, PINYIN)
        )
        # A prefix of one letter (words of three) finds most of the index before the sample is taken:
        # the time limit bounds that.
        with _search_settings(), connection.cursor() as cursor:
            # A prefix tsquery ('x:ab':*) finds the documents through the GIN index; unnest lists
            # their words per field.
            cursor.execute(
                f"""
                SELECT word.lexeme, count(*)
                FROM (SELECT document FROM {TABLE} WHERE words @@ %s::tsquery LIMIT %s) AS sample
                CROSS JOIN LATERAL unnest(sample.document) AS word
                WHERE word.lexeme ^@ ANY(%s::text[])
                GROUP BY word.lexeme
                """,
                [candidates, WORD_SAMPLE, starts],
            )
            found = cursor.fetchall()
        counts: dict[str, int] = {}
        for start in starts:
            code_length = start.index(":") + 1
            in_field = sorted(
                (-int(n), lexeme.encode()) for lexeme, n in found if lexeme.startswith(start)
            )
            for minus_n, lexeme_bytes in in_field[:limit]:
                term = lexeme_bytes.decode()[code_length:]
                counts[term] = counts.get(term, 0) - minus_n
        return list(counts.items())


_INDEX_DEFINITION = re.compile(
    r"^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:ONLY )?)(\S+)( .*)$", re.S
)


MIB = 1024 * 1024
# shared_buffers is advised in steps of this much, with this much room beside the search table for the
# catalogue's own pages.
BUFFER_STEP = 256 * MIB
BUFFER_ROOM = 1.25


def buffer_advice(setting: str, shared: int, searched: int) -> str:
    """What to tell the operator when PostgreSQL's buffer cache (`shared`, set as `setting`) cannot hold
    what a search reads of the search table (`searched`: its heap and indexes, not the positioned
    documents in TOAST, which only the best hundred matches are ranked from), or "". A search then reads
    most of its pages from the operating system again: at a million records (716 MiB) the first answers
    of the benchmark's mix had p50 49 ms with the default 128 MB and 36 ms with 1 GB (measured
    2026-11-30, docs/operations/settings.md)."""
    if searched <= shared:
        return ""
    steps = -(-int(searched * BUFFER_ROOM) // BUFFER_STEP)
    advised = steps * BUFFER_STEP
    size = f"{advised // 1024**3} GB" if advised % 1024**3 == 0 else f"{advised // MIB} MB"
    return (
        f"PostgreSQL's shared_buffers ({setting}) is smaller than what searches read of the search "
        f"table ({searched / MIB:,.0f} MB of rows and indexes): searches read their pages from the "
        f"operating system again and again. Set shared_buffers to {size} or more "
        "(docs/operations/settings.md, PostgreSQL)."
    )


def _renamed_index(definition: str, name: str, table: str) -> str:
    """pg_get_indexdef's statement for the same index under another name, on another table."""
    found = _INDEX_DEFINITION.match(definition)
    if found is None:
        raise ValueError(f"unexpected index definition: {definition}")
    return f"{found[1]}{name}{found[3]}{table}{found[5]}"
