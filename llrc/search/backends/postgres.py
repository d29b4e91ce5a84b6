"""Shared search on PostgreSQL full-text search: the search_document table (llrc.search.models).

It answers every BackendQuery as the tantivy backend does (docs/decisions/0004-postgres-search.md):

- The text arrives analysed (llrc.search.analysis), so nothing here runs a text-search parser. The
  tsvector and tsquery are written as literals from the tokens themselves: to_tsvector('simple', ...)
  would split a DOI such as 10.1234/abc.2020 at its punctuation and no longer match it as one word.
- Each lexeme carries its field ("t:learning" in the title, "m:learn" among the stems), so one
  tsvector with one GIN index serves field limits, phrases (positions are kept per field), OR and NOT;
  the weight labels A-D carry TEXT_FIELDS / DERIVED_FIELDS into ts_rank.
- Facet counts are exact: one GROUP BY over the facet values of the whole match set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection, transaction

from llrc.search.backends.base import (
    DERIVED_FIELDS,
    FACET_SIZES,
    FACETS,
    FILTER_ONLY,
    TEXT_FIELDS,
    BackendQuery,
    BackendResult,
    IndexDocument,
)
from llrc.search.models import SearchDocument
from llrc.search.query import Match

# The prefix of a field's lexemes. Order matters: when a huge document meets the tsvector size limit,
# the fields listed first keep their words.
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

# tantivy's whitespace tokenizer splits on Rust's ASCII whitespace (space, tab, LF, FF, CR; not VT).
_WHITESPACE = re.compile(r"[ \t\n\x0c\r]+")
# PostgreSQL tsvector limits (src/include/tsearch/ts_type.h, tsvectorin): a lexeme is at most 2047
# bytes; lexemes (2-byte aligned) and their positions (2 bytes each, plus 2 per lexeme) together under
# 1 MiB; positions run from 1 to 16383 and a lexeme keeps at most 256 of them.
MAX_LEXEME_BYTES = 2047
MAX_VECTOR_BYTES = 1_000_000
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256

BATCH = 500
# Index writes take this transaction-scoped advisory lock: one writer at a time, as tantivy has, so two
# processes updating overlapping rows in different orders cannot deadlock. Readers never wait for it.
WRITE_LOCK = 0x6C6C7263  # "llrc"

ORDER_BY = {
    "relevance": "rank DESC, resource_id",
    "newest": "year DESC NULLS LAST, resource_id",
    "oldest": "year ASC NULLS LAST, resource_id",
    "title": "sort_title ASC, resource_id",  # the column's collation is "C": byte order
    "newest_added": "created DESC, resource_id",
    "id": "resource_id",  # cursor paging
}


def _quote(lexeme: str) -> str:
    # tsvector/tsquery literal syntax: inside quotes, quotes and backslashes are doubled.
    if "'" in lexeme or "\\" in lexeme:
        lexeme = lexeme.replace("\\", "\\\\").replace("'", "''")
    return "'" + lexeme + "'"


def _lexeme(field: str, token: str) -> str | None:
    """The quoted lexeme of `token` in `field`; None when it is too long for any tsvector to hold."""
    lexeme = f"{FIELD_CODES[field]}:{token}"
    if len(lexeme.encode()) > MAX_LEXEME_BYTES:
        return None
    return _quote(lexeme)


def build_tsvector(text: dict[str, str]) -> str:
    """The tsvector literal of a document's analysed fields: prefixed lexemes, positions, weights."""
    # This runs for every document of a rebuild: per token only a dict lookup and an append; prefixing,
    # quoting and formatting happen once per distinct word.
    parts: list[str] = []
    size = 0
    for field, code in FIELD_CODES.items():
        value = text.get(field)
        if not value:
            continue
        label = FIELD_LABELS[field]
        prefix_bytes = len(code) + 1
        positions: dict[str, list[int]] = {}
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
                cost = length + length % 2 + 4
                if length > MAX_LEXEME_BYTES or size + cost > MAX_VECTOR_BYTES:
                    continue  # full: the rest of a huge text is left out
                size += cost
                positions[token] = [position]
            elif (
                len(seen) < MAX_POSITIONS_PER_LEXEME
                and seen[-1] != position
                and size + 2 <= MAX_VECTOR_BYTES
            ):
                size += 2
                seen.append(position)
        separator = label + ","
        for token, found in positions.items():
            places = separator.join(map(str, found)) if len(found) > 1 else str(found[0])
            parts.append(f"{_quote(code + ':' + token)}:{places}{label}")
    return " ".join(parts)


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


