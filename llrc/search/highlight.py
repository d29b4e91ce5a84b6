"""Snippets with the matched words marked, computed from the stored text of the catalogue.

Highlighting here rather than in the engine lets every backend share it and keeps the original
spacing of Chinese text (the index holds segmented tokens, not the text a reader sees).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString, mark_safe

from llrc.search.analysis import normalise_shown


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
        # Latin words match at word starts (learn -> learning); Han terms match anywhere.
        parts.append(escaped if not word.isascii() else rf"\b{escaped}")
    return re.compile("|".join(parts), re.IGNORECASE)


def snippet(text: str, terms: list[str], *, width: int = 220) -> SafeString:
    """An HTML-safe window of `text` around the densest cluster of matches, with <mark> around them."""
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    folded = normalise_shown(text)
    matches = list(pattern.finditer(folded)) if pattern and len(folded) == len(text) else []
    if not matches:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))
    # The window starting at the match with most matches after it within `width` (two pointers: a page of
    # a file can hold hundreds of matches).
    starts = [m.start() for m in matches]
    best_start, best_count, last = starts[0], 0, 0
    for first, position in enumerate(starts):
        last = max(last, first)
        while last + 1 < len(starts) and starts[last + 1] < position + width:
            last += 1
        if last - first + 1 > best_count:
            best_start, best_count = position, last - first + 1
    start = 0 if len(text) <= width else max(0, best_start - width // 4)
    end = min(len(text), start + width)
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        pieces.append(escape(text[cursor : m.start()]))
        pieces.append(f"<mark>{escape(text[m.start() : m.end()])}</mark>")
        cursor = m.end()
    pieces.append(escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return mark_safe("".join(pieces))


def highlight(text: str, terms: list[str]) -> SafeString:
    """The whole of a short text (a title) with matches marked."""
    return snippet(text, terms, width=max(len(text), 1))
