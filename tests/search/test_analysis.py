"""Language-aware analysis (pure functions, no database)."""

import random
import unicodedata

import pytest
import rjieba

from llrc.search.analysis import (
    _FULL_WIDTH,
    analyse,
    characters_reading,
    cut_for_index,
    fold_letters,
    han_words,
    nfkc,
    pinyin_spans,
    query_stems,
    query_words,
    sort_key,
)
from llrc.search.query import parse_query, without_filters


def test_traditional_chinese_folds_to_simplified():
    assert analyse("終身學習", for_query=True).tokens == analyse("终身学习", for_query=True).tokens


def test_chinese_words_carry_pinyin():
    result = analyse("终身学习")
    assert "zhongshen" in result.pinyin and "xuexi" in result.pinyin


@pytest.mark.parametrize(
    "query", ["zhongshen xuexi", "zhōngshēn xuéxí", "zhong1shen1 xue2xi2", "ZhongShen XueXi"]
)
def test_pinyin_queries_with_and_without_tones(query):
    assert [w.pinyin for w in query_words(query)] == ["zhongshen", "xuexi"]


@pytest.mark.parametrize(
    ("query", "token", "pinyin"),
    [
        ("xue2xi2", "xuexi", "xuexi"),
        ("zhongshen1", "zhongshen", "zhongshen"),
        # Names with a number are no pinyin: SDG4 was searched as "sdg" and found nothing.
        ("SDG4", "sdg4", "sdg4"),
        ("MDG2", "mdg2", "mdg2"),
        ("G7", "g7", "g7"),
    ],
)
def test_tone_numbers_only_after_pinyin(query, token, pinyin):
    [word] = query_words(query)
    assert (word.token, word.pinyin) == (token, pinyin)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Éducation", "education"), ("educación", "EDUCACION"), ("ёлка", "елка")],
)
def test_accents_case_and_yo_fold(a, b):
    assert analyse(a).tokens == analyse(b).tokens


def test_an_arabic_word_of_and_the_is_stemmed_as_the_word_too():
    """والتعلم (and learning) was stemmed والتعلم: the stemmer takes one of و and ال off, not both."""
    stems = analyse("التعليم والتعلم فالمدن", lang="ar").stems
    assert {"تعلم/ar", "مدن/ar"} <= set(stems)
    assert "تعلم/ar" in query_stems("والتعلم") and "تعلم/ar" in query_stems("التعلم")
    # Not looked for in a word too short to hold و, the article and a word (والد: father).
    assert len(analyse("والد", lang="ar").stems) == 1


def test_arabic_normalisation():
    # alef with hamza, diacritics, tatweel and alef maqsura all fold.
    assert analyse("التَّعْليـــم").tokens == analyse("التعليم").tokens
    assert analyse("أمي").tokens == analyse("امي").tokens
    assert analyse("مستوى").tokens == analyse("مستوي").tokens


def test_persian_keyboard_letters_and_arabic_indic_digits_fold():
    """Persian and Urdu keyboards (and some Arabic phone layouts) type ی and ک: تعلیم found nothing where
    تعليم found 149 of the demo's records. ٢٠١٥ found nothing where 2015 found 19."""
    assert query_words("تعلیم")[0].stems == query_words("تعليم")[0].stems
    assert analyse("مکتبة", lang="ar").stems == analyse("مكتبة", lang="ar").stems
    assert (
        [w.token for w in query_words("٢٠١٥")] == [w.token for w in query_words("۲۰۱۵")] == ["2015"]
    )
    assert analyse("تقرير ٢٠١٥", lang="ar").tokens[-1] == "2015"
    assert fold_letters("تعلیم ٢٠١٥") == "تعليم 2015"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("litera\u00adcy", "literacy"),  # a soft hyphen, as PDF text holds them
        ("life\u200blong learn\u2060ing", "lifelong learning"),
        ("\u200fالتعليم\u200f \u202bمدى\u202c", "التعليم مدى"),  # marks and controls of direction
        ("می\u200cخواهم", "میخواهم"),  # the Persian non-joiner
        ("终身\u200b学习", "终身学习"),
        ("\ufeffadult", "adult"),
    ],
)
def test_characters_that_show_nothing_do_not_split_a_word(text, plain):
    """Each of these split the word it sat in ("litera\u00adcy" was litera and cy), in a text and in a
    query alike, so neither found the word the reader saw."""
    assert analyse(text, lang="en").tokens == analyse(plain, lang="en").tokens
    assert analyse(text, lang="en").stems == analyse(plain, lang="en").stems
    assert [w.token for w in query_words(text)] == [w.token for w in query_words(plain)]
    assert nfkc(text) == nfkc(plain)


