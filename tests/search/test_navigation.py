"""Facets, did-you-mean, cursor paging and related resources."""

import pytest

from llrc.catalogue import services
from llrc.catalogue.models import Resource, ResourceText
from llrc.search import services as search
from llrc.search.services import SearchInputError
from llrc.vocabularies.models import Concept, Scheme
from tests.conftest import resource_data

pytestmark = pytest.mark.django_db


def test_subject_facet_rolls_up_the_thesaurus(make_resource):
    resource = make_resource(subjects=["concept1488"], titles={"en": "Learning at every age"})
    broader = Concept.objects.get(scheme=Scheme.SUBJECT, code="concept1488").broader
    assert broader is not None
    page = search.search_resources("", filters={"subject": [broader.code]})
    assert [h.resource.pk for h in page.hits] == [resource.pk]
    facet = next(f for f in page.facets if f.name == "subject")
    assert {b.value for b in facet.buckets} >= {"concept1488", broader.code}


def test_a_goal_finds_its_targets_and_a_region_the_regions_in_it(make_resource):
    """Resources are given SDG targets (4.3); sdg=4, the goal as /vocabularies/sdg lists it, found
    nothing, and a region (Africa) none of the resources given a region in it (Northern Africa)."""
    target = make_resource(
        titles={"en": "Technical training"}, sdg_targets=["4.3"], regions=["015"]
    )
    other = make_resource(titles={"en": "Water supply"}, sdg_targets=["6.1"], regions=["142"])
    assert [h.resource.pk for h in search.search_resources("", filters={"sdg": ["4"]}).hits] == [
        target.pk
    ]
    assert [
        h.resource.pk for h in search.search_resources("", filters={"region": ["002"]}).hits
    ] == [target.pk]
    page = search.search_resources("", filters={"sdg": ["4", "6.1"]})
    assert {h.resource.pk for h in page.hits} == {target.pk, other.pk} and not page.notices
    assert search.search_resources("", filters={"sdg": ["4.3"]}).total == 1


def test_did_you_mean_for_english_typos_and_pinyin(make_resource):
    make_resource(titles={"en": "Adult literacy campaigns"}, subjects=[])
    make_resource(titles={"zh-hans": "终身学习条例"}, original_language="zh-hans", subjects=[])
    page = search.search_resources("literacey campaigns")
    assert page.suggestion == "literacy campaigns"
    assert search.search_resources("zhongshenn xuexi").suggestion == "zhongshen xuexi"
    assert search.search_resources("literacy campaigns").suggestion == ""


def test_a_word_typed_with_accents_is_corrected_by_a_letter_at_most(make_resource):
    """ "détenus" (detainees) was offered "depends", "cárcel" (prison) "care"."""
    make_resource(titles={"en": "It depends on the care of adults"}, subjects=[])
    make_resource(
        titles={"fr": "L'alphabétisation des adultes"}, original_language="fr", subjects=[]
    )
    assert search.search_resources("détenus").suggestion == ""
    assert search.search_resources("cárcel").suggestion == ""
    assert search.search_resources("detenus").suggestion == "depends"  # typed as English might be
    assert search.search_resources("alphabétisaton").suggestion == "alphabetisation"


def test_did_you_mean_for_a_typo_in_the_second_letter(make_resource):
    """Candidates share the word's first two letters; a typo in the second ("larning") is corrected
    from the common words sharing its first letter when none of those is one letter away ("lading",
    two letters away, was offered for "larning")."""
    for title in ("Adult learning", "Learning cities", "Learning at work"):
        make_resource(titles={"en": title}, subjects=[])
    make_resource(titles={"en": "Lading bills in ports"}, subjects=[])
    assert search.search_resources("larning").suggestion == "learning"
    assert search.search_resources("title:larning").suggestion == "title:learning"
    assert search.search_resources("lading").suggestion == ""


@pytest.mark.parametrize(
    ("titles", "typed"),
    [
        # Found through a translation (俄罗斯), where pinyin ("rushi", 入世) is two letters away.
        ([{"zh-hans": "俄罗斯的成人教育"}, {"zh-hans": "入世与职业教育"}], "Russia"),
        # Found through its stem (mooc), where a word one letter away is indexed as written.
        ([{"en": "MOOC design for adults"}], "MOOCs"),
    ],
)
def test_no_correction_for_a_word_found_in_another_form(make_resource, titles, typed):
    """A word no record holds as typed is not misspelt when it finds resources in another form: "Russia"
    was offered "rushi", "MOOCs" "mooc"."""
    for title in titles:
        lang = next(iter(title))
        make_resource(titles=title, original_language=lang, subjects=[])
    page = search.search_resources(typed)
    assert page.total >= 1
    assert page.suggestion == ""


def test_no_correction_for_the_start_of_a_word(make_resource):
    """A word with a wildcard is the start of a word, not a misspelling, though it is searched without
    the wildcard (which the page says): "educat*" was offered "educatif*", two letters away."""
    make_resource(titles={"en": "Education for all"}, subjects=[])
    make_resource(titles={"fr": "Le rôle éducatif des musées"}, original_language="fr", subjects=[])
    page = search.search_resources("educat*")
    assert page.notices and page.suggestion == ""


@pytest.mark.parametrize(
    ("title", "typed"),
    [
        # "Russian" is an English word: not corrected to the pinyin of 瑞典 (Sweden), two letters away,
        # nor "whey" to "why", a word records hold.
        ({"en": "Why adults learn"}, "whey"),
        ({"zh-hans": "瑞典的民众教育"}, "Russian"),
        # Nor "lit" to "li" (里), pinyin that the search itself would not read it as: "li" is an
        # English word too (a Chinese mile), and the check of the correction looked it up as pinyin.
        ({"zh-hans": "在社区里学习"}, "lit"),
    ],
)
def test_an_english_word_the_dictionary_knows_is_not_corrected(make_resource, title, typed):
    make_resource(titles=title, original_language=next(iter(title)), subjects=[])
    assert search.search_resources(typed).suggestion == ""


