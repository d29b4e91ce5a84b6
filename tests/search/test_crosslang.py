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
    ],
)
def test_an_english_word_is_translated_to_the_everyday_chinese_word(book, english, first):
    translations = book.chinese_for(english)
    assert translations[0] == first, translations
    assert len(translations) == len(set(translations)) <= crosslang.MAX_TRANSLATIONS
