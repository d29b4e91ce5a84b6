"""The query language and language-aware matching, end to end through the search service."""

import pytest

from llrc.search import services as search
from llrc.search.highlight import highlight

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(make_resource):
    return {
        "zh": make_resource(
            titles={"zh-hans": "终身学习与社区教育"},
            original_language="zh-hans",
            summaries={"zh-hans": "上海推动全民终身学习。"},
            subjects=[],
            date_issued="2012",
        ),
        "cities": make_resource(
            titles={"en": "Learning cities and older adults"},
            summaries={"en": "How cities support learning in later life."},
            subjects=[],
            date_issued="2019",
        ),
        "fr": make_resource(
            titles={"fr": "Éducation des adultes en Afrique"},
            original_language="fr",
            summaries={"fr": "Un rapport sur l'éducation non formelle."},
            subjects=[],
            date_issued="2005",
        ),
        "literacy": make_resource(
            titles={"en": "Adult literacy for women"},
            summaries={"en": "Literacy circles in rural communities."},
            subjects=[],
            resource_type="report",
            date_issued="2016",
        ),
        "children": make_resource(
            titles={"en": "Literacy for children and families"},
            summaries={"en": "Family literacy in schools."},
            subjects=[],
            date_issued="2021",
        ),
    }


def found(query, **kwargs):
    return [h.resource.pk for h in search.search_resources(query, **kwargs).hits]


@pytest.mark.parametrize(
    "query", ["终身学习", "終身學習", "zhongshen xuexi", "zhōngshēn xuéxí", "社區教育"]
)
def test_chinese_in_every_form_finds_the_record(docs, query):
    assert docs["zh"].pk in found(query)


def test_english_stemming(docs):
    assert docs["cities"].pk in found("city")
    assert docs["cities"].pk in found("learning city adult")


def test_a_word_form_finds_its_own_word_not_another_language_stem(docs, make_resource):
    """French and Spanish cut "learner" and "worker" to learn and work, the English stems of "learning"
    and "working": an English reader asking for learners must get the records about learners, as the
    plural does, not every record about learning (stems are matched within their language)."""
    learners = make_resource(
        titles={"en": "Adult learners in rural Chile"},
        summaries={"en": "Who they are."},
        subjects=[],
    )
    working = make_resource(
        titles={"en": "Working and learning"}, summaries={"en": "Study at work."}, subjects=[]
    )
    assert found("learner") == found("learners") == [learners.pk]
    assert sorted(found("learn")) == sorted(found("learning"))
    assert docs["cities"].pk in found("learn") and working.pk in found("learn")
    assert learners.pk not in found("learning")
    assert found("worker") == []
    assert found("works") == [working.pk]
    # A Spanish or Portuguese plural finds the singular in text of its language.
    spanish = make_resource(
        titles={"es": "Políticas de aprendizaje"}, original_language="es", subjects=[]
    )
    portuguese = make_resource(
        titles={"pt": "Escolas nas comunidades"}, original_language="pt", subjects=[]
    )
    assert found("politica") == [spanish.pk]
    assert found("comunidade") == [portuguese.pk]


def test_a_word_of_another_script_in_text_is_found_as_typed(make_resource):
    """A query word is stemmed only in the languages of its script: a Latin word in Russian text, a
    Cyrillic word in English text and a number are found by the word itself, which the index must
    therefore still hold (PostgreSQL leaves a word out of `words` where a stem the query looks up
    stands for it)."""
    russian = make_resource(
        titles={"ru": "Программа ЮНЕСКО: UNESCO и города"}, original_language="ru", subjects=[]
    )
    english = make_resource(
        titles={"en": "The word образование in 2015 surveys"},
        summaries={"en": "Words."},
        subjects=[],
    )
    arabic = make_resource(titles={"ar": "التعليم ICT"}, original_language="ar", subjects=[])
    assert found("unesco") == [russian.pk]
    assert found("образование") == [english.pk]
    assert found("2015") == [english.pk]
    assert found("ict") == [arabic.pk]
    # And words of the text's own script still meet the text's stems.
    assert found("города") == found("город") == [russian.pk]
    assert found("surveyed") == [english.pk]


def test_a_word_of_a_script_one_language_is_written_in_is_stemmed_in_it(make_resource):
    """A Russian or Arabic word in text declared in another language (a Russian page of a file declared
    French) is stemmed in Russian or Arabic, the only stems a query looks up for it: another form of the
    word finds it, as it does in text declared right. Latin words keep the text's language."""
    french = make_resource(
        titles={"fr": "Enquête: образования взрослых"}, original_language="fr", subjects=[]
    )
    english = make_resource(titles={"en": "Survey of التعليم programmes"}, subjects=[])
    assert found("образование") == [french.pk]
    assert found("взрослые") == [french.pk]
    assert found("تعليم") == [english.pk]
    assert found("enquêtes") == [french.pk]


def test_numbers_and_words_of_another_script_are_counted_as_they_are_found(make_resource):
    """Counting looks a word up in the stem stream and not in the fields it comes from (tantivy), so a
    word must be there however its text is stemmed: a number in English text, a Latin word in Russian
    text. Every resource has one type: the type counts add up to the total."""
    english = make_resource(titles={"en": "Results of the 4567 survey"}, subjects=[])
    russian = make_resource(
        titles={"ru": "Обучение взрослых: программа eduskills"},
        original_language="ru",
        subjects=[],
    )
    arabic = make_resource(
        titles={"ar": "برنامج eduskills 4567"}, original_language="ar", subjects=[]
    )
    for text, ids in (("4567", {english.pk, arabic.pk}), ("eduskills", {russian.pk, arabic.pk})):
        page = search.search_resources(text)
        assert {h.resource.pk for h in page.hits} == ids and page.total == len(ids), text
        types = next(f for f in page.facets if f.name == "type")
        assert sum(b.count for b in types.buckets) == len(ids), text


