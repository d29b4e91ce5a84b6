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
        # Glossed only in the plural: 体育 is "sports", and "sport" was in no gloss.
        ("sport", "体育"),
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


@pytest.mark.parametrize(
    ("english", "wanted", "unwanted"),
    [
        # A plural that does not end in -s is looked up by its singular, as -s plurals are; "children"
        # glossed 子女, 儿女 and 下人 ("(old) servant", "(dialect) children"), never 儿童.
        ("children", "儿童", "下人"),
        ("women", "妇女", "壸"),
        # A single character stands for its first sense only: 大 is "big" before it is "older".
        ("older", "大龄", "大"),
    ],
)
def test_an_english_word_is_not_translated_by_a_rare_sense(book, english, wanted, unwanted):
    translations = book.chinese_for(english)
    assert wanted in translations and unwanted not in translations, translations


def test_a_possessive_leaves_no_letter_to_look_for(book):
    """终身 is "lifelong" and "all one's life": its translation is looked for as all, one, life; the "s"
    left of "one's" matched every English text with a possessive in it."""
    from llrc.search.query import parse_query

    parsed = parse_query("终身")
    crosslang.expand_with_dictionary(parsed)
    words = [
        w.token for group in parsed.groups for match in group if match.via for w in match.words
    ]
    assert "life" in words and "lifelong" in words
    assert not [w for w in words if len(w) == 1], words


def test_a_word_is_found_by_the_established_phrase_its_sense_describes_it_with(book):
    """武术 is "all kinds of martial art sports", never "martial art(s)": read from that sense, it joins
    the words "martial art" glosses whole (武功, 武艺)."""
    assert "武术" in book.chinese_for("martial arts")
    assert "武术" in book.chinese_for("martial art")


@pytest.mark.parametrize(
    ("english", "unwanted"),
    [
        # Words that describe themselves with a phrase but share no character with the words it glosses
        # whole are left out: 避实就虚 ("... attack the enemy's weak points, not his main force"), 赛力斯
        # (a brand "of electric vehicles"), 煞有介事 ("... taking it very much to heart").
        ("main force", "避实就虚"),
        ("electric vehicle", "赛力斯"),
        ("very much", "煞有介事"),
    ],
)
def test_a_described_word_must_share_a_character_with_the_glossed_ones(book, english, unwanted):
    translations = book.chinese_for(english)
    assert translations and unwanted not in translations, translations


def test_a_described_word_comes_after_the_first_glossed_one(book):
    # 驿站, "relay station for post horses (old)", more common than 中继站, which "relay station" glosses.
    translations = book.chinese_for("relay station")
    assert translations[:2] == ["中继站", "驿站"], translations


@pytest.mark.parametrize(
    ("english", "unwanted"),
    [
        # Names: "Universal Declaration of Human Rights", "Shanghai Pudong Development Bank".
        ("human rights", "世界人权宣言"),
        ("development bank", "上海浦东发展银行"),
        # An abbreviation: 高职, "vocational higher education institution (abbr. for …)".
        ("higher education", "高职"),
        # A set phrase of four characters: 大兴土木, "to carry out large scale construction".
        ("large scale", "大兴土木"),
    ],
)
def test_names_abbreviations_and_set_phrases_are_not_read_from_their_senses(
    book, english, unwanted
):
    translations = book.chinese_for(english)
    assert translations and unwanted not in translations, translations


@pytest.mark.parametrize(("english", "unwanted"), [("hive", "荨麻疹"), ("tenth", "分成")])
def test_a_singular_is_not_translated_by_a_plurals_later_sense(book, english, unwanted):
    # "hives" is the second sense of 荨麻疹 (nettle rash), "tenths" one of 分成's ("to divide into").
    assert unwanted not in book.chinese_for(english)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        # The abbreviation is the word's first sense: "adult education, abbr. for 成人教育".
        ("成教", ["成人教育"]),
        ("成人教育", ["成教"]),
        ("高教", ["高等教育"]),
        ("高等教育", ["高教"]),
        # A later sense, but the first ("universities and colleges") is what the full form means
        # ("colleges and universities").
        ("高校", ["高等学校"]),
        ("高等学校", ["高校"]),
        # 人大 abbreviates the National People's Congress and Renmin University: a reader's 人大 is
        # either, so neither is looked for.
        ("人大", []),
        ("中国人民大学", []),
        # 浓缩 is "to concentrate (a liquid)" first; 意式浓缩咖啡 (espresso) is what its last sense abbreviates.
        ("浓缩", []),
        ("意式浓缩咖啡", []),
        # A single character abbreviates too much: 日 for 日本.
        ("日本", []),
        ("学习", []),
    ],
)
def test_a_chinese_word_has_its_other_form_when_the_abbreviation_is_unambiguous(book, word, forms):
    assert book.other_forms(word) == forms