def test_filter_values_that_name_nothing_are_reported(make_resource, client):
    report = make_resource(
        titles={"en": "Adult literacy survey"}, subjects=[], resource_type="report"
    )
    page = search.search_resources("", filters={"type": ["nonsense"]})
    assert page.total == 0
    assert page.notices == ["Type “nonsense” is not a known value: no resource matches it."]
    # Beside a known value (values of one filter combine with OR) the results stay; the notice too.
    page = search.search_resources("", filters={"type": ["report", "nonsense"]})
    assert [h.resource.pk for h in page.hits] == [report.pk] and len(page.notices) == 1
    page = search.search_resources("", filters={"year": ["20x5"], "collection": ["nowhere"]})
    assert page.notices == [
        "“20x5” is not a year or a range like 2015..2020: no resource matches it.",
        "Collection “nowhere” is not a known value: no resource matches it.",
    ]
    # Several in one filter: one notice naming the first five and counting the others.
    page = search.search_resources("", filters={"type": ["x1", "report", "x2"]})
    assert page.notices == ["Type: “x1”, “x2” are not known values: no resource matches them."]
    page = search.search_resources("", filters={"country": [f"Q{i}" for i in range(60)]})
    assert page.notices == [
        "Country: 60 values were given; only the first 50 were used.",
        "Country: “Q0”, “Q1”, “Q2”, “Q3”, “Q4” and 45 more are not known values: no resource "
        "matches them.",
    ]
    # A known value that no resource has is not an error: no notice.
    assert (
        search.search_resources("", filters={"country": ["FR"], "type": ["policy"]}).notices == []
    )
    # Codes in a link are read in the case they are written in, as in the query (type:Report).
    page = search.search_resources("", filters={"type": ["Report"], "language": ["EN"]})
    assert page.total == 1 and page.notices == [] and page.filters["type"] == ["report"]
    # Named as the reader wrote it, not as it was folded.
    page = search.search_resources("", filters={"type": ["NOPE"]})
    assert page.notices == ["Type “NOPE” is not a known value: no resource matches it."]
    html = client.get("/zh-hans/search?type=nonsense").content.decode()
    assert "“nonsense”不是已知的取值" in html
    html = client.get("/zh-hans/search?type=NOPE").content.decode()
    assert "“NOPE”不是已知的取值" in html  # the page too (it folded the values before the search)
    html = client.get("/zh-hans/search?" + "&".join(f"type=x{i}" for i in range(7))).content
    assert "“x3”、“x4”等另外 2 个不是已知的取值" in html.decode()


def test_a_year_inside_a_selected_range_narrows_to_that_year(make_resource, client):
    """The year facet under a selected range lists the years in it. Values of one filter combine with
    OR, so a link adding 2019 beside 2015..2020 found the whole range again; a reader who picks a year
    there asks for that year: the link puts it in the range's place (test_pages holds the links of
    years outside every range)."""
    import html as html_module
    import re

    for year in ("2010", "2016", "2019", "2019", "2023"):
        make_resource(titles={"en": f"Adult learning {year}"}, subjects=[], date_issued=year)
    page = client.get("/en/search?q=adult&year=2015..2020&year=2023").content.decode()
    links = {
        label: html_module.unescape(href)
        for href, label in re.findall(r'<a href="([^"]*)">(\d{4})</a>', page)
    }
    assert links["2019"] == "/en/search?q=adult&year=2023&year=2019"
    followed = search.search_resources("adult", filters={"year": ["2023", "2019"]})
    assert followed.total == 3
    # The link found what the facet counted: two records of 2019, one of 2023 (kept).
    years = {b.value: b.count for f in followed.facets if f.name == "year" for b in f.buckets}
    assert years["2019"] == 2 and years["2023"] == 1