def test_french_with_or_without_accents(docs):
    # The only record with both words first (those with "education" alone follow it).
    assert found("education afrique")[0] == docs["fr"].pk
    assert found("éducation AFRIQUE") == found("education afrique")
    assert found("afrique") == found("AFRIQUE") == [docs["fr"].pk]
    assert found("formelle") == [docs["fr"].pk]


def test_russian_and_arabic_as_readers_type_them(make_resource):
    """й was folded to и before stemming (взрослый found 2 of the demo's 99 records on adults), and the
    letters and digits of Persian keyboards were not folded."""
    adults = make_resource(
        titles={"ru": "Обучение взрослых в России"},
        original_language="ru",
        subjects=[],
        countries=[],
        creators=[],
    )
    arabic = make_resource(
        titles={"ar": "تقرير عن تعليم الكبار ٢٠١٥"},
        original_language="ar",
        subjects=[],
        countries=[],
        creators=[],
    )
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[], countries=[], creators=[])
    assert found("взрослый") == found("Взрослые") == [adults.pk]
    assert found("تعلیم الکبار") == found("تعليم الكبار") == [arabic.pk]
    assert found("٢٠١٥") == found("۲۰۱۵") == [arabic.pk]
    page = search.search_resources("взрослый")
    assert page.hits[0].why == "" and "<mark>взрослых</mark>" in page.hits[0].title_html


def test_french_and_arabic_forms_of_a_word_find_each_other(make_resource):
    """Stemmed after the fold, handicapés found none of the records on "personnes handicapées", and
    السياسة التربوية 1 of the 49 records سياسة تربوية found."""
    disabled = make_resource(
        titles={"fr": "Formation des personnes handicapées"},
        original_language="fr",
        subjects=[],
        countries=[],
        creators=[],
    )
    policy = make_resource(
        titles={"ar": "سياسة تربوية للكبار"},
        original_language="ar",
        subjects=[],
        countries=[],
        creators=[],
    )
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[], countries=[], creators=[])
    for query in ("handicapés", "handicapes", "handicapées", "handicapees"):
        page = search.search_resources(query)
        assert [h.resource.pk for h in page.hits] == [disabled.pk], query
        assert "<mark>handicapées</mark>" in page.hits[0].title_html, query
    assert found("السياسة التربوية") == found("سياسة تربوية") == [policy.pk]


def test_an_arabic_word_of_and_the_is_found_by_the_word(make_resource):
    """The Arabic stemmer takes one of و and ال off a word, not both: والتعلم (and learning) was its own
    stem, so "التعلم" did not find "التعليم والتعلم", nor "مدن" (cities) "القرى والمدن"."""
    both = make_resource(
        titles={"ar": "التعليم والتعلم في القرى والمدن"},
        original_language="ar",
        subjects=[],
        countries=[],
        creators=[],
        summaries={},
    )
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[], countries=[], creators=[])
    for query in ("التعلم", "تعلم", "المدن", "والتعلم"):
        page = search.search_resources(query)
        assert [h.resource.pk for h in page.hits] == [both.pk], query
        assert page.hits[0].why == "", query
    assert "<mark>والتعلم</mark>" in search.search_resources("التعلم").hits[0].title_html
    assert "<mark>والمدن</mark>" in search.search_resources("مدن").hits[0].title_html


@pytest.mark.parametrize(
    ("with_small_words", "without"),
    [
        ("l'alphabétisation", "alphabétisation"),
        ("éducation pour les adultes", "éducation adultes"),
        ("educación para adultos", "educación adultos"),
        ("образование для взрослых", "образование взрослых"),
        ("التعليم في المدن", "التعليم المدن"),
    ],
)
def test_small_words_of_every_language_are_not_required(make_resource, with_small_words, without):
    """ "для", "في", "para" and the l' of l'alphabétisation were words every result had to hold."""
    for title, lang in [
        ("Alphabétisation et éducation des adultes", "fr"),
        ("La educación adultos mayores", "es"),
        ("Образование взрослых", "ru"),
        ("التعليم المدن العربية", "ar"),
    ]:
        make_resource(titles={lang: title}, original_language=lang, subjects=[], countries=[])
    page = search.search_resources(with_small_words)
    assert page.total == search.search_resources(without).total > 0, with_small_words
    assert not any(h.missing for h in page.hits), with_small_words


def test_phrase_requires_adjacent_words(docs):
    assert found('"adult literacy"') == [docs["literacy"].pk]
    assert found('"literacy adult"') == []


@pytest.mark.parametrize(
    "title", ["中国老年大学", "北欧民众高等学校", "中华人民共和国教育法", "开放教育资源运动"]
)
def test_a_quoted_chinese_phrase_finds_the_text_that_holds_it(make_resource, title):
    """The index holds a long word after its parts (老年, 大学, 老年大学); a phrase cut as a query (中国,
    老年大学) had its words three positions apart there, and a quarter of the phrases of two or three
    words taken from the demo collection's titles missed the record they were taken from."""
    record = make_resource(titles={"zh-hans": title}, original_language="zh-hans", subjects=[])
    other = make_resource(
        titles={"zh-hans": f"{title[:2]}的{title[2:]}"}, original_language="zh-hans", subjects=[]
    )
    page = search.search_resources(f'"{title}"')
    assert [h.resource.pk for h in page.hits] == [record.pk]
    # Marked whole, as written.
    assert page.hits[0].title_html == f"<mark>{title}</mark>"
    # Unquoted, the words are found apart too.
    assert set(found(title)) == {record.pk, other.pk}