@pytest.mark.parametrize(
    ("one", "other"),
    [("взрослый", "взрослые"), ("пожилой", "пожилые"), ("Взрослый", "взрослых")],
)
def test_short_i_is_a_letter_of_its_own(one, other):
    """NFD made й и and a breve, which the fold dropped: взрослый was stemmed взрослы, apart from взросл
    (взрослые, взрослых), and found 2 of the 99 records взрослые found."""
    assert "й" in query_words(one)[0].token
    assert set(query_words(one)[0].stems) & set(query_words(other)[0].stems)
    assert analyse(one, lang="ru").stems == analyse(other, lang="ru").stems
    assert "и" not in fold_letters("й") and len(fold_letters("Обучение взрослый")) == 17


@pytest.mark.parametrize(
    ("one", "other", "lang"),
    [
        # The French stemmer needs the accents: folded first, handicapées was handicape, handicapés
        # handicap.
        ("handicapés", "handicapées", "fr"),
        ("privées", "privés", "fr"),
        # The Arabic one needs ة and the hamza forms: folded to ه, ة was read as a pronoun and kept
        # after the article (السياسه against سياس); ئ folded to ي left nothing in common.
        ("السياسة", "سياسة", "ar"),
        ("الجامعة", "جامعة", "ar"),
        ("اللاجئين", "لاجئون", "ar"),
    ],
)
def test_a_word_is_stemmed_as_typed_too(one, other, lang):
    """What the fold takes off a word, the stemmer may need: a text is indexed under the stems of its
    words as typed too, and a query word looks those up, so the forms of one word find each other."""
    shared = set(analyse(one, lang=lang).stems) & set(analyse(other, lang=lang).stems)
    assert shared, (analyse(one, lang=lang).stems, analyse(other, lang=lang).stems)
    assert shared <= set(query_words(one)[0].stems) & set(query_words(other)[0].stems)
    # Typed without accents, a word still finds what it found: the stems of the folded words stay.
    assert analyse(one, lang=lang).stems[0] in query_words(fold_letters(one))[0].stems


def test_arabic_letters_of_the_supplement_blocks_are_arabic():
    # Letters of the Arabic Supplement (U+0750-077F, written for languages of Africa and Asia): marks on
    # them fold away as on basic letters, and a query word of them is stemmed as Arabic.
    assert analyse("\u0750\u064e\u0628").tokens == analyse("\u0750\u0628").tokens
    assert any(s.endswith("/ar") for s in query_words("\u0750\u0628")[0].stems)
    assert not any(s.endswith("/ar") for s in query_words("learning")[0].stems)


def test_stems_in_the_text_language():
    assert analyse("learning cities", lang="en-GB").stems == ["learn/en", "citi/en"]
    assert analyse("образования", lang="ru").stems == ["образован/ru"]
    assert analyse("apprentissage", lang="fr").stems == ["apprentissag/fr"]
    # Text in a language without a stemmer (Chinese, untagged text) keeps its words as they are.
    assert analyse("UNESCO 学习 cities", lang="zh-hans").stems == ["unesco", "cities"]
    assert analyse("cities").stems == ["cities"]
    # A word of a script only one stemmed language is written in, in that language whatever the text's.
    assert analyse("l'enquête образования", lang="fr").stems == [
        "l/fr",
        "enquet/fr",
        "образован/ru",
    ]
    assert analyse("UNESCO 学习 التعليم", lang="zh-hans").stems == ["unesco", "تعليم/ar"]
    word = query_words("cities")[0]
    # The English stem is among a query word's alternatives, and the word itself for untagged text.
    assert {"citi/en", "cities"} <= set(word.stems)


