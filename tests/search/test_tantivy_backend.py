"""The tantivy backend's own ways to answer fast: facets from the complement, remembered answers.

When most of the index matches, a query's facets are counted from the resources that do not match, taken
from the whole index's counts (remembered per commit). These tests hold that path to counts worked out
here from the documents, and to the direct count of the matches. Remembered answers are named by the
commit their search started on.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from llrc.search.analysis import analyse_joined
from llrc.search.backends.base import BackendQuery, IndexDocument
from llrc.search.backends.remembered import packed, unpacked
from llrc.search.backends.tantivy import POSTINGS_SHARE, TantivyBackend, _within
from llrc.search.backends.tree_counts import TreeCounts, tree_values
from llrc.search.query import parse_query

LANGUAGES = ["en", "zh", "fr", "ar", "ru", "es"]


def english(title: str) -> dict[str, str]:
    """A document's text fields for an English title, as documents.py writes them: its words, and their
    stems in the stem stream (where counting looks for them)."""
    tokens, stems, _pinyin = analyse_joined(title, "en")
    return {"title": tokens, "stem": stems}


SUBJECTS = [f"s{i}" for i in range(12)]


def documents(count: int, with_word: int, seed: int = 7) -> list[IndexDocument]:
    """`count` documents, the first `with_word` of them about learning, with multi-valued facets."""
    rng = random.Random(seed)
    out = []
    for doc_id in range(1, count + 1):
        learning = doc_id <= with_word
        title = "learning for adults" if learning else "community gardens"
        out.append(
            IndexDocument(
                id=doc_id,
                text=english(title),
                facets={
                    "type": [rng.choice(["report", "toolkit", "policy"])],
                    "language": rng.sample(LANGUAGES, rng.randint(1, 3)),
                    "subject": rng.sample(SUBJECTS, rng.randint(1, 4)),
                    "year": [str(rng.randint(2010, 2020))],
                },
                year=2015,
            )
        )
    return out


def path(broader: dict[str, str], code: str) -> tuple[str, ...]:
    """The way down to a concept from the top of its tree ("" above the top)."""
    return (*path(broader, broader[code]), code) if code else ()


def expected(docs: list[IndexDocument], ids: set[int], name: str) -> dict[str, int]:
    return dict(Counter(v for d in docs if d.id in ids for v in d.facets.get(name, [])))


@pytest.fixture
def backend(tmp_path: Path) -> TantivyBackend:
    return TantivyBackend(tmp_path / "index")


def learning(**kwargs: object) -> BackendQuery:
    return BackendQuery(parsed=parse_query("learning"), **kwargs)  # type: ignore[arg-type]


def test_most_of_the_index_matching_counts_exactly(backend):
    docs = documents(60, with_word=50)
    backend.replace_all(docs)
    query = learning(limit=5)
    assert backend._matches_most(backend._index.searcher(), query)  # the path under test
    result = backend.search(query)
    matching = set(range(1, 51))
    assert result.total == 50
    for name in ("type", "language", "subject", "year"):
        assert dict(result.facets[name]) == expected(docs, matching, name), name
    # Counts only: the total from counting the resources that do not match, nothing ranked.
    backend.forget_counts()
    counted = backend.search(replace(query, limit=0, sort="id"))
    assert (counted.total, counted.ids, counted.facets) == (50, [], result.facets)
    # The same counts as counting the matches themselves (the benchmark's engine-only mode).
    backend.count_cache = False
    direct = backend.search(query)
    assert {n: dict(v) for n, v in direct.facets.items()} == {
        n: dict(v) for n, v in result.facets.items()
    }


def test_few_values_shown_are_the_most_frequent(backend):
    docs = documents(60, with_word=45)
    backend.replace_all(docs)
    result = backend.search(learning(facet_size=3))
    counts = expected(docs, set(range(1, 46)), "subject")
    best = sorted(counts.items(), key=lambda vc: (-vc[1], vc[0]))[:3]
    assert result.facets["subject"] == best


def test_the_values_shown_are_counted_in_every_segment(backend):
    """Each commit writes a segment of its own. tantivy counts a facet per segment and, by default,
    keeps only each segment's 10 × size most frequent values before adding the segments together: a
    value outside one segment's list lost that segment's count, so a filter link showed fewer
    resources than it then found. Here "x" is in 2 resources of the first segment (below ten values
    in 3) and 2 of the second: 4 in all, the most frequent."""

    def doc(doc_id: int, subject: str) -> IndexDocument:
        return IndexDocument(
            id=doc_id,
            text=english("learning for adults"),
            facets={"type": ["report"], "subject": [subject]},
        )

    first = [doc(i * 3 + k + 1, f"v{i}") for i in range(10) for k in range(3)]
    backend.index([*first, doc(31, "x"), doc(32, "x")])
    backend.index([doc(33, "x"), doc(34, "x")])
    assert backend._index.searcher().num_segments == 2  # the situation under test
    # A filter, so that the facets are counted over the matches (not from the complement).
    result = backend.search(learning(facet_size=1, filters={"type": ["report"]}))
    assert result.total == 34
    assert result.facets["subject"] == [("x", 4)]


def test_every_way_of_counting_facets_is_exact(backend):
    """Languages and countries are counted from single-valued columns (a resource's set of languages in
    one, its first three countries one to a column) and a multi-valued column for what is left; subjects
    by walking their postings when many resources match, by aggregating their values when few do. Here
    resources hold more countries than there are columns, values that look like the columns'
    placeholder or like two values of a set, and one was replaced (its old version is deleted, not gone
    from the postings): every count must be the number of matching resources holding the value, on
    every path (complement, whole index, the matches directly) and under a filter."""
    rng = random.Random(11)
    # A thesaurus of 30 concepts in a few trees (subjects roll up: a resource holds the concepts given
    # and every one above them).
    broader = {
        f"c{i}": f"c{rng.randrange(i)}" if i and rng.random() < 0.8 else "" for i in range(30)
    }
    countries = ["CN", "FR", "KE", "BR", "IN", "EG", "-", "RU"]
    languages = [*LANGUAGES, "-", "zh Hant"]

    def doc(doc_id: int) -> IndexDocument:
        words = "learning" if doc_id <= 50 else "gardens"
        paths = [path(broader, c) for c in rng.sample(sorted(broader), rng.randint(0, 6))]
        subjects = list(dict.fromkeys(c for p in paths for c in reversed(p)))
        if doc_id % 9 == 0:
            paths = []  # made without the paths: counted from the values themselves
        elif doc_id % 9 == 1:
            paths, subjects = [("x>y",)], ["x>y"]  # a code with the separator in it: the same
        return IndexDocument(
            id=doc_id,
            text=english(f"{words} rare" if doc_id <= 5 else words),
            facets={
                "type": [rng.choice(["report", "policy"])],
                "subject": subjects,
                # Up to 7 countries (3 columns), sometimes none at all.
                "country": rng.sample(countries, rng.randint(0, 7)),
                "language": rng.sample(languages, rng.randint(0, 4)),
            },
            paths={"subject": paths},
        )

    docs = [doc(i) for i in range(1, 81)]
    assert max(len(d.facets["country"]) for d in docs) > 3  # the situations under test
    # Resources reaching a concept by more than one way.
    assert sum(len(d.facets["subject"]) < sum(map(len, d.paths["subject"])) for d in docs) > 10
    backend.replace_all(docs)
    docs[0] = doc(1)  # replaced: new subjects, countries and languages
    backend.index([docs[0]])
    names = ("subject", "country", "language")
    everything = dict.fromkeys(names, 100)

    def check(text: str, ids: set[int], filters: dict[str, list[str]] | None = None) -> None:
        query = BackendQuery(
            parsed=parse_query(text), facets=names, facet_size=100, filters=filters or {}
        )
        # Counts only: the total comes from the counting, not from a ranking.
        for facets in (names, ("subject",)):
            backend.forget_counts()
            counted = backend.search(replace(query, facets=facets, limit=0, sort="id"))
            assert (counted.total, counted.ids) == (len(ids), []), (text, facets)
            for name in facets:
                assert dict(counted.facets[name]) == expected(docs, ids, name), (text, name)
        backend.forget_counts()
        result = backend.search(query)
        assert result.total == len(ids)
        for name in names:
            assert dict(result.facets[name]) == expected(docs, ids, name), (text, name)

    learning_ids = set(range(1, 51))
    reports = {d.id for d in docs if d.id <= 50 and d.facets["type"] == ["report"]}
    # Subjects walked (more than one resource in POSTINGS_SHARE matches) and aggregated (fewer).
    assert len(learning_ids) * POSTINGS_SHARE > len(docs)
    assert len(reports) * POSTINGS_SHARE > len(docs)
    assert len(docs) > 5 * POSTINGS_SHARE
    for cache in (True, False):  # with the complement and whole-index path, then without
        backend.count_cache = cache
        backend.forget_counts()
        check("learning", learning_ids)
        check("learning", reports, {"type": ["report"]})
        check("rare", set(range(1, 6)))
    backend.count_cache = True
    assert backend._index_facets(backend._index.searcher(), everything, "now") == {
        name: sorted(
            expected(docs, set(range(1, 81)), name).items(), key=lambda vc: (-vc[1], vc[0])
        )
        for name in names
    }


@pytest.mark.parametrize(
    "filters",
    [
        {"language": ["en"]},
        {"language": ["en", "fr"], "type": ["report"]},
        # Subjects with a selection: walked (most resources match without it), then aggregated.
        {"subject": ["s1"]},
        {"subject": ["s1", "s2"], "type": ["report"], "language": ["ar"]},
        # A value that is not a plain code: counted in passes of its own.
        {"language": ["zh Hant"], "type": ["report"]},
        # Nothing matches every filter: the facets with a selection still have values.
        {"year": ["1999"], "type": ["policy"]},
    ],
)
def test_facets_counted_without_their_own_filter_count_what_each_link_finds(backend, filters):
    """A facet with a selection is counted without it, the other filters applying (`own_facets`): all
    in one pass over the matches of the query without those filters, or, for a value that is not a
    plain code, in passes of their own. Every count must be the number of resources the value's link
    would find, on a page and when only counts are asked."""
    docs = documents(120, with_word=60)
    for doc in docs[:8]:
        doc.facets["language"].append("zh Hant")
    backend.replace_all(docs)
    learning_ids = set(range(1, 61))
    assert len(learning_ids) * POSTINGS_SHARE > len(docs)  # subjects walked without their filter
    names = ("type", "language", "subject", "year")

    def passing(ids: set[int], these: dict[str, list[str]]) -> set[int]:
        by_id = {d.id: d for d in docs}
        return {
            i
            for i in ids
            if all(set(values) & set(by_id[i].facets.get(n, [])) for n, values in these.items())
        }

    matching = passing(learning_ids, filters)
    query = learning(facets=names, facet_size=100, filters=filters, own_facets=tuple(filters))
    counts_only = replace(query, limit=0, sort="id")
    # The last: only facets with a selection, so that nothing else counts the matches.
    for asked in (query, counts_only, replace(counts_only, facets=tuple(filters))):
        backend.forget_counts()
        result = backend.search(asked)
        assert result.total == len(matching), asked
        for name in asked.facets:
            if name in filters:
                others = {n: v for n, v in filters.items() if n != name}
                ids = passing(learning_ids, others)
            else:
                ids = matching if matching else set()
            assert dict(result.facets.get(name, [])) == expected(docs, ids, name), (name, asked)


def test_plain_values_of_every_shape_are_counted_in_the_one_pass(backend):
    """Codes with colons, slashes, dots, plus and minus signs go into the filter aggregation's query as
    they are, and find exactly the resources holding them; a value with a space or a quote is counted
    in passes of its own."""
    shapes = ["a:b", "x/y.z", "-lead", "plus+1", "report"]
    docs = [
        IndexDocument(
            id=i,
            text=english("learning"),
            facets={"type": [shapes[i % len(shapes)]], "language": [LANGUAGES[i % 3]]},
        )
        for i in range(1, 41)
    ]
    backend.replace_all(docs)
    for selected in (["a:b", "x/y.z"], ["-lead"], ["plus+1", "report"]):
        filters = {"type": selected, "language": ["en"]}
        assert _within(filters) is not None  # the one pass, not passes of their own
        query = learning(
            facets=("type", "language"), facet_size=100, filters=filters, own_facets=("type",)
        )
        result = backend.search(query)
        in_english = {d.id for d in docs if d.facets["language"] == ["en"]}
        assert dict(result.facets["type"]) == expected(docs, in_english, "type"), selected
        shown = {d.id for d in docs if d.id in in_english and d.facets["type"][0] in selected}
        assert result.total == len(shown), selected
        assert dict(result.facets["language"]) == expected(docs, shown, "language"), selected
    assert _within({"type": ['say "hi"']}) is None
    assert _within({"type": ["two words"]}) is None


def test_subjects_counted_from_their_paths_roll_up_exactly():
    """Subjects are counted from `tree_values` (the concepts given, and where two ways up meet, one
    taken away) and rolled up after counting: over random thesauri and resources, every concept's count
    must be the number of resources holding it or a narrower concept, whatever the overlaps."""
    rng = random.Random(3)
    for _trial in range(500):
        size = rng.randint(1, 15)
        broader = {
            f"c{i}": f"c{rng.randrange(i)}" if i and rng.random() < 0.8 else "" for i in range(size)
        }

        values: Counter[str] = Counter()
        holding: Counter[str] = Counter()
        for _resource in range(rng.randint(1, 6)):
            paths = [
                path(broader, c) for c in rng.sample(sorted(broader), rng.randint(1, min(5, size)))
            ]
            rolled = list(dict.fromkeys(c for p in paths for c in reversed(p)))
            holding.update(rolled)
            written = tree_values(paths, rolled)
            assert len(written) == len(set(written))  # a value once per resource
            values.update(written)
        assert TreeCounts().totals(list(values.items())) == dict(holding)


def test_meaning_matches_are_counted_with_the_words(backend):
    docs = documents(60, with_word=50)
    backend.replace_all(docs)
    result = backend.search(learning(also_ids=[55, 56]))
    matching = set(range(1, 51)) | {55, 56}
    assert result.total == 52
    assert dict(result.facets["language"]) == expected(docs, matching, "language")


def test_filters_only_filter_they_add_no_score(backend):
    """A filter scored 1 for every match: a resource found by meaning alone then scored as if it held
    the words (`services._fuse_with_vectors` reads a score above 0 so), and only under a filter."""
    docs = documents(60, with_word=50)
    backend.replace_all(docs)
    meaning_only = [d.id for d in docs if d.id > 50][:3]
    year = docs[meaning_only[0] - 1].facets["year"]  # ids start at 1
    plain = backend.search(learning(also_ids=meaning_only, limit=60))
    for filtered in (
        learning(
            also_ids=meaning_only, limit=60, filters={"type": ["report", "toolkit", "policy"]}
        ),
        learning(also_ids=meaning_only, limit=60, filters={"year": year}),
        learning(also_ids=meaning_only, limit=60, restrict_ids=list(range(1, 61))),
        learning(also_ids=meaning_only, limit=60, after_id=0),
    ):
        result = backend.search(filtered)
        scored = dict(zip(result.ids, result.scores, strict=True))
        assert meaning_only[0] in scored
        assert all(scored[i] == 0 for i in meaning_only if i in scored), filtered
        # The words' matches keep the scores they have unfiltered.
        unfiltered = dict(zip(plain.ids, plain.scores, strict=True))
        assert all(scored[i] == pytest.approx(unfiltered[i]) for i in scored if i <= 50)


@pytest.mark.parametrize("every_word", [True, False])
def test_meaning_matches_join_a_query_of_several_words_whatever_words_they_hold(
    backend, every_word
):
    """Meaning matches join the words' query (`_query`, which counts with them as terms of each group of
    words): a candidate holding one of two words, or none, is still found and counted once; where every
    word must match it scores nothing, and the words' matches keep their order and scores."""
    docs = documents(60, with_word=30)
    docs[40].text = {"title": "adults in community gardens", "stem": "adult commun garden"}
    backend.replace_all(docs)
    words = BackendQuery(
        parsed=parse_query("learning adults"), match_all_terms=every_word, limit=60
    )
    alone = backend.search(words)
    candidates = [41, 45, 3]  # one word (41), none (45), both (3)
    result = backend.search(replace(words, also_ids=candidates))
    word_matches = set(range(1, 31)) | (set() if every_word else {41})
    matching = word_matches | {41, 45}
    assert alone.total == len(word_matches)
    assert result.total == len(matching)
    assert set(result.ids) == matching
    assert dict(result.facets["subject"]) == expected(docs, matching, "subject")
    scored = dict(zip(result.ids, result.scores, strict=True))
    assert [i for i in result.ids if i in word_matches] == alone.ids
    assert all(scored[i] == pytest.approx(s) for i, s in zip(alone.ids, alone.scores, strict=True))
    assert {i for i in result.ids if scored[i] == 0.0} == matching - word_matches


