"""bench/fts5.py, the SQLite FTS5 comparison of the search benchmark, on a handful of documents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from llrc.search.backends.base import IndexDocument
from tests.bench_scripts import load

fts5 = load("fts5")


def doc(
    id: int,
    *,
    title: str = "",
    body: str = "",
    subject: str = "",
    creator: str = "",
    type: str = "article",
    language: str = "en",
    country: str = "CN",
    year: int = 2020,
    created: float = 0.0,
    **facets: list[str],
) -> IndexDocument:
    """A document as llrc.search.documents would give it: analysed text, facet codes."""
    return IndexDocument(
        id=id,
        text={"title": title, "body": body, "subject": subject, "creator": creator},
        facets={
            "type": [type],
            "language": [language],
            "country": [country],
            "year": [str(year)],
            **facets,
        },
        year=year,
        created=created or float(id),
        sort_title=title,
    )


DOCS = [
    doc(1, title="lifelong learning policy", subject="adult education", type="policy", year=2015),
    doc(2, title="终身 学习 终身学习 战略", language="zh", type="policy", year=2016),
    doc(3, title="learning cities", body="a lifelong journey", type="report", country="DE"),
    doc(4, title="adult literacy", type="report", language="fr", country="FR", year=2015),
    doc(5, body="学习 学习型 城市 学习型城市", language="zh", type="article"),
    doc(6, title="near east learning", body="adult", type="report", country="CN"),
    doc(7, title="终身 教育", language="zh", year=2016),
    doc(8, title="learning to learn", creator="unesco", type="report", language="zh", year=2016),
]
# Documents in DOCS whose analysed text holds the word (every column).
HOLDING = {
    w: {d.id for d in DOCS if w in " ".join(d.text.values()).split()}
    for w in ("learning", "lifelong", "adult", "学习", "终身")
}


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fts5") / "search.sqlite3"
    fts5.build(path, iter(DOCS))  # a generator, as bench/search.py passes documents
    return path


@pytest.fixture
def searcher(db_path: Path):
    with fts5.Searcher(db_path) as s:
        yield s


def found(searcher, text: str, filters: dict[str, list[str]] | None = None) -> tuple[int, set[int]]:
    total, ids, _ = searcher.search(text, filters or {}, 0, 100, ())
    return total, set(ids)


# -- building --------------------------------------------------------------------------------------
def test_build_reports_the_documents_and_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    stats = fts5.build(path, DOCS)
    assert stats["documents"] == len(DOCS)
    assert stats["records_per_s"] > 0 and stats["file_mib"] > 0
    assert stats["file_mib"] == pytest.approx(path.stat().st_size / 2**20)

    fts5.build(path, DOCS[:2])  # over the old file: only the new documents remain
    with fts5.Searcher(path) as s:
        assert found(s, "") == (2, {1, 2})


# -- matching --------------------------------------------------------------------------------------
def test_every_word_must_match_in_any_column(searcher) -> None:
    # 3 has "learning" in its title and "lifelong" in its body; 6 and 8 have only "learning".
    assert found(searcher, "lifelong learning") == (2, {1, 3})
    assert HOLDING["learning"] - {1, 3}  # the test would see an any-word search


def test_words_are_matched_in_the_engines_analysed_form(searcher) -> None:
    # Case is folded by llrc's query analysis, as for the engine.
    assert found(searcher, "LIFELONG Learning") == (2, {1, 3})
    assert found(searcher, "unesco") == (1, {8})  # creator column


def test_a_chinese_word_matches_its_token(searcher) -> None:
    # jieba splits the query 终身学习 into 终身 + 学习: both words in 2; 7 has 终身 only, 5 学习 only.
    assert found(searcher, "终身学习") == (1, {2})
    assert found(searcher, "学习") == (2, {2, 5})
    assert found(searcher, "學習") == (2, {2, 5})  # traditional characters fold to simplified
    assert found(searcher, "学习型城市") == (1, {5})


def test_title_outweighs_body(tmp_path: Path) -> None:
    # The same word once in a long title and once in a short body: with equal weights the short
    # body would win (bm25 favours short fields); title weighs 3, body 1.
    docs = [
        doc(1, title="other words", body="lifelong"),
        doc(2, title="lifelong learning for adults in cities and villages"),
        doc(3, title="nothing here", body="more words in this body"),
    ]
    path = tmp_path / "rank.sqlite3"
    fts5.build(path, docs)
    with fts5.Searcher(path) as s:
        assert s.search("lifelong", {}, 0, 20, ())[1] == [2, 1]


def test_nothing_found(searcher) -> None:
    assert searcher.search("nosuchword", {}, 0, 20) == (0, [], {})


def test_facets_default_to_the_engines(searcher) -> None:
    from llrc.search.backends.base import FACETS

    _, _, counts = searcher.search("learning", {}, 0, 20)
    assert tuple(counts) == FACETS
    assert sum(n for _, n in counts["type"]) == len(HOLDING["learning"])


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "(",
        "-",
        ")",
        "^",
        ":",
        "NEAR",
        "OR",
        "AND NOT",
        'learning"',
        "learn*",
        "(learning",
        "-adult learning",
        "NEAR(learning adult)",
        "learning OR adult",
        "learning NEAR adult",
        "title:learning",
        '"unclosed phrase',
        "+learning",
    ],
)
def test_query_syntax_characters_are_words_not_syntax(searcher, text: str) -> None:
    total, ids, _ = searcher.search(text, {}, 0, 20, ())
    assert len(ids) == min(total, 20)


def test_fts5_operators_are_plain_words(searcher) -> None:
    # "or" is a stopword llrc drops; FTS5 would otherwise read OR as either word.
    assert found(searcher, "learning OR adult") == (2, HOLDING["learning"] & HOLDING["adult"])
    # NEAR is a word, and 6 holds it ("near east learning").
    assert found(searcher, "NEAR learning") == (1, {6})
    assert found(searcher, "NEAR(learning adult)") == (1, {6})
    # No word at all (only syntax characters): every document, as the engine browses.
    assert found(searcher, '"*(-)') == (len(DOCS), {d.id for d in DOCS})


def test_match_expression_quotes_every_word() -> None:
    assert fts5.match_expression(["a", 'b"c', "near"]) == '"a" "b""c" "near"'


# -- filters, paging, browsing ---------------------------------------------------------------------
def test_filters_narrow_the_total(searcher) -> None:
    everything, _ = found(searcher, "learning")
    reports, ids = found(searcher, "learning", {"type": ["report"]})
    assert 0 < reports < everything
    assert ids == {
        d.id for d in DOCS if d.id in HOLDING["learning"] and d.facets["type"] == ["report"]
    }
    # Values OR within a facet, facets AND across.
    assert found(searcher, "learning", {"type": ["report", "policy"]}) == (
        everything,
        HOLDING["learning"],
    )
    assert found(searcher, "learning", {"type": ["report"], "language": ["zh"]}) == (1, {8})
    assert found(searcher, "", {"year": ["2015"], "country": ["FR"]}) == (1, {4})
    assert found(searcher, "learning", {"type": []}) == (everything, HOLDING["learning"])


def expected_counts(ids: set[int], facet: str) -> Counter[str]:
    return Counter(v for d in DOCS if d.id in ids for v in d.facets.get(facet, []))


@pytest.mark.parametrize("scan_share", [0.0, 1.0], ids=["scan-value-index", "look-up-each-hit"])
@pytest.mark.parametrize(
    ("text", "filters"),
    [("learning", {}), ("learning", {"country": ["CN"]}), ("", {"language": ["zh"]}), ("", {})],
)
def test_facet_counts_count_the_documents_per_value(
    searcher, monkeypatch, scan_share: float, text: str, filters: dict[str, list[str]]
) -> None:
    # Both ways of counting (few hits, many hits) give the same, exact numbers.
    monkeypatch.setattr(fts5, "SCAN_SHARE", scan_share)
    total, _, counts = searcher.search(text, filters, 0, 1, ("type", "language", "country", "year"))
    matching = {d.id for d in DOCS if not text or d.id in HOLDING[text]}
    for name, values in filters.items():
        matching = {d.id for d in DOCS if d.id in matching and set(d.facets[name]) & set(values)}
    assert total == len(matching)
    for name in ("type", "language", "country", "year"):
        expected = expected_counts(matching, name)
        assert dict(counts[name]) == expected
        # Most frequent first.
        assert [n for _, n in counts[name]] == sorted(expected.values(), reverse=True)


def test_facet_counts_keep_the_most_frequent_values(tmp_path: Path) -> None:
    # 40 subjects, 40 years: subjects stop at 30 (the most frequent), years go on to 300.
    docs = [doc(i, title="learning", year=1950 + i) for i in range(1, 41)]
    for d in docs:
        d.facets["subject"] = [f"s{d.id:02d}", "common"] + (["often"] if d.id % 2 else [])
    path = tmp_path / "many.sqlite3"
    fts5.build(path, docs)
    with fts5.Searcher(path) as s:
        _, _, counts = s.search("learning", {}, 0, 20, ("subject", "year"))
    assert len(counts["subject"]) == 30
    assert counts["subject"][:2] == [("common", 40), ("often", 20)]
    assert len(counts["year"]) == 40


def test_a_value_listed_twice_counts_once(tmp_path: Path) -> None:
    docs = [doc(1, title="learning", language="en"), doc(2, title="learning", language="zh")]
    docs[0].facets["language"] = ["en", "en", "zh"]
    path = tmp_path / "twice.sqlite3"
    fts5.build(path, docs)
    with fts5.Searcher(path) as s:
        _, _, counts = s.search("learning", {}, 0, 20, ("language",))
        assert counts["language"] == [("zh", 2), ("en", 1)]


def test_pages_are_disjoint_and_cover_the_results(tmp_path: Path) -> None:
    docs = [doc(i, title="learning " + "x " * (i % 7), created=1000 - i) for i in range(1, 26)]
    path = tmp_path / "pages.sqlite3"
    fts5.build(path, docs)
    with fts5.Searcher(path) as s:
        pages = [s.search("learning", {}, offset, 10, ()) for offset in (0, 10, 20)]
        assert all(total == 25 for total, _, _ in pages)
        ids = [p[1] for p in pages]
        assert [len(i) for i in ids] == [10, 10, 5]
        assert len(set(ids[0]) | set(ids[1]) | set(ids[2])) == 25
        # The same order as one long page.
        assert ids[0] + ids[1] + ids[2] == s.search("learning", {}, 0, 25, ())[1]
        # Past the end: no ids, but still the total.
        assert s.search("learning", {}, 40, 10, ())[:2] == (25, [])


def test_browsing_lists_the_newest_first(tmp_path: Path) -> None:
    created = [5.0, 30.0, 10.0, 20.0, 1.0]
    docs = [doc(i, title="anything", created=c) for i, c in enumerate(created, start=1)]
    path = tmp_path / "browse.sqlite3"
    fts5.build(path, docs)
    with fts5.Searcher(path) as s:
        total, ids, _ = s.search("", {}, 0, 10, ())
        assert total == 5
        assert ids == [2, 4, 3, 1, 5]
        assert s.search("", {}, 1, 2, ())[1] == [4, 3]


# -- timing ----------------------------------------------------------------------------------------
@dataclass
class Q:
    text: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1


def test_time_queries_gives_one_sample_per_query_and_round(searcher, monkeypatch) -> None:
    seen: list[tuple[str, int, int]] = []
    search = searcher.search

    def spy(text, filters, offset, limit, facets=None):
        seen.append((text, offset, limit))
        return search(text, filters, offset, limit, facets)

    monkeypatch.setattr(searcher, "search", spy)
    queries = [Q("learning"), Q("学习", {"language": ["zh"]}, page=2), Q("", {"type": ["report"]})]
    samples = fts5.time_queries(searcher, queries, 2)
    assert len(samples) == 6 and all(ms >= 0 for ms in samples)
    assert seen[:3] == [("learning", 0, 20), ("学习", 20, 20), ("", 0, 20)]