def test_a_word_its_text_stemmer_is_not_for_is_written_as_it_is():
    """A number, a Latin word in Russian or Arabic text, a word of a script no stemmer is for: written
    untagged, as text without a stemmer has them, which is how a query looks such a word up
    (`query_stems`). Tagged with the text's language (2015/en, unesco/ru), no query looked them up."""
    assert analyse("In 2015 UNESCO adopted 4 goals", lang="en").stems == [
        "in/en",
        "2015",
        "unesco/en",
        "adopt/en",
        "4",
        "goal/en",
    ]
    assert analyse("Образование UNESCO 2030 года", lang="ru").stems == [
        "образован/ru",
        "unesco",
        "2030",
        "год/ru",
    ]
    assert analyse("التعليم unesco", lang="ar").stems == ["تعليم/ar", "unesco"]
    # Words of other scripts: Greek and kana untagged, Cyrillic stemmed in Russian (the only one).
    assert analyse("παιδεία カタカナ образования covid19", lang="de").stems == [
        "παιδεια",
        "カタカナ",
        "образован/ru",
        "covid19/de",
    ]
    # In text with Chinese too, and each such word among what a query looks it up as.
    analysed = analyse("终身学习 2030 议程 unesco", lang="ru")
    assert analysed.stems == ["2030", "unesco"]
    for word in ("2030", "unesco", "παιδεία", "カタカナ", "covid19"):
        looked_up = set(query_words(word)[0].stems)
        assert not looked_up.isdisjoint(analyse(f"x {word} y", lang="ru").stems), word
        assert not looked_up.isdisjoint(analyse(f"x {word} y", lang="en").stems), word


def test_a_stem_in_one_language_does_not_match_text_in_another():
    """The French and Spanish stemmers cut "learner" to learn, the English stem of "learning": the
    query's French stem must not meet the English text's."""
    learner = set(query_words("learner")[0].stems)
    assert "learn/fr" in learner
    assert learner.isdisjoint(analyse("lifelong learning", lang="en").stems)
    assert not learner.isdisjoint(analyse("adult learners", lang="en").stems)
    # A French word still meets French text, and an English cognate English text.
    education = set(query_words("éducation")[0].stems)
    assert not education.isdisjoint(analyse("l'éducation des adultes", lang="fr").stems)
    assert not education.isdisjoint(analyse("adult education", lang="en").stems)


def test_a_query_word_is_stemmed_in_the_languages_of_its_script():
    """A stemmer gives a word of another script back as it is, which the word itself already finds:
    looking up such stems cost PostgreSQL a lookup in `words` each for nothing."""
    assert {s.partition("/")[2] for s in query_stems("learners")} == {
        "",
        "en",
        "fr",
        "es",
        "pt",
        "de",
    }
    assert query_stems("образование") == ["образован/ru", "образование"]
    assert query_stems("التعليم") == ["التعليم", "تعليم/ar"]
    assert query_stems("终身") == ["终身"]
    assert query_stems("2015") == ["2015"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Éducation des adultes: l'apprentissage tout au long de la vie", "fr"),
        ("Learning cities, 2015-2020 (UNESCO_GNLC)", "en"),
        ("Образование взрослых, ёлка", "ru"),
        ("التَّعْليـــم مدى الحياة", "ar"),
        ("Aprendizaje a lo largo de la vida", "es-MX"),
        ("untagged words ÉCOLE", ""),
    ],
)
def test_text_without_chinese_splits_as_mixed_text_does(text, lang):
    # Text without Han characters takes a shorter path than mixed text; both must give the same words.
    alone = analyse(text, lang=lang)
    mixed = analyse(text + " 学习", lang=lang)
    assert alone.tokens and alone.tokens == mixed.tokens[:-1] and mixed.tokens[-1] == "学习"
    assert alone.stems == mixed.stems and mixed.pinyin == ["xuexi"] and alone.pinyin == []