def match_tsquery(match: Match) -> str | None:
    if match.phrase:
        # <-> asks for the next position, as tantivy's phrase query; in any one of the fields.
        tokens = [w.token for w in match.words]
        return _any(_all((_lexeme(f, t) for t in tokens), "<->") for f in _fields(match))
    return _all(_any(_lexeme(f, t) for f, t in pairs) for pairs in _alternatives(match))


def rank_tsqueries(query: BackendQuery) -> list[tuple[float, str, int]]:
    """(boost, tsquery, lexeme count) for each boost among the query's matches.

    A tsquery of lexemes ORed makes ts_rank sum, over the lexemes found, their field weight (saturating
    with repeats) and divide by the number of lexemes; multiplied back by that number, the parts add up
    to one score in which every lexeme counts its field weight times its match's boost (translations
    count less, as in tantivy).
    """
    by_boost: dict[float, dict[str, None]] = {}
    for group in query.parsed.groups:
        for match in group:
            if match.phrase:
                pairs = [(f, w.token) for f in _fields(match) for w in match.words]
            else:
                pairs = [pair for word in _alternatives(match) for pair in word]
            lexemes = by_boost.setdefault(match.boost, {})
            for field, token in pairs:
                lexeme = _lexeme(field, token)
                if lexeme is not None:
                    lexemes[lexeme] = None
    return [
        (boost, " | ".join(lexemes), len(lexemes)) for boost, lexemes in by_boost.items() if lexemes
    ]