def test_facet_values_counted_as_numbers_are_named_in_another_process(tmp_path):
    """Values are counted as numbers kept beside the index (`FacetNumbers`): a search in a process that
    did not write a value names it from the file, which the writer wrote before its commit."""
    serving = TantivyBackend(tmp_path / "index")
    # Few match: subjects are aggregated from their numbers, not walked (POSTINGS_SHARE).
    docs = documents(200, with_word=5)
    serving.replace_all(docs)
    assert dict(serving.search(learning()).facets["subject"]) == expected(
        docs, set(range(1, 6)), "subject"
    )
    # `llrc reindex` beside the server: another backend object, numbers of its own for new values.
    other = TantivyBackend(tmp_path / "index")
    extra = IndexDocument(
        id=999,
        text=english("learning"),
        facets={"type": ["report"], "subject": ["new-concept", "s1"]},
    )
    other.index([extra])
    result = serving.search(learning())
    assert dict(result.facets["subject"]) == expected(
        [*docs, extra], {*range(1, 6), 999}, "subject"
    )
    assert ("new-concept", 1) in result.facets["subject"]


@pytest.mark.parametrize("content", ["{not json", '["a list"]', None])
def test_an_index_without_its_facet_numbers_is_dropped_and_rebuilt(tmp_path, caplog, content):
    """Numbers the file no longer names would be counted as nothing, and given again to other values:
    the index goes, as an index of an older schema does, and is written anew."""
    path = tmp_path / "index"
    docs = documents(30, with_word=5)
    TantivyBackend(path).replace_all(docs)
    numbers = path / "facet-numbers.json"
    if content is None:
        numbers.unlink()
    else:
        numbers.write_text(content)
    reopened = TantivyBackend(path)
    assert reopened.count() == 0
    assert "facet values' numbers are missing or unreadable" in caplog.text
    reopened.replace_all(docs)
    assert dict(reopened.search(learning()).facets["subject"]) == expected(
        docs, set(range(1, 6)), "subject"
    )


