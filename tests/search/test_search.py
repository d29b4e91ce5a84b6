"""Search through the service layer on the real engine (tantivy) and the real database."""

import pytest
from django.utils import translation

from llrc.catalogue import services
from llrc.search import services as search
from llrc.search.services import SearchInputError

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(make_resource):
    """A small mixed Chinese and English collection."""
    return {
        "zh_law": make_resource(
            resource_type="legislation",
            titles={"zh-hans": "上海市终身教育促进条例"},
            original_language="zh-hans",
            summaries={"zh-hans": "条例规定了政府推动终身学习和社区教育的职责。"},
            countries=["CN"],
            languages=["zh"],
            date_issued="2011",
        ),
        "zh_article": make_resource(
            resource_type="article",
            titles={"zh-hans": "老年人数字学习的现状与对策"},
            original_language="zh-hans",
            summaries={"zh-hans": "本文研究老年人在社区中的学习需求。"},
            countries=["CN"],
            languages=["zh"],
            subjects=[],
            date_issued="2019",
            target_groups=["older-people"],
        ),
        "en_report": make_resource(
            resource_type="report",
            titles={"en": "Global report on adult learning and education"},
            summaries={"en": "Monitors how countries invest in lifelong learning for adults."},
            countries=["DE"],
            languages=["en"],
            date_issued="2022",
        ),
        "en_policy": make_resource(
            resource_type="policy",
            titles={"en": "Skills for life: a lifelong learning strategy"},
            summaries={"en": "Learning opportunities for workers and older people."},
            countries=["SG"],
            languages=["en"],
            date_issued="2015",
            target_groups=["older-people", "adult-workers"],
        ),
        "en_other": make_resource(
            resource_type="toolkit",
            titles={"en": "Planting trees in school yards"},
            summaries={"en": "A guide for gardening clubs."},
            countries=["KE"],
            languages=["en"],
            subjects=[],
            collections=[],
            date_issued="2010",
        ),
    }


def ids(page):
    return {hit.resource.pk for hit in page.hits}


def test_two_character_chinese_query_finds_longer_words(corpus):
    page = search.search_resources("学习")
    assert {corpus["zh_law"].pk, corpus["zh_article"].pk} <= ids(page)
    assert corpus["en_other"].pk not in ids(page)


def test_chinese_compound_query(corpus):
    page = search.search_resources("终身学习")
    assert corpus["zh_law"].pk in ids(page)
    # The English-only resources were described with the Lifelong learning subject, whose Chinese label is ours.
    assert corpus["en_other"].pk not in ids(page)


def test_chinese_title_with_latin_letters_is_found_by_each_word(make_resource):
    both = make_resource(
        titles={"zh-hans": "CBA与NBA总决赛比较研究"},
        original_language="zh-hans",
        summaries={"zh-hans": "对2011赛季总决赛的比赛数据进行统计。"},
        subjects=[],
        collections=[],
    )
    for query in ("title:NBA", "总决赛", "cba", "赛季"):
        assert both.pk in ids(search.search_resources(query)), query


def test_resources_with_every_word_come_first_and_those_with_some_follow_when_few(corpus):
    """ "upskilling low-skilled adult workers" found one record of the five a reader wants: fewer than
    FEW_WITH_EVERY_WORD records held every word, and none other was shown. Those with some of the words
    now follow, with a notice; the total and the facets count what is listed."""
    page = search.search_resources("lifelong learning strategy")
    order = [hit.resource.pk for hit in page.hits]
    assert order[0] == corpus["en_policy"].pk  # the one with every word
    assert set(order) == {corpus[k].pk for k in ("en_policy", "en_report", "zh_law", "zh_article")}
    assert corpus["en_other"].pk not in order  # holds none of the words
    assert page.notices == [
        "Only 1 resource contains all the words; resources containing some of them follow."
    ]
    assert page.total == len(order) == 4
    types = {b.value: b.count for f in page.facets if f.name == "type" for b in f.buckets}
    assert types == {"policy": 1, "report": 1, "legislation": 1, "article": 1}
    # In Chinese, with the count.
    with translation.override("zh-hans"):
        chinese = search.search_resources("lifelong learning strategy", lang="zh-hans")
    assert [h.resource.pk for h in chinese.hits] == order
    assert chinese.notices == [
        "只有 1 条资源同时包含所有检索词；下面接着显示包含其中部分检索词的资源。"
    ]