def test_a_year_range_in_a_link_filters_as_in_the_query(make_resource, client):
    made = {
        year: make_resource(titles={"en": f"Adult learning {year}"}, subjects=[], date_issued=year)
        for year in ("2010", "2016", "2019", "2023")
    }
    in_range = {made["2016"].pk, made["2019"].pk}
    page = search.search_resources("adult", filters={"year": ["2015..2020"]})
    assert {h.resource.pk for h in page.hits} == in_range and page.notices == []
    assert page.total == search.search_resources("adult year:2015..2020").total == 2
    # Shown selected in the year facet, so it can be removed like a year; the years in it counted.
    years = {b.value: b for b in next(f for f in page.facets if f.name == "year").buckets}
    assert years["2015..2020"].selected and years["2015..2020"].label == "2015–2020"
    assert set(years) == {"2015..2020", "2016", "2019"}
    # With a range in the query too: the years both allow.
    page = search.search_resources("adult year:2018..", filters={"year": ["2015..2020"]})
    assert {h.resource.pk for h in page.hits} == {made["2019"].pk}
    # Open ends, as in the query.
    page = search.search_resources("", filters={"year": ["2019.."]})
    assert {h.resource.pk for h in page.hits} == {made["2019"].pk, made["2023"].pk}
    # A range that holds no year matches nothing, as any value that names no year does (left out, it
    # listed every resource: more than was asked for). Named as the reader wrote it.
    for value, typed in [("2020..2015", "2020..2015"), ("2020-2015", "2020-2015"), ("abc", "abc")]:
        page = search.search_resources("", filters={"year": [value]})
        assert page.total == 0 and page.notices == [
            f"“{typed}” is not a year or a range like 2015..2020: no resource matches it."
        ]
    page = search.search_resources("", filters={"year": ["2020..2015", "2019"]})
    assert [h.resource.pk for h in page.hits] == [made["2019"].pk] and len(page.notices) == 1
    # Typed in the query it is left out, as syntax the query cannot read always is.
    page = search.search_resources("year:2020..2015")
    assert page.total == 4
    assert (
        page.notices[0] == "“2020..2015” is not a year or a range like 2015..2020; it was left out."
    )
    # Beside other year values a range combines with them as a filter's values do (OR), each shown
    # selected; the years a range stands for are not shown selected one by one.
    page = search.search_resources("", filters={"year": ["2009..2011", "2022..2024"]})
    assert {h.resource.pk for h in page.hits} == {made["2010"].pk, made["2023"].pk}
    page = search.search_resources("", filters={"year": ["2015..2017", "2019"]})
    assert {h.resource.pk for h in page.hits} == {made["2016"].pk, made["2019"].pk}
    selected = [b.value for f in page.facets if f.name == "year" for b in f.buckets if b.selected]
    assert sorted(selected) == ["2015..2017", "2019"]
    page = search.search_resources("", filters={"year": ["..2020", "2023"]})
    assert {h.resource.pk for h in page.hits} == {
        made["2010"].pk,
        made["2016"].pk,
        made["2019"].pk,
        made["2023"].pk,
    }
    page = search.search_resources("", filters={"year": ["..2000", "2023"]})
    assert {h.resource.pk for h in page.hits} == {made["2023"].pk} and page.notices == []
    # "Did you mean" offers a correction only when it finds something in the range too.
    assert search.search_resources("lerning", filters={"year": ["2015.."]}).suggestion == "learning"
    assert search.search_resources("lerning", filters={"year": ["1990..2000"]}).suggestion == ""
    html = client.get("/en/search?q=adult&year=2015..2020").content.decode()
    assert "learning 2016" in html and "learning 2010" not in html
    assert "2015–2020" in html
    # A span written with a hyphen or an en dash, as readers and citations write it, is the same range.
    for span in ("2015-2020", "2015 – 2020"):
        page = search.search_resources("adult", filters={"year": [span]})
        assert {h.resource.pk for h in page.hits} == in_range and page.notices == [], span
        assert search.search_resources(f"adult year:{span.replace(' ', '')}").total == 2
    # Open spans, "since 2015" and "until 2016", written with a hyphen or an en dash.
    every = {h.resource.pk for h in search.search_resources("adult").hits}
    for span, meant in (("2015-", "2015.."), ("–2016", "..2016"), ("- 2016", "..2016")):
        found = {
            h.resource.pk for h in search.search_resources("adult", filters={"year": [meant]}).hits
        }
        assert found and found != every  # the filter narrows
        page = search.search_resources("adult", filters={"year": [span]})
        assert {h.resource.pk for h in page.hits} == found and page.notices == [], span
        assert search.search_resources(f"adult year:{span.replace(' ', '')}").total == len(found)
    for span in ("2015..2020", "2015-2020"):
        html = client.get(f"/en/search?q=adult&year={span}").content.decode()
        assert "learning 2016" in html and "learning 2010" not in html
        assert "2015–2020" in html and "not a known value" not in html
        # Its link in the year facet removes it, however it was written.
        assert '<a href="/en/search?q=adult" class="selected">' in html, span


def test_filter_values_past_the_limit_are_named(make_resource):
    make_resource(titles={"en": "Adult literacy survey"}, subjects=[], countries=["FR"])
    codes = ["FR", *(f"X{i:02d}" for i in range(60))]
    page = search.search_resources("", filters={"country": codes})
    assert page.total == 1
    assert page.notices[0] == "Country: 61 values were given; only the first 50 were used."


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("zhongshenxuexi", "zhongshen xuexi"),
        ("zhong1shen1xue2xi2", "zhongshen xuexi"),
        ("zhōngshēnxuéxí", "zhongshen xuexi"),
        ("laonianjiaoyu", "laonian jiaoyu"),
        ("laonianjiaoyu zhengce", "laonian jiaoyu zhengce"),
        ("falüjiaoyu", "falv jiaoyu"),  # ü is v in the index
        ("zhongshenxuexilaonianjiaoyufalv", "zhongshen xuexi laonian jiaoyu falv"),
    ],
)
def test_pinyin_typed_without_spaces_is_cut_into_indexed_words(make_resource, typed, meant):
    make_resource(titles={"zh-hans": "终身学习条例"}, original_language="zh-hans", subjects=[])
    make_resource(titles={"zh-hans": "老年教育政策"}, original_language="zh-hans", subjects=[])
    make_resource(
        titles={"zh-hans": "法律教育与终身学习的老年教育"}, original_language="zh-hans", subjects=[]
    )
    # (With "zhengce", which is in the index, the page shows what holds some of the words.)
    assert search.search_resources(typed).suggestion == meant
    assert search.search_resources(meant).total >= 1


def test_words_that_read_as_pinyin_are_left_alone(make_resource):
    # "change" reads as chang + e and is in the index: not a typo. "xianggang" reads as pinyin but its
    # pieces (xiang, gang) are in no document, so there is nothing to offer.
    make_resource(titles={"en": "Climate change education"}, subjects=[])
    make_resource(titles={"zh-hans": "终身学习条例"}, original_language="zh-hans", subjects=[])
    assert search.search_resources("change").suggestion == ""
    assert search.search_resources("xianggang").suggestion == ""
    # "banana" reads as ba na na, and 吧, 那 and 拿 are words here: a cut into single syllables is not
    # Chinese typed together.
    make_resource(titles={"zh-hans": "吧那拿"}, original_language="zh-hans", subjects=[])
    assert search.search_resources("banana").suggestion == ""
    # A word that is not pinyin still gets the spelling correction.
    assert search.search_resources("chnage").suggestion == "change"


