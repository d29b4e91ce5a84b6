"""Text analysis shared by every search backend: the same tokens at index time and at query time.

- Chinese: traditional folded to simplified (OpenCC t2s) so 終身學習 finds 终身学习; runs of Han characters
  segmented with rjieba (jieba's dictionary), search mode at index time so a two-character query (学习)
  matches inside longer words (and the dictionary's longer words inside words of five characters or
  more, `cut_for_index`); each Chinese word also gives its toneless pinyin (终身 -> zhongshen).
- Other scripts: split on word boundaries, case-folded, accents removed (é -> e, so French and Spanish
  match with or without accents), Arabic normalised (alef and yeh forms, diacritics, tatweel), Russian
  ё -> е. A separate "stem" stream holds Snowball stems in the text's own language; at query time a word
  is stemmed in each candidate language, because a query does not say its language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from pathlib import Path
from typing import cast

import rjieba
import Stemmer
from opencc import OpenCC
from pypinyin import lazy_pinyin

from llrc.search.spellings import american_stems, british_words

# Han ideographs (CJK Unified, Extension A, Compatibility) form one run; other letters and digits another.
# Han characters are word characters too, so the second run excludes them: "CBA与NBA总决赛" is CBA, 与,
# NBA, 总决赛 (segmented), and "2011赛季" is 2011 and 赛季, not one token that no query could match.
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"([{_HAN_CHARS}]+)|([^\\W_{_HAN_CHARS}]+)", re.UNICODE)
# A word's letters and digits (zhong1shen1), not the punctuation around it: the second alternative of
# _RUN where the text holds no Han character.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HAN = re.compile(f"[{_HAN_CHARS}]")
# Han runs and everything between them (_RUN skips spaces and punctuation, which a sort key keeps).
_RUN_OR_REST = re.compile(f"([{_HAN_CHARS}]+)|([^{_HAN_CHARS}]+)")
_ARABIC_DIACRITIC_RANGES = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_ARABIC_DIACRITICS = re.compile(f"[{_ARABIC_DIACRITIC_RANGES}]")
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None}
    # The yeh and kaf of Persian and Urdu keyboards, which some Arabic phone layouts type too: تعلیم
    # found nothing where تعليم found 149 of the demo's records.
    | {"ی": "ي", "ک": "ك"}
    # Arabic-Indic and Persian digits are the numbers ASCII digits write: ٢٠١٥ is 2015.
    | {chr(0x0660 + d): str(d) for d in range(10)}
    | {chr(0x06F0 + d): str(d) for d in range(10)}
)
_PINYIN_WITH_TONE_NUMBERS = re.compile(r"^(?:[a-z]+[1-5])+$")
_TONED = re.compile(r"([a-z]+)[1-5]")

# Words too common to help ranking in the interface languages.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "de",
        "la",
        "le",
        "les",
        "des",
        "du",
        "et",
        "en",
        "un",
        "une",
        "el",
        "los",
        "las",
        "y",
        "del",
        # The function words of the other UN languages, as they fold: a query's "для" or "في" was a
        # word every result had to hold, and a record holding only it ranked among the first for
        # обучение в течение всей жизни. The letters French writes before an apostrophe (l', d', qu')
        # are words of their own to the analysis: l'alphabétisation found 22 records, alphabétisation 41.
        # "est" is also East: "Afrique de l'Est" looks for Afrique alone, as "qu'est-ce que" needs.
        "est",
        "sont",
        "l",
        "d",
        "qu",
        "j",
        "n",
        "s",
        "au",
        "aux",
        "pour",
        "dans",
        "sur",
        "par",
        "avec",
        "ce",
        "ces",
        "para",
        "al",
        "con",
        "es",
        "lo",
        "se",
        "su",
        "sus",
        "в",
        "и",
        "для",
        "на",
        "с",
        "по",
        "к",
        "о",
        "об",
        "из",
        "от",
        "такое",
        "это",
        "في",
        "من",
        "عن",
        "علي",
        "الي",
        "مع",
        "هو",
        "هي",
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "对",
        "等",
        "中",
        # Question words: a question typed as one (上海怎样建设学习型城市) is about its other words.
        "怎么",
        "怎样",
        "怎么样",
        "如何",
        "什么",
        "为什么",
        "哪些",
        "哪里",
        "是否",
        "吗",
        "呢",
        # The same in the other languages, as a question's words fold (où is ou, متى متي):
        # "How is China building learning cities?" required "how" (or its translations 如何, 怎样, 多么)
        # of every record. Not "who", which is also WHO, the World Health Organization.
        "how",
        "what",
        "which",
        "why",
        "where",
        "when",
        "was",
        "were",
        "do",
        "does",
        "did",
        "comment",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "pourquoi",
        "ou",
        "quand",
        "qui",
        "que",
        "como",
        "cual",
        "cuales",
        "donde",
        "cuando",
        "quien",
        "por",
        "как",
        "что",
        "какой",
        "какие",
        "почему",
        "где",
        "когда",
        "кто",
        "ли",
        "كيف",
        "ماذا",
        "لماذا",
        "اين",
        "متي",
        "هل",
        "ما",
    ]
)

# Snowball stemmers by the base of a content language tag; languages not listed are not stemmed.
STEMMER_FOR = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "arabic",
    "pt": "portuguese",
    "de": "german",
}
# A query does not say its language: each word is stemmed in every language of its script that stems are
# written for (`query_stems`).
QUERY_STEM_LANGUAGES = tuple(STEMMER_FOR)
_CYRILLIC_LANGUAGES, _ARABIC_LANGUAGES = ("ru",), ("ar",)
_LATIN_LANGUAGES = tuple(
    lang for lang in QUERY_STEM_LANGUAGES if lang not in _CYRILLIC_LANGUAGES + _ARABIC_LANGUAGES
)
_LATIN = re.compile("[a-z\u00df-\u024f]")  # after folding: no capitals, no accents but on ß æ ø ...
_CYRILLIC_LETTERS = "\u0400-\u052f"
_ARABIC_LETTERS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
_CYRILLIC = re.compile(f"[{_CYRILLIC_LETTERS}]")
_ARABIC = re.compile(f"[{_ARABIC_LETTERS}]")
# A stem is written with its language (learn/en), and a query's stem in one language matches text in
# that language only. Untagged, the French and Spanish stemmers made "learner" learn, "teacher" teach
# and "worker" work, so an English query for learners found every English record about learning (158
# demo records for "learner" against 31 for "learners"). Words of text in a language without a stemmer
# (Chinese, untagged names and keywords) are written as they are, untagged. The tag comes last, so that
# a stem still starts with the word's first letters (looked up by prefix for "did you mean").
STEM_TAG = "/"

_t2s = OpenCC("t2s")


def _traditional_characters() -> frozenset[str]:
    """Characters the t2s conversion would change: text without any of them is left as it is, which spares
    the (pure-Python) conversion for the simplified Chinese that most records are written in."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    changed: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            source, _tab, targets = line.partition("\t")
            target = targets.split(" ")[0]
            changed.update(a for a, b in zip(source, target, strict=False) if a != b)
    return frozenset(changed)