class PostgresBackend:
    name = "postgres"

    # -- writing -------------------------------------------------------------------------------------
    def _lock(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])

    def _upsert(self, docs: Iterable[IndexDocument]) -> int:
        table = SearchDocument._meta.db_table
        sql = (
            f"INSERT INTO {table} (resource_id, document, facets, year, created, sort_title) "
            "VALUES (%s, %s::tsvector, %s::text[], %s, %s, %s) "
            "ON CONFLICT (resource_id) DO UPDATE SET document = EXCLUDED.document, "
            "facets = EXCLUDED.facets, year = EXCLUDED.year, created = EXCLUDED.created, "
            "sort_title = EXCLUDED.sort_title"
        )
        count = 0
        iterator = iter(docs)
        while batch := list(islice(iterator, BATCH)):
            rows = [
                (
                    doc.id,
                    build_tsvector(doc.text),
                    list(
                        dict.fromkeys(f"{name}:{v}" for name, vs in doc.facets.items() for v in vs)
                    ),
                    doc.year,
                    float(doc.created),
                    doc.sort_title,
                )
                for doc in batch
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            count += len(rows)
        return count

    def index(self, docs: Iterable[IndexDocument]) -> int:
        with transaction.atomic():
            self._lock()
            return self._upsert(docs)

    def replace_all(self, docs: Iterable[IndexDocument]) -> int:
        # One transaction: readers see the old rows until the new ones are complete. DELETE, not TRUNCATE,
        # which would lock readers out for the whole rebuild.
        with transaction.atomic():
            self._lock()
            SearchDocument.objects.all().delete()
            return self._upsert(docs)

    def delete(self, ids: Iterable[int]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        with transaction.atomic():
            self._lock()
            SearchDocument.objects.filter(resource_id__in=wanted).delete()

    # -- reading -------------------------------------------------------------------------------------
    def _where(self, query: BackendQuery) -> tuple[str, list[Any], str | None] | None:
        """The WHERE clause, its parameters and the words' tsquery (if any); None when nothing can match."""
        parsed = query.parsed
        conditions: list[str] = []
        params: list[Any] = []
        words: str | None = None
        if parsed.groups:
            groups = [_any(match_tsquery(m) for m in group) for group in parsed.groups]
            words = _all(groups) if query.match_all_terms else _any(groups)
            if query.also_ids:
                # Resources found by meaning match too (search.services fuses the two rankings).
                if words is None:
                    conditions.append("resource_id = ANY(%s::bigint[])")
                    params.append(list(query.also_ids))
                else:
                    conditions.append(
                        "(document @@ %s::tsquery OR resource_id = ANY(%s::bigint[]))"
                    )
                    params += [words, list(query.also_ids)]
            elif words is None:
                return None
            else:
                conditions.append("document @@ %s::tsquery")
                params.append(words)
        excluded = _any(match_tsquery(m) for m in parsed.excluded)
        if excluded is not None:
            conditions.append("NOT (document @@ %s::tsquery)")
            params.append(excluded)
        if query.after_id is not None:
            conditions.append("resource_id > %s")
            params.append(query.after_id)
        if query.restrict_ids is not None:
            conditions.append("resource_id = ANY(%s::bigint[])")
            params.append(list(query.restrict_ids))
        for name, values in query.filters.items():
            if name not in FACETS and name not in FILTER_ONLY:
                raise ValueError(f"unknown filter field {name!r}")
            if values:
                # Any of the values (OR within a facet); each facet is one more condition (AND).
                conditions.append("facets && %s::text[]")
                params.append([f"{name}:{v}" for v in values])
        if parsed.year_range:
            conditions.append("year BETWEEN %s AND %s")
            params.extend(parsed.year_range)
        return " AND ".join(conditions) or "TRUE", params, words

    def _rank(self, query: BackendQuery, words: str | None) -> tuple[str, list[Any]]:
        """The relevance expression and its parameters."""
        parts = rank_tsqueries(query)
        if words is None or not parts:
            return "0.0", []
        sql = " + ".join(["%s * ts_rank(%s::float4[], document, %s::tsquery)"] * len(parts))
        params: list[Any] = []
        for boost, tsquery, size in parts:
            params += [boost * size, RANK_WEIGHTS, tsquery]
        if query.also_ids:
            # As tantivy's constant score 0: a resource found only by meaning has no word score, even
            # when it holds some of the words; search.services tells the two kinds apart by score > 0.
            return f"CASE WHEN document @@ %s::tsquery THEN {sql} ELSE 0.0 END", [words, *params]
        return sql, params

    def search(self, query: BackendQuery) -> BackendResult:
        where = self._where(query)
        if where is None:
            return BackendResult(total=0, ids=[], scores=[], facets={})
        condition, params, words = where
        sort = (
            query.sort
            if query.parsed.has_words
            else (query.sort if query.sort != "relevance" else "newest_added")
        )
        rank_sql, rank_params = self._rank(query, words) if sort == "relevance" else ("0.0", [])
        sizes = [FACET_SIZES.get(name, query.facet_size) for name in query.facets]
        # One statement, one pass over the matches: a word found in most documents makes PostgreSQL
        # read (and rank) every matching tsvector, and doing that once for the total, the page and the
        # facet counts together is about twice as fast as three queries. Rows come back tagged: the
        # total (part 0), the page with its places (part 1), facet counts (part 2).
        sql = f"""
            WITH matched AS MATERIALIZED (
                SELECT resource_id, {rank_sql} AS rank, year, created, sort_title, facets
                FROM {SearchDocument._meta.db_table} WHERE {condition}
            ), page AS (
                SELECT resource_id, rank, year, created, sort_title FROM matched
                ORDER BY {ORDER_BY[sort]} LIMIT %s OFFSET %s
            ), facet_sizes AS (
                SELECT * FROM unnest(%s::text[], %s::int[]) AS sizes(name, size)
            ), facet_counts AS (
                -- Exact counts over all matches; the most frequent values of each facet, ties in byte
                -- order of the value, as tantivy's terms aggregation gives them.
                SELECT split_part(f, ':', 1) AS name, substr(f, strpos(f, ':') + 1) AS value,
                       count(*) AS n,
                       row_number() OVER (
                           PARTITION BY split_part(f, ':', 1) ORDER BY count(*) DESC, f COLLATE "C"
                       ) AS place
                FROM matched CROSS JOIN LATERAL unnest(matched.facets) AS f
                WHERE split_part(f, ':', 1) IN (SELECT name FROM facet_sizes)
                GROUP BY f
            )
            SELECT 0 AS part, NULL::bigint, NULL::float8, NULL::text, NULL::text, count(*)
            FROM matched
            UNION ALL
            SELECT 1, resource_id, rank, NULL, NULL, row_number() OVER (ORDER BY {ORDER_BY[sort]})
            FROM page
            UNION ALL
            SELECT 2, NULL, NULL, c.name, c.value, c.n
            FROM facet_counts AS c JOIN facet_sizes AS s ON s.name = c.name
            WHERE c.place <= s.size
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    *rank_params,
                    *params,
                    query.limit,
                    query.offset,
                    list(query.facets),
                    sizes,
                ],
            )
            rows = cursor.fetchall()
        total = next(int(r[5]) for r in rows if r[0] == 0)
        hits = sorted((r[5], int(r[1]), float(r[2])) for r in rows if r[0] == 1)
        facets: dict[str, list[tuple[str, int]]] = {}
        if query.facets and total:
            # As tantivy: every facet asked for, in count order, even when no match has a value.
            facets = {name: [] for name in query.facets}
            for _part, _id, _rank, name, value, count in sorted(
                (r for r in rows if r[0] == 2), key=lambda r: (r[3], -r[5], r[4].encode())
            ):
                facets[name].append((value, int(count)))
        return BackendResult(
            total=total,
            ids=[resource_id for _place, resource_id, _score in hits],
            scores=[score if sort == "relevance" else 0.0 for _place, _id, score in hits],
            facets=facets,
        )

    def count(self) -> int:
        return SearchDocument.objects.count()

    # -- "did you mean" (search.services uses these when a backend has them) -------------------------
    def term_frequency(self, word: str) -> int:
        """Documents holding `word` as an exact token or pinyin, summed over the fields as tantivy does
        (0 means: probably misspelt)."""
        lexemes = [
            lexeme
            for field in ("title", "body", "subject", "creator", "pinyin")
            if (lexeme := _lexeme(field, word)) is not None
        ]
        if not lexemes:
            return 0
        counts = " + ".join(["count(*) FILTER (WHERE document @@ %s::tsquery)"] * len(lexemes))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {counts} FROM {SearchDocument._meta.db_table} "
                "WHERE document @@ %s::tsquery",
                [*lexemes, " | ".join(lexemes)],
            )
            return int(cursor.fetchone()[0] or 0)

    def similar_terms(self, word: str, *, limit: int = 2000) -> list[tuple[str, int]]:
        """Indexed words that start like `word` (typos rarely hit the first letters), with their counts:
        per field the `limit` most frequent, ties in byte order, as tantivy's terms_with_prefix."""
        prefix = word[:2] if len(word) >= 4 else word[:1]
        starts = [f"{FIELD_CODES[f]}:{prefix}" for f in ("title", "subject", "body", "pinyin")]
        if any(len(s.encode()) > MAX_LEXEME_BYTES for s in starts):
            return []
        with connection.cursor() as cursor:
            # A prefix tsquery ('t:ab':*) finds the documents through the GIN index; unnest lists
            # their words.
            cursor.execute(
                f"""
                SELECT word.lexeme, count(*)
                FROM {SearchDocument._meta.db_table}
                CROSS JOIN LATERAL unnest(document) AS word
                WHERE document @@ %s::tsquery AND word.lexeme ^@ ANY(%s::text[])
                GROUP BY word.lexeme
                """,
                [" | ".join(f"{_quote(s)}:*" for s in starts), starts],
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