@pytest.mark.parametrize(
    ("query", "inside", "alone"),
    [
        ("教科文组织", "联合国教科文组织终身学习研究所", "教科文组织的报告"),
        ("马来西亚", "马来西亚人的成人教育", "马来西亚的社区学院"),
        ("广播电视大学", "中央广播电视大学的开放教育", "广播电视大学的历史"),
        ("高等教育", "高等教育部的年度报告", "高等教育的普及"),
    ],
)
def test_a_word_inside_a_longer_word_finds_it(make_resource, query, inside, alone):
    """jieba's search mode indexed 联合国教科文组织 under 教科文 but not 教科文组织, and 马来西亚人 without
    马来西亚: a query for the shorter word found only the records that hold it alone."""
    records = [
        make_resource(titles={"zh-hans": title}, original_language="zh-hans", subjects=[])
        for title in (inside, alone)
    ]
    make_resource(titles={"zh-hans": "社区教育的研究"}, original_language="zh-hans", subjects=[])
    page = search.search_resources(query)
    assert {h.resource.pk for h in page.hits} == {r.pk for r in records}
    assert page.notices == []
    marked = {h.resource.pk: h.title_html for h in page.hits}[records[0].pk]
    assert f"<mark>{query}</mark>" in marked


def test_a_quoted_chinese_phrase_is_marked_and_counted_by_its_words(make_resource):
    record = make_resource(
        titles={"zh-hans": "大学与老年大学"}, original_language="zh-hans", subjects=[]
    )
    page = search.search_resources('"大学与老年大学"')
    assert [h.resource.pk for h in page.hits] == [record.pk]
    # Every word marked (but the small word 与), the first 大学 too, though 大学 is also a part of
    # 老年大学.
    assert page.hits[0].title_html == "<mark>大学</mark>与<mark>老年大学</mark>"
    # Counted as its words (5 of the phrase's 20 tokens with the parts of its long words), it stays
    # under the limit of 32 words.
    long_title = "中华人民共和国职业教育法与中华人民共和国教师法的比较研究"
    make_resource(titles={"zh-hans": long_title}, original_language="zh-hans", subjects=[])
    page = search.search_resources(f'"{long_title}"')
    assert page.total == 1 and page.notices == []


def test_a_quoted_phrase_of_pinyin_is_looked_for_as_its_words(docs):
    """The pinyin of Chinese text is kept without positions, so "zhongshen xuexi" in quotes matched
    nothing at all (终身学习 is two words to the segmenter). Finding nothing, it is looked for as its
    words, as typed without quotes, and the page says so; a phrase of other words keeps its meaning."""
    page = search.search_resources('"zhongshen xuexi"')
    assert [h.resource.pk for h in page.hits] == [docs["zh"].pk]
    assert page.notices == [
        "Pinyin is matched word by word, not as a phrase: “zhongshen xuexi” was looked for as its "
        "words."
    ]
    assert found('"zhōngshēn xuéxí"') == found("zhongshen xuexi") == [docs["zh"].pk]
    page = search.search_resources('"literacy adult"')
    assert page.hits == [] and page.notices == []
    # Beside other words, which must still be found.
    assert found('"zhongshen xuexi" 上海') == [docs["zh"].pk]
    # Beside a word no record holds, some of the words are shown, and both steps are said.
    page = search.search_resources('"zhongshen xuexi" quasicrystal')
    assert [h.resource.pk for h in page.hits] == [docs["zh"].pk]
    assert len(page.notices) == 2 and page.notices[0].startswith("Pinyin is matched word by word")
    assert page.notices[1].startswith("No resource contains all the words")


def test_exclusion(docs):
    assert found("literacy -children") == [docs["literacy"].pk]
    assert found('literacy -"family literacy"') == [docs["literacy"].pk]


def test_a_word_too_common_to_leave_out_is_not_and_says_so(docs):
    """ "learning -the" left 13 of the demo's 171 resources, "learning -的" none."""
    for query in ("literacy -the", "literacy NOT for", "literacy -的", "literacy -l'"):
        page = search.search_resources(query)
        assert page.total == search.search_resources("literacy").total, query
        assert page.notices[0].startswith("Words too common to leave out were not: “"), query
    # Quoted, it is left out as typed.
    assert found('literacy -"for"') == []


def test_not_excludes_as_the_minus_does(docs):
    assert found("literacy NOT children") == found("literacy -children") == [docs["literacy"].pk]
    assert found('literacy NOT "family literacy"') == [docs["literacy"].pk]
    page = search.search_resources("literacy NOT")
    assert page.notices == ["“NOT” needs a word after it; it was left out."]
    assert set(found("literacy NOT")) == set(found("literacy"))


def test_a_minus_apart_from_any_word_says_so(docs):
    """ "literacy -" and "literacy - children" exclude nothing: the minus was dropped without a word."""
    for query in ("literacy -", "literacy - children", "literacy --"):
        page = search.search_resources(query)
        assert page.notices[0].startswith("A minus sign excludes the word written right after"), (
            query
        )
    assert set(found("literacy -")) == set(found("literacy"))


def test_or(docs):
    assert set(found("women OR families")) == {docs["literacy"].pk, docs["children"].pk}


def test_or_between_values_of_one_filter_is_what_they_do_anyway(docs):
    """ "type:report OR type:policy" found what it asked for and said the OR was left out."""
    for query in ("literacy type:report OR type:policy", "year:2016 OR year:2019"):
        page = search.search_resources(query)
        assert not page.notices, query
        assert page.total == search.search_resources(query.replace(" OR ", " ")).total > 0
    # Between two filters or a filter and a word, it is still left out, and said so.
    for query in ("language:en OR country:CN", "type:report OR literacy", "type:report OR"):
        assert search.search_resources(query).notices[0].startswith("“OR” needs a word"), query


