"""Snippets with the matched words marked, computed from the stored text of the catalogue.

Highlighting here rather than in the engine lets every backend share it and keeps the original
spacing of Chinese text (the index holds segmented tokens, not the text a reader sees).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import accumulate

from django.utils.safestring import SafeString, mark_safe

from llrc.search.analysis import (
    STEM_TAG,
    acronym_plurals,
    analyse,
    bare_stem,
    characters_reading,
    drop_marks,
    fold_letters,
    fold_shown,
    han_words,
    has_dropped,
    has_han,
    pinyin_of,
    pinyin_starts,
    query_stems,
    text_stems,
    to_simplified,
)
from llrc.search.spellings import american_starts, british_forms

# After `fold_shown` a Latin or Cyrillic word is written in these: lower case, most accents gone. A word
# starts after any other character: the index splits Latin from Chinese (联合国UNESCO holds "unesco"), and
# `\b` would not, Chinese characters being word characters to Python.
_LETTERS = "0-9a-z\u00df-\u024f\u0400-\u052f"
_WORD = re.compile(f"[{_LETTERS}]+")
_STARTS = f"(?<![{_LETTERS}])"
# Arabic letters as a folded text holds them (no vowels, no tatweel), Persian and Urdu letters with them.
_ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff"
_ARABIC_WORD = re.compile(f"[{_ARABIC_LETTERS}]+")
# What Arabic writes joined before a word: and, so (و ف), with, for, like (ب ل ك), the article (ال),
# for-the (لل). A word is marked from its first letter, these included, as the engine matched it whole.
_ARABIC_CLITICS = "(?:[وف]?(?:[بلك]?ال|لل|[بلك])?)"
# Put before a term that is the pinyin of a reader's word (`pinyin_term`): it marks the Chinese words
# whose pinyin it is, as the engine matched them, not the letters. No folded query word holds it.
_PINYIN = "\x00"


def pinyin_term(pinyin: str) -> str:
    """The term that marks the Chinese words `pinyin` is the toneless pinyin of (zhongshen: 终身)."""
    return _PINYIN + pinyin


@dataclass(frozen=True)
class _Marks:
    """What marks a text: `pattern` finds each term; a Latin or Cyrillic word term is looked for at a
    word's start by its prefixes (`search_prefixes`), with the rest of the word (group "word"), and the
    word is marked only when it is one of the terms or its stem in the text's language is one of theirs
    (`forms`), as the engine matched it. A Chinese word is marked too when its pinyin is one of
    `pinyin` (`pinyin_term`)."""

    pattern: re.Pattern[str] | None
    forms: frozenset[str]
    pinyin: frozenset[str] = frozenset()
    # The characters a Chinese word whose pinyin is one of `pinyin` may start with.
    first: frozenset[str] = frozenset()

    def spans(
        self,
        folded: str,
        lang: str | None,
        plurals: frozenset[str] = frozenset(),
        text: str = "",
    ) -> Iterator[tuple[int, int]]:
        """Where the terms are in `folded` (the text folded: `fold_shown`), a text of language `lang`
        that writes the acronym plurals `plurals` (`acronym_plurals`); `text`, when given, is the text
        itself, its characters where `folded` has theirs."""
        found = (
            (m.start(), m.end())
            for m in (self.pattern.finditer(folded) if self.pattern else ())
            if m.lastgroup != "word"
            or self._matched(m.group(), lang, plurals, text[m.start() : m.end()])
        )
        if not self.pinyin or not has_han(folded):
            yield from found
            return
        # Only runs and words whose first character reads as a syllable one of the terms starts with
        # are cut and read: a page of results is cut in a few runs, not whole.
        by_pinyin = [
            (a, b) for a, b, w in han_words(folded, self.first) if pinyin_of(w) in self.pinyin
        ]
        # In the text's order, the longer of two that start together first (the one a snippet keeps).
        yield from sorted([*found, *by_pinyin], key=lambda span: (span[0], -span[1]))

    def _matched(self, word: str, lang: str | None, plurals: frozenset[str], typed: str) -> bool:
        """Whether the engine matched a text's word (`typed`, as the text writes it, if known): its stem
        is one the terms are looked up as, or it is an acronym's plural the text is indexed under as the
        acronym too (SDGs for "SDG")."""
        if not self.forms.isdisjoint(_forms(word, lang)):
            return True
        if typed and typed.lower() != word and not self.forms.isdisjoint(_typed_forms(typed, lang)):
            # Its stem as typed (handicapées: handicap, as handicapés), which its text is indexed under
            # too (`analysis._unfolded_stems`).
            return True
        return word in plurals and f"{word[:-1]}{STEM_TAG}en" in self.forms


@lru_cache(maxsize=65536)
def _forms(word: str, lang: str | None = None) -> frozenset[str]:
    """The word and what it is indexed as in a text of language `lang` (learners: learner/en; "" for
    text indexed without a language, such as free keywords: unstemmed), as `analyse` writes it; with
    `lang` None (labels of several languages together), its stem in each language of its script."""
    return frozenset(query_stems(word) if lang is None else (word, *text_stems(word, lang)))


@lru_cache(maxsize=16384)
def _typed_forms(word: str, lang: str | None) -> frozenset[str]:
    """The stems a text's word as written is indexed under (its accents, ة and hamza kept for the
    stemmer), in a text of language `lang`; in every language of its script when `lang` is None."""
    if lang is None:
        return frozenset(query_stems(fold_shown(word), word))
    return frozenset(analyse(word, lang=lang).stems)


@lru_cache(maxsize=4096)
def search_prefixes(term: str) -> tuple[str, ...]:
    """What a word's forms in a text start with: the word, its stems (learners: learner, learn), and in
    English the British words of its American stem (center: centre) and the American start of a British
    -ise family (organis: organiz). A text's word that starts so is marked only if its own stem is the
    word's (`_Marks`). A term of other characters (Chinese, a phrase) is its own prefix."""
    if not _WORD.fullmatch(term):
        return (term,)
    found = [term]
    for tagged in query_stems(term):
        stem = bare_stem(tagged)
        if len(stem) > 2:
            found.append(stem)
        if tagged.endswith(f"{STEM_TAG}en"):
            found += british_forms().get(stem, ())
            found += american_starts().get(stem, ())
    return tuple(dict.fromkeys(found))


