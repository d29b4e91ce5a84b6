"""The PostgreSQL search backend: its table and indexes, odd tokens, and the same answers as tantivy.

The whole search suite also runs on this backend (scripts/test-all.sh sets LLRC_TEST_SEARCH_BACKEND);
these tests cover what that cannot see: that PostgreSQL really uses the GIN index, tokens that
to_tsvector would split, and a side-by-side comparison with tantivy over many query shapes.
"""

from __future__ import annotations

import importlib
import itertools
import os
import random
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from llrc.search import services as search
from llrc.search.analysis import QueryWord, analyse, query_stems
from llrc.search.backends import postgres as postgres_backend
from llrc.search.backends.base import BackendQuery, BackendResult, IndexDocument, SearchTimeout
from llrc.search.backends.postgres import PostgresBackend, build_tsvector, compile_query
from llrc.search.backends.tantivy import TantivyBackend
from llrc.search.query import Match, ParsedQuery

ROOT = Path(__file__).resolve().parents[2]
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the postgres backend keeps its index in PostgreSQL; run with DATABASE_URL set "
    "(scripts/with-postgres.sh)",
)


def test_postgres_backend_without_postgresql_fails_with_a_clear_message(tmp_path):
    # As an operator would meet it: the environment asks for postgres but names no PostgreSQL database.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "LLRC_SEARCH_BACKEND": "postgres",
        "LLRC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "llrc.settings",
    }
    code = "import django; django.setup(); from llrc.search import services; services.get_backend()"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "SearchInputError" in done.stderr
    assert "set DATABASE_URL to a postgresql:// URL" in done.stderr


@pytest.mark.django_db
def test_search_table_exists_on_postgresql_only():
    tables = connection.introspection.table_names()
    assert ("search_document" in tables) == (connection.vendor == "postgresql")


@pytest.mark.django_db
def test_suite_searches_with_the_backend_the_environment_names():
    # The postgres pass of scripts/test-all.sh must really search with PostgreSQL, not fall back.
    assert search.get_backend().name == os.environ.get("LLRC_TEST_SEARCH_BACKEND", "tantivy")


# -- PostgreSQL only -------------------------------------------------------------------------------
def word(token: str, stems: tuple[str, ...] = (), pinyin: str = "") -> QueryWord:
    return QueryWord(token=token, stems=list(stems), pinyin=pinyin)


def one(*words: QueryWord, phrase: bool = False, fields: tuple[str, ...] | None = None) -> Match:
    return Match(words=list(words), phrase=phrase, fields=fields)


def backend_query(*groups: list[Match], **kwargs: object) -> BackendQuery:
    excluded = kwargs.pop("excluded", [])
    year_range = kwargs.pop("year_range", None)
    parsed = ParsedQuery(groups=list(groups), excluded=excluded, year_range=year_range)  # type: ignore[arg-type]
    return BackendQuery(parsed=parsed, **kwargs)  # type: ignore[arg-type]


def document(doc_id: int, **text: str) -> IndexDocument:
    return IndexDocument(id=doc_id, text=text, facets={"type": ["report"]}, sort_title="")


@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        backend_query([one(word("literacy"))]),
        backend_query([one(word("adult"), word("literacy"), phrase=True)]),
        backend_query([one(word("literacy"), fields=("title",))]),
        backend_query(filters={"country": ["CN"]}),
        backend_query([one(word("adult"))], excluded=[one(word("literacy"))]),
    ],
)
def test_gin_index_serves_words_phrases_and_filters(query):
    backend = PostgresBackend()
    backend.index([document(1, title="adult literacy")])
    compiled = compile_query(query)
    assert compiled is not None
    with connection.cursor() as cursor:
        # On a handful of rows a sequential scan is cheaper; forbid it to see that the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT resource_id FROM search_document WHERE {compiled.word_rows()}",
            compiled.params,
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on search_words_gin" in plan, plan
    # Phrases and field limits are checked on the document of the rows the index found, never by
    # reading every row's document.
    assert "Seq Scan" not in plan, plan


@on_postgres
@pytest.mark.django_db
def test_titles_sort_in_byte_order_whatever_the_database_collation():
    # tantivy sorts its raw sort_title field by bytes; a database made with en_US.UTF-8 would not.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'search_document' AND column_name = 'sort_title'"
        )
        assert cursor.fetchone() == ("C",)
    backend = PostgresBackend()
    for doc_id, title in enumerate(["b", "Z", "a", "É", "终身"], start=1):
        backend.index([IndexDocument(id=doc_id, text={}, facets={}, sort_title=title)])
    assert backend.search(backend_query(sort="title")).ids == [2, 3, 1, 4, 5]