def test_fields_and_filters_in_the_query(docs):
    assert found("title:rural") == []  # rural is only in the summary
    assert found("rural") == [docs["literacy"].pk]
    assert found("literacy type:report") == [docs["literacy"].pk]
    assert found("literacy type:Report") == [docs["literacy"].pk]
    assert set(found("literacy year:2015..2020")) == {docs["literacy"].pk}
    assert set(found("year:2019")) == {docs["cities"].pk}
    assert found("creator:ministry literacy type:report") == [docs["literacy"].pk]


def test_filters_left_out_in_the_query(docs):
    everything = {d.pk for d in docs.values()}
    assert found("literacy -type:report") == [docs["children"].pk]
    assert found("literacy -type:Report") == [docs["children"].pk]  # codes in any case
    assert set(found("-type:report")) == everything - {docs["literacy"].pk}
    assert found("-type:policy") == [docs["literacy"].pk]
    assert found("-type:report -type:policy") == []
    assert found("-type:report -language:zh") == []  # every resource here is in Chinese too
    page = search.search_resources("literacy -type:report")
    assert page.total == 1 and not page.notices
    # Left out of the counts too.
    assert {b.value for f in page.facets if f.name == "type" for b in f.buckets} == {"policy"}


def test_years_typed_in_the_query_combine_and_are_left_out(docs):
    """ "-year:2015" listed only the resources of 2015, and of "year:2012 year:2019" the last alone was
    kept."""
    everything = {d.pk for d in docs.values()}
    assert set(found("-year:2019")) == everything - {docs["cities"].pk}
    assert set(found("NOT year:2019")) == everything - {docs["cities"].pk}
    assert set(found("literacy -year:2015..2020")) == {docs["children"].pk}
    assert set(found("-year:..2012")) == {
        docs["cities"].pk,
        docs["literacy"].pk,
        docs["children"].pk,
    }
    assert set(found("year:2012 year:2019")) == {docs["zh"].pk, docs["cities"].pk}
    assert set(found("year:2005 year:2015..2020")) == {
        docs["fr"].pk,
        docs["cities"].pk,
        docs["literacy"].pk,
    }
    # With the link's years, as the link's own combine.
    assert set(found("year:2012 year:2019", filters={"year": ["2005"]})) == {
        docs["zh"].pk,
        docs["cities"].pk,
        docs["fr"].pk,
    }
    page = search.search_resources("-year:20x5")
    assert page.notices[0].startswith("“20x5” is not a year"), page.notices
    assert page.total == len(everything)


def test_the_meaning_of_a_query_is_found_from_its_words_not_its_filters():
    """ "lerning year:2015..2020" found a record by meaning through the numbers of its years."""
    from llrc.search.query import without_filters

    assert without_filters("lerning year:2015..2020") == "lerning"
    assert without_filters('adult type:report -country:CN title:"a b" learning') == (
        'adult title:"a b" learning'
    )
    assert without_filters("终身学习 type：report") == "终身学习"


@pytest.mark.parametrize(
    ("typed", "as_ascii"),
    [
        # An input method's full-width operators, and the quotation marks of phones, of French and
        # Russian and of Chinese: read as words, the minus required what it meant to leave out.
        ("title：literacy", "title:literacy"),
        ("literacy －children", "literacy -children"),
        ("literacy —children", "literacy -children"),
        ("literacy −children", "literacy -children"),
        ("literacy ＯＲ learning", "literacy OR learning"),
        ("literacy type:ＲＥＰＯＲＴ", "literacy type:report"),
        ("year：２０１９", "year:2019"),
        ("“family literacy”", '"family literacy"'),
        ("«family literacy»", '"family literacy"'),
        ("„family literacy“", '"family literacy"'),
        ("「终身学习」", '"终身学习"'),
        ("literacy -「family literacy」", 'literacy -"family literacy"'),
    ],
)
def test_operators_typed_in_other_forms_are_read_as_operators(docs, typed, as_ascii):
    page = search.search_resources(typed)
    ascii_page = search.search_resources(as_ascii)
    assert [h.resource.pk for h in page.hits] == [h.resource.pk for h in ascii_page.hits], typed
    assert page.total == ascii_page.total and page.total < len(docs), typed
    assert page.notices == ascii_page.notices, typed


@pytest.mark.parametrize("query", ["falü", "fǎlǜ", "falv", "lüyou falü", "lü3you2 fa3lü4"])
def test_pinyin_with_u_umlaut_finds_its_characters(make_resource, query):
    law = make_resource(
        titles={"zh-hans": "旅游法律汇编"}, original_language="zh-hans", subjects=[]
    )
    make_resource(titles={"zh-hans": "法路"}, original_language="zh-hans", subjects=[])  # fa lu
    assert found(query) == [law.pk]


def test_sort_orders(docs):
    newest = found("", sort="newest")
    assert newest[0] == docs["children"].pk and newest[-1] == docs["fr"].pk
    assert found("", sort="oldest")[0] == docs["fr"].pk
    titles = [search.search_resources("", sort="title").hits[i].title for i in range(5)]
    assert titles[0].startswith("Adult") and titles[-1] == "终身学习与社区教育"  # zhong shen...
    with pytest.raises(search.SearchInputError, match="sort"):
        search.search_resources("x", sort="random")


def test_titles_sort_as_catalogues_file_them(make_resource):
    # Chinese by its pinyin among the Latin titles, accents and a leading article or quote left out.
    for title in [
        "Zebra crossings",
        "“教师成为研究者”",
        "The learning city",
        "Éducation des adultes",
    ]:
        make_resource(titles={"en": title}, subjects=[])
    make_resource(titles={"zh-hans": "终身学习条例"}, original_language="zh-hans", subjects=[])
    make_resource(titles={"zh-hant": "成人教育"}, original_language="zh-hant", subjects=[])
    page = search.search_resources("", sort="title")
    assert [h.title for h in page.hits] == [
        "成人教育",  # cheng ren
        "Éducation des adultes",
        "“教师成为研究者”",  # jiao shi
        "The learning city",
        "Zebra crossings",  # zebra before zhong
        "终身学习条例",
    ]


