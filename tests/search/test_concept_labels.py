"""A resource is found through the words of its concepts' labels, in every language the thesaurus has,
and only through them: on both backends (LLRC_TEST_SEARCH_BACKEND). Written for decision 0013 (a
concept as one term), which was measured and not kept; the behaviour they pin holds for any way of
indexing concepts."""

import pytest

from llrc.search import services as search

pytestmark = pytest.mark.django_db

# concept1519 is Literacy: Alphabétisation in French, 识字 in Chinese. concept1473 is Adult education,
# 成人教育; concept1488 is Lifelong learning, 终身学习.


@pytest.fixture(autouse=True)
def words_alone(settings):
    # Neither the dictionary nor meaning may find what only the concept's labels hold.
    settings.SEARCH_DICTIONARY = False
    settings.SEARCH_VECTORS = False


def ids(page):
    return {hit.resource.pk for hit in page.hits}


def plain(make_resource, title, **extra):
    values = {
        "titles": {"en": title},
        "summaries": {"en": "Notes from a meeting of volunteers."},
        "creators": [],
        "collections": [],
        "countries": [],
        "languages": ["en"],
    }
    values.update(extra)
    return make_resource(**values)


def test_a_concept_is_found_by_the_words_of_its_labels_in_every_language(make_resource):
    reading = plain(make_resource, "Reading circles", subjects=["concept1519"])
    other = plain(make_resource, "Reading circles again", subjects=[])
    for words in ("literacy", "alphabétisation", "alfabetización", "识字", "shizi"):
        found = ids(search.search_resources(words))
        assert reading.pk in found, words
        assert other.pk not in found, words
    # The hit says which of its concepts matched, also for a word whose accents the label has.
    hits = search.search_resources("alphabétisation").hits
    hit = next(h for h in hits if h.resource.pk == reading.pk)
    assert "Literacy" in hit.why


def test_with_concepts_switched_off_only_labels_in_the_resources_languages_are_words(
    make_resource, settings
):
    reading = plain(make_resource, "Reading circles", subjects=["concept1519"])
    settings.SEARCH_CONCEPTS = False
    search.rebuild_index()
    assert reading.pk in ids(search.search_resources("literacy"))
    assert reading.pk not in ids(search.search_resources("alphabétisation"))
    settings.SEARCH_CONCEPTS = True
    search.rebuild_index()
    assert reading.pk in ids(search.search_resources("alphabétisation"))


def test_a_phrase_finds_a_concept_one_of_whose_labels_holds_it_in_order(make_resource):
    adults = plain(make_resource, "Evening classes", subjects=["concept1473"])
    assert adults.pk in ids(search.search_resources('"adult education"'))
    assert adults.pk in ids(search.search_resources('"成人教育"'))
    assert adults.pk not in ids(search.search_resources('"education adult"'))
    # Each label alone: "education" from one label and "lifelong" from another make no phrase.
    both = plain(make_resource, "Evening classes", subjects=["concept1473", "concept1488"])
    assert both.pk not in ids(search.search_resources('"adult learning"'))
    assert both.pk in ids(search.search_resources('"lifelong learning"'))


def test_a_field_limited_word_finds_concepts_only_in_subject(make_resource):
    reading = plain(make_resource, "Reading circles", subjects=["concept1519"])
    assert reading.pk in ids(search.search_resources("subject:literacy"))
    assert reading.pk not in ids(search.search_resources("title:literacy"))
    # Words of a field limit are matched exactly, not by their stems: the label holds "literacy".
    assert reading.pk not in ids(search.search_resources("subject:literacies"))
    assert reading.pk in ids(search.search_resources("literacies"))
    # Leaving a concept's word out leaves its resources out.
    assert reading.pk not in ids(search.search_resources("reading -literacy"))


def test_a_long_chinese_word_only_a_label_holds_is_not_taken_apart(make_resource):
    resource = plain(make_resource, "Learning at every age", subjects=["concept1488"])
    page = search.search_resources("终身学习")
    assert resource.pk in ids(page)
    assert not any("终身学习" in notice for notice in page.notices)


def test_did_you_mean_knows_the_words_of_labels(make_resource):
    plain(make_resource, "Reading circles", subjects=["concept1519"])
    page = search.search_resources("alphabetisaton")
    assert page.total == 0
    assert page.suggestion == "alphabetisation"