def test_many_resources_with_every_word_are_all_that_is_found(make_resource):
    """From FEW_WITH_EVERY_WORD records holding every word on, every word is required, as before."""
    every = [
        make_resource(titles={"en": f"Literacy for rural women, part {n}"}, subjects=[])
        for n in range(search.FEW_WITH_EVERY_WORD - 1)
    ]
    some = make_resource(titles={"en": "Literacy in cities"}, subjects=[])
    fewer = search.search_resources("rural literacy")
    order = [h.resource.pk for h in fewer.hits]
    assert set(order[:-1]) == {r.pk for r in every} and order[-1] == some.pk
    assert fewer.notices == [
        "Only 9 resources contain all the words; resources containing some of them follow."
    ]
    every.append(make_resource(titles={"en": "Rural literacy"}, subjects=[]))
    page = search.search_resources("rural literacy")
    assert ids(page) == {r.pk for r in every} and page.total == len(every)
    assert page.notices == []


def test_one_word_or_alternatives_are_never_widened(corpus):
    # A single word, or words joined by OR, asks for any of them already.
    assert search.search_resources("strategy").total == 1
    page = search.search_resources("strategy OR gardening")
    assert ids(page) == {corpus["en_policy"].pk, corpus["en_other"].pk}
    assert page.notices == []


def test_ranking_prefers_title_matches(corpus):
    page = search.search_resources("adult learning")
    assert page.hits[0].resource.pk == corpus["en_report"].pk


def test_snippets_mark_matches_and_are_escaped(corpus, make_resource):
    make_resource(
        titles={"en": "Literacy <script>alert(1)</script> for adults"},
        summaries={"en": "Literacy & numeracy"},
    )
    page = search.search_resources("literacy")
    html = page.hits[0].title_html
    assert "<mark>Literacy</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("title", "query", "marked"),
    [
        ("Éducation des adultes en région", "education", "Éducation"),
        ("Educación de adultos", "educación", "Educación"),
        ("Учёба взрослых", "учеба", "Учёба"),
        ("تعليم الكبار في أفريقيا", "افريقيا", "أفريقيا"),
        # Written with its vowels, as primers for adults learning to read are: the fold drops them.
        ("التَّعَلُّمُ مدى الحياة", "التعلم", "التَّعَلُّمُ"),
        ("التعلـــم مدى الحياة", "التعلم", "التعلـــم"),  # stretched with tatweel
        # The accent as a combining mark (decomposed), as some PDFs and Mac file names write it.
        ("Educacio\u0301n de adultos", "educacion", "Educacio\u0301n"),
        # A soft hyphen inside the word, as PDF text holds them; marks of direction around Arabic; a
        # zero-width space pasted inside the query's word. Each split the word it was in: found nothing.
        ("Programme d'alphabétisation (litera\u00adcy)", "literacy", "litera\u00adcy"),
        ("\u200fتعليم الكبار\u200f", "تعليم", "تعليم"),
        ("Educación de adultos", "educa\u200bción", "Educación"),
    ],
)
def test_words_are_marked_whatever_their_accents(make_resource, title, query, marked):
    # The index folds accents, ё and Arabic letter variants away, so the terms to mark are folded: the
    # text is looked through folded the same way, and the words are marked as they are written.
    resource = make_resource(
        titles={"fr": title},
        original_language="fr",
        summaries={"fr": f"{title}. {title}"},
        subjects=[],
        collections=[],
    )
    page = search.search_resources(query)
    hit = next(h for h in page.hits if h.resource.pk == resource.pk)
    assert f"<mark>{marked}</mark>" in hit.title_html
    assert f"<mark>{marked}</mark>" in hit.snippet_html
    assert hit.why == ""  # the reader's own word is in the title: nothing to explain


def test_facet_counts_equal_number_of_matches(corpus):
    page = search.search_resources("learning")
    facets = {f.name: f for f in page.facets}
    # Every resource has exactly one type: the type buckets add up to the total.
    assert sum(b.count for b in facets["type"].buckets) == page.total
    for facet_name in ("type", "country", "year", "target_group"):
        for bucket in facets[facet_name].buckets:
            filtered = search.search_resources("learning", filters={facet_name: [bucket.value]})
            assert filtered.total == bucket.count, (facet_name, bucket.value)