def test_each_interface_sorts_by_the_titles_it_shows(make_resource, client):
    # English titles in one order, their Chinese titles in the other (pinyin: cheng, jiao, zhong).
    for english, chinese in [
        ("Adult education", "终身学习"),
        ("Basic literacy", "教育公平"),
        ("Community colleges", "成人教育"),
    ]:
        make_resource(titles={"en": english, "zh-hans": chinese}, subjects=[])
    # No Chinese title: filed under its English one on both interfaces.
    make_resource(titles={"en": "Distance learning"}, subjects=[])
    english = [h.title for h in search.search_resources("", sort="title", lang="en").hits]
    assert english == [
        "Adult education",
        "Basic literacy",
        "Community colleges",
        "Distance learning",
    ]
    chinese = [h.title for h in search.search_resources("", sort="title", lang="zh-hans").hits]
    assert chinese == ["成人教育", "Distance learning", "教育公平", "终身学习"]
    # The page asks for it through its interface language.
    html = client.get("/zh-hans/search?sort=title").content.decode()
    assert html.index("成人教育") < html.index("Distance learning") < html.index("教育公平")


def test_phrases_keep_their_small_and_repeated_words(make_resource):
    rpl = make_resource(titles={"en": "Recognition of prior learning in Africa"}, subjects=[])
    be = make_resource(titles={"en": "Learning to be"}, subjects=[])
    other = make_resource(titles={"en": "Prior learning and its recognition"}, subjects=[])
    assert found('"recognition of prior learning"') == [rpl.pk]  # "of" matched in its place
    assert found('"learning to be"') == [be.pk]  # not every resource with "learning"
    assert found('"learning learning"') == []
    # Without quotes, the words in any order (and "Learning to be", with one of them, after those).
    assert found("recognition prior learning") in (
        [rpl.pk, other.pk, be.pk],
        [other.pk, rpl.pk, be.pk],
    )
    page = search.search_resources('"recognition of prior learning"')
    assert "of" not in page.terms and "recognition" in page.terms  # small words are not marked


@pytest.mark.parametrize("dictionary", [True, False])
def test_a_question_typed_as_one_run_of_characters_finds_what_has_some_of_its_words(
    docs, settings, dictionary
):
    # No record holds 怎么 or 运作: a run of characters is several words, and like words typed apart,
    # records with some of them are shown when none has them all (this found nothing at all).
    settings.SEARCH_DICTIONARY = dictionary
    page = search.search_resources("上海的社区教育是怎么运作的")
    assert [h.resource.pk for h in page.hits][:1] == [docs["zh"].pk]
    assert page.notices == [
        "No resource contains all the words; showing resources that contain some of them."
    ]
    # Records with every word first: the same records as typed apart.
    assert found("社区教育") == found("社区 教育")
    assert found("社区教育")[0] == docs["zh"].pk
    assert found("上海社区教育")[0] == docs["zh"].pk
    assert found("上海终身学习条例") != []  # falls back: no record has 条例
    # A record holds every word: no fallback (records with some of them may follow it, said so).
    assert not any(
        n.startswith("No resource contains")
        for n in search.search_resources("上海终身学习").notices
    )


def test_question_words_are_not_required(make_resource):
    city = make_resource(
        titles={"zh-hans": "上海学习型城市建设"}, original_language="zh-hans", subjects=[]
    )
    make_resource(titles={"zh-hans": "怎样学习"}, original_language="zh-hans", subjects=[])
    # 怎样 ("how") is in no record about the question: it is left out as 的 is, not required.
    page = search.search_resources("上海怎样建设学习型城市")
    assert [h.resource.pk for h in page.hits] == [city.pk] and page.notices == []


@pytest.mark.parametrize(
    ("title", "lang", "question", "other"),
    [
        # "how" is in no record about the question; required, it left only records with some of the
        # words, those holding "how" first.
        (
            "Building learning cities in China",
            "en",
            "How is China building learning cities?",
            "How to knit",
        ),
        (
            "Les villes apprenantes en France",
            "fr",
            "Pourquoi les villes apprenantes ?",
            "Pourquoi tricoter",
        ),
        ("Пожилые люди учатся в университетах", "ru", "Где учатся пожилые люди?", "Где вязать"),
        # Their function words and French elisions too: the four questions below said "No resource
        # contains all the words".
        (
            "La educación de adultos en España",
            "es",
            "¿Qué es la educación de adultos?",
            "Qué tejer",
        ),
        ("Обучение взрослых в России", "ru", "Что такое обучение взрослых?", "Что вязать"),
        ("التعلم مدى الحياة في المدن", "ar", "ما هو التعلم مدى الحياة؟", "ما الحياكة"),
        (
            "L'apprentissage des adultes",
            "fr",
            "Qu'est-ce que l'apprentissage ?",
            "Qu'est-ce tricoter",
        ),
    ],
)
def test_question_words_of_other_languages_are_not_required(
    make_resource, settings, title, lang, question, other
):
    settings.SEARCH_DICTIONARY = False  # the question's own language only
    found_it = make_resource(titles={lang: title}, original_language=lang, subjects=[])
    make_resource(titles={lang: other}, original_language=lang, subjects=[])
    page = search.search_resources(question)
    # The record holds every word left; the other (which holds the question word, and the fixture's
    # default country and summary) may follow it among records with some of the words.
    assert page.hits[0].resource.pk == found_it.pk and page.hits[0].missing == []
    assert not any(n.startswith(("No resource contains", "Wildcards")) for n in page.notices)
    # Alone, a question word is still looked for: nothing else is left.
    assert found(question.split()[0]) != []