def _pattern(terms: list[str]) -> _Marks | None:
    # Every hit of a page is marked with the same words: compile them once.
    return _compiled(tuple(terms))


@lru_cache(maxsize=512)
def _compiled(terms: tuple[str, ...]) -> _Marks | None:
    # The terms are words: the reader's, and their translations. Marked by prefix, their stems in every
    # language marked the start of words the engine never matched: "Cent" (the German stem of "center")
    # in "Central", "art" in "articles", "4" in "40". A word is marked whole, and only when the engine
    # could have matched it: it is one of the terms, or its stem in the text's language is one the terms
    # are looked up as ("centres" for "center", "Learning" for "learn", not "Learning" for "learners",
    # though "learn" is the German stem of that).
    # Only a word read wholly as pinyin (one with syllables to start with) is any Chinese word's pinyin
    # ("learning" is none).
    starts = {
        t[len(_PINYIN) :]: pinyin_starts(t[len(_PINYIN) :]) for t in terms if t.startswith(_PINYIN)
    }
    pinyin = frozenset(p for p, syllables in starts.items() if syllables)
    first = characters_reading(set().union(*starts.values())) if pinyin else frozenset()
    words = [t for t in dict.fromkeys(terms) if t and not t.startswith(_PINYIN)]
    if not words:
        return _Marks(None, frozenset(), pinyin, first) if pinyin else None
    whole = [w for w in words if _WORD.fullmatch(w)]
    prefixes = {p for w in whole for p in search_prefixes(w)}
    # An Arabic word is marked whole, with what is joined before it, where it or its stem starts after
    # those (the stem found وتعلم for التعلم, and it was left unmarked; مدن marked the letters inside
    # المدنية and the article was left outside the mark), and only when its stem is one the terms are
    # looked up as, as a Latin word is.
    arabic = [w for w in words if _ARABIC_WORD.fullmatch(w)]
    arabic_starts = {
        p
        for w in arabic
        for p in (w, *(bare_stem(s) for s in query_stems(w)))
        if len(p) > 1 and _ARABIC_WORD.fullmatch(p)
    }
    words_pattern = []
    if prefixes:
        alternatives = "|".join(map(re.escape, sorted(prefixes, key=len, reverse=True)))
        words_pattern.append(f"{_STARTS}(?:{alternatives})[{_LETTERS}]*")
    if arabic_starts:
        alternatives = "|".join(map(re.escape, sorted(arabic_starts, key=len, reverse=True)))
        words_pattern.append(
            f"(?<![{_ARABIC_LETTERS}]){_ARABIC_CLITICS}(?:{alternatives})[{_ARABIC_LETTERS}]*"
        )
    parts = [f"(?P<word>{'|'.join(words_pattern)})"] if words_pattern else []
    for word in sorted(set(words) - set(whole) - set(arabic), key=len, reverse=True):
        escaped = re.escape(word)
        # Other Latin terms (with a hyphen or a space) match at word starts; Han terms anywhere.
        parts.append(escaped if not word.isascii() else f"{_STARTS}{escaped}")
    forms = frozenset(f for w in [*whole, *arabic] for f in query_stems(w))
    return _Marks(re.compile("|".join(parts), re.IGNORECASE), forms, pinyin, first)