_TRADITIONAL = _traditional_characters()


def to_simplified(text: str) -> str:
    # isdisjoint walks the text in C: a generator over its characters cost a tenth of the indexing time,
    # a character-class regex of these 3,000 characters even more (measured 2026-11-29).
    return text if _TRADITIONAL.isdisjoint(text) else _t2s.convert(text)


@lru_cache(maxsize=16)
def _stemmer(name: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(name)


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def _fold(word: str) -> str:
    """Case-fold and remove accents (but й's), Arabic diacritics and letter variants; ё -> е."""
    word = word.casefold()
    # Every letter and mark folded here is in the basic Arabic block; a word of supplement letters only
    # is left as it is by the fold, and recognised as Arabic all the same (`_stem_languages`).
    if _ARABIC.search(word):
        word = _ARABIC_DIACRITICS.sub("", word).translate(_ARABIC_FOLD)
    word = word.replace("ё", "е")
    # й is a letter of Russian's own, not и with a mark: folded to и, взрослый (adult) was stemmed
    # взрослы and found 2 of the records взрослые found (99), and пожилой 1 of 21.
    return "й".join(map(_unmarked, word.split("й")))


def _unmarked(text: str) -> str:
    # Arabic letters decompose too (آ -> ا + madda); the composed fold of `_fold` already handled them.
    return unicodedata.normalize("NFC", _without_marks(unicodedata.normalize("NFD", text)))


_fold_word = lru_cache(maxsize=200_000)(_fold)


def fold_text(text: str) -> str:
    """A whole text normalised and folded as a query's words are (accents, Arabic diacritics and letter
    variants, ё), for looking the query's terms up in it where no position has to be kept: the pages of
    files are stored so (FilePage.folded), to choose the page a snippet comes from. Changing the fold
    needs a data migration that folds the stored pages again (as catalogue 0003 did first)."""
    return _fold(normalise(text))


def _without_marks(decomposed: str) -> str:
    """A decomposed (NFD) text without its combining marks: accents, tone marks, the diaeresis."""
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# Full-width punctuation as Chinese text is written with it, each with what NFKC makes of it (its
# compatibility form, one ASCII character; a test holds the two together).
_FULL_WIDTH = (*((c, chr(ord(c) - 0xFEE0)) for c in "，：；？！（）"), ("\u3000", " "))


# Characters that show nothing and are no letters, which NFKC keeps: the soft hyphen (PDF text holds it
# wherever a word may break: "litera\u00adcy"), the zero-width space, non-joiner, joiner and word joiner,
# the byte-order mark, and the marks and controls of direction (Arabic text copied from a web page holds
# them). None being a word character, each split the word it sat in: "litera\u00adcy" was two words, and
# a text or a query holding one found nothing under the word the reader saw. They are dropped, so the
# word is what it looks like. The zero-width space is a word break in Thai, Lao, Khmer and Burmese, which
# are written without spaces; the analysis cuts none of those scripts into words, so joining their text
# where it held one loses no word this index had, and a word of ours pasted with one inside is found.
INVISIBLE_RANGES = "\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE_RANGES}]")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)` without the characters that show nothing (`_INVISIBLE`),
    sooner for Chinese text. NFKC first checks whether a text is already normal, which takes next to
    nothing; one full-width comma fails the check, and the full normalisation of a Chinese summary then
    took a third of its analysis (9.7 of 30 µs, measured 2026-11-30). A character replaced by its
    compatibility form normalises as it would have, so replacing the usual full-width punctuation first
    (a scan in C each) gives the same text, mostly through the quick check alone."""
    if not text.isascii():
        for wide, narrow in _FULL_WIDTH:
            if wide in text:
                text = text.replace(wide, narrow)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text)


def normalise(text: str) -> str:
    """NFKC, case-folded, traditional Chinese folded to simplified: the form snippets are matched against."""
    text = nfkc(text).casefold()
    return to_simplified(text)


# The titles and summaries of search hits are folded several times a page (to choose a summary, mark
# words, say why a result matched) and again whenever a query is repeated; indexing keeps `normalise`,
# whose texts are seen once.
normalise_shown = lru_cache(maxsize=4096)(normalise)


# Characters `fold_letters` may change: any but ASCII, general and CJK punctuation, full-width forms
# and Han characters.
_FOLDABLE = re.compile(f"[^\x00-\x7f\u2000-\u206f\u3000-\u303f\uff00-\uffef{_HAN_CHARS}]")


class _LetterFold(dict[int, int]):
    """Each character as `_fold_word` folds it when that leaves one character (é -> e, ё -> е, أ -> ا),
    otherwise itself: a fold that keeps every position where it was."""

    def __missing__(self, code: int) -> int:
        folded = _fold_word(chr(code))
        value = ord(folded) if len(folded) == 1 else code
        self[code] = value
        return value


_LETTER_FOLD = _LetterFold()


# What the fold of a word drops that a normalised text may still hold: combining marks with no composed
# form, Arabic diacritics (the same ranges as _ARABIC_DIACRITICS) and tatweel; and what `nfkc` drops, for
# a text normalised a character at a time (`highlight._matches`).
_DROPPED = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    f"{_ARABIC_DIACRITIC_RANGES}\u0640{INVISIBLE_RANGES}]"
)


def has_dropped(text: str) -> bool:
    """Whether the text holds a character the fold of a word drops (`drop_marks`)."""
    return not text.isascii() and _DROPPED.search(text) is not None


def drop_marks(text: str) -> str:
    """The text without the marks a query's words are folded without (Arabic vowels, tatweel, combining
    accents left over by NFKC): shorter than the text when it held any."""
    return _DROPPED.sub("", text) if has_dropped(text) else text


def fold_letters(normalised: str) -> str:
    """A normalised text (`normalise`) with its letters folded as a query's words are (accents, ё, Arabic
    letter variants), one character for one: the query's terms are found in it at the positions they
    have in the text. The marks the fold drops stay (`drop_marks` takes them out)."""
    # Most text of a page of results is Chinese, whose characters and punctuation fold to themselves:
    # one scan in C finds whether anything else is there (measured 2026-11-30: translating every title
    # and summary took 2 % of a search).
    return normalised if not _FOLDABLE.search(normalised) else normalised.translate(_LETTER_FOLD)


@lru_cache(maxsize=4096)
def fold_shown(text: str) -> str:
    """`normalise_shown` with letters folded (`fold_letters`) and the marks the fold drops dropped
    (`drop_marks`): what the terms of a query are looked for in, in the titles and summaries of a page of
    results, to mark them and to say why a hit matched. Shorter than the text when NFKC or the marks
    made it so."""
    return drop_marks(fold_letters(normalise_shown(text)))


_LEADING_ARTICLE = re.compile(r"^(?:the|a|an) (?=[\W_]*\w)")
_NOT_SORTED = re.compile(r"^[\W_]+")  # leading quotes, brackets and dashes: 《, “, "—


def sort_key(title: str) -> str:
    """What a title is sorted by: folded like the index (case, width, traditional Chinese), Chinese read
    as pinyin as Chinese catalogues file it (终身学习 under "zhong shen xue xi", among the Z titles; by
    code point, Han characters would fall in an order no reader knows), with leading punctuation and an
    English leading article left out (“The learning city” under L, as library catalogues file it)."""
    text = normalise(title)
    if _HAN.search(text):
        parts = []
        for han, other in _RUN_OR_REST.findall(text):
            # Syllable by syllable, as Chinese dictionaries order words (上海市 before 上海学习: shi
            # before xue, whatever the segmenter made a word), read word by word through a cache:
            # lazy_pinyin on a whole title costs ~0.5 ms, as much as the rest of the document.
            parts.append(f" {' '.join(map(_syllables, rjieba.cut(han)))} " if han else other)
        text = "".join(parts)
    # Accents left out too ("Éducation" under E, not after Z as its bytes would put it).
    if not text.isascii():
        text = _without_marks(unicodedata.normalize("NFD", text))
    text = _NOT_SORTED.sub("", text.strip())
    # The article and what punctuation follows it: The "Learning" City under L.
    text = _NOT_SORTED.sub("", _LEADING_ARTICLE.sub("", text))
    return " ".join(text.split())


@lru_cache(maxsize=100_000)
def _syllables(word: str) -> str:
    return " ".join(lazy_pinyin(word))


@lru_cache(maxsize=200_000)
def pinyin_of(word: str) -> str:
    return "".join(lazy_pinyin(word))


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Toneless pinyin syllables as the index writes them (ü as v, as lazy_pinyin does), from pypinyin's
    character readings. Syllables without a vowel (m, n, ng, hm) are left out: they would let a word split
    almost anywhere."""
    from pypinyin.pinyin_dict import pinyin_dict

    readings = {r for value in set(pinyin_dict.values()) for r in value.split(",")}
    syllables = set()
    for reading in readings:
        plain = _toneless(reading)
        if plain.isascii() and plain.isalpha() and any(v in plain for v in "aeiouv"):
            syllables.add(plain)
    return frozenset(syllables)


@lru_cache(maxsize=4096)
def _toneless(reading: str) -> str:
    """A reading of pypinyin's table (lǜ) as the index writes pinyin: without tones, ü as v (lv)."""
    return _without_marks(unicodedata.normalize("NFD", reading).replace("u\u0308", "v"))


MAX_SYLLABLE = 6  # letters: zhuang, chuang, shuang


def pinyin_spans(word: str, most: int = 4) -> list[tuple[int, int]]:
    """Where `word` (lower-case letters) can be cut into pinyin words when it is read wholly as pinyin
    syllables ("zhongshenxuexi" -> zhong shen xue xi): the spans [start, end) of one to `most` syllables that
    lie on some reading of the whole word. Empty when no reading exists."""
    syllables = pinyin_syllables()
    size = len(word)

    def steps(start: int) -> Iterator[int]:
        for end in range(start + 1, min(size, start + MAX_SYLLABLE) + 1):
            if word[start:end] in syllables:
                yield end

    # Positions reachable from the start, and positions from which the end is reachable.
    forward = {0}
    for start in range(size):
        if start in forward:
            forward.update(steps(start))
    if size not in forward:
        return []
    backward = {size}
    for start in range(size - 1, -1, -1):
        if any(end in backward for end in steps(start)):
            backward.add(start)
    spans: set[tuple[int, int]] = set()
    for start in sorted(forward & backward):
        ends = {start}
        for _syllable in range(most):
            ends = {end for position in ends for end in steps(position)}
            spans.update((start, end) for end in ends if end in backward)
    return sorted(spans)


def _toned_pinyin(word: str) -> bool:
    """Whether a word is pinyin written with tone numbers (zhong1shen1, xue2xi2): letters and a tone
    after each syllable or run of syllables, every run read wholly as pinyin. "SDG4", "MDG2" and "G7" are
    names with a number, and are searched as typed."""
    return bool(_PINYIN_WITH_TONE_NUMBERS.match(word)) and all(
        pinyin_spans(run) for run in _TONED.findall(word)
    )


def stem(word: str, lang: str) -> str:
    base = lang.split("-")[0]
    name = STEMMER_FOR.get(base)
    return next(iter(_stems_in(name, base, [word]))) if name else word


def query_stems(word: str, typed: str = "") -> list[str]:
    """What a query word (folded) is looked up as in the stem stream: its stem in each language of its
    script, tagged (STEM_TAG), and the word itself, as text without a stemmer has it; and, when the fold
    changed what a stemmer reads of the word as `typed` (`_stem_input`), the folded stem of that too, as
    a text's words have it (`_unfolded_stems`)."""
    languages = _stem_languages(word)
    found = {word, *(f"{stem(word, lang)}{STEM_TAG}{lang}" for lang in languages)}
    if "ar" in languages and _AND_THE.fullmatch(word):
        found.add(f"{stem(word[1:], 'ar')}{STEM_TAG}ar")  # as a text's word so written (`_AND_THE`)
    unfolded = _stem_input(typed) if typed else word
    if unfolded != word:
        found |= {f"{_fold_word(stem(unfolded, lang))}{STEM_TAG}{lang}" for lang in languages}
    return sorted(found)


def _stem_input(word: str) -> str:
    """A word as the stemmers read it: case-folded and ё as е, but with the accents, ة and hamza forms
    that the fold takes off and their rules need: folded first, the French stemmer took handicapées to
    handicape and handicapés to handicap, and the Arabic one read the ة of السياسة, folded to ه, as a
    pronoun (جامعه: جامع) and kept it after the article (الجامعه: جامعه)."""
    return word.casefold().replace("ё", "е")


def _unfolded_stems(typed: list[str], folded: list[str], stems: list[str]) -> list[str]:
    """The stems of the words whose fold changed what a stemmer reads (`_stem_input`), made from the words
    as typed and then folded, in the language each word's own stem is in; those that differ from it. A
    text's stem stream holds both, so that a query typed with or without accents finds it."""
    changed: dict[str, list[tuple[str, str]]] = {}  # language -> (stem input, the word's stem)
    for word, fold, own in zip(typed, folded, stems, strict=False):
        unfolded = _stem_input(word)
        if unfolded != fold:
            lang = own.rpartition(STEM_TAG)[2] if STEM_TAG in own else ""
            if lang:
                changed.setdefault(lang, []).append((unfolded, own))
    extra: list[str] = []
    for lang, pairs in changed.items():
        found = _stems_in(STEMMER_FOR[lang], lang, [unfolded for unfolded, _own in pairs])
        for (_unfolded, own), new in zip(pairs, found, strict=True):
            tagged = f"{_fold_word(new)}{STEM_TAG}{lang}"
            if tagged != own:
                extra.append(tagged)
    return list(dict.fromkeys(extra))


def _stem_languages(word: str) -> tuple[str, ...]:
    # A stemmer gives a word of another script back as it is, and every text field holds such a word as
    # a token too ("unesco" in Russian text), which the query looks up anyway: its tagged stem would only
    # repeat it. Looked up all the same, the seven stems of every word cost PostgreSQL a lookup in
    # `words` each: its engine calls took 20-35 % longer at 100,000 records (decision 0012, amendment).
    # A word without letters of a stemmed script (Chinese, a number) has no stem to look up.
    if _LATIN.search(word):
        return _LATIN_LANGUAGES
    if _CYRILLIC.search(word):
        return _CYRILLIC_LANGUAGES
    if _ARABIC.search(word):
        return _ARABIC_LANGUAGES
    return ()


def text_stems(word: str, lang: str) -> list[str]:
    """What a (folded) word of a text in language `lang` is written as in the stem stream: a Cyrillic or
    Arabic word stemmed in its script's one language whatever the text's (an Arabic word of "and the"
    also as what follows its و, `_AND_THE`), a Latin word in the text's language when that is stemmed and
    written in Latin script, any other word as it is, untagged. Highlighting asks it to mark only the
    words the engine matched. The word is analysed as a text of its own, so that the rule is `_stems`'s,
    written once: no word's stem there depends on the others'."""
    return analyse(word, lang=lang).stems or [word]


def bare_stem(term: str) -> str:
    """A stem without its language: learn/en -> learn."""
    return term.partition(STEM_TAG)[0]


def _stemmed(name: str, base: str, words: list[str]) -> list[str]:
    # One call for the whole text: the stemmer's per-call cost is most of its time on short words.
    tag = STEM_TAG + base
    return [s + tag for s in _stems_in(name, base, words)]


def _stems_in(name: str, base: str, words: list[str]) -> Iterable[str]:
    """The words' stems in the language, untagged; in English, British and American spellings as one
    (organization: organisation before stemming, centr: center after; `llrc.search.spellings`), mapped
    in C. For a text's words (`_stemmed`) and a query word's (`stem`) alike."""
    if base != "en":
        return cast("list[str]", _stemmer(name).stemWords(words))
    british = british_words()
    american = american_stems()
    stems = _stemmer(name).stemWords(list(map(british.get, words, words)))
    # dict.get with the word as its default gives a str: `map` over it is typed as giving str | None.
    return cast("Iterator[str]", map(american.get, stems, stems))


# An acronym's plural: capitals, then a small s (SDGs, NGOs, PPPs; not GPS, SMS or Mrs). The English
# stemmer removes a plural s only after a vowel not just before it, so "SDGs" was the stem sdgs and "SDG"
# sdg, and each missed the other. Only the case tells a plural from an acronym ending in s, and stems are
# made from folded words: the plurals are found in the text (`_stems`, which adds the acronym's stem)
# and in a query word as typed (`query_words`, which looks the acronym's stem up too).
_ACRONYM_PLURAL = re.compile(r"(?<![^\W_])([A-Z]{2,})s(?![^\W_])")


def acronym_plurals(text: str, lang: str | None) -> frozenset[str]:
    """The acronyms an English text (or one of no known language, `lang` None) writes with a plural s
    (SDGs), folded (sdgs): such a text's stems hold each as its acronym too (`_stems`), which the folded
    word no longer shows."""
    if lang is not None and lang.split("-")[0] != "en":
        return frozenset()
    return frozenset(f"{p.lower()}s" for p in _ACRONYM_PLURAL.findall(text))


@dataclass
class Analysed:
    tokens: list[str] = field(default_factory=list)  # positions kept: phrases work on these
    stems: list[str] = field(default_factory=list)
    pinyin: list[str] = field(default_factory=list)


def _prepare(text: str) -> str:
    # Arabic diacritics and tatweel sit inside words but are not word characters: drop them before
    # splitting, or التَّعْليـــم would fall apart into pieces.
    text = nfkc(text)
    return _ARABIC_DIACRITICS.sub("", text).replace("ـ", "")


def analyse(text: str, *, lang: str = "", for_query: bool = False) -> Analysed:
    """Tokens of `text`; `lang` (the text's language tag) chooses the stemmer."""
    # This runs for every text of every indexed resource, so per-word Python is kept out of it: one check
    # for traditional characters over the whole text, one stemmer call per text, and for text without
    # Chinese a `map` over cached folds instead of a loop (with the changes in documents.py, indexing went
    # from 2,025 to 2,657 records/s; measured 2026-11-29).
    prepared = to_simplified(_prepare(text))
    base = lang.split("-")[0] if lang else ""
    name = STEMMER_FOR.get(base) if base else None
    if not _HAN.search(prepared):
        # No Han run: every match of _RUN is a word, so the word pattern alone splits it the same way.
        typed = WORD.findall(prepared)
        folded = list(map(_fold_word, typed))
        return Analysed(folded, _stems_of(typed, folded, name, base, prepared), [])
    tokens: list[str] = []
    pinyin: list[str] = []
    stems = []
    typed = []
    cut = rjieba.cut if for_query else _search_cut
    for han, word in _RUN.findall(prepared):
        if han:
            # A run holds Han characters only, so the segmenter gives no blank tokens here.
            words = cut(han)
            tokens += words
            pinyin += map(pinyin_of, words)
        else:
            folded_word = _fold_word(word)
            tokens.append(folded_word)
            stems.append(folded_word)
            typed.append(word)
    # Looked for once a text rather than once a run (`cut_for_index` for a run): most texts hold no long
    # word, and the check of every run cost indexing about 1 µs a run.
    if not for_query and max(map(len, tokens)) >= _LONG_WORD:
        tokens, inner = _with_inner_words(tokens)
        # Pinyin is matched word by word, without positions: its place in the stream does not matter.
        pinyin += map(pinyin_of, inner)
    return Analysed(tokens, _stems_of(typed, stems, name, base, prepared), pinyin)


def _stems_of(
    typed: list[str], folded: list[str], name: str | None, base: str, text: str
) -> list[str]:
    """A text's stems (`_stems`), then those of its words as typed where the fold changed what the
    stemmer reads (`_unfolded_stems`): only a text of other letters than ASCII has any."""
    stems = _stems(folded, name, base, text)
    if text.isascii():
        return stems
    return stems + _unfolded_stems(typed, folded, stems)


# jieba's search mode gives the two- and three-character dictionary words inside a longer word, not
# the longer ones: 中央广播电视大学 was indexed without 广播电视 and 电视大学, 联合国教科文组织 (103 of the
# demo's texts) without 教科文组织, 马来西亚人 without 马来西亚, so a query for those words missed them.
# Words this long are few (36 distinct in the demo's Chinese texts), so the dictionary's words of four
# characters or more inside them are looked up once each (`_inner_words`).
_LONG_WORD = 5
# The longest words of jieba's dictionary have 16 characters (侵华日军南京大屠杀遇难同胞纪念馆): no longer
# word is looked for inside a long one. A run of characters the dictionary does not know (2,000 of CJK
# Extension A) is one "word" to the segmenter, and looking for words of every length inside it took
# 0.1 s.
_LONGEST_WORD = 16


def cut_for_index(han: str) -> list[str]:
    """A run of Han characters cut as it is indexed: jieba's search mode (each word after its two- and
    three-character parts, but those that straddle two of its words, `_search_cut`), and before each word
    of five characters or more the dictionary's words of four characters or more inside it, the shorter
    first, as search mode orders its parts."""
    return _with_inner_words(_search_cut(han))[0]


def _search_cut(han: str) -> list[str]:
    """jieba's search mode without the two-character pieces of a word that straddle two of the words it
    is made of (`_straddling`). Search mode gives every two-character dictionary word inside a longer
    word, whatever the word's own parts: 联合国教科文组织 (联合国 and 教科文组织) was also 国教 (state
    religion), 终身教育 (终身 and 教育) 身教 (teaching by example), 核心理念 心理 (psychology), 中华人民
    共和国 华人 (overseas Chinese), and a query for any of them found those texts."""
    tokens = rjieba.cut_for_search(han)
    # Only a word of four characters or more is made of two words of two or more.
    if len(han) < 4:
        return tokens
    kept: list[str] = []
    done = 0
    # The long tokens' places found in C, as `_with_inner_words` does.
    for at in compress(count(), map((4).__le__, map(len, tokens))):
        word = tokens[at]
        dropped = _straddling(word)
        if not dropped:
            continue
        pieces = _search_pieces(word)
        start = at - len(pieces)
        # Search mode gives a word's pieces just before it: checked, not assumed.
        if start < done or tokens[start:at] != pieces:
            continue
        kept += tokens[done:start]
        kept += [p for p in pieces if p not in dropped]
        done = at
    return kept + tokens[done:] if done else tokens


@lru_cache(maxsize=65_536)
def _search_pieces(word: str) -> list[str]:
    """The pieces search mode gives before `word` when it cuts it alone ([] when it cuts it otherwise)."""
    cut = rjieba.cut_for_search(word)
    return cut[:-1] if cut and cut[-1] == word else []


@lru_cache(maxsize=65_536)
def _straddling(word: str) -> frozenset[str]:
    """The two-character pieces of `word` (search mode's, `_search_pieces`) that straddle the words it is
    made of wherever they stand in it. The words it is made of are its pieces (and the dictionary's
    longer words inside it, `_inner_spans`) that tile it, the longest first from the left, when every
    tile has two characters or more (终身教育: 终身 教育; 联合国教科文组织: 联合国 教科文组织), and so on
    inside each tile of four or more (中华人民: 中华 人民). A word not so tiled keeps every piece: 大学生
    is 大学 and 生, and 学生 in it is no stray word."""
    spans = {
        (start, start + len(piece))
        for piece in set(_search_pieces(word))
        for start in range(len(word) - len(piece) + 1)
        if word.startswith(piece, start)
    }
    if len(word) >= _LONG_WORD:
        spans |= set(_inner_spans(word))
    straddling: set[tuple[int, int]] = set()

    def tile(low: int, high: int) -> None:
        tiles: list[tuple[int, int]] = []
        at = low
        while at < high:
            end = next(
                (e for e in range(high - 1 if at == low else high, at + 1, -1) if (at, e) in spans),
                0,
            )
            if not end:
                return
            tiles.append((at, end))
            at = end
        inside = {a for a, _b in tiles[1:]}
        straddling.update(
            (a, b)
            for a, b in spans
            if b - a == 2 and low <= a and b <= high and any(a < x < b for x in inside)
        )
        for a, b in tiles:
            if b - a >= 4:
                tile(a, b)

    tile(0, len(word))
    clean = {(a, b) for a, b in spans if b - a == 2} - straddling
    return frozenset(
        word[a:b] for a, b in straddling if all(word[c:d] != word[a:b] for c, d in clean)
    )


def _with_inner_words(tokens: list[str]) -> tuple[list[str], list[str]]:
    """A text's tokens with the dictionary's longer words inside each long Chinese word before it
    (`cut_for_index`), and the words added."""
    added: list[str] = []
    with_inner: list[str] = []
    done = 0
    # The long tokens' places found in C: a summary holds a hundred tokens or more.
    for at in compress(count(), map(_LONG_WORD.__le__, map(len, tokens))):
        if has_han(tokens[at]):
            inner = _inner_words(tokens[at])
            with_inner += tokens[done:at]
            with_inner += inner
            added += inner
            done = at
    return (with_inner + tokens[done:], added) if added else (tokens, added)


_HAN_RUN = re.compile(f"[{_HAN_CHARS}]+")


def han_words(text: str, first: frozenset[str] | None = None) -> Iterator[tuple[int, int, str]]:
    """Where each Chinese word a text is indexed as lies in it (start, end, word): jieba's search mode
    and the dictionary's longer words inside a long word (`cut_for_index`), in a text whose Chinese is
    simplified already (`fold_shown`). For marking what a query's pinyin matched (终身 for zhongshen).
    With `first`, only the words that start with one of its characters, in the runs that hold one (a
    run is cut only then)."""
    for run in _HAN_RUN.finditer(text):
        han = run.group()
        if first is not None and first.isdisjoint(han):
            continue
        at = run.start()
        found = rjieba.tokenize(han, mode="search")
        # The pieces the index leaves out (`_search_cut`): those that straddle the words of a longer one.
        left_out = {
            (start + s, start + s + 2)
            for word, start, end in found
            if end - start >= 4
            for s in range(end - start - 1)
            if word[s : s + 2] in _straddling(word)
        }
        for word, start, end in found:
            if (start, end) in left_out:
                continue
            if first is None or word[0] in first:
                yield at + start, at + end, word
            if end - start >= _LONG_WORD:
                for a, b in _inner_spans(word):
                    if first is None or word[a] in first:
                        yield at + start + a, at + start + b, word[a:b]


@lru_cache(maxsize=1)
def _characters_by_reading() -> dict[str, frozenset[str]]:
    """The Chinese characters of each toneless syllable, every reading of a character counted (行 under
    xing, hang and heng), ü written v as in the index; from pypinyin's table of characters, and of
    words: a word is read in context by readings the table of characters lacks (乐亭 is laoting, and 乐
    has no reading lao there)."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    found: dict[str, set[str]] = {}
    for code, listed in pinyin_dict.items():
        char = chr(code)
        if _HAN.match(char):
            for reading in listed.split(","):
                found.setdefault(_toneless(reading), set()).add(char)
    for phrase, options in phrases_dict.items():
        for char, readings in zip(phrase, options, strict=False):
            for reading in readings:
                found.setdefault(_toneless(reading), set()).add(char)
    return {reading: frozenset(chars) for reading, chars in found.items()}


def characters_reading(syllables: Iterable[str]) -> frozenset[str]:
    """The characters one of whose readings is one of `syllables`: those a word whose pinyin starts with
    one of them may start with (a word's pinyin reads each character by its word: 银行, yinhang)."""
    table = _characters_by_reading()
    return frozenset().union(*(table.get(s, frozenset()) for s in syllables))


def pinyin_starts(word: str) -> frozenset[str]:
    """The syllables a word read wholly as pinyin may start with (xian: xian, xi; "learning": none)."""
    return frozenset(word[:end] for start, end in pinyin_spans(word, most=1) if start == 0)


@lru_cache(maxsize=65_536)
def _inner_words(word: str) -> tuple[str, ...]:
    """The dictionary's words of four characters or more inside `word` (not `word` itself), by length
    and then place."""
    return tuple(word[a:b] for a, b in _inner_spans(word))


@lru_cache(maxsize=65_536)
def _inner_spans(word: str) -> tuple[tuple[int, int], ...]:
    """Where `_inner_words` lie in `word` (start, end), in their order: the index's words and the marks
    of what pinyin found (`han_words`) come from this one search."""
    return tuple(
        (start, start + size)
        for size in range(4, min(len(word), _LONGEST_WORD + 1))
        for start in range(len(word) - size + 1)
        if rjieba.has_word(word[start : start + size])
    )


# Scripts that one stemmed language alone is written in (`_stem_languages`).
_SOLE_LANGUAGE = ((_CYRILLIC, "ru"), (_ARABIC, "ar"))
# The letters each stemmed language is written in, folded (`_fold`) or not.
_SCRIPT_LETTERS = {
    **dict.fromkeys(_LATIN_LANGUAGES, "a-zA-Z\u00c0-\u024f"),
    "ru": _CYRILLIC_LETTERS,
    "ar": _ARABIC_LETTERS,
}
# A character of a word that is no letter of the language's script (a digit, a letter of another script):
# one search of a whole text in C, since most texts hold none.
_NOT_OF_ITS_SCRIPT = {
    lang: re.compile(f"[^\\W_{letters}]") for lang, letters in _SCRIPT_LETTERS.items()
}
# The words, space-separated, that hold such a character: those that may not be of the script
# (`_stem_languages` decides).
_WORDS_NOT_OF_ITS_SCRIPT = {
    lang: re.compile(f"(?<!\\S)\\S*[^\\s{letters}]\\S*")
    for lang, letters in _SCRIPT_LETTERS.items()
}


# A word of "and the" or "so the" (و or ف before the article, or before لل, for-the): the Arabic stemmer
# takes off one of what is joined before a word, not both, so والتعلم (and learning) was the stem
# والتعلم, which "التعلم" never found, nor did والمدن (and the cities) "مدن": in Arabic text these words
# are everywhere ("التعليم والتعلم"). Such a word is indexed under the stem of what follows the و or ف
# too, and a query word so written is looked up as both. A word whose root begins with و and whose second
# letter is ا (والدين, parents) then also finds what الدين (religion) finds: without a dictionary the two
# readings cannot be told apart.
_AND_THE = re.compile("[وف](?:ال|لل)[\u0621-\u063a\u0641-\u064a]{3,}")


def _and_the_stems(words: list[str], stems: list[str]) -> list[str]:
    """The stems of the words after their و or ف (`_AND_THE`), where they differ from the words' own."""
    at = [i for i, w in enumerate(words) if _AND_THE.fullmatch(w)]
    if not at:
        return []
    found = _stemmed(STEMMER_FOR["ar"], "ar", [words[i][1:] for i in at])
    return [new for i, new in zip(at, found, strict=True) if new != stems[i]]


def _stems(words: list[str], name: str | None, base: str, text: str) -> list[str]:
    """The stems of a text's words (not Chinese) in its language; a word of a script that only one
    stemmed language is written in (Cyrillic, Arabic) in that language whatever the text's: a Russian
    page of a file declared French, whose words a query stems in Russian only. Latin script could be
    any of five languages: its words keep the text's."""
    stems = _stemmed(name, base, words) if name and words else words[:]
    if name and _NOT_OF_ITS_SCRIPT[base].search(text):
        # A word its text's stemmer is not for (a number, a Latin word in Russian text) is written as it
        # is, untagged, as text without a stemmer has it: one of the forms a query looks every word up as
        # (`query_stems`). Tagged (2015/en, unesco/ru) no query would look it up, and a query would have to
        # look for the word in every text field to find it; with every word of the stemmed fields among
        # the word's stem terms, tantivy counts a query's matches from those alone (`tantivy._word_fields`).
        found = _WORDS_NOT_OF_ITS_SCRIPT[base].findall(" ".join(words))
        other = {w for w in found if base not in _stem_languages(w)}
        if other:
            stems = [w if w in other else s for w, s in zip(words, stems, strict=True)]
    for script, language in _SOLE_LANGUAGE:
        # One search of the whole text in C: most texts hold no word of another script.
        if language == base or not script.search(text):
            continue
        at = [i for i, w in enumerate(words) if _stem_languages(w) == (language,)]
        if at:
            for i, stem in zip(
                at, _stemmed(STEMMER_FOR[language], language, [words[i] for i in at]), strict=True
            ):
                stems[i] = stem
    if (base == "ar" or _ARABIC.search(text)) and _AND_THE.search(text):
        stems += _and_the_stems(words, stems)
    if base == "en" and (plurals := _ACRONYM_PLURAL.findall(text)):
        # An acronym's plural is also its acronym (SDGs: sdg), after the stems of every word: each word
        # keeps its own stem (sdgs), one of the forms a query of it looks up, which tantivy's counting
        # relies on (a query typed "sdgs" cannot tell it from "gps").
        stems += [f"{p.lower()}{STEM_TAG}en" for p in dict.fromkeys(plurals)]
    return stems


# One text's three streams as space-separated tokens (tokens, stems, pinyin): what an index field takes.
# Kept as strings rather than token lists, because a document's fields are joined from a few such pieces
# (its texts, and concept labels analysed once per rebuild) instead of hundreds of tokens, and because a
# cache of a hundred thousand entries then holds one tuple each instead of an object and three lists.
Joined = tuple[str, str, str]


def joined(analysed: Analysed) -> Joined:
    return " ".join(analysed.tokens), " ".join(analysed.stems), " ".join(analysed.pinyin)


def analyse_joined(text: str, lang: str = "") -> Joined:
    # Labels, names and titles recur in thousands of documents: each short text is analysed once per
    # process; long texts (summaries, file pages) are nearly always unique and are not kept.
    return _analyse_short(text, lang) if len(text) <= 200 else joined(analyse(text, lang=lang))


@lru_cache(maxsize=100_000)
def _analyse_short(text: str, lang: str) -> Joined:
    return joined(analyse(text, lang=lang))


def index_text(*parts: str) -> str:
    """Analysed tokens of untagged text (names, labels), ready for a whitespace tokenizer."""
    return " ".join(t for part in parts if part for t in analyse(part).tokens)


@dataclass
class IndexStreams(Analysed):
    """The three token streams of one text field of a document, as pieces to be joined with spaces
    (`joined` gives the field texts)."""

    def add(self, text: str, lang: str = "") -> None:
        self.add_joined(analyse_joined(text, lang))

    def add_joined(self, pieces: Joined) -> None:
        tokens, stems, pinyin = pieces
        # Empty pieces are left out so that no field starts, ends or doubles with a blank.
        if tokens:
            self.tokens.append(tokens)
        if stems:
            self.stems.append(stems)
        if pinyin:
            self.pinyin.append(pinyin)


@dataclass
class QueryWord:
    """One word of a query and the forms it may take in the index."""

    token: str  # exact analysed form (plain fields)
    stems: list[str]  # what it is looked up as in the stem field (`query_stems`)
    pinyin: str  # matched against the pinyin of Chinese words ("" for Chinese words themselves)


def word_parts(word: str) -> list[str]:
    """The parts a Chinese word is indexed under besides itself (search mode: 下岗职工 is also 下岗 and
    职工), as one tiling of the word, left to right, the longest part first: 中华人民共和国 is 中华, 人民,
    共和国, not the overlapping 华人 too. Empty when the segmenter has no smaller words for it. Search
    mode's two- and three-character parts only, not the longer words `cut_for_index` adds: a record
    then needs to hold fewer of the word's characters together (中华 and 人民, not 中华人民)."""
    pieces = {p for p in rjieba.cut_for_search(word) if p != word}
    if not pieces:
        return []
    parts: list[str] = []
    start = 0
    while start < len(word):
        part = next(
            (word[start:end] for end in range(len(word), start, -1) if word[start:end] in pieces),
            word[start],
        )
        parts.append(part)
        start += len(part)
    return parts if len(parts) > 1 else []


def query_words(text: str, *, phrase: bool = False) -> list[QueryWord]:
    """Words of a query, each with its alternatives; stopwords dropped unless nothing else is left, and
    each word once. A phrase keeps every word in its place: "recognition of prior learning" must find
    "of" between its neighbours, and "learning to be" is not the word "learning".

    A phrase's Chinese is cut as text is indexed (`cut_for_index`: each word after its parts), so that
    its tokens follow each other as they do in the index: cut as a query, "中国老年大学" was 中国 and
    老年大学, which the index holds three positions apart (中国, 老年, 大学, 老年大学), and the phrase
    missed the record whose title it was."""
    words: list[QueryWord] = []
    runs = _RUN.findall(_prepare(text))
    cut: Callable[[str], list[str]] = rjieba.cut
    # One word quoted ("终身教育") is no phrase: it keeps its translations and other forms.
    if phrase and sum(len(cut(to_simplified(han))) if han else 1 for han, _w in runs) > 1:
        cut = cut_for_index
    for han, word in runs:
        if han:
            for token in cut(to_simplified(han)):
                if token.strip():
                    words.append(QueryWord(token=token, stems=[], pinyin=""))
        elif word:
            folded = _fold_word(word)
            pinyin = folded
            decomposed = unicodedata.normalize("NFD", word)
            if "\u0308" in decomposed:
                # ü (with or without a tone mark) is v in the index, as lazy_pinyin writes it: falü and
                # lüyou must find 法律 and 旅游 as falv and lvyou do; folding it to u would find 法路.
                pinyin = _fold_word(decomposed.replace("u\u0308", "v").replace("U\u0308", "V"))
            if _toned_pinyin(folded):
                # ü stays v (lü4you2 is lvyou, 旅游; not luyou).
                pinyin = re.sub(r"[1-5]", "", pinyin)
                folded = re.sub(r"[1-5]", "", folded)
            stems = query_stems(folded, word)
            if _ACRONYM_PLURAL.fullmatch(word):
                # As an English text's stems have it (`_stems`): SDGs is sdg.
                stems = sorted({*stems, f"{folded[:-1]}{STEM_TAG}en"})
            words.append(
                QueryWord(
                    token=folded,
                    stems=stems,
                    # A stopword typed alone is kept as a word, but not read as pinyin: "que" found
                    # Chinese texts through 却 (but, yet).
                    pinyin=pinyin if folded.isascii() and folded not in STOPWORDS else "",
                )
            )
    if phrase:
        return words
    kept = [w for w in words if w.token not in STOPWORDS]
    unique: dict[str, QueryWord] = {}
    for w in kept or words:
        unique.setdefault(w.token, w)
    return list(unique.values())