def test_broken_syntax_falls_back_and_says_so(docs):
    page = search.search_resources('"adult literacy')
    assert docs["literacy"].pk in [h.resource.pk for h in page.hits]
    assert page.notices


def test_highlight_covers_stemmed_and_traditional_forms(docs):
    page = search.search_resources("終身學習")
    assert "<mark>" in page.hits[0].title_html


def test_pinyin_marks_the_chinese_words_it_found(docs, make_resource):
    """The engine matched the pinyin of Chinese words; the letters are nowhere in the text, and the page
    marked nothing."""
    page = search.search_resources("zhongshen xuexi")
    assert page.hits[0].title_html == "<mark>终身学习</mark>与社区教育"
    assert "<mark>终身学习</mark>" in page.hits[0].snippet_html
    law = make_resource(
        titles={"zh-hans": "旅游法律汇编"}, original_language="zh-hans", subjects=[]
    )
    make_resource(titles={"zh-hans": "法路"}, original_language="zh-hans", subjects=[])  # fa lu
    page = search.search_resources("falü")
    assert [(h.resource.pk, h.title_html) for h in page.hits] == [
        (law.pk, "旅游<mark>法律</mark>汇编")
    ]
    # Traditional characters are marked as the simplified ones they fold to.
    slow = make_resource(
        titles={"zh-hant": "慢就業現象研究"}, original_language="zh-hant", subjects=[]
    )
    page = search.search_resources("jiuye xianxiang")
    assert [(h.resource.pk, h.title_html) for h in page.hits] == [
        (slow.pk, "慢<mark>就業現象</mark>研究")
    ]
    # Only the words whose pinyin it is are marked.
    page = search.search_resources("xianxiang")
    assert [h.title_html for h in page.hits] == ["慢就業<mark>現象</mark>研究"]


def test_a_stopword_is_not_read_as_pinyin(make_resource):
    """A query of stopwords only keeps them as words; read as pinyin too, "que" found Chinese texts
    through 却 (but, yet)."""
    spanish = make_resource(titles={"es": "Lo que aprendemos"}, original_language="es", subjects=[])
    make_resource(titles={"zh-hans": "简单却重要的学习"}, original_language="zh-hans", subjects=[])
    assert found("que") == [spanish.pk]
    assert found("jiandan") != []  # other pinyin still is


def test_pinyin_marks_a_word_read_in_context():
    """pypinyin reads 乐 as lao in 乐亭 (a county), a reading its table of characters does not give 乐:
    the index holds laoting, and the mark must find it too."""
    from llrc.search.highlight import highlight, pinyin_term

    assert highlight("乐亭县的学校", [pinyin_term("laoting")]) == "<mark>乐亭</mark>县的学校"


def test_pinyin_marks_only_what_was_looked_up_as_pinyin(docs, make_resource):
    """A phrase and a word limited to a field are not looked up as pinyin (the pinyin stream has no
    positions, and is one stream for every field), so they mark no Chinese word by it; a quoted phrase
    of pinyin that found nothing is looked for as its words, and marks what they found."""
    from llrc.search.query import parse_query

    assert parse_query('"zhongshen xuexi" title:laonian').pinyin_terms() == []
    assert parse_query("zhongshen -xuexi daxue").pinyin_terms() == ["zhongshen", "daxue"]
    make_resource(
        titles={"en": "Literacy for young learners"},
        summaries={"zh-hans": "我们的社区学校开设扫盲课程。"},
        subjects=[],
    )
    page = search.search_resources('"young learners"', lang="zh-hans")
    assert len(page.hits) == 1 and "<mark>" not in page.hits[0].snippet_html
    page = search.search_resources('"zhongshen xuexi"')
    assert page.hits[0].title_html == "<mark>终身学习</mark>与社区教育"


def test_british_and_american_spellings_find_each_other(make_resource):
    british = make_resource(
        titles={"en": "Community learning centres in Asia"},
        summaries={"en": "Programmes run by local organisations."},
        subjects=[],
        creators=[],
    )
    american = make_resource(
        titles={"en": "A community learning center in Ohio"},
        summaries={"en": "Programs of a civic organization."},
        subjects=[],
        creators=[],
    )
    central = make_resource(
        titles={"en": "Central banks"},
        summaries={"en": "Interest rates and money."},
        subjects=[],
        creators=[],
    )
    for query in (
        "community learning center",
        "community learning centre",
        "organization programs",
    ):
        page = search.search_resources(query)
        assert {h.resource.pk for h in page.hits} == {british.pk, american.pk}, query
    # The reader's American word is marked in the British text.
    page = search.search_resources("center")
    marked = {h.resource.pk: h.title_html for h in page.hits}
    assert "<mark>centres</mark>" in marked[british.pk]
    assert "<mark>center</mark>" in marked[american.pk]
    assert central.pk not in marked
    # Looked for by the British word, and by cent, the German stem, which also starts "central": the
    # words found are marked by their own stems (above: "Central" is not).
    from llrc.search.highlight import search_prefixes

    assert {"center", "centre", "cent"} <= set(search_prefixes("center"))