@on_postgres
@pytest.mark.django_db
def test_doi_is_one_lexeme_not_split_at_punctuation():
    backend = PostgresBackend()
    backend.index(
        [document(1, identifier="10.1234/lifelong.2020"), document(2, body="lifelong 2020")]
    )
    doi = backend_query([one(word("10.1234/lifelong.2020"), fields=("identifier",))])
    assert backend.search(doi).ids == [1]
    # to_tsvector('simple') makes '10.1234' and '/lifelong.2020' of it; nothing like that here.
    part = backend_query([one(word("10.1234"), fields=("identifier",))])
    assert backend.search(part).total == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', '10.1234/lifelong.2020')::text")
        assert cursor.fetchone()[0] == "'/lifelong.2020':2 '10.1234':1"
    assert build_tsvector({"identifier": "10.1234/lifelong.2020"}) == "'i:10.1234/lifelong.2020':1B"


@on_postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "token", ["o'neill", "back\\slash", "a&b|c", "!(x)", "it's:a*", "<->", "'", "\\", "终身学习"]
)
def test_tokens_with_tsquery_syntax_match_exactly(token):
    backend = PostgresBackend()
    backend.index([document(1, identifier=token), document(2, identifier="other")])
    assert backend.search(backend_query([one(word(token))])).ids == [1]
    assert backend.search(backend_query([one(word(token + "x"))])).total == 0


@on_postgres
@pytest.mark.django_db
def test_overlong_token_is_left_out_instead_of_failing():
    # A lexeme holds at most 2047 bytes; tantivy keeps such a token, PostgreSQL cannot.
    long_token = "x" * 3000
    backend = PostgresBackend()
    assert backend.index([document(1, title=f"short {long_token}")]) == 1
    assert backend.search(backend_query([one(word("short"))])).ids == [1]
    assert backend.search(backend_query([one(word(long_token))])).total == 0


@on_postgres
@pytest.mark.django_db
def test_very_long_text_stays_within_tsvector_limits():
    # Positions stop at 16383, a lexeme keeps 256 of them, and a document's lexemes stay under 1 MiB.
    repeated = " ".join(["again"] * 20_000)
    distinct = " ".join(f"word{n:07d}" for n in range(120_000))
    vector = build_tsvector({"title": "kept", "body": f"{repeated} {distinct}"})
    assert "'b:again':1D,2D," in vector and vector.count("D,") < 500
    assert "'b:word0000000':16383D" in vector and "'b:word0119999'" not in vector
    backend = PostgresBackend()
    backend.index([document(1, title="kept", body=f"{repeated} {distinct}")])
    assert backend.search(backend_query([one(word("kept"))])).ids == [1]
    assert backend.search(backend_query([one(word("word0000100"))])).ids == [1]


@on_postgres
@pytest.mark.django_db
def test_title_match_ranks_above_body_match_and_translations_count_less():
    backend = PostgresBackend()
    backend.index([document(1, body="literacy"), document(2, title="literacy")])
    result = backend.search(backend_query([one(word("literacy"))]))
    assert result.ids == [2, 1] and result.scores[0] > result.scores[1] > 0
    translated = one(word("literacy"))
    translated.boost = 0.5
    backend.index([document(3, title="alphabetisation")])
    result = backend.search(backend_query([one(word("alphabetisation")), translated]))
    assert result.ids == [3, 2, 1]