def test_a_query_word_gains_its_other_form_as_an_alternative(book):
    from llrc.search.query import parse_query

    parsed = parse_query("成教")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    forms = [m for m in group if m.form]
    assert [[w.token for w in m.words] for m in forms] == [["成人教育"]]
    assert forms[0].via == "成教" and forms[0].boost == crosslang.FORM_BOOST
    # Its own English sense ("adult education, abbr. for 成人教育[…]") is added too, as a translation.
    assert "adult education" in [" ".join(w.token for w in m.words) for m in group if m.via]
    assert parsed.other_forms() == ["成人教育"]
    assert "成人教育" in parsed.translation_terms()


def test_an_english_phrase_is_translated_to_every_form_of_its_chinese_word(book):
    """ "adult education" glosses 成教 alone ("adult education, abbr. for 成人教育"): records that write
    成人教育 are found through it too."""
    from llrc.search.query import parse_query

    parsed = parse_query("adult education")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    assert [" ".join(w.token for w in m.words) for m in group if m.via] == ["成教", "成人教育"]


def test_each_later_translation_of_an_english_word_weighs_less(book):
    from llrc.search.query import parse_query

    parsed = parse_query("learning")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    boosts = {m.words[0].token: m.boost for m in group if m.via}
    assert list(boosts) == ["学习", "学术", "学会"]
    assert boosts["学习"] == crosslang.TRANSLATION_BOOST
    assert boosts["学习"] > boosts["学术"] > boosts["学会"] > 0
    # Another form of a translation weighs what the translation does.
    parsed = parse_query("adult education")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    assert {m.boost for m in group if m.via} == {crosslang.TRANSLATION_BOOST}


def test_an_abbreviation_glossed_only_as_such_is_translated_as_its_full_form(book):
    # 体检 is only "abbr. for 体格检查", which is "physical examination".
    from llrc.search.query import parse_query

    parsed = parse_query("体检")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    alternatives = [(" ".join(w.token for w in m.words), m.form) for m in group if m.via]
    assert alternatives[0] == ("体格检查", True)
    assert ("physical examination", False) in alternatives


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        # Not in CC-CEDICT: the field's own list (llrc/search/data/abbreviations.tsv).
        ("电大", ["广播电视大学"]),
        ("广播电视大学", ["电大"]),
        ("职教", ["职业教育"]),
        # CC-CEDICT's 高职 is a "high-ranking employee" first: in this field it is higher vocational
        # education, and the field's list says so.
        ("高职", ["高等职业教育"]),
    ],
)
def test_the_fields_own_abbreviations_are_looked_for_too(book, word, forms):
    assert book.other_forms(word) == forms


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        # Its sense names several universities "etc": no one's abbreviation.
        ("交通大学", []),
        ("上海交通大学", []),
        # 头条 is also "lead story", in an entry of its own beside the one abbreviating 今日头条.
        ("头条", []),
        ("今日头条", []),
        # CC-CEDICT is wrong about 中科院 (the Academy of Sciences), and its 统编 (a Taiwanese business
        # number) is not what education means by it: the field's list says so.
        ("中科院", ["中国科学院"]),
        ("统编", []),
        ("统一编号", []),
    ],
)
def test_an_abbreviation_of_several_or_with_other_meanings_is_not_looked_for(book, word, forms):
    assert book.other_forms(word) == forms


def test_the_fields_list_replaces_cc_cedicts_sense_of_a_short_form(book):
    # CC-CEDICT's 高职 is first a "high-ranking employee"; in education it is higher vocational education.
    assert book.english_for("高职") == []
    assert "高职" not in book.chinese_for("vocational high school")
    assert book.chinese_for("vocational high school")  # its other translations stay


def test_a_short_form_the_segmenter_splits_stays_one_word_for_its_other_form(book):
    """jieba cuts 电大 into 电 and 大; the two stay one group, whose other form is 广播电视大学."""
    from llrc.search.query import parse_query

    parsed = parse_query("电大 现在叫什么")
    crosslang.expand_with_dictionary(parsed)
    assert parsed.other_forms() == ["广播电视大学"]
    # Looked for as typed: its words, all required.
    (form,) = [m for m in parsed.groups[0] if m.form]
    assert not form.phrase and [w.token for w in form.words] == ["广播电视", "大学"]


def test_a_malformed_line_of_the_fields_abbreviations_is_refused_by_its_place(
    tmp_path, monkeypatch
):
    listing = tmp_path / "abbreviations.tsv"
    monkeypatch.setattr(crosslang, "FIELD_ABBREVIATIONS", listing)
    good = "# a comment\n\n职教\t职业教育\tvocational education\n"
    for line, says in [
        ("职业教育\t职教\tthe wrong way round", "a short form and its longer full form"),
        ("继教 继续教育 continuing education", "separated by tabs"),
        ("职教\t职业教育\tagain", "职教 is listed already"),
        ("TVET\t职业教育\tnot Chinese", "a short form and its longer full form"),
    ]:
        listing.write_text(good + line + "\n")
        with pytest.raises(ValueError, match=rf"abbreviations.tsv:4: .*{says}"):
            crosslang._field_abbreviations()
    # A byte-order mark before the first line is no part of it; "-" says "not an abbreviation".
    listing.write_text("\ufeff" + good + "统编\t-\tnot CC-CEDICT's sense here\n", encoding="utf-8")
    assert crosslang._field_abbreviations() == {"职教": "职业教育", "统编": "-"}