@pytest.mark.parametrize(
    ("query", "text", "lang", "marked", "unmarked"),
    [
        # "cent" is the German stem of "center": it started "Central" and was marked there.
        ("center", "Central Asia: community centres", "en", ["centres"], ["Central"]),
        # A stem that starts a longer word of another stem: "art" is not in "articles".
        ("art", "Art in articles about arts", "en", ["Art", "arts"], ["articles"]),
        ("SDG 4", "SDG 4, not 40 or SDG4", "en", ["SDG", "4"], ["40", "SDG4"]),
        # In an English text "learners" is learner/en, which "learn" does not look up.
        ("learn", "Learning for learners", "en", ["Learning"], ["learners"]),
        # Of no one language (labels together), a word may be in any of its script: French stems
        # learner. Indexed without a language (keywords), a Latin word is not stemmed.
        ("learn", "Learning for learners", None, ["Learning", "learners"], []),
        ("learn", "Learning for learners", "", [], ["Learning", "learners"]),
        # A Russian word in an English text is still Russian (analysis: one language per script).
        (
            "образование",
            "Образования и образовательные",
            "en",
            ["Образования"],
            ["образовательные"],
        ),
        ("organization", "organisations, organizational", "en", ["organisations"], []),
        # A British -ise word marks the American forms of its family (organis-: organiz-).
        ("organisation", "Organizing organizations", "en", ["Organizing", "organizations"], []),
        ("strasse", "Schulen in der Straße", "de", ["Straße"], []),
        # Words are matched by the stems the query looks up, not by its stems' stems: "learn" is the
        # German stem of "learners", but "Learning" is learn/en, which "learners" does not look up.
        ("learners", "Learning for learners", "en", ["learners"], ["Learning"]),
        ("center", "Two cents of policy", "en", [], ["cents"]),
        # A word starts after a Chinese character, as the index splits them.
        ("unesco", "联合国UNESCO报告", "zh-hans", ["UNESCO"], []),
        ("2011", "第2011赛季", "zh-hans", ["2011"], []),
        # A Latin word in a Chinese text is indexed as it is: only the word itself matched.
        ("learn", "终身学习 learning learn", "zh-hans", ["终身学习"], ["learning"]),
        # An Arabic word is marked whole, with what is joined before it (the article, and, with), and
        # where its stem is the query's: the letters inside a word were marked ("ال<mark>تعليم</mark>"),
        # and words matched through their stem were not.
        ("تعليم", "وتعليم الكبار بالتعليم للتعليم", "ar", ["وتعليم", "بالتعليم", "للتعليم"], []),
        ("التعلم", "التعلم مدى الحياة وتعلم والتعلم", "ar", ["التعلم", "وتعلم", "والتعلم"], []),
        ("كبار", "تعليم الكبار وكبار السن", "ar", ["الكبار", "وكبار"], ["تعليم"]),
        ("التعلم", "المتعلمين", "ar", [], ["المتعلمين"]),
    ],
)
def test_marks_are_whole_words_the_engine_matched(query, text, lang, marked, unmarked):
    """Marks cover whole words, and only words whose own stem in the text's language is one the query
    looks up (or the word as typed): not words that merely start with one of the query's stems."""
    from llrc.search.highlight import highlight
    from llrc.search.query import parse_query

    terms = parse_query(query).highlight_terms()
    if lang and lang.startswith("zh"):
        terms = [*terms, "终身学习"]
    html = highlight(text, terms, lang=lang)
    for word in marked:
        assert f"<mark>{word}</mark>" in html, (word, html)
    for word in unmarked:
        # Whole (no mark starts or ends inside it) and not marked.
        assert word in html and f"<mark>{word}" not in html, (word, html)


@pytest.mark.parametrize(
    ("subjects", "query", "named"),
    [
        (["concept10766", "concept10781"], "rural women", "Rural women"),
        (["concept10781", "concept10766"], "rural women", "Rural women"),
        (["concept1519", "concept1480"], "adult literacy", "Adult literacy"),
    ],
)
def test_why_names_the_concept_holding_the_most_of_the_words(make_resource, subjects, query, named):
    """The first concept holding any of the words was named: "Women" for "rural women", where the record
    is described as "Rural women" too."""
    found = make_resource(
        titles={"en": "Evening classes in the village hall"},
        summaries={},
        subjects=subjects,
        collections=[],
    )
    page = search.search_resources(query)
    hit = next(h for h in page.hits if h.resource.pk == found.pk)
    assert hit.why == f"Found through its description: {named}"