# These three commit and analyse, as autovacuum would: PostgreSQL keeps the analysis times it has read
# until the transaction ends, and an ANALYZE rolled back would leave its row count (updated in place)
# beside older statistics. The flush after each truncates the table, and statistics of truncated rows
# are not used (reltuples -1).
@on_postgres
@pytest.mark.django_db(transaction=True)
def test_statistics_are_found_when_the_role_has_a_schema_of_its_own():
    # With the default search_path ("$user", public) a schema named after the role becomes the current
    # one, while the tables stay in public: the statistics must be looked up where the table is.
    docs = [document(i, title="education", body="education policy") for i in range(1, 151)]
    PostgresBackend().index([*docs, document(200, title="fitness")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
        cursor.execute(f'CREATE SCHEMA "{role}"')
    try:
        with connection.cursor() as cursor:
            cursor.execute('SET search_path = "$user", public')
            cursor.execute("ANALYZE search_document")
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone()[0] == role
        either = backend_query([one(word("education", ("educ",))), one(word("fitness", ("fit",)))])
        assert PostgresBackend().search(either).ids[0] == 200
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{role}"')
            cursor.execute("RESET search_path")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_rare_words_count_more_once_the_table_is_analysed():
    # "education" is in every record but one, in its title and summary; "fitness" in one title. More
    # matches than RANK_WINDOW, and the fitness record last by id: it reaches the window of ranked
    # documents only if the title score weighs its rare word too.
    docs = [document(i, title="education", body="education policy") for i in range(1, 151)]
    PostgresBackend().index([*docs, document(200, title="fitness")])
    either = backend_query([one(word("education", ("educ",))), one(word("fitness", ("fit",)))])
    # Before any ANALYZE every word weighs the same: two lexemes found beat one.
    backend = PostgresBackend()
    assert backend.search(either).ids[0] != 200
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
    # The same backend: the answer it remembered was ordered by other statistics, and is not served.
    result = backend.search(either)
    assert result.ids[0] == 200 and result.total == 151
    assert result.scores[0] > 2 * result.scores[1]
    # One word alone: its weight is the same for every match, so the order is the field weights'.
    assert PostgresBackend().search(backend_query([one(word("education"))])).ids[:3] == [1, 2, 3]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_statistics_of_a_few_rows_do_not_weigh_words():
    # Weighed by these three rows, "fitness" would come first, as in the test above.
    docs = [document(i, title="education", body="education policy") for i in (1, 2)]
    PostgresBackend().index([*docs, document(3, title="fitness")])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
    either = backend_query([one(word("education")), one(word("fitness"))])
    assert PostgresBackend().search(either).ids == [1, 2, 3]


# -- the same answers as tantivy -------------------------------------------------------------------
VOCABULARY = {
    # token: (its stems in English text, pinyin) as llrc.search.analysis gives them; a query word looks
    # its stems up as the analysis does (`qw`)
    "learning": (("learn/en",), "learning"),
    "learn": (("learn/en",), "learn"),
    "cities": (("citi/en",), "cities"),
    "city": (("citi/en",), "city"),
    "adult": (("adult/en",), "adult"),
    "literacy": (("literaci/en",), "literacy"),
    "education": (("educ/en",), "education"),
    "终身": ((), ""),
    "学习": ((), ""),
    "xuexi": (("xuexi/en",), "xuexi"),
    "10.1234/abc.2020": ((), ""),
    "o'neill": ((), ""),
}
TOKENS = list(VOCABULARY)
# What the analysis can give as a word of a title, summary or subject: not an identifier or a name with an
# apostrophe, which it splits (they stay in the creator and identifier fields).
WORDS = [t for t in TOKENS if t not in ("10.1234/abc.2020", "o'neill")]
TYPES = ["report", "policy", "article"]
COUNTRIES = ["CN", "DE", "SG", "KE"]
TITLES = ["", "Adult", "adult", "Éducation", "终身学习", "Zebra", "adult learning"]


def corpus(size: int = 60) -> list[IndexDocument]:
    """Documents with repeated words, shared years and dates and tied facet counts: ties are where two
    engines most easily disagree."""
    rng = random.Random(20261128)
    docs = []
    for doc_id in range(1, size + 1):

        def some(n: int, tokens: list[str] = WORDS) -> list[str]:
            return [rng.choice(tokens) for _ in range(rng.randint(0, n))]

        title, body, subject = some(4), some(8), some(3)
        stems = [s for t in title + body + subject for s in VOCABULARY[t][0]]
        pinyin = ["xuexi" for t in title + body + subject if t == "学习"]
        year = rng.choice([None, 2005, 2015, 2015, 2020])
        docs.append(
            IndexDocument(
                id=doc_id,
                text={
                    "title": " ".join(title),
                    "body": " ".join(body),
                    "subject": " ".join(subject),
                    "creator": " ".join(some(2, TOKENS)),
                    "identifier": " ".join(some(1, TOKENS)),
                    "stem": " ".join(stems),
                    "pinyin": " ".join(pinyin),
                },
                facets={
                    "type": [rng.choice(TYPES)],
                    "country": sorted(set(rng.sample(COUNTRIES, rng.randint(0, 2)))),
                    "year": [str(year)] if year else [],
                    "status": ["published"],
                },
                year=year,
                created=float(rng.randint(1, 6)),
                sort_title=rng.choice(TITLES),
            )
        )
    return docs


def test_the_hand_made_vocabulary_stems_as_the_analysis_does():
    for token, (stems, _pinyin) in VOCABULARY.items():
        if stems:
            assert tuple(analyse(token, lang="en").stems) == stems, token


def qw(token: str) -> QueryWord:
    _stems, pinyin = VOCABULARY.get(token, ((), ""))
    return word(token, tuple(query_stems(token)), pinyin)


def queries() -> list[BackendQuery]:
    shapes: list[BackendQuery] = [backend_query()]
    for token in [*TOKENS, "missing"]:
        shapes.append(backend_query([one(qw(token))]))
        for field in ("title", "creator", "subject", "identifier"):
            shapes.append(backend_query([one(qw(token), fields=(field,))]))
    for a, b in itertools.permutations(["adult", "learning", "literacy", "终身", "学习"], 2):
        shapes.append(backend_query([one(qw(a), qw(b), phrase=True)]))
        shapes.append(backend_query([one(qw(a), qw(b), phrase=True, fields=("title",))]))
        shapes.append(backend_query([one(qw(a))], [one(qw(b))]))
        shapes.append(backend_query([one(qw(a))], [one(qw(b))], match_all_terms=False))
        shapes.append(backend_query([one(qw(a)), one(qw(b))]))  # a OR b
        shapes.append(backend_query([one(qw(a), qw(b))]))  # a Chinese compound: both words
        shapes.append(backend_query([one(qw(a))], excluded=[one(qw(b))]))
    shapes += [
        backend_query(excluded=[one(qw("adult"))]),
        backend_query(excluded=[one(qw("adult"), qw("learning"), phrase=True)]),
        backend_query([one(qw("city"))], filters={"country": ["CN", "DE"]}),
        backend_query([one(qw("learn"))], filters={"country": ["SG"], "type": ["report"]}),
        backend_query(filters={"year": ["2015"], "status": ["published"]}),
        backend_query(filters={"country": []}),
        backend_query([one(qw("adult"))], year_range=(2010, 2020)),
        backend_query(year_range=(0, 2015)),
    ]
    translated = one(qw("literacy"))
    translated.boost = 0.4
    shapes += [
        backend_query([one(qw("adult")), translated]),
        # Found by meaning (search.services): ids that match as well as the words, with score 0.
        backend_query([one(qw("adult"))], also_ids=[3, 4, 5, 59]),
        backend_query([one(qw("missing"))], also_ids=[7, 8]),
        backend_query([one(qw("adult"))], [one(qw("city"))], also_ids=[2], sort="newest"),
        backend_query(restrict_ids=[1, 2, 3, 50], filters={"type": ["report"]}),
        backend_query(restrict_ids=[]),
        backend_query([one(qw("learn"))], after_id=30, sort="id", limit=5),
        backend_query(after_id=10, sort="id", limit=100),
    ]
    sorted_shapes = []
    for sort in ("relevance", "newest", "oldest", "title", "id"):
        for base in (backend_query(), backend_query([one(qw("adult")), one(qw("学习"))])):
            for offset, limit in ((0, 100), (5, 7)):
                sorted_shapes.append(
                    BackendQuery(
                        parsed=base.parsed, sort=sort, offset=offset, limit=limit, facet_size=2
                    )
                )
    return shapes + sorted_shapes


@on_postgres
@pytest.mark.django_db
def test_postgres_answers_as_tantivy_does(tmp_path):
    docs = corpus()
    tantivy = TantivyBackend(tmp_path / "tantivy")
    postgres = PostgresBackend()
    assert tantivy.replace_all(docs) == postgres.replace_all(docs) == len(docs)
    assert tantivy.count() == postgres.count() == len(docs)
    checked = 0
    for query in queries():
        expected: BackendResult = tantivy.search(query)
        got: BackendResult = postgres.search(query)
        assert got.total == expected.total, repr(query)
        assert got.facets == expected.facets, repr(query)
        ordered = query.sort != "relevance" or not query.parsed.has_words
        if ordered:
            # Ties fall back to index order in tantivy, which is id order here, and to id in PostgreSQL.
            assert got.ids == expected.ids, repr(query)
        elif query.limit >= expected.total:
            assert set(got.ids) == set(expected.ids), repr(query)
            # Resources found only by meaning score 0 in both; the others more.
            zero = {i for i, score in zip(expected.ids, expected.scores, strict=True) if score == 0}
            assert {i for i, s in zip(got.ids, got.scores, strict=True) if s == 0} == zero
        checked += 1
    assert checked > 150
    for term in ["learnin", "adlt", "xuexi", "zz", "l", *TOKENS]:
        assert postgres.term_frequency(term) == tantivy.term_frequency(term), term
        assert postgres.similar_terms(term) == tantivy.similar_terms(term), term
    assert postgres.similar_terms("learnin", limit=1) == tantivy.similar_terms("learnin", limit=1)
    # Whether any document holds a word, itself or by a stem (asked of long Chinese words).
    held = {t: postgres.has_word(t) for t in ["learnin", "learners", "xuexi", "zz", *TOKENS]}
    assert held == {t: tantivy.has_word(t) for t in held}
    assert True in held.values() and False in held.values()


@on_postgres
@pytest.mark.django_db
def test_did_you_mean_reads_a_sample_of_the_documents(monkeypatch):
    backend = PostgresBackend()
    backend.index([document(i, title="learning", body="lesson") for i in range(1, 9)])
    assert backend.term_frequency("learning") == 8
    assert dict(backend.similar_terms("learnin")) == {"learning": 8, "lesson": 8}
    # Past the sample the counts are those in it: still enough to say the word is indexed, and to
    # offer it for a typo.
    monkeypatch.setattr(postgres_backend, "WORD_SAMPLE", 3)
    assert backend.term_frequency("learning") == 3
    assert dict(backend.similar_terms("learnin")) == {"learning": 3, "lesson": 3}
    assert backend.term_frequency("lerning") == 0


@on_postgres
@pytest.mark.django_db
def test_a_word_whose_stem_fills_the_sample_is_not_taken_for_a_typo(monkeypatch):
    # `words` keeps English words as their stems: the documents that may hold "learning" are those with
    # the stem "learn". When the first of them fill the sample without the word itself, the word is
    # still an indexed one, not a misspelling to correct to "leaning".
    backend = PostgresBackend()
    docs = [document(i, title="learn leaning", stem="learn lean") for i in range(1, 5)]
    backend.index([*docs, document(10, title="learning", stem="learn")])
    assert backend.term_frequency("learning") == 1
    monkeypatch.setattr(postgres_backend, "WORD_SAMPLE", 3)
    assert backend.term_frequency("learning") == 1
    assert backend.term_frequency("lerning") == 0
    # The same when it is asked through "did you mean".
    assert search._did_you_mean(backend, "learning") == ""


@on_postgres
@pytest.mark.django_db
def test_updates_and_deletes_replace_rows():
    backend = PostgresBackend()
    backend.index([document(1, title="old"), document(2, title="old")])
    backend.index([document(1, title="new")])
    assert backend.search(backend_query([one(word("old"))])).ids == [2]
    # Given twice in one write (one statement a batch): written as last given.
    assert backend.index([document(3, title="first"), document(3, title="last")]) == 1
    assert backend.search(backend_query([one(word("first"))])).total == 0
    assert backend.search(backend_query([one(word("last"))])).ids == [3]
    backend.delete([3])
    assert backend.search(backend_query([one(word("new"))])).ids == [1]
    backend.delete([2, 99])
    backend.delete([])
    assert backend.count() == 1
    assert backend.replace_all([document(5, title="x")]) == 1
    assert backend.count() == 1 and backend.search(backend_query()).ids == [5]


# -- remembered answers (decisions/0007) -----------------------------------------------------------
def index_from_another_connection(*docs: IndexDocument) -> None:
    """Index and commit as another process would: a thread has its own connection and backend."""

    def write() -> None:
        try:
            PostgresBackend().index(list(docs))
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()


@on_postgres
@pytest.mark.django_db
def test_answers_are_remembered_until_the_next_write():
    backend = PostgresBackend()
    backend.index([document(1, title="old")])
    old = backend_query([one(word("old"))])
    assert backend.search(old).ids == [1]
    misses = backend.count_misses
    again = backend.search(old)
    assert (again.ids, again.total) == ([1], 1)
    assert backend.count_hits == 1 and backend.count_misses == misses
    # Another page or order of the same words is another answer.
    assert backend.search(backend_query([one(word("old"))], sort="newest")).ids == [1]
    assert backend.count_misses == misses + 1
    # Every kind of write is seen by the next search.
    backend.index([document(2, title="old")])
    assert sorted(backend.search(old).ids) == [1, 2]
    backend.delete([1])
    assert backend.search(old).ids == [2]
    # A table emptied behind the backend's back (manage.py flush truncates it) is not answered from
    # memory either: the key names the table's file too. (Before replace_all: a table created in the
    # same transaction is truncated in place, keeping its file.)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_document")
    assert backend.search(old).total == 0
    backend.replace_all([document(3, title="old")])
    assert backend.search(old).ids == [3]
    # The engine alone, as the benchmark times it.
    backend.count_cache = False
    hits = backend.count_hits
    backend.search(old)
    backend.search(old)
    assert backend.count_hits == hits


@on_postgres
@pytest.mark.django_db
def test_an_answer_seen_inside_a_rolled_back_write_is_never_served():
    # A request that indexes, searches and then fails rolls back the rows and the generation row. The
    # next write must not get the same generation back, or it would be answered with the rolled-back rows.
    backend = PostgresBackend()
    gone = backend_query([one(word("gone"))])
    with pytest.raises(RuntimeError), transaction.atomic():
        backend.index([document(7, title="gone")])
        assert backend.search(gone).ids == [7]
        raise RuntimeError("the request failed")
    assert backend.search(gone).total == 0
    backend.index([document(8, title="gone")])
    assert backend.search(gone).ids == [8]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_by_another_process_is_seen_at_once():
    # Two server processes (or the server and `llrc reindex`) each remember answers; a write committed by
    # one must reach the other's next search. A thread has its own connection and backend, as another
    # process would.
    reader = PostgresBackend()
    reader.index([document(1, title="shared")])
    shared = backend_query([one(word("shared"))])
    assert reader.search(shared).ids == [1]

    index_from_another_connection(document(2, title="shared"))
    assert sorted(reader.search(shared).ids) == [1, 2]


@on_postgres
@pytest.mark.django_db
def test_rows_changed_without_the_backend_are_seen_at_once():
    # An older llrc still running during an upgrade, an operator's SQL, `manage.py flush`: the table's
    # trigger starts a new generation for every statement that changes it, in that statement's
    # transaction, also after replace_all has swapped in a new table.
    backend = PostgresBackend()
    backend.replace_all([document(1, title="seen"), document(2, title="seen")])
    seen = backend_query([one(word("seen"))])
    assert sorted(backend.search(seen).ids) == [1, 2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document WHERE resource_id = 1")
    assert backend.search(seen).ids == [2]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_document")
    assert backend.search(seen).total == 0
    backend.index([document(3, title="seen")])
    assert backend.search(seen).ids == [3]
    with connection.cursor() as cursor:
        # A second TRUNCATE in one transaction empties the table in place, keeping its file.
        cursor.execute("TRUNCATE search_document")
    assert backend.search(seen).total == 0


@on_postgres
@pytest.mark.django_db
def test_a_generation_table_made_anew_does_not_bring_old_answers_back():
    # Migration 0003 reversed and applied again restarts the sequence: its numbers come round again.
    migration = importlib.import_module("llrc.search.migrations.0003_search_generation")
    backend = PostgresBackend()
    backend.index([document(1, title="again")])
    again = backend_query([one(word("again"))])
    assert backend.search(again).ids == [1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM search_generation")
        (remembered_under,) = cursor.fetchone()
    editor = SimpleNamespace(connection=connection)
    migration.drop_generation(None, editor)
    migration.create_generation(None, editor)
    backend.index([document(2, title="again")])
    with connection.cursor() as cursor:
        # The new sequence reaches the number the first answer was remembered under.
        cursor.execute("UPDATE search_generation SET value = %s", [remembered_under])
    assert sorted(backend.search(again).ids) == [1, 2]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_generation_is_read_before_the_search():
    # A write that commits after the search has read the rows: its answer must stay under the older
    # generation. Were the generation read after the search, the old answer would be filed under the
    # write's generation and served from then on.
    backend = PostgresBackend()
    backend.index([document(1, title="late")])
    late = backend_query([one(word("late"))])
    search_rows = backend._search

    def search_then_another_process_writes(query: BackendQuery, state: object) -> BackendResult:
        answer = search_rows(query, state)  # type: ignore[arg-type]
        index_from_another_connection(document(2, title="late"))
        return answer

    backend._search = search_then_another_process_writes  # type: ignore[method-assign]
    assert backend.search(late).ids == [1]
    backend._search = search_rows  # type: ignore[method-assign]
    assert sorted(backend.search(late).ids) == [1, 2]


@on_postgres
@pytest.mark.django_db
def test_a_remembered_answer_is_not_changed_by_what_a_reader_does_with_it():
    backend = PostgresBackend()
    backend.index([document(1, title="kept"), document(2, title="kept")])
    kept = backend_query([one(word("kept"))])
    first = backend.search(kept)
    shown = {name: list(values) for name, values in first.facets.items()}
    first.facets["type"].append(("not-a-type", 0))
    first.facets.pop("language")
    first.ids.append(99)
    again = backend.search(kept)
    assert backend.count_hits == 1
    assert again.facets == shown and sorted(again.ids) == [1, 2]


def _settings_now() -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), current_setting('enable_seqscan'), "
            "current_setting('work_mem')"
        )
        return tuple(cursor.fetchone())


@on_postgres
@pytest.mark.django_db
def test_a_search_past_the_time_limit_is_stopped_and_leaves_the_connection_as_it_was(settings):
    backend = PostgresBackend()
    backend.index(corpus(3000))
    broad = backend_query([one(qw(t)) for t in TOKENS])  # any word: nearly every document
    before = _settings_now()
    settings.SEARCH_TIMEOUT_MS = 1  # the statement reads thousands of rows: far past a millisecond
    # Inside a request's transaction, as with ATOMIC_REQUESTS or a view that writes first.
    with transaction.atomic():
        with pytest.raises(SearchTimeout, match="1 ms"):
            backend.search(broad)
        assert backend.count_misses == 1 and backend.count_hits == 0
        # The transaction goes on: the stopped statement's savepoint was rolled back, with its settings.
        assert _settings_now() == before
        settings.SEARCH_TIMEOUT_MS = 60_000
        assert backend.search(broad).total > 2900
        # A search that ends well sets back what it changed, though the transaction goes on.
        assert _settings_now() == before
    assert _settings_now() == before
    # Nothing was remembered of the stopped search: asked again with room, it is computed.
    assert backend.count_hits == 0


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_search_stopped_outside_any_transaction_leaves_the_connection_ready(settings):
    # How requests run (no ATOMIC_REQUESTS): the search's own transaction is the one rolled back.
    backend = PostgresBackend()
    backend.index(corpus(3000))
    broad = backend_query([one(qw(t)) for t in TOKENS])
    before = _settings_now()
    settings.SEARCH_TIMEOUT_MS = 1
    with pytest.raises(SearchTimeout):
        backend.search(broad)
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert _settings_now() == before
    settings.SEARCH_TIMEOUT_MS = 60_000
    assert backend.search(broad).total > 2900
    assert _settings_now() == before
    backend.replace_all([])  # this test commits: leave the table empty for the next


def _typo_corpus() -> list[IndexDocument]:
    """Many words starting with t: "did you mean" for a three-letter word reads them all (its prefix is
    one letter), while the search for the word itself finds nothing at once."""
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    docs = []
    for doc_id in range(1, 801):
        words = ["t" + "".join(rng.choices(letters, k=4)) for _ in range(150)]
        docs.append(document(doc_id, title="tqx" if doc_id == 1 else "", body=" ".join(words)))
    return docs


@on_postgres
@pytest.mark.django_db
def test_did_you_mean_is_bounded_and_left_out_when_it_runs_out_of_time(settings):
    settings.SEARCH_BACKEND = "postgres"
    search.reset_backend()
    backend = search.get_backend()
    backend.index(_typo_corpus())
    settings.SEARCH_TIMEOUT_MS = 1
    with pytest.raises(SearchTimeout):
        backend.similar_terms("tqz")
    # The search itself (nothing holds "tqz") ends at once; the suggestion, reading every word that
    # starts with t, does not (measured: 4 ms against 650 ms): the results come without it, not as an
    # error.
    settings.SEARCH_TIMEOUT_MS = 0
    assert search.search_resources("tqz").suggestion == "tqx"
    search.reset_backend()
    settings.SEARCH_TIMEOUT_MS = 50
    page = search.search_resources("tqz")
    assert page.total == 0 and page.suggestion == ""


@on_postgres
@pytest.mark.django_db
def test_a_stopped_search_asks_the_reader_to_narrow_it(settings, client):
    # Through the service and the adapters, as a reader and a machine meet it: never a 500.
    settings.SEARCH_BACKEND = "postgres"
    search.reset_backend()
    docs = corpus(3000)
    for doc in docs:
        doc.facets["collection"] = ["laws"]  # made for every test session (tests/conftest.py)
    search.get_backend().index(docs)
    settings.SEARCH_TIMEOUT_MS = 1
    settings.SEARCH_VECTORS = False
    words = " OR ".join(TOKENS[:6])
    with pytest.raises(search.SearchTooLong, match="took too long"):
        search.search_resources(words)
    page = client.get("/en/search", {"q": words})
    assert page.status_code == 400
    assert "took too long and was stopped" in page.content.decode()
    api = client.get("/api/v1/search", {"q": words})
    assert api.status_code == 400 and "took too long" in api.json()["detail"]
    # Listing a collection is no reader's mistake, but it is stopped the same way: the collection's
    # page still shows, with the message, as unavailable for now.
    listing = client.get("/en/collections/laws/")
    assert listing.status_code == 503
    assert "took too long and was stopped" in listing.content.decode()
    settings.SEARCH_TIMEOUT_MS = 0
    assert search.search_resources(words).total > 2900


@on_postgres
@pytest.mark.django_db
def test_the_time_limit_counts_the_engine_not_a_first_search_loading_the_dictionary(
    settings, make_resource, monkeypatch
):
    # The first search of a process that was not warmed up builds the Chinese-English dictionary
    # (seconds) before it asks the engine: that is no fault of the query's.
    from llrc.search import crosslang

    settings.SEARCH_BACKEND = "postgres"
    search.reset_backend()
    make_resource(titles={"zh-hans": "社区教育"}, original_language="zh-hans")
    monkeypatch.setattr(crosslang, "_dictionary", None)
    settings.SEARCH_TIMEOUT_MS = 1000
    page = search.search_resources("社区教育")
    assert crosslang._dictionary is not None and page.total == 1


@pytest.mark.parametrize(
    ("setting", "shared", "searched", "advised"),
    [
        ("128MB", 128 * 2**20, 716 * 2**20, "Set shared_buffers to 1 GB or more"),
        ("128MB", 128 * 2**20, 300 * 2**20, "Set shared_buffers to 512 MB or more"),
        ("1GB", 2**30, 716 * 2**20, None),
        ("1GB", 2**30, 2**30, None),
    ],
)
def test_operators_are_told_when_the_buffer_cache_cannot_hold_the_search_table(
    setting, shared, searched, advised
):
    advice = postgres_backend.buffer_advice(setting, shared, searched)
    if advised is None:
        assert advice == ""
    else:
        assert advised in advice
        assert f"shared_buffers ({setting})" in advice
        assert f"{searched / 2**20:,.0f} MB of rows and indexes" in advice


@on_postgres
@pytest.mark.django_db
def test_a_small_search_table_needs_no_advice_and_the_server_is_asked(make_resource, capsys):
    from django.core.management import call_command

    make_resource()
    backend = PostgresBackend()
    assert backend.memory_advice() == ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_bytes(current_setting('shared_buffers')), "
            "pg_relation_size('search_document') + pg_indexes_size('search_document')"
        )
        shared, searched = cursor.fetchone()
    assert 0 < searched < shared  # what the advice compared, read the same way
    assert search.memory_advice() == ""
    call_command("init")
    assert "shared_buffers" not in capsys.readouterr().out


@on_postgres
@pytest.mark.django_db
def test_the_search_table_is_read_into_the_buffer_cache_where_pg_prewarm_is_installed(
    make_resource,
):
    make_resource()
    backend = PostgresBackend()
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION IF EXISTS pg_prewarm")
    assert backend.prewarm() is None  # no extension: nothing read, nothing fails
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION pg_prewarm")
        cursor.execute(
            "SELECT pg_relation_size('search_document') + pg_indexes_size('search_document'), "
            "current_setting('block_size')::int"
        )
        size, block = cursor.fetchone()
    # Every block of the table and its indexes, as the sizes count them (the test's transaction drops
    # the extension again).
    assert backend.prewarm() == size // block > 0
    assert backend.prewarm(advice="") == size // block  # what memory_advice said, not asked again
    assert backend.prewarm(advice="too small") is None
    with CaptureQueriesContext(connection) as asked:
        assert search.warm_up() == []  # the warm-up reads them too, whichever backend searches
    # The server's sizes, asked once for the advice and the prewarm both (where PostgreSQL searches).
    once = 1 if search.get_backend().name == "postgres" else 0
    assert sum("pg_relation_size" in q["sql"] for q in asked.captured_queries) == once


@on_postgres
@pytest.mark.django_db
def test_refreshed_statistics_count_the_rows_indexed_one_by_one():
    """`llrc init` reads the table's statistics once its documents were added one by one (the demo):
    the relevance order weighs words by them, and when autovacuum analysed the table some 30 s after
    init, the order changed under a reader paging through it."""
    backend = PostgresBackend()
    for n in range(1, 8):
        backend.index([document(n, title=f"adult literacy {n}")])
    # The backend's own: the suite also runs here with tantivy as the configured backend, for which
    # `search.refresh_index_statistics` has nothing to do.
    backend.refresh_statistics()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass")
        assert cursor.fetchone()[0] == 7