def _indexed_in_bulk(titles: list[str]) -> list[Resource]:
    """Resources with these English titles, as rows in bulk (the services' per-record checks would make
    a test of many slow), then a real index build."""
    resources = Resource.objects.bulk_create(Resource(resource_type="report") for _ in titles)
    ResourceText.objects.bulk_create(
        ResourceText(resource=r, field="title", language="en", value=title, is_original=True)
        for r, title in zip(resources, titles, strict=True)
    )
    assert search.rebuild_index() == len(titles)
    return resources


def test_cursor_pages_through_1000_results_exactly_once(django_capture_on_commit_callbacks):
    resources = _indexed_in_bulk([f"Community learning record {n}" for n in range(1000)])
    seen: list[int] = []
    cursor = "*"
    pages = 0
    while cursor:
        page = search.search_resources("community", cursor=cursor, page_size=100)
        assert page.total in (1000, 1001)
        seen.extend(h.resource.pk for h in page.hits)
        cursor = page.next_cursor
        pages += 1
        if pages == 3:
            # A change between pages neither repeats nor skips a result that was there before it.
            with django_capture_on_commit_callbacks(execute=True):
                services.create_resource(
                    resource_data(titles={"en": "Community late arrival"}), actor=None
                )
    assert len(seen) == len(set(seen))  # never repeats
    assert set(seen) >= {r.pk for r in resources}  # never skips


def test_pages_by_number_past_the_ranked_window():
    """Numbered pages in relevance order list every match once, past the first hundred too (the
    PostgreSQL backend ranks the first RANK_WINDOW by whole documents; its pages past them were empty)."""
    # Scores that differ: the word once, twice or three times, in titles of other lengths.
    resources = _indexed_in_bulk(
        [" ".join(["community"] * (1 + n % 3) + ["record"] * (n % 5)) + f" {n}" for n in range(150)]
    )
    seen: list[int] = []
    for number in range(1, 9):
        page = search.search_resources("community", page=number, page_size=20)
        assert page.total == 150
        assert len(page.hits) == (20 if number < 8 else 10), number
        seen += [h.resource.pk for h in page.hits]
    assert sorted(seen) == sorted(r.pk for r in resources)


def test_a_page_past_the_deepest_served_is_refused_only_where_results_lie(
    make_resource, monkeypatch
):
    """Past the deepest page served (10,000 results; narrowed here to 2), a search is asked to narrow
    only when it has results there: page 501 of 45 results was told so instead of being a page past the
    last, as page 5 is."""
    for n in range(3):
        make_resource(titles={"en": f"Community learning {n}"}, subjects=[], collections=[])
    monkeypatch.setattr(search, "MAX_RESULT_WINDOW", 2)
    with pytest.raises(SearchInputError, match="Only the first 2 results"):
        search.search_resources("community", page=3, page_size=1)
    past = search.search_resources("community", page=4, page_size=1, filters={"type": ["policy"]})
    assert (past.total, past.page, past.hits, past.next_cursor) == (3, 4, [], None)
    assert {b.value: b.count for f in past.facets if f.name == "type" for b in f.buckets} == {
        "policy": 3
    }
    assert past.filters == {"type": ["policy"]}


def _all_pages(query, **kwargs):
    ids, notices = [], []
    page = search.search_resources(query, page_size=2, **kwargs)
    pages = [page]
    while len(ids) + len(page.hits) < page.total and page.hits:
        ids += [h.resource.pk for h in page.hits]
        page = search.search_resources(query, page=len(pages) + 1, page_size=2, **kwargs)
        pages.append(page)
    ids += [h.resource.pk for h in page.hits]
    notices = pages[0].notices
    return ids, notices, pages[0].total


def _all_by_cursor(query, **kwargs):
    ids, cursor, first = [], "*", None
    while cursor:
        page = search.search_resources(query, cursor=cursor, page_size=2, **kwargs)
        first = first or page
        ids += [h.resource.pk for h in page.hits]
        cursor = page.next_cursor
    return ids, first.notices, first.total


def test_a_last_page_exactly_full_gives_no_cursor(make_resource):
    """A last page exactly full gave a cursor to a page of nothing: one more request for every client."""
    for n in range(4):
        make_resource(titles={"en": f"Adult literacy campaign {n}"}, subjects=[])
    first = search.search_resources("literacy", cursor="*", page_size=2)
    assert first.next_cursor
    last = search.search_resources("literacy", cursor=first.next_cursor, page_size=2)
    assert len(last.hits) == 2 and last.next_cursor is None
    assert search.search_resources("literacy", cursor="*", page_size=4).next_cursor is None


def test_a_cursor_lists_what_the_pages_list_when_no_resource_holds_every_word(make_resource):
    """Listed by cursor, a search no resource held every word of found nothing, where its pages showed
    the resources with some of the words and said so."""
    for n in range(5):
        make_resource(titles={"en": f"Adult literacy campaign {n}"}, subjects=[])
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[])
    by_page, page_notices, page_total = _all_pages("literacy zzqxw")
    by_cursor, cursor_notices, cursor_total = _all_by_cursor("literacy zzqxw")
    assert page_total == cursor_total == 5
    assert sorted(by_page) == sorted(by_cursor) == by_cursor
    assert cursor_notices == page_notices and cursor_notices


@pytest.fixture
def few_with_every_word(make_resource):
    """Three resources with both words, five with one of them, one with neither."""
    both = [
        make_resource(titles={"en": f"Rural literacy circles {n}"}, subjects=[], date_issued=year)
        for n, year in enumerate(["2001", "2019", "2010"])
    ]
    some = [
        make_resource(titles={"en": title}, subjects=[], date_issued=year)
        for title, year in [
            ("Literacy in cities", "2021"),
            ("Adult literacy", "2003"),
            ("Rural schools", "2015"),
            ("Family literacy", "2018"),
            ("Rural libraries", "2005"),
        ]
    ]
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[])
    return {r.pk for r in both}, {r.pk for r in some}