def test_full_width_punctuation_normalises_as_nfkc_does():
    """`nfkc` replaces the usual full-width punctuation before normalising; the text must come out as
    NFKC makes it, whatever surrounds the replaced characters (combining marks, other full-width forms,
    the punctuation NFKC leaves alone)."""
    for wide, narrow in _FULL_WIDTH:
        assert unicodedata.normalize("NFKC", wide) == narrow
    pieces = [
        *(wide for wide, _narrow in _FULL_WIDTH),
        "终身学习",
        "。",
        "、",
        "《",
        "“",
        "Ａ",
        "９",
        "ｶ",
        "\u0301",
        "e\u0301",
        "ﬁ",
        "Ⅻ",
        " ",
        "learning",
    ]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), text
    assert (
        analyse("终身学习，（成人教育）：社区").tokens == analyse("终身学习,(成人教育):社区").tokens
    )


def test_han_words_are_where_the_indexed_words_lie():
    """What marks the words a query's pinyin found: the text's Chinese words as the index holds them
    (long words' inner words too), each at its place in the text."""
    text = "Open 中央广播电视大学, 行业学习"
    found = list(han_words(text))
    assert sorted(w for _a, _b, w in found) == sorted(analyse(text).tokens[1:])
    assert all(text[a:b] == w for a, b, w in found)
    # Only the words starting with a character that reads as "dian" or "hang" (行 is xing, hang and heng).
    first = characters_reading({"dian", "hang"})
    assert [w for _a, _b, w in han_words(text, first)] == ["电视", "电视大学", "行业"]


def test_mixed_language_field():
    result = analyse("上海 learning city 学习型城市")
    assert {"上海", "learning", "city", "学习"} <= set(result.tokens)


def test_a_long_word_is_indexed_with_the_longer_words_inside_it():
    """Search mode gives a long word's two- and three-character parts; the dictionary's longer words
    inside it come after those and before the word, as search mode orders its parts, and their
    pinyin is kept with the text's."""
    analysed = analyse("中央广播电视大学开放教育")
    assert analysed.tokens[:7] == [
        "中央",
        "广播",
        "电视",
        "大学",
        "广播电视",
        "电视大学",
        "中央广播电视大学",
    ]
    assert analysed.tokens[7:] == analyse("开放教育").tokens
    assert {"guangbodianshi", "dianshidaxue", "zhongyangguangbodianshidaxue"} <= set(
        analysed.pinyin
    )
    # Words of four characters or fewer are cut as search mode cuts them: nothing added.
    text = "老年大学的终身学习与社区教育"
    assert analyse(text).tokens == rjieba.cut_for_search(text)
    assert max(map(len, rjieba.cut_for_search(text))) == 4