def test_a_facet_with_a_selection_counts_each_value_as_its_link_finds_it(make_resource):
    """Within a facet values combine with OR: its counts are taken without its own selection (the
    other filters still apply), so each count is what that value finds with the other filters."""
    for languages, kind in (
        (["en"], "report"),
        (["fr"], "report"),
        (["en", "fr"], "report"),
        (["en", "fr"], "policy"),
        (["es"], "report"),
    ):
        make_resource(titles={"en": "Adult learning"}, languages=languages, resource_type=kind)
    filters = {"language": ["en"], "type": ["report"]}
    page = search.search_resources("learning", filters=filters)
    assert page.total == 2
    facets = {f.name: {b.value: b.count for b in f.buckets} for f in page.facets}
    assert facets["language"] == {"en": 2, "fr": 2, "es": 1}
    assert facets["type"] == {"report": 2, "policy": 1}
    for name, counts in facets.items():
        if name not in filters:
            continue
        for value, count in counts.items():
            alone = search.search_resources("learning", filters={**filters, name: [value]})
            assert alone.total == count, (name, value)
    # Adding a value finds what either value finds.
    both = search.search_resources("learning", filters={**filters, "language": ["en", "fr"]})
    assert both.total == 3


def test_a_selected_facet_is_counted_for_the_results_shown_when_only_some_words_match(
    make_resource,
):
    """No resource has both words, so resources with either are shown; the facet with a selection is
    counted for those, not for the query that found nothing."""
    for title, language in (
        ("Adult learning", "en"),
        ("Adult learning", "fr"),
        ("Community gardens", "en"),
    ):
        make_resource(
            titles={"en": title}, summaries={"en": title}, languages=[language], subjects=[]
        )
    page = search.search_resources("learning gardens", filters={"language": ["en"]})
    assert page.total == 2 and page.notices
    facets = {f.name: {b.value: b.count for b in f.buckets} for f in page.facets}
    assert facets["language"] == {"en": 2, "fr": 1}


def test_filters_combine_across_facets(corpus):
    page = search.search_resources(
        "", filters={"target_group": ["older-people"], "country": ["SG"]}
    )
    assert ids(page) == {corpus["en_policy"].pk}
    page = search.search_resources("", filters={"country": ["SG", "DE"]})
    assert ids(page) == {corpus["en_policy"].pk, corpus["en_report"].pk}
    page = search.search_resources("", filters={"country": ["SG"], "type": ["report"]})
    assert page.total == 0


def test_collection_filter_includes_sub_collections(corpus):
    # The fixtures put resources in "laws", a child of "policies".
    laws = search.search_resources("", filters={"collection": ["laws"]})
    policies = search.search_resources("", filters={"collection": ["policies"]})
    assert laws.total == policies.total == 4


def test_deleted_resource_leaves_results_at_once(corpus, django_capture_on_commit_callbacks):
    assert corpus["en_report"].pk in ids(search.search_resources("global report"))
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(corpus["en_report"], actor=None)
    assert search.search_resources("global report").total == 0


def test_unpublished_resource_is_not_found(make_resource):
    make_resource(titles={"en": "Draft charter of learning"}, status="draft")
    assert search.search_resources("charter").total == 0


def test_pagination_returns_each_result_once(make_resource):
    for n in range(7):
        make_resource(titles={"en": f"Community learning centre number {n}"})
    seen = []
    for page_number in (1, 2, 3):
        page = search.search_resources("community", page=page_number, page_size=3)
        seen.extend(ids(page))
        assert page.total == 7
    assert len(seen) == len(set(seen)) == 7


def test_reindex_rebuilds_from_catalogue(corpus, search_index):
    import shutil

    # Lose the index: tantivy's folder, or every row of the PostgreSQL table.
    if search.get_backend().name == "tantivy":
        shutil.rmtree(search_index)
    else:
        search.get_backend().replace_all([])
    search.reset_backend()
    assert search.search_resources("学习").total == 0
    assert search.rebuild_index() == 5
    assert search.search_resources("学习").total >= 2


def test_identifier_query_finds_resource(make_resource):
    resource = make_resource(
        identifiers=[("isbn", "978-0-306-40615-7"), ("doi", "10.1234/Lifelong.2020")]
    )
    assert ids(search.search_resources("978-0-306-40615-7")) == {resource.pk}
    assert ids(search.search_resources("https://doi.org/10.1234/lifelong.2020")) == {resource.pk}


def test_creator_and_subject_labels_in_any_language_are_searched(make_resource):
    resource = make_resource(
        creators=[], subjects=["concept1519"], titles={"en": "Reading circles"}
    )
    # concept1519 is Literacy; its French label is Alphabétisation.
    assert resource.pk in ids(search.search_resources("alphabétisation"))
    other = make_resource(titles={"en": "A plan"}, creators=[])
    services_creator = make_resource(titles={"en": "Another plan"})
    found = ids(search.search_resources("ministry"))
    assert services_creator.pk in found and other.pk not in found