@pytest.mark.parametrize("with_both", [1, 10])
def test_some_words_join_by_the_words_alone_whatever_the_filters(make_resource, with_both):
    """A facet with a selection counts what each value finds on its own. Decided under the filters,
    the fallback to resources with some of the words broke that: with type=article (no article holds
    both words), the page listed the article with some of them and counted the good practices with
    some of them too (12), where choosing good practice listed the 10 with both. With few holding both
    (1), the good practices with some of the words follow them wherever they are counted."""
    for n in range(with_both):
        make_resource(
            titles={"en": f"Garden guidance in towns {n}"},
            resource_type="good_practice",
            subjects=[],
        )
    make_resource(titles={"en": "Garden clubs"}, resource_type="good_practice", subjects=[])
    make_resource(titles={"en": "Guidance for parents"}, resource_type="good_practice", subjects=[])
    make_resource(titles={"en": "Garden design"}, resource_type="article", subjects=[])
    for cursor in (None, "*"):
        page = search.search_resources(
            "garden guidance", filters={"type": ["article"]}, cursor=cursor
        )
        types = {b.value: b.count for f in page.facets if f.name == "type" for b in f.buckets}
        for value, count in types.items():
            alone = search.search_resources(
                "garden guidance", filters={"type": [value]}, cursor=cursor
            )
            assert alone.total == count, (value, cursor, types)
        # The article holds one of the words: listed only beside few with both.
        assert page.total == (1 if with_both == 1 else 0), cursor
        assert types["good_practice"] == with_both + (2 if with_both == 1 else 0)


def test_a_selected_range_beside_other_years_shows_its_own_count(make_resource):
    """It showed the total of the whole search (38 where the range on its own lists 24)."""
    for year in ("2001", "2005", "2012", "2015"):
        make_resource(titles={"en": f"Report {year}"}, date_issued=year, subjects=[])
    page = search.search_resources("", filters={"year": ["2000..2010", "2015"]})
    assert page.total == 3
    years = {b.value: b.count for f in page.facets if f.name == "year" for b in f.buckets}
    assert (
        years["2000..2010"]
        == 2
        == search.search_resources("", filters={"year": ["2000..2010"]}).total
    )
    assert years["2015"] == 1
    alone = search.search_resources("", filters={"year": ["2000..2010"]})
    assert {b.value: b.count for f in alone.facets if f.name == "year" for b in f.buckets}[
        "2000..2010"
    ] == 2