@pytest.mark.parametrize(
    ("english", "first"),
    [
        # CC-CEDICT: 太爷 (great-grandfather) for "older people", 大龄 (older than the age to marry) for
        # "older", 田园 for "rural", the senses of "to age" for "ageing". Of the field's terms for older
        # people, the commonest first: 老人, the everyday word.
        ("older people", "老人"),
        ("older", "老年"),
        ("elderly", "老人"),
        ("rural", "农村"),
        ("ageing", "老龄化"),
        ("migrants", "流动人口"),
        ("disabilities", "残疾"),
        # A British word is looked up in its American form: "centre" was 基点 ("base point").
        ("centre", "中心"),
        ("organisation", "组织"),
        # CC-CEDICT spells it Macao only.
        ("macau", "澳门"),
        ("macao", "澳门"),
    ],
)
def test_the_fields_terms_come_first_from_english(book, english, first):
    translations = book.chinese_for(english)
    assert translations[0] == first, translations
    assert len(translations) == len(set(translations)) <= crosslang.MAX_TRANSLATIONS


def test_a_phrase_cc_cedict_lacks_stays_translated_word_by_word(book):
    """Two English words are looked up as a phrase before each word: glossed by the glossary, "learning
    community" was 学习型社区 alone, and found none of the records holding 学习 and 社区 apart."""
    from llrc.search.query import parse_query

    for phrase in ("learning community", "adult literacy", "learning city", "distance learning"):
        assert book.chinese_for(phrase) == [], phrase
        parsed = parse_query(phrase)
        crosslang.expand_with_dictionary(parsed)
        assert len(parsed.groups) == 2, phrase
    # A word keeps what it was looked up as after the field's term: "ageing" the senses of "to age".
    assert book.chinese_for("ageing")[1:] == book.chinese_for("to age")[:2]


@pytest.mark.parametrize(
    ("chinese", "senses"),
    [
        ("乐龄", ["older people", "elderly", "golden years"]),
        ("银发族", ["older people", "elderly"]),
        ("扫盲", ["literacy", "adult literacy", "wipe out illiteracy"]),
        ("学习券", ["learning voucher", "training voucher"]),
        ("澳门", ["macao", "macau"]),
    ],
)
def test_the_fields_senses_come_first_from_chinese(book, chinese, senses):
    assert book.english_for(chinese) == senses


def test_a_term_of_the_glossary_is_translated_whole(book):
    """学习型 has no sense in CC-CEDICT: cut apart, 学习型城市 was 学习型 (untranslated) and 城市, and a
    record described in English needed the Chinese word 学习型."""
    from llrc.search.query import parse_query

    parsed = parse_query("学习型城市")
    crosslang.expand_with_dictionary(parsed)
    (group,) = parsed.groups
    assert [" ".join(w.token for w in m.words) for m in group] == ["学习型 城市", "learning city"]


def test_a_malformed_line_of_the_glossary_is_refused_by_its_place(tmp_path, monkeypatch):
    listing = tmp_path / "glossary.tsv"
    monkeypatch.setattr(crosslang, "FIELD_GLOSSARY", listing)
    good = "# a comment\n\n乐龄\tolder people; elderly\tSingapore\n"
    for line, says in [
        ("older people\t老年人\tthe wrong way round", "the term, in simplified Chinese characters"),
        ("樂齡\tolder people\ttraditional", "the term, in simplified Chinese characters"),
        ("银发族 older people a note", "separated by tabs"),
        ("银发族\tolder people\ta note\tand more", "separated by tabs"),
        ("乐龄\tseniors\tagain", "乐龄 is listed already"),
        ("学分银行\tcredit bank;;\tan empty sense", "English senses, separated by semicolons"),
        ("学分银行\t学分\tnot English", "English senses, separated by semicolons"),
    ]:
        listing.write_text(good + line + "\n")
        with pytest.raises(ValueError, match=rf"glossary.tsv:4: .*{says}"):
            crosslang._field_glossary()
    # A byte-order mark before the first line is no part of it; senses are trimmed and lower-cased;
    # the note may be left out.
    listing.write_text(
        "\ufeff" + good + "学分银行\t Credit  Bank ; credit bank\n", encoding="utf-8"
    )
    assert crosslang._field_glossary() == {
        "乐龄": ["older people", "elderly"],
        "学分银行": ["credit bank"],
    }
