"""Across languages: dictionary translation and sentence vectors, each able to find what words cannot."""

import pytest
from django.utils import translation

from llrc.catalogue import services
from llrc.search import services as search

pytestmark = [pytest.mark.django_db, pytest.mark.vectors]


@pytest.fixture
def chinese_only(make_resource):
    return make_resource(
        titles={"zh-hans": "社区老年人智能手机培训课程"},
        original_language="zh-hans",
        summaries={
            "zh-hans": "街道社区学校为老年人开设智能手机使用课程,帮助他们学会视频通话和网上挂号。"
        },
        subjects=[],
        collections=[],
        creators=[],
        countries=[],
    )


@pytest.fixture
def unrelated(make_resource):
    return make_resource(
        titles={"en": "Soil erosion on mountain farms"},
        summaries={"en": "Terracing and tree planting keep soil on steep fields."},
        subjects=[],
        countries=[],
        collections=[],
        creators=[],
    )


def ids(page):
    return [h.resource.pk for h in page.hits]


def test_english_query_finds_chinese_only_resource_by_meaning(chinese_only, unrelated, settings):
    settings.SEARCH_DICTIONARY = False
    page = search.search_resources("smartphone classes for elderly people")
    assert chinese_only.pk in ids(page)
    assert unrelated.pk not in ids(page)
    hit = next(h for h in page.hits if h.resource.pk == chinese_only.pk)
    assert "meaning" in hit.why


def test_english_query_finds_chinese_only_resource_by_dictionary(chinese_only, settings):
    settings.SEARCH_VECTORS = False
    page = search.search_resources("smartphone")
    assert ids(page) == [chinese_only.pk]
    assert "translation" in page.hits[0].why
    assert "<mark>智能手机</mark>" in page.hits[0].title_html


def test_lifelong_learning_in_english_finds_the_chinese_term_by_dictionary(make_resource, settings):
    settings.SEARCH_VECTORS = False
    record = make_resource(
        titles={"zh-hans": "上海市终身学习促进条例"},
        original_language="zh-hans",
        subjects=[],
        collections=[],
        creators=[],
        countries=[],
    )
    page = search.search_resources("lifelong learning")
    assert ids(page) == [record.pk]
    assert "<mark>终身学习</mark>" in page.hits[0].title_html


def test_a_translation_is_not_read_as_pinyin(make_resource, settings):
    """男人 translates to "man": read as pinyin too, it found 慢 (slow) in a Chinese text that holds
    nothing of the query."""
    settings.SEARCH_VECTORS = False
    men = make_resource(titles={"en": "Every man a learner"}, subjects=[], countries=[])
    slow = make_resource(
        titles={"zh-hans": "慢就业现象研究"}, original_language="zh-hans", subjects=[], countries=[]
    )
    assert ids(search.search_resources("男人")) == [men.pk]
    # The reader's own pinyin is read as pinyin: jiuye is 就业.
    assert ids(search.search_resources("jiuye")) == [slow.pk]


def test_an_english_word_the_dictionary_translates_is_not_read_as_pinyin(make_resource, settings):
    """ "women" spells 我们 (we) in pinyin: an English query found Chinese texts that hold "we"."""
    settings.SEARCH_VECTORS = False
    women = make_resource(titles={"en": "Literacy for women"}, subjects=[], countries=[])
    we = make_resource(
        titles={"zh-hans": "我们的社区学校"}, original_language="zh-hans", subjects=[], countries=[]
    )
    assert ids(search.search_resources("women")) == [women.pk]
    # Without the dictionary nothing says "women" is English: its letters are looked up as pinyin too.
    settings.SEARCH_DICTIONARY = False
    assert set(ids(search.search_resources("women"))) == {women.pk, we.pk}


