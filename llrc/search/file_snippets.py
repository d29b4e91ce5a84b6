"""Snippets from inside attached files: which file, which page, and the words around the match."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from llrc.catalogue.models import FilePage
from llrc.search.analysis import normalise
from llrc.search.highlight import snippet


@dataclass
class FileSnippet:
    file_id: int
    file_name: str
    page: int
    html: SafeString


def file_snippets(resource_ids: list[int], terms: list[str]) -> dict[int, FileSnippet]:
    """For each resource, the first page of its files that holds the most query words."""
    words = [t for t in terms if len(t) > 1]
    if not words or not resource_ids:
        return {}
    pages = (
        FilePage.objects.filter(file__resource_id__in=resource_ids, text__icontains=words[0])
        .select_related("file")
        .order_by("file__resource_id", "file_id", "number")
    )
    best: dict[int, tuple[int, FilePage]] = {}
    for page in pages.iterator(chunk_size=200):
        folded = normalise(page.text)
        score = sum(1 for w in words if w in folded)
        rid = page.file.resource_id
        if rid not in best or score > best[rid][0]:
            best[rid] = (score, page)
    return {
        rid: FileSnippet(page.file_id, page.file.name, page.number, snippet(page.text, terms, width=200))
        for rid, (_score, page) in best.items()
    }