def snippet(
    text: str, terms: list[str], *, width: int = 220, lang: str | None = None
) -> SafeString:
    """An HTML-safe window of `text` around the densest cluster of matches, with <mark> around them.
    `lang`, the text's language tag as it was indexed, decides which stems of a word count as a match
    (None: a stem in any language does)."""
    if not text:
        return mark_safe("")
    marks = _pattern(terms)
    matches = _matches(text, marks, lang) if marks else []
    if not matches:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))
    # The window starting at the match with most matches after it within `width` (two pointers: a page of
    # a file can hold hundreds of matches).
    starts = [start for start, _end in matches]
    best_start, best_count, last = starts[0], 0, 0
    for first, position in enumerate(starts):
        last = max(last, first)
        while last + 1 < len(starts) and starts[last + 1] < position + width:
            last += 1
        if last - first + 1 > best_count:
            best_start, best_count = position, last - first + 1
    start = 0 if len(text) <= width else max(0, best_start - width // 4)
    end = min(len(text), start + width)
    marked: list[tuple[int, int]] = []
    for m_start, m_end in matches:
        if m_start < start or m_end > end or (marked and m_start < marked[-1][1]):
            continue
        if marked and m_start == marked[-1][1]:
            # Matches with nothing between them are one mark: rjieba cuts 终身学习 into 终身 and 学习,
            # and a mark for each split the word in two on the page.
            marked[-1] = (marked[-1][0], m_end)
        else:
            marked.append((m_start, m_end))
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for m_start, m_end in marked:
        pieces.append(escape(text[cursor:m_start]))
        pieces.append(f"<mark>{escape(text[m_start:m_end])}</mark>")
        cursor = m_end
    pieces.append(escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return mark_safe("".join(pieces))


def _matches(text: str, marks: _Marks, lang: str | None) -> list[tuple[int, int]]:
    """Where the pattern matches the folded text, as spans of `text` itself.

    The text is folded as the terms are (`fold_shown`: case, accents, traditional characters). Folding
    usually keeps the length, and the spans are the same. When it does not (PDF text is full of
    ligatures: NFKC makes "ﬁ" two letters; ß casefolds to ss; Arabic vowels and tatweel are dropped),
    each character is folded apart and the spans are mapped back, so a page of a file still shows and
    marks its matches, and a word written with its vowels is marked whole."""
    folded, aligned = _folded(text)
    plurals = acronym_plurals(text, lang)
    if aligned is not None:
        return list(_spans(marks, folded, lang, plurals, aligned))
    pieces = [drop_marks(unicodedata.normalize("NFKC", ch).casefold()) for ch in text]
    # fold_letters keeps every character where it was: folded once, the pieces keep their lengths.
    joined = to_simplified(fold_letters("".join(pieces)))
    ends = list(accumulate(len(p) for p in pieces))
    if len(joined) != ends[-1]:
        return []  # the Chinese conversion changed the length too: no spans to map back
    spans = []
    for m_start, m_end in marks.spans(joined, lang, plurals):
        if m_end > m_start:
            # The original characters holding the first and the last folded character of the match,
            # and the marks after the last (dropped, so of no length): a vowel stays with its letter.
            end = bisect_right(ends, m_end - 1) + 1
            while end < len(pieces) and not pieces[end]:
                end += 1
            spans.append((bisect_right(ends, m_start), end))
    return spans


def _folded(text: str) -> tuple[str, str | None]:
    """The text folded (`fold_shown`), and the text itself where each folded character is where its own
    is (None where folding changed the length or dropped marks: then spans must be mapped back)."""
    folded = fold_shown(text)
    # A mark dropped and a ligature opened could leave the length as it was: the marks are looked for.
    return folded, text if len(folded) == len(text) and not has_dropped(text) else None


@lru_cache(maxsize=1024)
def _spans(
    marks: _Marks, folded: str, lang: str | None, plurals: frozenset[str], text: str = ""
) -> tuple[tuple[int, int], ...]:
    # A page asks first whether a summary holds the terms (to choose its language) and then marks it:
    # found once. Chinese text is cut for the pinyin the reader typed (about 0.07 ms a summary).
    return tuple(marks.spans(folded, lang, plurals, text))


def holds(text: str, terms: list[str], *, lang: str | None = None) -> bool:
    """Whether `text` (of language `lang`, as `snippet` takes it) holds a term as it would be marked:
    what a page says it was found through agrees with what it marks."""
    marks = _pattern(terms) if text else None
    if marks is None:
        return False
    folded, aligned = _folded(text)
    return bool(_spans(marks, folded, lang, acronym_plurals(text, lang), aligned or ""))


def holds_folded(folded: str, terms: list[str], *, lang: str | None = None) -> bool:
    """`holds` for a text folded already (`fold_text`: a file's page keeps its fold), without finding
    where: one match is enough."""
    marks = _pattern(terms)
    return marks is not None and next(marks.spans(folded, lang), None) is not None


def highlight(text: str, terms: list[str], *, lang: str | None = None) -> SafeString:
    """The whole of a short text (a title) with matches marked."""
    return snippet(text, terms, width=max(len(text), 1), lang=lang)