def test_the_words_a_result_lacks_are_named_as_typed(make_resource):
    """The fold's letters were shown: "Does not contain: cote" for Côte, المفتوحه (a misspelling to its
    reader) for المفتوحة."""
    make_resource(titles={"fr": "Alphabétisation en Côte d'Ivoire"}, original_language="fr")
    make_resource(titles={"fr": "Alphabétisation des femmes"}, original_language="fr")
    make_resource(titles={"ar": "الجامعات المفتوحة"}, original_language="ar")
    make_resource(titles={"ar": "الجامعات في مصر"}, original_language="ar")
    page = search.search_resources("Alphabétisation Côte")
    assert sorted(m for h in page.hits for m in h.missing) == ["Côte"]
    page = search.search_resources("الجامعات المفتوحة")
    assert sorted(m for h in page.hits for m in h.missing) == ["المفتوحة"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_pages_list_those_with_every_word_first_each_once(few_with_every_word, sort):
    """With fewer than FEW_WITH_EVERY_WORD resources holding every word, those holding some follow,
    in every sort order, page after page: each once, the ones with every word on the first pages."""
    both, some = few_with_every_word
    listed, notices, total = _all_pages("rural literacy", sort=sort)
    assert total == len(listed) == len(set(listed)) == 8
    assert set(listed[:3]) == both and set(listed[3:]) == some
    assert notices == [
        "Only 3 resources contain all the words; resources containing some of them follow."
    ]
    # Each part in the order asked for.
    years = dict(Resource.objects.values_list("pk", "date_issued"))
    if sort == "newest":
        assert [years[pk] for pk in listed[:3]] == ["2019", "2010", "2001"]
        assert [years[pk] for pk in listed[3:]] == ["2021", "2018", "2015", "2005", "2003"]
    if sort == "title":
        titled = [h.title for h in search.search_resources("rural literacy", sort=sort).hits]
        assert titled[:3] == sorted(titled[:3]) and titled[3:] == sorted(titled[3:])
    # A later page says what the first says.
    assert search.search_resources("rural literacy", page=3, page_size=2, sort=sort).notices == (
        notices
    )


def test_pages_far_past_those_with_every_word_list_the_others(make_resource):
    """A page past FEW_WITH_EVERY_WORD results, on which no resource with every word is left, still
    lists the resources with some of the words (it took the earlier pages to be full of the first)."""
    both = {make_resource(titles={"en": f"Rural literacy {n}"}, subjects=[]).pk for n in range(2)}
    some = {make_resource(titles={"en": f"Literacy circle {n}"}, subjects=[]).pk for n in range(12)}
    listed, notices, total = [], None, None
    for number in range(1, 6):
        page = search.search_resources("rural literacy", page=number, page_size=3)
        listed += [h.resource.pk for h in page.hits]
        notices, total = notices or page.notices, total or page.total
        assert page.total == total and page.notices == notices, number
    assert set(listed[:2]) == both and set(listed[2:]) == some and len(listed) == total == 14


def test_a_result_with_some_of_the_words_says_which_it_lacks(few_with_every_word, client):
    """Resources with some of the words are listed after the few with all: each says which of the
    reader's words it does not contain, on the page and through the API; those with every word say
    nothing."""
    both, _some = few_with_every_word
    page = search.search_resources("rural literacy")
    lacking = {h.title: h.missing for h in page.hits}
    assert all(not h.missing for h in page.hits if h.resource.pk in both)
    assert lacking["Literacy in cities"] == ["rural"]
    assert lacking["Rural schools"] == ["literacy"]
    html = client.get("/en/search?q=rural+literacy").content.decode()
    assert html.count('<p class="missing">') == 5
    assert '<p class="missing">Does not contain: rural</p>' in html
    chinese = client.get("/zh-hans/search?q=rural+literacy").content.decode()
    assert '<p class="missing">未包含：rural</p>' in chinese
    api = client.get("/api/v1/search?q=rural+literacy").json()
    by_title = {r["title"]: r["missing_words"] for r in api["results"]}
    assert by_title["Rural schools"] == ["literacy"] and by_title["Rural libraries"] == ["literacy"]
    assert sorted(len(words) for words in by_title.values()) == [0, 0, 0, 1, 1, 1, 1, 1]
    # A phrase is named in quotes; with every word required (many hold them), nothing is said.
    quoted = search.search_resources('"rural literacy" cities')
    assert {h.title: h.missing for h in quoted.hits}["Literacy in cities"] == ["“rural literacy”"]
    assert not any(h.missing for h in search.search_resources("literacy").hits)
    # As typed: MOOC, not the index's mooc.
    typed = search.search_resources("RURAL Literacy")
    assert {h.title: h.missing for h in typed.hits}["Literacy in cities"] == ["RURAL"]
    # When no resource holds every word, each result names what it lacks too.
    fallback = search.search_resources("literacy zzqxw")
    assert fallback.hits and all(h.missing == ["zzqxw"] for h in fallback.hits)


def test_a_facet_count_is_what_choosing_it_lists(make_resource):
    """Whether resources with some of the words follow is decided on the words alone, not under the
    filters: "adult literacy" (47 with every word) counted 7 of legislation, and choosing it listed 13."""
    for n in range(search.FEW_WITH_EVERY_WORD):
        make_resource(
            titles={"en": f"Rural literacy {n}"},
            subjects=[],
            resource_type="report" if n < 2 else "policy",
        )
    for n in range(5):
        make_resource(titles={"en": f"Literacy circle {n}"}, subjects=[], resource_type="report")
    page = search.search_resources("rural literacy")
    assert page.total == search.FEW_WITH_EVERY_WORD and not page.notices  # not widened
    counts = {b.value: b.count for f in page.facets if f.name == "type" for b in f.buckets}
    chosen = search.search_resources("rural literacy", filters={"type": ["report"]})
    assert chosen.total == counts["report"] == 2 and not chosen.notices
    # Typed in the query, a filter is one too; and a year range.
    assert search.search_resources("rural literacy type:report").total == 2
    # Few with every word in the whole catalogue: widened with the filter as without it.
    few = search.search_resources("literacy circle")
    few_counts = {b.value: b.count for f in few.facets if f.name == "type" for b in f.buckets}
    assert few.notices and few.total == 15
    reports = search.search_resources("literacy circle", filters={"type": ["report"]})
    assert reports.total == few_counts["report"] == 7


def test_a_phrase_or_a_field_is_not_widened(few_with_every_word):
    """A phrase, a field or OR asks for exactly that: "creator:unesco women" listed records by others."""
    for query in ('"rural literacy" circles', "title:rural literacy", "rural OR soil literacy"):
        page = search.search_resources(query)
        assert not any("contain all the words" in n for n in page.notices), query
        assert page.total <= 3, query
    # An exclusion beside plain words is kept, and the words widened.
    excluded = search.search_resources("rural literacy -cities")
    assert excluded.notices and "Literacy in cities" not in [h.title for h in excluded.hits]


def test_no_suggestion_for_a_few_with_every_word_and_others_following(make_resource):
    """ "rural circle" (three with every word, through the stem) suggested "rural circles", which finds
    the same: a suggestion is for what found nothing or almost nothing."""
    for n in range(3):
        make_resource(titles={"en": f"Rural literacy circles {n}"}, subjects=[])
    make_resource(titles={"en": "Rural schools"}, subjects=[])
    page = search.search_resources("rural circle")
    assert page.notices and page.total == 4
    assert page.suggestion == ""


def test_a_cursor_keeps_its_listing_when_a_tenth_resource_with_every_word_is_added(
    make_resource,
):
    """Decided afresh on each page, a tenth resource with every word added between pages dropped the
    resources with some of the words from the pages left (14, then 10)."""
    for n in range(search.FEW_WITH_EVERY_WORD - 1):
        make_resource(titles={"en": f"Rural literacy {n}"}, subjects=[])
    some = {make_resource(titles={"en": f"Literacy circle {n}"}, subjects=[]).pk for n in range(5)}
    first = search.search_resources("rural literacy", cursor="*", page_size=3)
    assert first.total == 14 and first.notices
    make_resource(titles={"en": "Rural literacy 10"}, subjects=[])
    listed, cursor = [h.resource.pk for h in first.hits], first.next_cursor
    while cursor:
        page = search.search_resources("rural literacy", cursor=cursor, page_size=3)
        # The count said is today's (ten now); the listing is the one begun.
        assert page.notices == [
            "Only 10 resources contain all the words; resources containing some of them are listed "
            "too."
        ]
        listed += [h.resource.pk for h in page.hits]
        cursor = page.next_cursor
    assert some <= set(listed) and len(listed) == len(set(listed)) == 15
    # A new listing decides again: ten with every word, those only.
    assert search.search_resources("rural literacy", cursor="*").total == 10


def test_a_cursor_whose_resources_with_every_word_are_all_withdrawn_says_none_holds_them(
    make_resource, django_capture_on_commit_callbacks
):
    every = [make_resource(titles={"en": f"Rural literacy {n}"}, subjects=[]) for n in range(2)]
    for n in range(4):
        make_resource(titles={"en": f"Literacy circle {n}"}, subjects=[])
    first = search.search_resources("rural literacy", cursor="*", page_size=2)
    assert first.notices[0].startswith("Only 2 resources")
    for resource in every:
        with django_capture_on_commit_callbacks(execute=True):
            services.delete_resource(resource, actor=None)
    later = search.search_resources("rural literacy", cursor=first.next_cursor, page_size=2)
    assert later.notices == [
        "No resource contains all the words; showing resources that contain some of them."
    ]
    assert later.hits and later.total == 4


def test_the_fused_window_holds_enough_to_tell_few_with_every_word():
    """A full fused window is taken to hold FEW_WITH_EVERY_WORD word matches or more, uncounted: that
    holds while the window is longer than the candidates and the few together."""
    assert search.FUSION_WINDOW > search.VECTOR_CANDIDATES + search.FEW_WITH_EVERY_WORD


def test_a_cursor_lists_those_with_some_of_the_words_too(few_with_every_word):
    """By cursor, the same resources as the pages, in the order they were added, said so."""
    both, some = few_with_every_word
    by_page, _notices, page_total = _all_pages("rural literacy")
    by_cursor, notices, cursor_total = _all_by_cursor("rural literacy")
    assert sorted(by_cursor) == by_cursor == sorted(by_page) == sorted(both | some)
    assert cursor_total == page_total == 8
    assert notices == [
        "Only 3 resources contain all the words; resources containing some of them are listed too."
    ]


@pytest.mark.vectors
def test_a_cursor_lists_the_resources_found_by_meaning_too(make_resource, settings):
    """Listed by cursor, a search left out what only its meaning found: 21 resources against 30."""
    settings.SEARCH_DICTIONARY = False
    chinese = make_resource(
        titles={"zh-hans": "社区老年人智能手机培训课程"},
        original_language="zh-hans",
        summaries={
            "zh-hans": "街道社区学校为老年人开设智能手机使用课程,帮助他们学会视频通话和网上挂号。"
        },
        subjects=[],
        countries=[],
        creators=[],
    )
    english = make_resource(
        titles={"en": "Smartphone classes for older people"}, subjects=[], countries=[]
    )
    make_resource(titles={"en": "Soil erosion on mountain farms"}, subjects=[], countries=[])
    query = "smartphone classes for elderly people"
    by_page, _notices, page_total = _all_pages(query)
    by_cursor, _notices, cursor_total = _all_by_cursor(query)
    assert chinese.pk in by_page and english.pk in by_page
    assert sorted(by_cursor) == sorted(by_page) == by_cursor and cursor_total == page_total
    page = search.search_resources(query, cursor="*")
    hit = next(h for h in page.hits if h.resource.pk == chinese.pk)
    assert "meaning" in hit.why


def test_did_you_mean_when_only_some_words_were_found(make_resource):
    make_resource(titles={"en": "Lifelong learning strategy"}, subjects=[])
    for n in range(4):
        make_resource(titles={"en": f"Learning together {n}"}, subjects=[])
    page = search.search_resources("lifelon learning")
    assert page.total == 5 and page.notices  # the resources with "learning", and why
    assert page.suggestion == "lifelong learning"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ('"lifelong lerning"', '"lifelong learning"'),
        ("title:lerning", "title:learning"),
        ("lerning OR literacy", "learning OR literacy"),
        # Pinyin is cut into words among plain words only: in a phrase or beside OR it would change
        # the query (pinyin is matched word by word, without positions).
        ("zhongshenxuexi tiaoli", "zhongshen xuexi tiaoli"),
        ('"zhongshenxuexi tiaoli"', ""),
        ("zhongshenxuexi OR literacy", ""),
        # An excluded word is left as typed (correcting it would find no more); so is a filter.
        ("lerning -lerning", "learning -lerning"),
        ("lerning NOT lerning", "learning NOT lerning"),
        ("lerning type:policy", "learning type:policy"),
    ],
)
def test_did_you_mean_in_phrases_fields_and_or(make_resource, typed, meant):
    make_resource(titles={"en": "Lifelong learning strategy"}, subjects=[], resource_type="policy")
    make_resource(titles={"zh-hans": "终身学习条例"}, original_language="zh-hans", subjects=[])
    assert search.search_resources(typed).suggestion == meant