@pytest.mark.parametrize(
    ("text", "stray", "kept"),
    [
        # 国教 (state religion) straddles 联合国 and 教科文组织; 身教 (teaching by example) 终身 and 教育.
        ("联合国教科文组织终身教育", ["国教", "身教"], ["联合国", "教科文组织", "终身", "教育"]),
        # Inside a tile of four or more, its own words count: 华人 straddles 中华 and 人民.
        ("中华人民共和国教育部", ["华人", "国教"], ["中华", "人民", "共和国", "教育部"]),
        ("核心理念", ["心理"], ["核心", "理念"]),
        # Not tiled by words of two or more (大学 and 生): every piece stays, 学生 too.
        ("大学生", [], ["大学", "学生"]),
        # Typed as a word of its own, a stray word of a longer one is indexed as ever.
        ("身教与终身教育", [], ["身教", "终身", "教育"]),
    ],
)
def test_pieces_straddling_the_words_of_a_longer_word_are_left_out(text, stray, kept):
    """Search mode gives every two-character dictionary word inside a longer word: 联合国教科文组织 was
    also 国教, and a query for 国教 found every text on UNESCO."""
    tokens = analyse(text).tokens
    assert not set(stray) & set(tokens), tokens
    assert set(kept) <= set(tokens), tokens
    # A phrase is cut as the index cuts, and the marks of pinyin find where the index's words are.
    if "与" not in text:
        assert cut_for_index(text) == tokens
    assert sorted(w for _a, _b, w in han_words(text)) == sorted(tokens)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("CBA与NBA总决赛比较研究", ["cba", "nba", "总决赛", "比较"]),
        ("2011赛季的比赛数据", ["2011", "赛季", "比赛"]),
        ("生涯学習の振興", ["生涯", "の", "振兴"]),
    ],
)
def test_chinese_next_to_latin_letters_or_digits_is_split(text, words):
    """Han characters are word characters too: without a boundary between scripts, a title such as
    CBA与NBA总决赛 was one token that neither NBA nor 总决赛 could match."""
    indexed = analyse(text).tokens
    assert set(words) <= set(indexed)
    assert not any(t[0].isascii() and not t.isascii() for t in indexed)
    assert {w.token for w in query_words(text)} <= set(indexed)


def test_query_language():
    parsed = parse_query(
        '"learning city" literacy -children title:adult OR creator:unesco type:report year:2015..2020'
    )
    assert parsed.groups[0][0].phrase and [w.token for w in parsed.groups[0][0].words] == [
        "learning",
        "city",
    ]
    assert [w.token for w in parsed.excluded[0].words] == ["children"]
    assert parsed.groups[-1][0].fields == ("title",) and parsed.groups[-1][1].fields == ("creator",)
    assert parsed.filters == {"type": ["report"]}
    assert parsed.year_range == (2015, 2020)
    assert not parsed.notices


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed phrase',
        "colour:red",
        "year:20x5",
        "OR OR",
        "-",
        ":",
        "title:",
        '""',
        "a" * 5000,
        "😀 ((( ]]",
    ],
)
def test_syntax_errors_never_fail(query):
    parsed = parse_query(query)
    assert isinstance(parsed.notices, list)


def test_syntax_problems_are_explained():
    assert parse_query('"unclosed phrase').notices
    parsed = parse_query("colour:red")
    words = [w.token for group in parsed.groups for match in group for w in match.words]
    assert parsed.notices and words == ["colour", "red"]
    assert parse_query("year:20x5").notices


def test_thousands_of_terms_are_bounded():
    parsed = parse_query(" ".join(f"word{n}" for n in range(3000)))
    assert parsed.word_count() <= 32 and parsed.notices


def test_a_long_chain_of_alternatives_keeps_its_first_words():
    """33 words joined by OR are one group: cutting whole groups at the limit left no words at all, and
    the search listed every resource."""
    parsed = parse_query("literacy " + " ".join(f"OR word{n}" for n in range(40)))
    assert len(parsed.groups) == 1 and parsed.word_count() == 32
    assert parsed.groups[0][0].words[0].token == "literacy"
    assert parsed.notices