def test_a_name_the_dictionary_spells_in_pinyin_is_still_read_as_pinyin(make_resource, settings):
    """ "beijing" translates to 北京市 only; as pinyin it also finds texts that write 北京."""
    settings.SEARCH_VECTORS = False
    city = make_resource(
        titles={"zh-hans": "北京奥运战略研究"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
    )
    assert ids(search.search_resources("beijing")) == [city.pk]


def test_an_excluded_english_word_excludes_what_it_means(make_resource, settings):
    """-women left out the Chinese texts holding 我们 (we), its letters read as pinyin."""
    settings.SEARCH_VECTORS = False
    school = make_resource(
        titles={"zh-hans": "我们的社区学校"}, original_language="zh-hans", subjects=[], countries=[]
    )
    assert ids(search.search_resources("shequ -women")) == [school.pk]
    # Alone too: with no word to translate, the exclusion was not (it left 我们's records out).
    assert school.pk in ids(search.search_resources("-women"))


def test_martial_arts_in_english_finds_the_chinese_records_on_wushu(make_resource, settings):
    """CC-CEDICT glosses 武术 only at length ("all kinds of martial art sports"): English "martial arts"
    found none of the demo's three records on it, by words or by meaning (0.26 cosine, under the
    threshold)."""
    settings.SEARCH_VECTORS = False
    record = make_resource(
        titles={"zh-hans": "客家武术流派的形成与发展"},
        original_language="zh-hans",
        subjects=[],
        collections=[],
        creators=[],
        countries=[],
    )
    make_resource(titles={"en": "Soil erosion on mountain farms"}, subjects=[], countries=[])
    page = search.search_resources("martial arts")
    assert ids(page) == [record.pk]
    assert "<mark>武术</mark>" in page.hits[0].title_html
    assert "translation" in page.hits[0].why


def test_a_people_or_its_language_is_looked_for_by_its_name(make_resource, settings):
    """CC-CEDICT translates "Hakka" as 客家语 (the language) and "Russian" as 俄罗斯人 among others, which
    the segmenter cuts into a name and one character: both were required, and records on 客家 culture or
    on 俄罗斯 were not found. Widened to some of the words, 语 alone marked itself inside 语境."""
    settings.SEARCH_VECTORS = False
    hakka = make_resource(
        titles={"zh-hans": "客家武术流派的形成与发展"}, original_language="zh-hans", subjects=[]
    )
    russia = make_resource(
        titles={"zh-hans": "俄罗斯的成人教育"}, original_language="zh-hans", subjects=[]
    )
    context = make_resource(
        titles={"zh-hans": "乡土社会语境下的武术传承"}, original_language="zh-hans", subjects=[]
    )
    assert ids(search.search_resources("Hakka")) == [hakka.pk]
    assert ids(search.search_resources("Russian")) == [russia.pk]
    page = search.search_resources("hakka martial arts")
    assert ids(page)[0] == hakka.pk and context.pk in ids(page)
    shown = next(h for h in page.hits if h.resource.pk == context.pk)
    assert "<mark>武术</mark>" in shown.title_html and "<mark>语</mark>" not in shown.title_html


def test_the_dictionarys_first_translation_outranks_a_rarer_later_one(make_resource, settings):
    """ "learning" is 学习, then 学术 (academic), then 学会. Weighted alike, the rarer 学术 scored more, and
    the demo listed a review of an academic network first for "learning"."""
    settings.SEARCH_VECTORS = False
    academic = make_resource(
        titles={"zh-hans": "跨国学术网络研究"}, original_language="zh-hans", subjects=[]
    )
    learning = make_resource(
        titles={"zh-hans": "社区学习网络研究"}, original_language="zh-hans", subjects=[]
    )
    make_resource(titles={"zh-hans": "老年人学习的动机"}, original_language="zh-hans", subjects=[])
    for title in ("乡村图书馆", "职业培训政策", "城市社区教育", "远程教育平台", "成人扫盲运动"):
        make_resource(titles={"zh-hans": title}, original_language="zh-hans", subjects=[])
    found = ids(search.search_resources("learning"))
    assert academic.pk in found  # still found: only its weight is less
    assert found.index(learning.pk) < found.index(academic.pk)


def test_a_word_for_a_person_keeps_its_character(make_resource, settings):
    """Only a name loses the character after it: "supervisor" is 管理人 among others, and looked for as
    管理 (to manage) it found every record on management."""
    settings.SEARCH_VECTORS = False
    make_resource(titles={"zh-hans": "企业管理的方法"}, original_language="zh-hans", subjects=[])
    assert search.search_resources("supervisor").total == 0


def test_intellectual_property_finds_the_mainland_term(make_resource, settings):
    """CC-CEDICT's "intellectual property" is Taiwan's 智慧财产 and 智慧产权; 知识产权, the mainland's, it
    glosses "intellectual property rights" (llrc/search/data/glossary.tsv)."""
    settings.SEARCH_VECTORS = False
    record = make_resource(
        titles={"zh-hans": "开放教育资源的知识产权问题"}, original_language="zh-hans", subjects=[]
    )
    assert ids(search.search_resources("intellectual property")) == [record.pk]


def test_a_compound_the_dictionary_lacks_is_translated_word_by_word(make_resource, settings):
    settings.SEARCH_VECTORS = False
    english = make_resource(
        titles={"en": "Employment and training programmes for adults"},
        subjects=[],
        collections=[],
        creators=[],
        countries=[],
    )
    make_resource(titles={"en": "Soil erosion on mountain farms"}, subjects=[], countries=[])
    # CC-CEDICT has 就业 (to get a job; employment) and 培训 (to cultivate; to train), not 就业培训: each
    # word's senses are alternatives of that word, not "get a job cultivate" as one string of words.
    page = search.search_resources("就业培训")
    assert ids(page) == [english.pk]
    assert "translation" in page.hits[0].why
    # A word of two dictionary words the dictionary lacks whole: 下岗职工 as 下岗 + 职工 (workers).
    workers = make_resource(
        titles={"en": "Laid off workers come off duty"}, subjects=[], countries=[], creators=[]
    )
    assert ids(search.search_resources("下岗职工")) == [workers.pk]
    # A question word is no topic: 怎么 ("how?") brings nothing.
    how = make_resource(titles={"en": "How to grow rice"}, subjects=[], countries=[], creators=[])
    assert how.pk not in ids(search.search_resources("怎么"))


@pytest.mark.parametrize("dictionary", [True, False])
def test_a_long_word_no_record_holds_is_looked_for_as_its_parts(
    make_resource, settings, dictionary
):
    """下岗职工 ("laid-off workers") is one word to the segmenter. A record that writes 职工 and 下岗 apart
    never holds the compound, and the search found nothing; records are indexed under the parts of long
    words too, so the parts find it (both required, for it to come first), with a notice saying so."""
    settings.SEARCH_VECTORS = False
    settings.SEARCH_DICTIONARY = dictionary
    apart = make_resource(
        titles={"zh-hans": "职工下岗以后的技能培训"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    one_part = make_resource(
        titles={"zh-hans": "职工的权利"}, original_language="zh-hans", subjects=[], countries=[]
    )
    page = search.search_resources("下岗职工")
    # The record with both parts first; one with a part follows, as after words typed apart.
    assert ids(page) == [apart.pk, one_part.pk]
    assert page.notices == [
        "No resource contains “下岗职工”; resources containing “下岗”, “职工” were looked for.",
        "Only 1 resource contains all the words; resources containing some of them follow.",
    ]
    with translation.override("zh-hans"):  # parts listed as the language lists things
        assert "包含“下岗”、“职工”的资源" in search.search_resources("下岗职工").notices[0]
    # Both parts marked; written one after the other, they are one mark.
    assert "<mark>职工下岗</mark>" in page.hits[0].title_html
    # A word some record holds is searched as it is: no notice, the same records.
    whole = make_resource(
        titles={"zh-hans": "下岗职工再就业"}, original_language="zh-hans", subjects=[], countries=[]
    )
    page = search.search_resources("下岗职工")
    assert ids(page) == [whole.pk] and page.notices == []


def test_the_parts_of_a_long_word_are_translated_as_if_typed_apart(make_resource, settings):
    """农村妇女 ("rural women") is one word to the segmenter, and CC-CEDICT lacks it. No record holding
    it, it is looked for as 农村 and 妇女, and the parts are translated as they would be typed apart: 农村
    as "rural" or "village", 妇女 as "woman". Translated as one gloss of the whole ("rural area
    woman"), a record about a village woman needed all three English words and was not found."""
    settings.SEARCH_VECTORS = False
    settings.SEARCH_DICTIONARY = True
    village = make_resource(
        titles={"en": "A village woman learns to read"}, subjects=[], countries=[], creators=[]
    )
    apart = make_resource(
        titles={"zh-hans": "农村地区的妇女扫盲"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    rural = make_resource(titles={"en": "Rural schools"}, subjects=[], countries=[], creators=[])
    page = search.search_resources("农村妇女")
    # Those with both words first; "Rural schools" (农村 as "rural", no woman) follows them, as one with
    # some of the words.
    assert sorted(ids(page)[:2]) == sorted([village.pk, apart.pk]) and ids(page)[2:] == [rural.pk]
    assert ids(search.search_resources("农村 妇女")) == ids(page)
    assert page.notices == [
        "No resource contains “农村妇女”; resources containing “农村”, “妇女” were looked for.",
        "Only 2 resources contain all the words; resources containing some of them follow.",
    ]


@pytest.mark.parametrize("dictionary", [True, False])
def test_words_of_one_alternative_fall_back_to_some_of_them(make_resource, settings, dictionary):
    """When no record holds every word, records with some of them are shown, also where the words are
    one alternative of a group: a compound inside an OR group (再就业 is 再 and 就业), the parts of a long
    word (下岗职工 is 下岗 and 职工). Only when nothing else was found: the groups are made optional first."""
    settings.SEARCH_VECTORS = False
    settings.SEARCH_DICTIONARY = dictionary
    jobs = make_resource(
        titles={"zh-hans": "社区就业服务"}, original_language="zh-hans", subjects=[], countries=[]
    )
    staff = make_resource(
        titles={"zh-hans": "职工的权利"}, original_language="zh-hans", subjects=[], countries=[]
    )
    some = "No resource contains all the words; showing resources that contain some of them."
    page = search.search_resources("再就业 OR 下岗")
    assert ids(page) == [jobs.pk] and page.notices == [some]
    page = search.search_resources("下岗职工")
    assert ids(page) == [staff.pk] and some in page.notices
    # A query whose groups made optional find something keeps what they find.
    page = search.search_resources("就业 农村")
    assert ids(page) == [jobs.pk] and page.notices == [some]


def test_a_field_limits_the_translations_too(make_resource, settings):
    settings.SEARCH_VECTORS = False
    in_title = make_resource(
        titles={"zh-hans": "终身教育"}, original_language="zh-hans", subjects=[], countries=[]
    )
    in_summary = make_resource(
        titles={"zh-hans": "社区学校"},
        summaries={"zh-hans": "为居民提供终身教育。"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
    )
    assert in_summary.pk in ids(search.search_resources("lifelong"))
    # title:lifelong looks for its translation 终身 in titles only, as for the word itself.
    assert ids(search.search_resources("title:lifelong")) == [in_title.pk]


def test_without_either_means_the_english_query_finds_nothing(chinese_only, settings):
    settings.SEARCH_VECTORS = False
    settings.SEARCH_DICTIONARY = False
    assert search.search_resources("smartphone classes for elderly").total == 0


def test_counts_stay_exact_with_meaning_matches(chinese_only, unrelated, make_resource):
    make_resource(
        titles={"en": "Mobile phone skills for older adults"}, countries=["GB"], subjects=[]
    )
    page = search.search_resources("smartphone classes for elderly people")
    facets = {f.name: f for f in page.facets}
    assert sum(b.count for b in facets["type"].buckets) == page.total
    for bucket in facets["country"].buckets:
        assert (
            search.search_resources(
                "smartphone classes for elderly people", filters={"country": [bucket.value]}
            ).total
            == bucket.count
        )


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_in_any_order_a_resource_holding_the_words_is_not_said_found_by_meaning(
    chinese_only, make_resource, settings, sort
):
    settings.SEARCH_DICTIONARY = False
    holding = make_resource(
        titles={"en": "Smartphone classes for elderly people"},
        summaries={"en": "Weekly smartphone classes at the community school."},
        subjects=[],
        countries=[],
    )
    page = search.search_resources("smartphone classes for elderly people", sort=sort)
    why = {h.resource.pk: h.why for h in page.hits}
    assert set(why) == {holding.pk, chinese_only.pk}
    assert "meaning" not in (why[holding.pk] or "")
    assert "meaning" in why[chinese_only.pk]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_in_any_order_words_nothing_holds_together_fall_back_to_some_of_them(
    chinese_only, make_resource, settings, sort
):
    settings.SEARCH_DICTIONARY = False
    some = make_resource(
        titles={"en": "Smartphone repair workshop"}, subjects=[], countries=[], summaries={}
    )
    page = search.search_resources("smartphone classes for elderly people", sort=sort)
    assert some.pk in ids(page)
    assert search._some_words_notice() in page.notices


def test_deleted_resource_leaves_meaning_results(chinese_only, django_capture_on_commit_callbacks):
    assert chinese_only.pk in ids(search.search_resources("smartphone classes for elderly people"))
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(chinese_only, actor=None)
    assert search.search_resources("smartphone classes for elderly people").total == 0
    assert search.get_vector_store().count() == 0


def test_phrases_and_exclusions_get_no_meaning_matches(chinese_only):
    assert search.search_resources('"elderly smartphone"').total == 0


def test_missing_vectors_are_found_and_filled(chinese_only, unrelated, settings):
    settings.SEARCH_DICTIONARY = False
    store = search.get_vector_store()
    with store.bulk():  # an empty store, as after a bulk load without vectors
        pass
    assert sorted(search.missing_vectors()) == sorted([chinese_only.pk, unrelated.pk])
    assert chinese_only.pk not in ids(
        search.search_resources("smartphone classes for elderly people")
    )
    assert search.rebuild_vectors(missing_only=True) == 2
    assert search.missing_vectors() == []
    assert chinese_only.pk in ids(search.search_resources("smartphone classes for elderly people"))
    # Nothing missing: nothing recomputed.
    assert search.rebuild_vectors(missing_only=True) == 0


def test_unreadable_vector_store_does_not_fail_a_save(chinese_only, make_resource, caplog):
    store = search.get_vector_store()
    (store.path / "manifest.json").write_text("{ not json")
    search.reset_backend()  # a fresh process meets the damaged store
    fresh = make_resource(titles={"en": "Evening classes for night-shift workers"})
    # The catalogue change and the word index went through; the failure is logged, not raised.
    assert fresh.pk in ids(search.search_resources("night-shift workers"))
    assert "meaning vectors not updated" in caplog.text


@pytest.mark.parametrize("candidates", [3, 50])
def test_pages_past_the_fused_results_repeat_and_skip_nothing(
    make_resource, settings, monkeypatch, candidates
):
    """Meaning matches are fused with the word matches over the first FUSION_WINDOW results; pages
    past those come in the engine's order, without what the fused list already showed. (A small window
    here: the same holds for 100 of a large catalogue.) With 3 candidates some word matches lie past
    the fused list; with 50 every resource is a candidate and the fused list holds them all."""
    monkeypatch.setattr(search, "FUSION_WINDOW", 4)
    monkeypatch.setattr(search, "VECTOR_CANDIDATES", candidates)
    settings.SEARCH_VECTOR_THRESHOLD = -1.0  # every resource is near enough to be a candidate
    settings.SEARCH_DICTIONARY = False
    topics = ["reading circles", "numeracy", "writing", "phonics", "libraries", "radio", "poetry"]
    for topic in topics:
        make_resource(titles={"en": f"Literacy and {topic}"}, subjects=[], collections=[])
    for topic in ["Soil erosion", "Bee keeping", "Fishing nets", "Bridge building"]:
        make_resource(titles={"en": topic}, subjects=[], collections=[])
    first = search.search_resources("literacy", page_size=2)
    # The seven word matches, and with 50 candidates the four others by meaning.
    assert first.total == 11 if candidates == 50 else first.total >= 7
    seen = []
    for number in range(1, first.page_count + 1):
        seen += ids(search.search_resources("literacy", page_size=2, page=number))
    assert len(seen) == len(set(seen)) == first.total
    assert len(seen) > 4  # the pages went past the fused window


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_word_match_past_the_fused_window_is_not_said_found_by_meaning(
    make_resource, settings, monkeypatch, sort
):
    """A resource close in meaning that holds the words but ranks past the fused window by them is a word
    match: it was said to be found by meaning, and its missing words were not listed. (A window of 4
    here: the same holds for 100 of a large catalogue.)"""
    monkeypatch.setattr(search, "FUSION_WINDOW", 4)
    settings.SEARCH_VECTOR_THRESHOLD = -1.0  # every resource is near enough to be a candidate
    settings.SEARCH_DICTIONARY = False
    topics = ["reading circles", "numeracy", "writing", "phonics", "libraries", "radio", "poetry"]
    holding = {
        make_resource(titles={"en": f"Literacy and {topic}"}, subjects=[], collections=[]).pk
        for topic in topics
    }
    others = {
        make_resource(titles={"en": topic}, subjects=[], collections=[]).pk
        for topic in ["Soil erosion", "Bee keeping", "Fishing nets", "Bridge building"]
    }
    why = {}
    first = search.search_resources("literacy", page_size=2, sort=sort)
    for number in range(1, first.page_count + 1):
        page = search.search_resources("literacy", page_size=2, page=number, sort=sort)
        why |= {h.resource.pk: h.why or "" for h in page.hits}
    assert set(why) == holding | others
    assert [pk for pk in holding if "meaning" in why[pk]] == []
    assert all("meaning" in why[pk] for pk in others)


@pytest.mark.parametrize("window", [4, 100])
def test_with_meaning_on_those_with_every_word_come_first_and_pages_repeat_nothing(
    make_resource, settings, monkeypatch, window
):
    """With meaning on, what the search with every word found (its word matches fused with its meaning
    matches) comes first, then the resources with some of the words; pages past a small fused window
    neither repeat nor skip any."""
    monkeypatch.setattr(search, "FUSION_WINDOW", window)
    monkeypatch.setattr(search, "VECTOR_CANDIDATES", 2)
    settings.SEARCH_VECTOR_THRESHOLD = (
        -1.0
    )  # the two nearest resources are candidates, whatever they are
    settings.SEARCH_DICTIONARY = False
    both = make_resource(titles={"en": "Rural literacy circles"}, subjects=[], collections=[])
    some = [
        make_resource(titles={"en": title}, subjects=[], collections=[])
        for title in ["Literacy in cities", "Rural schools", "Family literacy", "Rural libraries"]
    ]
    for title in ["Soil erosion", "Bee keeping"]:
        make_resource(titles={"en": title}, subjects=[], collections=[])
    strict = search._meaning_candidates("rural literacy")
    found_first = {both.pk, *(rid for rid, _score in strict)}
    first = search.search_resources("rural literacy", page_size=2)
    assert first.notices == [
        "Only 1 resource contains all the words; resources containing some of them follow."
    ]
    seen = []
    for number in range(1, first.page_count + 1):
        seen += ids(search.search_resources("rural literacy", page_size=2, page=number))
    assert len(seen) == len(set(seen)) == first.total
    # The one with every word and the meaning matches first, then the others with some of the words.
    assert set(seen[: len(found_first)]) == found_first
    assert set(seen) == found_first | {r.pk for r in some}


def test_a_match_through_a_translated_keyword_says_so(make_resource, settings):
    settings.SEARCH_VECTORS = False
    found = make_resource(
        titles={"zh-hans": "总决赛比较研究"},
        original_language="zh-hans",
        summaries={"zh-hans": "对比赛数据进行统计。"},
        keywords=["篮球"],
        subjects=[],
        collections=[],
    )
    page = search.search_resources("basketball")
    assert ids(page) == [found.pk]
    assert "translation" in page.hits[0].why and "篮球" in page.hits[0].why


def test_a_typo_is_corrected_though_meaning_found_resources(make_resource, settings):
    """No resource holds "literacey", but resources close in meaning are found: the spelling is still
    corrected (with three or more meaning matches, no suggestion was made)."""
    settings.SEARCH_VECTOR_THRESHOLD = -1.0  # every resource is close enough
    settings.SEARCH_DICTIONARY = False
    for topic in ("campaigns", "classes", "surveys", "programmes"):
        make_resource(titles={"en": f"Adult literacy {topic}"}, subjects=[], summaries={})
    page = search.search_resources("literacey")
    assert page.total >= 3 and all("meaning" in h.why for h in page.hits)
    assert page.suggestion == "literacy"
    # By cursor, on every page: the listing's kind is kept in the cursor, and whether any resource
    # holds the words is still asked on each page.
    first = search.search_resources("literacey", cursor="*", page_size=2)
    later = search.search_resources("literacey", cursor=first.next_cursor, page_size=2)
    assert first.suggestion == later.suggestion == "literacy"


def test_an_abbreviation_finds_its_full_form_and_back(make_resource, settings):
    """成教 is what Chinese writers shorten 成人教育 (adult education) to, 高教 高等教育 (higher
    education): a reader who writes one finds the records that write the other, said as such."""
    settings.SEARCH_VECTORS = False
    blank = {"subjects": [], "collections": [], "creators": [], "countries": []}
    full = make_resource(
        titles={"zh-hans": "社区成人教育的发展"}, original_language="zh-hans", summaries={}, **blank
    )
    short = make_resource(
        titles={"zh-hans": "高教自学考试的改革"}, original_language="zh-hans", summaries={}, **blank
    )
    own = make_resource(
        titles={"zh-hans": "成教学院招生简章"}, original_language="zh-hans", summaries={}, **blank
    )
    make_resource(
        titles={"zh-hans": "社区图书馆的发展"}, original_language="zh-hans", summaries={}, **blank
    )

    page = search.search_resources("成教")
    # The record with the reader's own form first, then the one with the other form.
    assert ids(page) == [own.pk, full.pk]
    assert page.hits[0].why == ""
    assert page.hits[1].why == "Found through another form of your words: 成人教育"
    assert "<mark>成人教育</mark>" in page.hits[1].title_html

    page = search.search_resources("高等教育")
    assert ids(page) == [short.pk]
    assert page.hits[0].why == "Found through another form of your words: 高教"

    # An English reader's "adult education" is glossed by 成教 alone; records writing 成人教育 are
    # found too.
    assert set(ids(search.search_resources("adult education"))) == {own.pk, full.pk}

    # From the field's own list: 电大, which the segmenter cuts into 电 and 大, is a radio and television
    # university.
    renamed = make_resource(
        titles={"zh-hans": "上海广播电视大学更名为上海开放大学"},
        original_language="zh-hans",
        summaries={},
        **blank,
    )
    page = search.search_resources("电大")
    assert ids(page) == [renamed.pk]
    # Its title holds 电 and 大, but not 电大: it was found through the other form, and says so.
    assert page.hits[0].why == "Found through another form of your words: 广播电视大学"

    # A form of several words is looked for as typed, its words anywhere (教育 and 改革): the record
    # with them together in its title first, before 体育改革 with 教育 in its summary.
    reform = make_resource(
        titles={"zh-hans": "深化教育改革的思考"}, original_language="zh-hans", summaries={}, **blank
    )
    make_resource(
        titles={"zh-hans": "体育改革的思考"},
        original_language="zh-hans",
        summaries={"zh-hans": "学校教育中的体育。"},
        **blank,
    )
    assert ids(search.search_resources("教改"))[0] == reform.pk

    with translation.override("zh-hans"):
        page = search.search_resources("成教")
    assert page.hits[1].why == "通过检索词的其他形式找到：成人教育"

    # A full form of several words that no record holds is still looked for as its parts, the
    # records with most of them first: kept whole for its other form (高职), it listed records with
    # 教育 alone before the one with 高等, 职业 and 教育.
    vocational = make_resource(
        titles={"zh-hans": "高等教育与职业培训"}, original_language="zh-hans", summaries={}, **blank
    )
    for title in ("教育研究方法", "教育史"):
        make_resource(titles={"zh-hans": title}, original_language="zh-hans", summaries={}, **blank)
    assert ids(search.search_resources("高等职业教育"))[0] == vocational.pk

    # A short form no record holds is looked for as its other form, not as its parts, and the page
    # does not say that its parts were looked for (中科院: 中科 and 院).
    academy = make_resource(
        titles={"zh-hans": "中国科学院的科普工作"},
        original_language="zh-hans",
        summaries={},
        **blank,
    )
    page = search.search_resources("中科院")
    assert ids(page) == [academy.pk] and page.notices == []
    assert page.hits[0].why == "Found through another form of your words: 中国科学院"

    # Quoted alone, a word is no phrase: it keeps its other form.
    assert ids(search.search_resources('"成教"')) == [own.pk, full.pk]

    # Switched off with the dictionary it comes from.
    settings.SEARCH_DICTIONARY = False
    assert ids(search.search_resources("成教")) == [own.pk]
    # (No record holds 高等教育: those holding some of its parts, 教育, are listed instead.)
    assert short.pk not in ids(search.search_resources("高等教育"))


def test_the_fields_own_terms_translate_both_ways(make_resource, settings):
    """CC-CEDICT glosses 乐龄 as "golden years" and has no 银发族: a reader's Chinese word for older
    people found no record described in English. And "older people" was 太爷 (great-grandfather) to it,
    which no record on older people holds (llrc/search/data/glossary.tsv)."""
    settings.SEARCH_VECTORS = False
    english = make_resource(
        titles={"en": "Learning in later life: courses for older people"},
        subjects=[],
        countries=[],
        creators=[],
    )
    chinese = make_resource(
        titles={"zh-hans": "社区老年人学习点建设"},
        original_language="zh-hans",
        subjects=[],
        countries=[],
        creators=[],
    )
    make_resource(
        titles={"zh-hans": "太爷爷的故事"}, original_language="zh-hans", subjects=[], countries=[]
    )
    make_resource(titles={"en": "Soil erosion on mountain farms"}, subjects=[], countries=[])
    # 老人, the everyday word, CC-CEDICT glosses "old man or woman" and "the elderly": it found half of
    # what 老年人 found in the demo.
    for word in ("乐龄", "银发族", "老人"):
        page = search.search_resources(word)
        assert ids(page) == [english.pk], word
        assert page.hits[0].why == "Found through a translation of your words: older, people"
    page = search.search_resources("older people")
    assert ids(page) == [english.pk, chinese.pk]
    assert "<mark>老年人</mark>" in page.hits[1].title_html
    # A term whose words CC-CEDICT does not translate into the field's English (学习型 has no sense of
    # its own) is translated whole.
    city = make_resource(
        titles={"en": "Building a learning city"}, subjects=[], countries=[], creators=[]
    )
    assert ids(search.search_resources("学习型城市")) == [city.pk]
