"""Snippets from inside attached files: which file, which page, and the words around the match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils.safestring import SafeString

from llrc.catalogue.models import FilePage
from llrc.search.analysis import fold_text
from llrc.search.highlight import holds_folded, search_prefixes, snippet


@dataclass
class FileSnippet:
    file_id: int
    file_name: str
    page: int
    html: SafeString
    lang: str = (
        ""  # the file's language, when known: a screen reader reads the snippet in its voice
    )


def file_snippets(
    resource_ids: list[int], terms: list[str], *, also: Sequence[str] = (), query: str = ""
) -> dict[int, FileSnippet]:
    """For each resource, the first page of its files that best holds the query: the whole query as typed,
    then the reader's own words, then their translations (`also`)."""
    words = [t for t in terms if len(t) > 1]
    extra = [t for t in also if len(t) > 1 and t not in words]
    if not (words or extra) or not resource_ids:
        return {}
    whole = fold_text(query).strip()
    # The terms are folded (accents, traditional characters), and so is each page's copy it is looked
    # up in: a page is found however the file writes the words the search found it by.
    condition = Q()
    for word in words + extra:
        # By the word's prefixes (learners: learner, learn); the words they start are checked after.
        for prefix in search_prefixes(word):
            condition |= Q(folded__contains=prefix)
    pages = (
        FilePage.objects.filter(condition, file__resource_id__in=resource_ids)
        .select_related("file")
        .order_by("file__resource_id", "file_id", "number")
    )
    best: dict[int, tuple[int, FilePage]] = {}
    for page in pages.iterator(chunk_size=200):
        score = (100 if whole and _held(page, whole) else 0) + 10 * sum(
            1 for w in words if _held(page, w)
        )
        score += sum(1 for w in extra if _held(page, w))
        if score == 0:
            continue
        rid = page.file.resource_id
        if rid not in best or score > best[rid][0]:
            best[rid] = (score, page)
    return {
        rid: FileSnippet(
            page.file_id,
            page.file.name,
            page.number,
            snippet(page.text, [whole, *words, *extra], width=200, lang=page.file.language),
            page.file.language or "",
        )
        for rid, (_score, page) in best.items()
    }


def _held(page: FilePage, term: str) -> bool:
    """Whether the page holds the term as its snippet would mark it ("art" is in "articles", but no
    word of it): looked for in the page's stored fold, only where it holds one of the word's prefixes."""
    folded = page.folded
    return any(p in folded for p in search_prefixes(term)) and holds_folded(
        folded, [term], lang=page.file.language
    )