def test_no_match_for_all_words_falls_back_and_says_so(corpus):
    page = search.search_resources("trees lifelong")
    assert page.total >= 2
    assert page.notices


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"page": 0}, "page"),
        ({"page_size": 1000}, "page size"),
        # Taken for "no size given" (and 20 used), where -5 was refused.
        ({"page_size": 0}, "page size"),
        # ({"page": 100000}: past the last result, an empty page; past the 10,000th of a search
        # holding more, refused: test_navigation.)
        ({"filters": {"colour": ["red"]}}, "unknown filter"),
        # A control character in a link's filter failed PostgreSQL's search with a server error.
        ({"filters": {"country": ["CN\x00"]}}, "not text"),
        ({"filters": {"collection": ["laws\ud800"]}}, "not text"),
    ],
)
def test_bad_parameters_give_clear_errors(kwargs, words):
    with pytest.raises(SearchInputError, match=words):
        search.search_resources("learning", **kwargs)


def test_overlong_and_odd_queries_are_answered(corpus):
    page = search.search_resources("learning " * 200)
    assert page.notices
    for odd in ('"', "*", "AND OR NOT", "title:", "((((", "\x00", "😀"):
        search.search_resources(odd)  # answered, never raises
    # A control character reached PostgreSQL in a field's value and in an identifier: a server error.
    for odd in ("type:\x00", "type:report\x00", "10.1234/a\x00b", "lifelong\x00learning"):
        assert search.search_resources(odd).query == odd.replace("\x00", " ").strip()


def test_updating_a_resource_replaces_its_document(
    make_resource, django_capture_on_commit_callbacks
):
    # Regression: deleting by a u64 term removed nothing, so every update added a duplicate document.
    from tests.conftest import resource_data

    resource = make_resource(titles={"en": "Learning festival"})
    for title in ("Learning festival 2024", "Learning festival 2025"):
        with django_capture_on_commit_callbacks(execute=True):
            services.update_resource(resource, resource_data(titles={"en": title}), actor=None)
    page = search.search_resources("festival")
    assert page.total == 1
    assert search.get_backend().count() == 1


def _on_tantivy(settings):
    """The next two tests hold mechanisms of the tantivy backend only (remembered answers, facet threads):
    they run on it whichever backend the suite is testing, over the same catalogue."""
    settings.SEARCH_BACKEND = "tantivy"
    search.reset_backend()
    search.rebuild_index()


def test_remembered_counts_follow_every_commit(corpus, make_resource, settings):
    """Totals, facets and ranked pages are kept per query until the index changes, whoever changes it."""
    _on_tantivy(settings)
    from llrc.search.backends.tantivy import TantivyBackend

    # Words only: a new resource's vector would change the query's meaning candidates, and so the key.
    settings.SEARCH_VECTORS = False
    backend = search.get_backend()
    first = search.search_resources("learning", page_size=100)
    remembered = backend.hit_cache_hits
    again = search.search_resources("learning", page_size=100)
    assert backend.hit_cache_hits > remembered  # the ranked page came from memory
    assert again.total == first.total
    assert [h.resource.pk for h in again.hits] == [h.resource.pk for h in first.hits]
    # Another page or order of the same query is its own entry, not the first page again.
    by_title = search.search_resources("learning", page_size=2, sort="title")
    by_title_2 = search.search_resources("learning", page_size=2, sort="title", page=2)
    assert by_title.total == by_title_2.total == first.total
    assert not {h.resource.pk for h in by_title.hits} & {h.resource.pk for h in by_title_2.hits}
    toolkit = make_resource(
        resource_type="toolkit",
        titles={"en": "A learning toolkit for community centres"},
        countries=["KE"],
    )
    grown = search.search_resources("learning", page_size=100)
    assert grown.total == first.total + 1
    # The ranked ids followed the commit too.
    assert toolkit.pk in [h.resource.pk for h in grown.hits]
    types = {b.value: b.count for f in grown.facets if f.name == "type" for b in f.buckets}
    assert types.get("toolkit") == 1
    # Another process (here: another backend object on the same directory) removes everything.
    other = TantivyBackend(search.get_backend().path)
    other.replace_all([])
    assert search.search_resources("learning").total == 0


