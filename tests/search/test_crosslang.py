"""Which Chinese words an English query word is translated to (llrc/search/crosslang.py)."""

from __future__ import annotations

import pytest

from llrc.search import crosslang


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from django.conf import settings

    kept = settings.DATA_DIR
    settings.DATA_DIR = tmp_path_factory.mktemp("data")  # the built dictionary's cache goes here
    try:
        yield crosslang.Dictionary()
    finally:
        settings.DATA_DIR = kept


@pytest.mark.parametrize(
    ("english", "first"),
    [
        # CC-CEDICT glosses rare literary words as often as everyday ones: the everyday word comes first.
        ("education", "教育"),
        ("city", "城市"),
        ("community", "社区"),
        ("training", "训练"),
        ("learn", "学习"),
        # A plural is looked up by its singular: "cities" alone glosses only the archaic 城邑.
        ("cities", "城市"),
        ("communities", "社区"),
        # An -ing word's own glosses are nouns ("learning": 学术, 学问); its verb's senses join them at a
        # lower weight, so the doing is found (学习) and a common noun sense stays first (会议).
        ("learning", "学习"),
        ("working", "工作"),
        ("meeting", "会议"),
        # Not glossed at all, nor its verb: the base word's senses (schooling -> school).
        ("schooling", "学校"),
    ],
)
def test_an_english_word_is_translated_to_the_everyday_chinese_word(book, english, first):
    translations = book.chinese_for(english)
    assert translations[0] == first, translations
    assert len(translations) == len(set(translations)) <= crosslang.MAX_TRANSLATIONS


def test_only_a_verbs_first_sense_joins_an_ing_word(book):
    # 满足 is "to satisfy; to meet (the needs of)": not a meeting. 安排 is "to arrange; to plan".
    assert "满足" not in book.chinese_for("meeting")
    assert "安排" not in book.chinese_for("planning")