def test_why_agrees_with_the_marks(make_resource):
    """A page says it was found through the reader's own words only where it would mark them: "cent",
    the German stem of "center", starts "Central", but this record was found through a translation."""
    found = make_resource(
        titles={"zh-hans": "社区学习中心"},
        summaries={"en": "Evening classes in Central Asia."},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    teaching = make_resource(
        titles={"zh-hans": "教师培训"},
        summaries={"en": "Teaching methods for adults."},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    # "teach" is the French stem of "teachers", but "Teaching" is teach/en: found through 教师.
    page = search.search_resources("teachers")
    assert [h.resource.pk for h in page.hits] == [teaching.pk]
    why = page.hits[0].why
    assert why.startswith("Found through a translation of your words") and "教师" in why, why
    assert "<mark>Teaching" not in page.hits[0].snippet_html
    page = search.search_resources("center")
    assert [h.resource.pk for h in page.hits] == [found.pk]
    why = page.hits[0].why
    assert why.startswith("Found through a translation of your words") and "中心" in why, why
    assert "<mark>" not in page.hits[0].snippet_html


def test_why_leaves_out_a_translation_inside_another_it_names(make_resource):
    """ "library" is 图书馆, 文库 and 书馆: a record holding 图书馆 holds 书馆 too, which said nothing more."""
    make_resource(
        titles={"zh-hans": "浅议提高图书馆专业人员的素质"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    page = search.search_resources("library")
    assert page.hits[0].why == "Found through a translation of your words: 图书馆"


def test_a_name_with_a_number_is_searched_as_typed(make_resource):
    """ "SDG4" read as pinyin with a tone number was searched as "sdg", which no record holds."""
    found = make_resource(
        titles={"en": "SDG4 monitoring report"}, subjects=[], countries=[], creators=[]
    )
    make_resource(titles={"en": "SDG 16 and peace"}, subjects=[], countries=[], creators=[])
    page = search.search_resources("SDG4")
    assert [h.resource.pk for h in page.hits] == [found.pk]
    assert "<mark>SDG4</mark>" in page.hits[0].title_html


def test_an_acronym_and_its_plural_find_each_other(make_resource):
    """The English stemmer removes a plural s only after a vowel: "SDGs" was the stem sdgs, "SDG" sdg,
    and each found only its own."""
    plural = make_resource(
        titles={"en": "Learning cities and the SDGs"}, subjects=[], countries=[], creators=[]
    )
    single = make_resource(
        titles={"en": "An SDG progress report"}, subjects=[], countries=[], creators=[]
    )
    make_resource(titles={"en": "Soil erosion on farms"}, subjects=[], countries=[], creators=[])
    for query in ("SDG", "SDGs"):
        page = search.search_resources(query)
        assert sorted(h.resource.pk for h in page.hits) == sorted([plural.pk, single.pk]), query
        # Each is marked where it was found, and said to be found through the reader's own word.
        shown = {h.resource.pk: h for h in page.hits}
        assert "<mark>SDGs</mark>" in shown[plural.pk].title_html, query
        assert "<mark>SDG</mark>" in shown[single.pk].title_html, query
        assert shown[plural.pk].why == "", query
    # Not a word that only looks like one: "sdgs" in small letters is no acronym's plural.
    assert highlight("the sdgs list", ["sdg"], lang="en") == "the sdgs list"
    assert highlight("the SDGs list", ["sdg"], lang="en") == "the <mark>SDGs</mark> list"


@pytest.mark.parametrize(("one", "other"), [("GPS", "GP"), ("SMS", "SM"), ("Mrs", "Mr")])
def test_an_acronym_ending_in_s_is_no_plural(make_resource, one, other):
    """Only the case tells a plural from an acronym ending in s: GPS is not the plural of GP."""
    first = make_resource(
        titles={"en": f"Courses on {one} for adults"}, subjects=[], countries=[], creators=[]
    )
    second = make_resource(
        titles={"en": f"Courses on {other} for adults"}, subjects=[], countries=[], creators=[]
    )
    assert [h.resource.pk for h in search.search_resources(one).hits] == [first.pk]
    assert [h.resource.pk for h in search.search_resources(other).hits] == [second.pk]


def test_a_code_and_its_number_find_both_ways_of_writing_them(make_resource):
    """ "SDG4" found only the texts writing SDG4 (one word to the index), "SDG 4" only those writing it
    apart; on the demo "SDG4" found nothing. Left out, the code is left out written either way."""
    together = make_resource(
        titles={"en": "SDG4 monitoring in cities"}, subjects=[], countries=[], creators=[]
    )
    apart = make_resource(
        titles={"en": "Cities reaching SDG 4 together"}, subjects=[], countries=[], creators=[]
    )
    other = make_resource(
        titles={"en": "SDG 16 in cities, 4 cases"}, subjects=[], countries=[], creators=[]
    )
    for query in ("SDG4", "sdg4 OR mdg2"):
        page = search.search_resources(query)
        assert sorted(h.resource.pk for h in page.hits) == [together.pk, apart.pk], query
    page = search.search_resources("SDG 4")
    assert sorted(h.resource.pk for h in page.hits) == [together.pk, apart.pk, other.pk]
    assert [h.resource.pk for h in search.search_resources("cities -SDG4").hits] == [other.pk]
    page = search.search_resources("SDG4")
    shown = next(h for h in page.hits if h.resource.pk == apart.pk)
    assert "<mark>SDG</mark> <mark>4</mark>" in shown.title_html


def test_a_word_straddling_the_words_of_a_longer_one_finds_nothing_there(make_resource):
    """国教 (state religion) stood inside every 联合国教科文组织 (UNESCO) and 心理 (psychology) inside
    核心理念 (core idea): search mode indexed them there, and a query for either found those texts."""
    unesco = make_resource(
        titles={"zh-hans": "联合国教科文组织终身学习研究所年度报告"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    idea = make_resource(
        titles={"zh-hans": "学习型城市的核心理念"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    psychology = make_resource(
        titles={"zh-hans": "老年心理与学习"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    assert search.search_resources("国教").total == 0
    assert [h.resource.pk for h in search.search_resources("心理").hits] == [psychology.pk]
    assert [h.resource.pk for h in search.search_resources("联合国教科文组织").hits] == [unesco.pk]
    assert [h.resource.pk for h in search.search_resources("核心理念").hits] == [idea.pk]


def test_a_word_and_a_number_keep_their_groups(make_resource, settings):
    """A word of letters and a number are joined only as another form (SDG 4: SDG4): joined into one
    group, "literacy 1999" was no longer widened to some of its words (one record instead of 49 on the
    demo), and "youth 2030" no longer translated "youth"."""
    settings.SEARCH_VECTORS = False
    literacy = make_resource(
        titles={"en": "Adult literacy in rural areas"}, subjects=[], countries=[], creators=[]
    )
    year = make_resource(
        titles={"en": "Annual review 1999"}, subjects=[], countries=[], creators=[]
    )
    plan = make_resource(
        titles={"zh-hans": "青年发展规划 2030"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    page = search.search_resources("literacy 1999")
    assert sorted(h.resource.pk for h in page.hits) == [literacy.pk, year.pk]
    assert search._some_words_notice() in page.notices
    assert [h.resource.pk for h in search.search_resources("youth 2030").hits] == [plan.pk]