# Forking a process that has threads is exactly the situation under test; Python warns about it.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_process_counts_facets_on_its_own_threads(corpus, settings):
    """A pre-forking server forks after the parent searched: the child must not wait for the parent's
    facet threads, which it does not have."""
    _on_tantivy(settings)
    import os
    import time

    from llrc.search.backends.base import BackendQuery
    from llrc.search.query import parse_query

    backend = search.get_backend()
    assert search.search_resources("learning").facets  # the parent's threads exist now
    pid = os.fork()
    if pid == 0:  # the child: answer from the engine only (no database connection shared over fork)
        code = 1
        try:
            backend.forget_counts()
            result = backend.search(BackendQuery(parsed=parse_query("learning")))
            code = 0 if result.total and result.facets.get("type") else 3
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked process waited a minute for facet counts")


@pytest.mark.vectors
@pytest.mark.django_db
def test_warming_up_loads_what_the_first_search_would(monkeypatch):
    from llrc.search import crosslang, vectors

    # As in a fresh server process: nothing loaded yet.
    monkeypatch.setattr(crosslang, "_dictionary", None)
    monkeypatch.setattr(vectors, "_encoder", None)
    assert search.warm_up() == []
    assert crosslang._dictionary is not None
    assert vectors._encoder is not None


@pytest.mark.django_db
def test_a_part_that_cannot_warm_up_is_named_and_the_rest_still_loads(monkeypatch, settings):
    from llrc.search import crosslang

    monkeypatch.setattr(crosslang, "_dictionary", None)
    settings.SEARCH_BACKEND = "elastic"
    search.reset_backend()
    assert search.warm_up() == ["search index"]
    assert crosslang._dictionary is not None
    # The request that needs the index reports it as before.
    with pytest.raises(SearchInputError, match="unknown search backend 'elastic'"):
        search.search_resources("learning")


@pytest.mark.django_db(transaction=True)
def test_the_warm_up_in_the_background_reports_when_it_is_done(settings):
    settings.SEARCH_BACKEND = "elastic"  # one part fails: the report names it
    search.reset_backend()
    reports = []
    thread = search.warm_up_in_background(lambda failed, seconds: reports.append((failed, seconds)))
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert [failed for failed, _s in reports] == [["search index"]]
    assert reports[0][1] >= 0


def test_threads_asking_for_the_engine_at_once_share_one(settings):
    # The warm-up thread asks for the engine as the first requests do. A tantivy backend that finds an
    # index of an older schema deletes its files: two built at once failed (FileNotFoundError) or
    # differed in 18 of 20 trials before the engines were made under one lock.
    import threading

    from llrc.search.backends.tantivy import TantivyBackend

    settings.SEARCH_BACKEND = (
        "tantivy"  # whichever backend the suite tests: this is tantivy's hazard
    )
    for _trial in range(5):
        search.reset_backend()
        folder = settings.INDEX_DIR / "tantivy"
        TantivyBackend(folder)
        (folder / "llrc-schema-version").write_text("old")
        for n in range(300):
            (folder / f"left-over-{n}").write_text("x")
        got: list[object] = []
        errors: list[Exception] = []

        def ask(got: list[object] = got, errors: list[Exception] = errors) -> None:
            try:
                got.append(search.get_backend())
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len(got) == 2 and got[0] is got[1]
        assert not list(folder.glob("left-over-*"))


def test_one_search_has_one_time_budget_for_all_its_statements():
    import time

    from llrc.search.backends.base import SearchTimeout, search_deadline, time_left_ms

    # Used directly (benchmarks), a backend limits each statement to the setting, or not at all.
    assert time_left_ms(3000) == 3000 and time_left_ms(0) is None
    # Inside a search, a statement gets what is left of the search's budget ...
    token = search_deadline.set(time.monotonic() + 2.0)
    try:
        assert 1500 < (time_left_ms(3000) or 0) <= 2000
    finally:
        search_deadline.reset(token)
    # ... and once it is spent, no statement starts.
    token = search_deadline.set(time.monotonic() - 0.001)
    try:
        with pytest.raises(SearchTimeout, match="used up its 3000 ms"):
            time_left_ms(3000)
    finally:
        search_deadline.reset(token)


def test_a_query_for_counts_only_gives_counts_and_no_ids(corpus):
    """limit=0 asks for the total and the facets alone. tantivy's collector panics on a limit of 0 (a
    Rust assertion, which no `except Exception` catches)."""
    from llrc.search.backends.base import BackendQuery
    from llrc.search.query import parse_query

    backend = search.get_backend()
    counts = backend.search(BackendQuery(parsed=parse_query("learning"), limit=0))
    full = backend.search(BackendQuery(parsed=parse_query("learning"), limit=10))
    assert counts.ids == [] and counts.scores == []
    assert counts.total == full.total > 0
    assert counts.facets == full.facets