def test_a_write_with_unreadable_facet_numbers_fails_whole_and_the_next_one_works(backend):
    docs = documents(30, with_word=5)
    backend.replace_all(docs)
    numbers = backend.path / "facet-numbers.json"
    kept = numbers.read_text()
    numbers.write_text("{broken")
    extra = replace(docs[0], id=100, facets={"type": ["report"], "subject": ["new"]})
    with pytest.raises(ValueError, match=r"facet-numbers\.json"):
        backend.index([extra])
    assert backend.count() == 30
    numbers.write_text(kept)
    backend.index([extra])  # nothing of the failed write is left, and the writer is free again
    assert backend.count() == 31


@pytest.mark.parametrize("values", [40, 260])
def test_numbered_facet_values_tied_at_the_cut_are_chosen_by_value(backend, values):
    """tantivy breaks ties by number, the page by value (as PostgreSQL does): with every value once,
    the values shown are the first in byte order, however many more share their count (past 200, more
    than tantivy is asked for: `_cut_in_a_tie`)."""
    rng = random.Random(5)
    codes = [f"c{i:03d}" for i in range(values)]
    rng.shuffle(codes)  # numbers are given in the order values are first written: not by value
    docs = [
        IndexDocument(
            id=i + 1,
            text=english("learning"),
            facets={"type": ["report"], "target_group": [code]},
        )
        for i, code in enumerate(codes)
    ]
    # Others, so that the facets are counted from the matches, not from those that do not match
    # (`_most_of`).
    others = documents(values // 2, with_word=0, seed=9)
    docs += [replace(doc, id=values + doc.id) for doc in others]
    backend.replace_all(docs)
    assert not backend._matches_most(backend._index.searcher(), learning())
    first = [(code, 1) for code in sorted(codes)[:30]]
    shown = backend.search(learning(facet_size=30)).facets["target_group"]
    assert shown == first
    # The same in the one pass that counts facets with a selection (`_aggregate_within`): under the
    # search's own filter, and as a facet counted without its own.
    filtered = learning(facet_size=30, filters={"type": ["report"]}, own_facets=("type",))
    assert backend.search(filtered).facets["target_group"] == first
    own = learning(
        facet_size=30,
        filters={"type": ["report"], "target_group": [codes[0]]},
        own_facets=("type", "target_group"),
    )
    assert backend.search(own).facets["target_group"] == first


@pytest.mark.parametrize(
    "filters",
    [{"type": ["report"]}, {"subject": ["s1", "s4"]}, {"year": ["2012"]}, {"language": ["ar"]}],
)
def test_browsing_one_facet_counts_it_over_the_whole_index(backend, filters):
    """No words and one selection (a facet link from the home page): the selected facet counted without
    its selection is the whole index's count, taken from the counts remembered per commit; the other
    facets and the total are the selection's. After a commit the new resource is counted."""
    docs = documents(80, with_word=20)
    backend.replace_all(docs)
    names = ("type", "language", "subject", "year")
    (name,) = filters
    query = BackendQuery(
        parse_query(""), facets=names, facet_size=100, filters=filters, own_facets=(name,)
    )
    for round_no in range(2):
        every = {d.id for d in docs}
        matching = {d.id for d in docs if set(filters[name]) & set(d.facets.get(name, []))}
        for asked in (query, replace(query, limit=0, sort="id")):
            backend.forget_counts()
            result = backend.search(asked)
            assert result.total == len(matching), asked
            assert dict(result.facets[name]) == expected(docs, every, name)
            for other in names:
                if other != name:
                    assert dict(result.facets[other]) == expected(docs, matching, other), other
        assert backend._whole_index is not None  # counted once per commit, not over the matches
        if round_no == 0:
            extra = IndexDocument(
                id=500,
                text=english("community gardens"),
                facets={
                    "type": ["report"],
                    "language": ["ar"],
                    "subject": ["s1"],
                    "year": ["2012"],
                },
            )
            backend.index([extra])
            docs = [*docs, extra]


def test_whole_index_counts_follow_a_commit(backend):
    docs = documents(60, with_word=50)
    backend.replace_all(docs)
    assert backend._matches_most(backend._index.searcher(), learning())  # the path under test
    backend.search(learning())
    extra = IndexDocument(
        id=99,
        text=english("learning together"),
        facets={"type": ["toolkit"], "language": ["sw"], "subject": ["s0"]},
    )
    backend.index([extra])
    result = backend.search(learning())
    assert result.total == 51
    assert dict(result.facets["language"]) == expected(
        [*docs, extra], {*range(1, 51), 99}, "language"
    )


def test_the_bound_on_matches_is_never_below_them(backend):
    """Subjects are aggregated with the other facets, in one pass, when the terms' document frequencies
    show that few can match (`_most_matches`); a bound below the matches would only cost time, but it
    must be a bound."""
    docs = documents(80, with_word=30)
    backend.replace_all(docs)
    searcher = backend._index.searcher()
    queries = [
        BackendQuery(parsed=parse_query(text), filters=filters, also_ids=also)
        for text, filters, also in [
            ("learning", {}, []),
            ("learning adults", {}, []),
            ('"learning for adults"', {}, []),
            ("title:learning", {}, []),
            ("learning OR gardens", {}, []),
            ("learning", {"type": ["report", "policy"]}, []),
            ("learning", {"language": ["en"]}, [70, 71]),
            ("gardens -learning", {}, []),
            ("nothing", {}, [3, 70]),
        ]
    ]
    queries.append(replace(queries[1], match_all_terms=False))
    for query in queries:
        total = backend.search(query).total
        assert total > 0
        assert total <= backend._most_matches(searcher, query) <= len(docs), query.parsed
    # Tight where it can be: one word, one field.
    assert backend._most_matches(searcher, BackendQuery(parse_query("title:learning"))) == 30


@pytest.mark.parametrize("with_word", [20, 45])
def test_a_query_fewer_than_four_in_five_match_counts_its_matches_directly(backend, with_word):
    """The complement pays for finding the query's matches and counting the rest: from the benchmark,
    it wins only when well over three in four records match (`MOST_SHARE`): not at 45 of 60."""
    docs = documents(60, with_word=with_word)
    backend.replace_all(docs)
    query = learning()
    assert not backend._matches_most(backend._index.searcher(), query)
    result = backend.search(query)
    matching = set(range(1, with_word + 1))
    assert dict(result.facets["subject"]) == expected(docs, matching, "subject")


def test_an_answer_stored_late_for_an_older_commit_is_never_served(backend, tmp_path):
    """A search that took its searcher before a commit stores its answer after another search has
    noticed the commit: that answer must not be served for the newer index."""
    backend.replace_all(documents(10, with_word=5))
    query = learning()
    engine = backend._index

    class CommitWhileSearching:
        """The index as the slow search sees it: between taking its searcher and storing its answer,
        another process commits and another thread searches the new commit."""

        def __init__(self) -> None:
            self.first = True

        def searcher(self):
            taken = engine.searcher()
            if self.first:
                self.first = False
                other = TantivyBackend(backend.path)
                other.index([IndexDocument(id=99, text=english("learning"), facets={})])
                assert backend.search(query).total == 6  # the other thread, on the new commit
            return taken

        def __getattr__(self, name: str):
            return getattr(engine, name)

    backend._index = CommitWhileSearching()
    assert backend.search(query).total == 5  # the slow search answers from its older searcher
    backend._index = engine
    again = backend.search(query)
    assert again.total == 6
    assert 99 in again.ids


def test_a_remembered_answer_is_not_changed_by_what_a_reader_does_with_it(backend):
    backend.replace_all(documents(40, with_word=30))
    first = backend.search(learning())
    shown = {name: list(values) for name, values in first.facets.items()}
    # A caller that edits its answer (adds a selected value, drops an empty one) edits its own copy.
    first.facets["type"].append(("not-a-type", 0))
    first.facets.pop("language")
    again = backend.search(learning())
    assert backend.count_hits >= 1
    assert again.facets == shown
    again.facets["subject"].clear()
    # Another page of the same query: its counts come from memory too.
    assert backend.search(learning(offset=20)).facets == shown


def test_remembered_facet_counts_share_their_values_and_come_back_whole():
    # Thousands of remembered answers name the same facet values: each value is kept once.
    first = {"country": [("".join(["C", "N"]), 5), ("FR", 2)], "year": []}
    second = {"country": [("".join(["C", "N"]), 1)]}
    kept_first, kept_second = packed(first), packed(second)
    assert kept_first[0][1][0] is kept_second[0][1][0]
    assert unpacked(kept_first) == first and unpacked(kept_second) == second
    assert unpacked(kept_first) is not unpacked(kept_first)


def test_a_started_search_gives_its_page_before_its_counts_and_the_same_answer(backend):
    """`start_search` counts facets in the pool and ranks when the page is asked for: the page, the
    total and the facets are those `search` gives, whichever is asked first, on every counting path."""
    docs = documents(60, with_word=50)
    backend.replace_all(docs)
    queries = [
        learning(limit=5),  # most of the index matches: the complement
        learning(limit=5, filters={"type": ["report"]}),
        BackendQuery(parsed=parse_query("gardens"), limit=5),
        learning(limit=0, sort="id", facets=("language",)),  # counts only
        learning(limit=0, sort="id", facets=("subject",)),  # counts only, subjects walked
        learning(limit=5, offset=48),
    ]
    for cache in (True, False):
        backend.count_cache = cache
        for query in queries:
            backend.forget_counts()
            expected_answer = backend.search(query)
            backend.forget_counts()
            started = backend.start_search(query)
            page = started.ranked()
            answer = started.result()
            assert page == (expected_answer.ids, expected_answer.scores), query
            assert answer == expected_answer, query
            assert started.result() is answer  # asked again: the same answer, not a second search
            # Asked in the other order.
            backend.forget_counts()
            started = backend.start_search(query)
            assert started.result() == expected_answer
            assert started.ranked() == (expected_answer.ids, expected_answer.scores)
        # Remembered answers come back the same way.
        backend.count_cache = True
        for query in queries:
            first = backend.search(query)
            again = backend.start_search(query)
            assert again.ranked() == (first.ids, first.scores) and again.result() == first