def test_did_you_mean_keeps_the_readers_filters(make_resource, client):
    make_resource(titles={"en": "Adult literacy campaigns"}, subjects=[], resource_type="report")
    # The only literacy resource is a report: under a policy filter the correction finds nothing.
    assert search.search_resources("litteracy", filters={"type": ["policy"]}).suggestion == ""
    assert search.search_resources("litteracy type:policy").suggestion == ""
    assert search.search_resources("litteracy", filters={"type": ["report"]}).suggestion == (
        "literacy"
    )
    # The page links the correction with the same filters and order.
    html = client.get("/en/search?q=litteracy&type=report&sort=newest").content.decode()
    assert 'href="/en/search?q=literacy&amp;type=report&amp;sort=newest"' in html


@pytest.mark.parametrize(
    "forged",
    [
        "not-a-cursor",
        "after:x",
        "before:5",
        "after:-1",
        f"after:{2**64}",
        "after:" + "9" * 23,
        "after:5:sometimes",
        "after:5:fallback",
    ],
)
def test_bad_cursor_is_refused_clearly(make_resource, forged):
    make_resource()  # an engine with something in it, so the cursor reaches it unless refused
    cursor = forged if forged == "not-a-cursor" else search._encode_cursor_text(forged)
    with pytest.raises(SearchInputError, match="cursor"):
        search.search_resources("learning", cursor=cursor)