@pytest.mark.parametrize(
    ("query", "words", "says"),
    [
        ("title:", [], ["nothing after it", "every resource"]),
        ("year:", [], ["nothing after it", "every resource"]),
        ("adult title:", ["adult"], ["nothing after it"]),
        ("older OR", ["older"], ["OR"]),
        ("OR older", ["older"], ["OR"]),
        ("OR", [], ["OR", "every resource"]),
        ("lit*", ["lit"], ["Wildcards"]),
        ("lit?racy", ["lit", "racy"], ["Wildcards"]),
        ("*", [], ["Wildcards", "every resource"]),
        ("📚", [], ["every resource"]),
        ("older OR elderly", ["older", "elderly"], []),
        # Question words are left out like small words (not the only word: "what" alone is kept).
        ("what is adult learning?", ["adult", "learning"], []),
        ("what", ["what"], []),
        # A question mark alone ends a question as French writes it; several stay a wildcard.
        ("villes apprenantes ?", ["villes", "apprenantes"], []),
        ("???", [], ["Wildcards", "every resource"]),
        ("?", [], ["every resource"]),
        # A word to leave out joined by OR was left out without a word said.
        ("learning OR -adult", ["learning"], ["cannot be an alternative"]),
        # Brackets group nothing: "(adult literacy) OR youth" is adult and (literacy or youth), "NOT
        # (adult literacy)" leaves adult out and asks for literacy. Said where they would have grouped.
        ("(adult literacy) OR youth", ["adult", "literacy", "youth"], ["Brackets"]),
        ("learning NOT (adult literacy)", ["learning", "literacy"], ["Brackets"]),
        ("learning -(adult literacy)", ["learning", "literacy"], ["Brackets"]),
        ("literacy OR (numeracy skills)", ["literacy", "numeracy", "skills"], ["Brackets"]),
        ("(adult OR youth) literacy", ["adult", "youth", "literacy"], []),
        ("Lifelong learning (LLL)", ["lifelong", "learning", "lll"], []),
        # AND is what words do anyway.
        ("adult AND literacy", ["adult", "literacy"], []),
    ],
)
def test_what_cannot_be_searched_is_said(query, words, says):
    parsed = parse_query(query)
    found = [w.token for group in parsed.groups for match in group for w in match.words]
    assert found == words
    for part in says:
        assert any(part in notice for notice in parsed.notices), (part, parsed.notices)
    assert bool(says) == bool(parsed.notices)


def test_a_minus_after_a_field_leaves_out_what_the_field_holds():
    """title:-literacy asked for titles holding "literacy", the opposite of what was meant."""
    for typed, plain in [("title:-literacy", "-title:literacy"), ("type:-report", "-type:report")]:
        assert parse_query(typed) == parse_query(plain)
    parsed = parse_query("learning title:-literacy")
    assert [w.token for w in parsed.excluded[0].words] == ["literacy"]
    assert parsed.excluded[0].fields == ("title",)
    assert parse_query("type:-report").excluded_filters == {"type": ["report"]}
    # A year's minus is a span (until 2020), not an exclusion.
    assert parse_query("year:-2020").year_range == (0, 2020)


def test_and_is_left_out_of_what_meaning_is_found_from():
    assert without_filters("adult AND literacy type:report") == "adult literacy"
    assert without_filters("Research and development") == "Research and development"


def test_stopwords_among_other_words_are_dropped():
    words = [
        w.token for g in parse_query("classes for the elderly").groups for m in g for w in m.words
    ]
    assert words == ["classes", "elderly"]
    assert [w.token for g in parse_query("the").groups for m in g for w in m.words] == ["the"]


def test_pinyin_spans_lie_on_a_reading_of_the_whole_word():
    word = "zhongshenxuexi"
    pieces = {word[a:b] for a, b in pinyin_spans(word)}
    assert {"zhong", "zhongshen", "xuexi", "shenxue"} <= pieces
    # "zhon" is no syllable, and "zhongshenx" leaves "uexi", which no reading continues.
    assert not pieces & {"zhon", "zhongshenx", "uexi"}
    assert {"xian"[a:b] for a, b in pinyin_spans("xian")} == {"xi", "an", "xian"}
    assert (
        pinyin_spans("learning") == [] and pinyin_spans("nvren") != []
    )  # ü as the index writes it


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("終身學習條例", "zhong shen xue xi tiao li"),  # traditional folded, then read as pinyin
        ("CBA与NBA总决赛", "cba yu nba zong jue sai"),  # pinyin apart from the letters beside it
        ("《中华人民共和国教育法》", "zhong hua ren min gong he guo jiao yu fa 》"),
        ("The Learning City", "learning city"),
        ('The "Learning" City', 'learning" city'),
        ("Another view", "another view"),  # "An" only as a word of its own
        ("  Éducation des adultes", "education des adultes"),
    ],
)
def test_sort_key(title, key):
    assert sort_key(title) == key


