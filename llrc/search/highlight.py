"""Snippets with the matched words marked, computed from the stored text of the catalogue.

Highlighting here rather than in the engine lets every backend share it and keeps the original
spacing of Chinese text (the index holds segmented tokens, not the text a reader sees).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from html import escape
from itertools import accumulate

from django.utils.safestring import SafeString, mark_safe

from llrc.search.analysis import drop_marks, fold_letters, fold_shown, has_dropped, to_simplified


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    # Every hit of a page is marked with the same words: compile them once.
    return _compiled(tuple(terms))


@lru_cache(maxsize=512)
def _compiled(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    parts = []
    for word in words:
        escaped = re.escape(word)
        # Latin words match at word starts (learn -> learning); Han terms match anywhere. Marking a
        # stem's match to its word's end was tried: "art" then marked whole "articles" and "SDG 4" whole
        # "40", words the engine never matched.
        parts.append(escaped if not word.isascii() else rf"\b{escaped}")
    return re.compile("|".join(parts), re.IGNORECASE)


def snippet(text: str, terms: list[str], *, width: int = 220) -> SafeString:
    """An HTML-safe window of `text` around the densest cluster of matches, with <mark> around them."""
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    matches = _matches(text, pattern) if pattern else []
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


def _matches(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the pattern matches the folded text, as spans of `text` itself.

    The text is folded as the terms are (`fold_shown`: case, accents, traditional characters). Folding
    usually keeps the length, and the spans are the same. When it does not (PDF text is full of
    ligatures: NFKC makes "ﬁ" two letters; ß casefolds to ss; Arabic vowels and tatweel are dropped),
    each character is folded apart and the spans are mapped back, so a page of a file still shows and
    marks its matches, and a word written with its vowels is marked whole."""
    folded = fold_shown(text)
    # A mark dropped and a ligature opened could leave the length as it was: the marks are looked for.
    if len(folded) == len(text) and not has_dropped(text):
        return [(m.start(), m.end()) for m in pattern.finditer(folded)]
    pieces = [drop_marks(unicodedata.normalize("NFKC", ch).casefold()) for ch in text]
    # fold_letters keeps every character where it was: folded once, the pieces keep their lengths.
    joined = to_simplified(fold_letters("".join(pieces)))
    ends = list(accumulate(len(p) for p in pieces))
    if len(joined) != ends[-1]:
        return []  # the Chinese conversion changed the length too: no spans to map back
    spans = []
    for m in pattern.finditer(joined):
        if m.end() > m.start():
            # The original characters holding the first and the last folded character of the match,
            # and the marks after the last (dropped, so of no length): a vowel stays with its letter.
            end = bisect_right(ends, m.end() - 1) + 1
            while end < len(pieces) and not pieces[end]:
                end += 1
            spans.append((bisect_right(ends, m.start()), end))
    return spans


def highlight(text: str, terms: list[str]) -> SafeString:
    """The whole of a short text (a title) with matches marked."""
    return snippet(text, terms, width=max(len(text), 1))