def test_a_cursor_with_a_sort_or_a_page_says_they_are_not_used(make_resource):
    """Cursor paging walks the results in id order: a sort or page asked beside it is said to be left
    aside, not silently dropped."""
    first = make_resource(titles={"en": "Learning B"})
    second = make_resource(titles={"en": "Learning A"})
    page = search.search_resources("learning", cursor="*", sort="title")
    assert [h.resource.pk for h in page.hits] == [first.pk, second.pk]
    assert page.notices == [
        "With a cursor, results come in the order they were added; sort and page are not used."
    ]
    assert search.search_resources("learning", cursor="*").notices == []


@pytest.mark.vectors
def test_related_resources_are_close_in_meaning(make_resource):
    # In no collection: their collection's resources fill what meaning leaves.
    base = make_resource(
        titles={"en": "Literacy classes for rural women"}, subjects=[], collections=[]
    )
    near = make_resource(
        titles={"zh-hans": "农村妇女扫盲班"},
        original_language="zh-hans",
        subjects=[],
        summaries={},
        collections=[],
    )
    far = make_resource(
        titles={"en": "Budget rules for city bus companies"},
        subjects=[],
        summaries={},
        collections=[],
    )
    related = search.related_resources(base)
    assert near in related and far not in related and base not in related


def test_a_record_with_no_subject_and_no_neighbour_gets_its_collections_resources(make_resource):
    lonely = make_resource(titles={"en": "Budget rules"}, subjects=[], collections=["laws"])
    other = make_resource(titles={"en": "Harbour pilots"}, subjects=[], collections=["laws"])
    elsewhere = make_resource(titles={"en": "Tide tables"}, subjects=[], collections=[])
    related = search.related_resources(lonely)
    assert other in related and elsewhere not in related and lonely not in related


def test_related_resources_are_filled_from_the_collections_when_few_share_a_subject(
    make_resource, settings
):
    """The collection was asked only when nothing else was found: eleven of the demo's Chinese
    articles, without subjects and with one to four neighbours in meaning, listed fewer than five."""
    settings.SEARCH_VECTORS = False
    base = make_resource(
        titles={"en": "Budget rules"}, subjects=["concept1488"], collections=["laws"]
    )
    sharing = make_resource(titles={"en": "Tide tables"}, subjects=["concept1488"], collections=[])
    members = [
        make_resource(titles={"en": f"Harbour pilots {n}"}, subjects=[], collections=["laws"])
        for n in range(4)
    ]
    elsewhere = make_resource(titles={"en": "Ferry fares"}, subjects=[], collections=[])
    related = search.related_resources(base)
    assert related[0] == sharing and len(related) == 5
    assert set(related[1:]) <= set(members) and elsewhere not in related


@pytest.mark.vectors
def test_related_resources_sharing_a_subject_come_nearest_in_meaning_first(
    make_resource, monkeypatch
):
    # No neighbour passes the threshold here: every related resource comes from the subject shared.
    monkeypatch.setattr(search, "RELATED_THRESHOLD", 1.01)
    base = make_resource(
        titles={"en": "Literacy classes for rural women"}, subjects=["concept1488"], summaries={}
    )
    titles = [
        "Budget rules for city bus companies",
        "Reading and writing classes for women in villages",
        "Harbour pilot licences",
    ]
    others = {
        t: make_resource(titles={"en": t}, subjects=["concept1488"], summaries={}) for t in titles
    }
    related = search.related_resources(base)
    assert set(related) == set(others.values())
    assert related[0] == others["Reading and writing classes for women in villages"]


@pytest.mark.parametrize(("languages", "cut"), [(30, False), (31, True)])
def test_all_values_is_offered_only_when_there_are_more(make_resource, languages, cut):
    """With exactly 30 values, "All values" was offered, and listed the same 30. A selected value past
    those shown keeps its count (it showed 0)."""
    from llrc.vocabularies.models import Concept, Scheme

    codes = sorted(
        Concept.objects.filter(scheme=Scheme.LANGUAGE, code__regex=r"^[a-z]{2}$").values_list(
            "code", flat=True
        )
    )[:languages]
    for code in codes:
        make_resource(titles={"en": f"Literacy in {code}"}, languages=[code], subjects=[])
    shown = next(f for f in search.search_resources("literacy").facets if f.name == "language")
    assert len(shown.buckets) == 30 and shown.cut == cut
    if cut:
        last = next(c for c in codes if c not in {b.value for b in shown.buckets})
        page = search.search_resources("literacy", filters={"language": [last]})
        facet = next(f for f in page.facets if f.name == "language")
        assert [b.count for b in facet.buckets if b.value == last] == [1]


def test_a_facet_cut_to_its_most_frequent_values_can_be_listed_whole(make_resource, client):
    """A facet shows its 30 most frequent values; past them (a language few resources are in) the
    reader can ask for all of them, on the page through a link, and each count stays exact."""
    from llrc.vocabularies.models import Concept, Scheme

    codes = sorted(
        Concept.objects.filter(scheme=Scheme.LANGUAGE, code__regex=r"^[a-z]{2}$").values_list(
            "code", flat=True
        )
    )[:34]
    for code in codes:
        make_resource(titles={"en": f"Literacy in {code}"}, languages=[code], subjects=[])
    page = search.search_resources("literacy")
    shown = next(f for f in page.facets if f.name == "language")
    assert len(shown.buckets) == 30 and shown.cut
    whole = search.search_resources("literacy", whole_facet="language")
    listed = next(f for f in whole.facets if f.name == "language")
    assert {b.value for b in listed.buckets} == set(codes) and not listed.cut
    assert all(b.count == 1 for b in listed.buckets)
    html = client.get("/en/search?q=literacy").content.decode()
    assert 'href="/en/search?q=literacy&amp;all=language#facet-language"' in html
    html = client.get("/en/search?q=literacy&all=language").content.decode()
    facet = html.split('id="facet-language"')[1].split("</section>")[0]
    assert facet.count("<li>") == 34 and "All values of" not in facet
