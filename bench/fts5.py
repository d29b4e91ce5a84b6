"""SQLite FTS5 on the same documents and queries: what a small organisation would reach for.

bench/search.py indexes its generated records with our engine and, in the same run, with this module,
so the report can give FTS5 as a ratio to ours. This is the plain design an experienced developer
would build with the standard library's sqlite3 module: no extension, no custom tokenizer, no caches
of its own, the query plans checked with EXPLAIN QUERY PLAN and nothing tuned beyond that.

One database file:

    docs(id INTEGER PRIMARY KEY, created, year, sort_title)    index on created (browse order)
    fts FTS5(title, subject, creator, body)                     rowid = document id, contentless
    facet_values(id INTEGER PRIMARY KEY, facet, value)          unique (facet, value)
    doc_facets(doc_id, value_id)                                WITHOUT ROWID, primary key
                                                                (doc_id, value_id); index on value_id

- Text: the analysed text of `IndexDocument`. llrc.search.analysis has already split Chinese into
  words and folded case, accents and traditional characters, so FTS5's `unicode61` tokenizer only has
  to split on the spaces (`remove_diacritics 0`: nothing is left to fold). Columns title, subject,
  creator and body, the fields TEXT_FIELDS weights. Left out: "identifier" (the query mix has no
  identifiers) and the engine's extra "stem" and "pinyin" streams, which a plain FTS5 setup does not
  have. So FTS5 matches exact word forms only, and does less per word than the engine does (one
  alternative per word, not up to seven): a little fewer hits, and a ratio that favours FTS5.
  Contentless (`content=''`): a search returns ids, the text lives in the catalogue, as with the engine.
- Facets: the usual many-to-many table, values numbered once in `facet_values`, so one document's
  facets are a few short integer rows, clustered by document.
- Query: the engine's own query analysis (`query_words`: words only, lower-cased, so `"`, `*`, `-`,
  `(` never reach FTS5 and NEAR, OR, AND, NOT arrive as the lower-case words FTS5 does not read as
  operators), each word quoted as an FTS5 string all the same, all of them required (FTS5's implicit
  AND), each in any of the four columns. Ranked by `bm25(fts, 3, 1.5, 1.5, 1)` (the TEXT_FIELDS weights),
  ties by id. No words: every document, newest `created` first.
- Filters: one `id IN (documents having one of these values)` per facet: values OR within a facet,
  facets AND across.
- One search is three statements, each evaluating the match again (SQLite shares no work between
  statements; a temporary table of hits would cost a write per search): the page, `count(*)`, and the
  facet counts, a GROUP BY value over the facet rows of every matching document, keeping the most
  frequent 30 values per facet (years: FACET_SIZES) with a window function.
- The one plan choice SQLite cannot make: how to count facets depends on how many documents match,
  which the planner does not know and we do (the count). A few: look up each document's facet rows
  (then sort them to group). Many: read the whole value index in value order, keeping the rows of
  matching documents; no sort. At 100,000 records (on a busy machine) the look-ups took about 25 ms
  for 2,000 hits but 2.5 s for 80,000; reading the value index took 0.3-0.6 s either way.

llrc is imported inside the functions, not at the top: bench/search.py imports this module before it
has configured Django and put the code under test (--snapshot) first on sys.path.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from itertools import batched
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from llrc.search.backends.base import IndexDocument

COLUMNS = ("title", "subject", "creator", "body")
CHUNK = 5_000  # documents per executemany: memory stays bounded for a generator of documents
PAGE_SIZE = 20  # the page size bench/search.py measures (settings.SEARCH_PAGE_SIZE)
DEFAULT_FACET_SIZE = 30  # values per facet, as BackendQuery.facet_size
# Above this share of all documents, counting facets reads the whole value index (see the docstring).
SCAN_SHARE = 0.1

SCHEMA = f"""
CREATE TABLE docs (
    id INTEGER PRIMARY KEY,
    created REAL NOT NULL,
    year INTEGER,
    sort_title TEXT NOT NULL
);
CREATE TABLE facet_values (
    id INTEGER PRIMARY KEY,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (facet, value)
);
CREATE TABLE doc_facets (
    doc_id INTEGER NOT NULL,
    value_id INTEGER NOT NULL,
    PRIMARY KEY (doc_id, value_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(
    {", ".join(COLUMNS)},
    content = '',
    tokenize = 'unicode61 remove_diacritics 0'
);
"""
# Built after the load: one sort per index instead of a b-tree update per row.
INDEXES = (
    "CREATE INDEX doc_facets_by_value ON doc_facets (value_id)",
    "CREATE INDEX docs_by_created ON docs (created)",
)


def _remove(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def build(path: Path, documents: Iterable[IndexDocument]) -> dict[str, Any]:
    """Create a fresh database at `path` holding `documents`; returns what the build took."""
    _remove(path)
    t0 = time.perf_counter()
    count = 0
    value_ids: dict[tuple[str, str], int] = {}
    # Autocommit mode (isolation_level=None): the one transaction below is ours, not the module's.
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # A throwaway file built in one go: a crash mid-build means building again, so no journal.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(SCHEMA)
        db.execute("BEGIN")
        for chunk in batched(documents, CHUNK):
            db.executemany(
                "INSERT INTO docs (id, created, year, sort_title) VALUES (?, ?, ?, ?)",
                [(d.id, d.created, d.year, d.sort_title) for d in chunk],
            )
            db.executemany(
                f"INSERT INTO fts (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
                [(d.id, *(d.text.get(c, "") for c in COLUMNS)) for d in chunk],
            )
            new_values: list[tuple[int, str, str]] = []
            links: set[tuple[int, int]] = set()  # a value listed twice is one value of the document
            for d in chunk:
                for name, values in d.facets.items():
                    for value in values:
                        key = (name, value)
                        if key not in value_ids:
                            value_ids[key] = len(value_ids) + 1
                            new_values.append((value_ids[key], name, value))
                        links.add((d.id, value_ids[key]))
            db.executemany(
                "INSERT INTO facet_values (id, facet, value) VALUES (?, ?, ?)", new_values
            )
            # Sorted: rows arrive in primary-key order, appended rather than inserted mid-tree.
            db.executemany("INSERT INTO doc_facets (doc_id, value_id) VALUES (?, ?)", sorted(links))
            count += len(chunk)
        # One statement at a time: executescript() would commit the transaction first.
        for statement in INDEXES:
            db.execute(statement)
        # Merge FTS5's segments into one b-tree, as a finished index would be.
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        db.execute("COMMIT")
        # Statistics for the planner (how selective a facet value is) before the first search.
        db.execute("ANALYZE")
    finally:
        db.close()
    seconds = time.perf_counter() - t0
    return {
        "documents": count,
        "seconds": seconds,
        "records_per_s": count / seconds if seconds else 0.0,
        "file_mib": path.stat().st_size / 2**20,
    }


def match_expression(words: Sequence[str]) -> str:
    """An FTS5 query requiring every word, each a quoted string (`"` doubled), so nothing a reader
    types is read as FTS5 syntax (NEAR, OR, *, -, ^, parentheses, column filters)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


FacetCounts = dict[str, list[tuple[str, int]]]


class Searcher:
    """Searches a database made by `build()`, through one read-only connection."""

    def __init__(self, path: Path) -> None:
        from llrc.search.analysis import query_words
        from llrc.search.backends.base import FACET_SIZES, FACETS, TEXT_FIELDS

        self._query_words = query_words
        self._facet_sizes = FACET_SIZES
        self.default_facets = FACETS
        self._rank = f"bm25(fts, {', '.join(str(TEXT_FIELDS[c]) for c in COLUMNS)})"
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        # SQLite's default page cache is 2 MiB; a server process gives its search database more, so
        # repeated searches find their pages in memory instead of asking the OS for each one.
        self.db.execute("PRAGMA cache_size = -65536")  # KiB: 64 MiB
        self.db.execute("PRAGMA temp_store = MEMORY")  # sorters and IN-lists of one search
        self.documents = self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hits(self, match: str, filters: dict[str, list[str]]) -> tuple[str, str, list[Any]]:
        """(FROM ... [WHERE ...], id column, parameters): the documents a search finds."""
        if match:
            source, id_col, where, params = "fts", "fts.rowid", ["fts MATCH ?"], [match]
        else:
            source, id_col, where, params = "docs", "docs.id", [], []
        for name, values in filters.items():
            if not values:
                continue
            marks = ", ".join("?" * len(values))
            # The unary plus keeps the id list a filter: without it SQLite hands `rowid IN (...)`
            # to FTS5 as a rowid constraint and runs the MATCH once per listed id (seconds at 100k).
            where.append(
                f"+{id_col} IN (SELECT doc_id FROM doc_facets WHERE value_id IN"
                f" (SELECT id FROM facet_values WHERE facet = ? AND value IN ({marks})))"
            )
            params += [name, *values]
        sql = f"FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
        return sql, id_col, params

    def search(
        self,
        text: str,
        filters: dict[str, list[str]],
        offset: int,
        limit: int,
        facets: tuple[str, ...] | None = None,
    ) -> tuple[int, list[int], FacetCounts]:
        """(total, ids of the page, facet -> [(value, count)] most frequent first); `facets`
        defaults to the ones the engine counts for the search page (FACETS)."""
        facets = self.default_facets if facets is None else facets
        match = match_expression([w.token for w in self._query_words(text)])
        hits, id_col, params = self._hits(match, filters)
        order = f"{self._rank}, fts.rowid" if match else "docs.created DESC, docs.id DESC"
        ids = [
            row[0]
            for row in self.db.execute(
                f"SELECT {id_col} {hits} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        ]
        total = self.db.execute(f"SELECT count(*) {hits}", params).fetchone()[0]
        counts: FacetCounts = {}
        if facets and total:
            counts = self._facet_counts(hits, id_col, params, facets, total)
        return total, ids, counts

    def _facet_counts(
        self, hits: str, id_col: str, params: list[Any], facets: tuple[str, ...], total: int
    ) -> FacetCounts:
        if not params:
            only_hits, hit_params = "", []  # no words, no filters: every document
        else:
            # `+doc_id` takes the lookup by document off the table: SQLite then reads the value
            # index in order and counts without sorting. Worth it once many documents match.
            many = total > SCAN_SHARE * self.documents
            only_hits = f"WHERE {'+' if many else ''}doc_id IN (SELECT {id_col} {hits})"
            hit_params = params
        names = ", ".join("?" * len(facets))
        sizes = " ".join("WHEN ? THEN ?" for _ in facets)
        sql = f"""
            SELECT facet, value, n FROM (
                SELECT v.facet, v.value, c.n, row_number() OVER (
                    PARTITION BY v.facet ORDER BY c.n DESC, v.value
                ) AS pos
                FROM (
                    SELECT value_id, count(*) AS n FROM doc_facets {only_hits} GROUP BY value_id
                ) AS c
                JOIN facet_values AS v ON v.id = c.value_id
                WHERE v.facet IN ({names})
            )
            WHERE pos <= CASE facet {sizes} END
            ORDER BY facet, pos
        """
        args = [*hit_params, *facets]
        for name in facets:
            args += [name, self._facet_sizes.get(name, DEFAULT_FACET_SIZE)]
        counts: FacetCounts = {name: [] for name in facets}
        for name, value, n in self.db.execute(sql, args):
            counts[name].append((value, n))
        return counts


class Query(Protocol):
    """What time_queries reads of a query: bench/search.py's BenchQuery has these and more."""

    text: str
    filters: dict[str, list[str]]
    page: int


def time_queries(
    searcher: Searcher, queries: Sequence[Query], rounds: int, page_size: int = PAGE_SIZE
) -> list[float]:
    """Milliseconds per search (page, total and facet counts), every query once per round."""
    samples: list[float] = []
    for _ in range(rounds):
        for q in queries:
            offset = (q.page - 1) * page_size
            t0 = time.perf_counter()
            searcher.search(q.text, q.filters, offset, page_size)
            samples.append((time.perf_counter() - t0) * 1000)
    return samples