def test_chinese_titles_sort_syllable_by_syllable():
    # However the segmenter cuts them (上海市 is one word, 上海 学习型 two): shi before xue, ma before mai.
    titles = ["上海学习型城市", "上海市老年教育", "麦德林", "马约翰", "学校体育", "学习时代"]
    assert sorted(titles, key=sort_key) == [
        "马约翰",
        "麦德林",
        "上海市老年教育",
        "上海学习型城市",
        "学习时代",
        "学校体育",
    ]


@pytest.mark.parametrize("query", ["falü", "fǎlǜ", "falv", "fa4lv4", "FALÜ"])
def test_pinyin_u_umlaut_is_v_as_in_the_index(query):
    assert [w.pinyin for w in query_words(query)] == ["falv"]
    assert analyse("法律").pinyin == ["falv"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("éducation des adultes", "education des adultes"),
        ("учёба", "учеба"),
        ("أفريقيا", "افريقيا"),
        ("终身学习 learning", "终身学习 learning"),
        ("straße", "straße"),  # ß is its own letter to the analysis, as in the index
        ("تَّعليم", "تَّعليم"),  # diacritics, which the fold drops, stay where they are
    ],
)
def test_letters_fold_in_place_as_query_words_fold(text, folded):
    assert fold_letters(text) == folded
    assert len(fold_letters(text)) == len(text)


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("Community learning centres", "Community learning centers"),
        ("The organisation organised its programmes", "The organization organized its programs"),
        ("labour and behaviour", "labor and behavior"),
        ("The data were analysed with judgement", "The data were analyzed with judgment"),
        ("recognising prior learning", "recognizing prior learning"),
    ],
)
def test_british_and_american_spellings_stem_alike(british, american):
    """The English stemmer kept them apart (centr and center, organis and organiz): a reader's
    "community learning center" missed every "community learning centre"."""
    assert analyse(british, lang="en").stems == analyse(american, lang="en").stems
    # In queries too, whatever the spelling typed.
    for b, a in zip(british.lower().split(), american.lower().split(), strict=True):
        assert set(query_stems(b)) & set(query_stems(a)), (b, a)
    # Only English is folded: the French stem of "centre" stays its own.
    assert analyse("centre", lang="fr").stems == ["centr/fr"]


def test_the_spelling_pairs_are_one_step():
    """Each British stem is written as an American stem that is no British one itself (no chains), and
    every pair is two different words of lower-case letters."""
    from llrc.search.spellings import american_stems, british_forms, british_words, pairs

    assert all(b != a and b.isalpha() and a.isalpha() and b.islower() for b, a in pairs())
    mapped = american_stems()
    assert len(mapped) > 30 and len(british_words()) > 400
    assert not set(mapped.values()) & set(mapped)
    assert british_forms()["center"] == ("centre",)


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("globalisation", "Global report on adult learning"),
        ("globalization", "Global report on adult learning"),
        ("socialisation", "Social education act"),
        ("personalised", "Person-centred care"),
        ("recognised", "Recognition of prior learning"),
    ],
)
def test_a_spelling_is_not_folded_into_a_shorter_word(word, other):
    """The stemmer takes -ize off and not -ise (globalization: global, globalisation: globalis): as
    one stem with the American form, "globalisation" found every "Global Report"."""
    assert not set(query_stems(word)) & set(analyse(other, lang="en").stems)
