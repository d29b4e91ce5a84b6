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
    drop_marks,
    fold_letters,
    fold_shown,
    has_dropped,
    query_stems,
    text_stem,
    to_simplified,
)

# After `fold_shown` a Latin or Cyrillic word is written in these: lower case, most accents gone.
_LETTERS = "0-9a-z\u00df-\u024f\u0400-\u052f"
_WORD = re.compile(f"[{_LETTERS}]+")


@dataclass(frozen=True)
class _Marks:
    """What marks a text: `pattern` finds each term; a Latin or Cyrillic term is found at a word's start,
    with the rest of the word (group "word"), and the word is marked only when it is one of the terms or
    has one of their stems (`forms`) in the text's language, as the engine matched it."""

    pattern: re.Pattern[str]
    forms: frozenset[str]

    def spans(self, folded: str, lang: str | None) -> Iterator[tuple[int, int]]:
        for m in self.pattern.finditer(folded):
            if m.lastgroup != "word" or not self.forms.isdisjoint(_forms(m.group(), lang)):
                yield m.start(), m.end()


@lru_cache(maxsize=65536)
def _forms(word: str, lang: str | None = None) -> frozenset[str]:
    """The word and what it is indexed as in a text of language `lang` (learners: learner/en; "" for
    text indexed without a language, such as free keywords: unstemmed), as `analyse` writes it; with
    `lang` None (labels of several languages together), its stem in each language of its script."""
    return frozenset(query_stems(word) if lang is None else (word, text_stem(word, lang)))


def _pattern(terms: list[str]) -> _Marks | None:
    # Every hit of a page is marked with the same words: compile them once.
    return _compiled(tuple(terms))


@lru_cache(maxsize=512)
def _compiled(terms: tuple[str, ...]) -> _Marks | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    # The terms are the reader's words and their stems in every language (learn, educ, and cent, the
    # German stem of "center"). Marked as prefixes, a stem marked the start of words the engine never
    # matched: "Cent" in "Central", "art" in "articles", "4" in "40". A word is now marked whole, and only
    # when the engine could have matched it: the whole word is a term, or has a stem one of the terms
    # has in the same language ("centres" for "center", "Learning" for "learn").
    whole = [w for w in words if _WORD.fullmatch(w)]
    parts = []
    if whole:
        parts.append(rf"(?P<word>\b(?:{'|'.join(map(re.escape, whole))})[{_LETTERS}]*)")
    for word in words:
        if word in whole:
            continue
        escaped = re.escape(word)
        # Other Latin terms (with a hyphen, say) match at word starts; Han and Arabic terms anywhere
        # (an Arabic word is written joined to its article and prepositions).
        parts.append(escaped if not word.isascii() else rf"\b{escaped}")
    forms = frozenset(f for w in whole for f in _forms(w))
    return _Marks(re.compile("|".join(parts), re.IGNORECASE), forms)


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
    folded = fold_shown(text)
    # A mark dropped and a ligature opened could leave the length as it was: the marks are looked for.
    if len(folded) == len(text) and not has_dropped(text):
        return list(marks.spans(folded, lang))
    pieces = [drop_marks(unicodedata.normalize("NFKC", ch).casefold()) for ch in text]
    # fold_letters keeps every character where it was: folded once, the pieces keep their lengths.
    joined = to_simplified(fold_letters("".join(pieces)))
    ends = list(accumulate(len(p) for p in pieces))
    if len(joined) != ends[-1]:
        return []  # the Chinese conversion changed the length too: no spans to map back
    spans = []
    for m_start, m_end in marks.spans(joined, lang):
        if m_end > m_start:
            # The original characters holding the first and the last folded character of the match,
            # and the marks after the last (dropped, so of no length): a vowel stays with its letter.
            end = bisect_right(ends, m_end - 1) + 1
            while end < len(pieces) and not pieces[end]:
                end += 1
            spans.append((bisect_right(ends, m_start), end))
    return spans


def holds(text: str, terms: list[str], *, lang: str | None = None) -> bool:
    """Whether `text` (of language `lang`, as `snippet` takes it) holds a term as it would be marked:
    what a page says it was found through agrees with what it marks."""
    marks = _pattern(terms)
    return bool(text and marks and _matches(text, marks, lang))


def highlight(text: str, terms: list[str], *, lang: str | None = None) -> SafeString:
    """The whole of a short text (a title) with matches marked."""
    return snippet(text, terms, width=max(len(text), 1), lang=lang)
