"""Read-side services for vocabularies."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from llrc.lib.text import as_text
from llrc.vocabularies.models import Concept, Scheme

MAX_OFFSET = 1_000_000  # more concepts than any scheme holds


def schemes() -> list[dict[str, Any]]:
    counts = dict(Concept.objects.values_list("scheme").annotate(n=Count("id")))
    return [
        {"scheme": s.value, "name": s.label, "concepts": counts.get(s.value, 0)} for s in Scheme
    ]


def scheme_exists(scheme: str) -> bool:
    return scheme in Scheme.values


def concepts(scheme: str, *, q: str = "", limit: int = 100, offset: int = 0) -> list[Concept]:
    qs = Concept.objects.filter(scheme=scheme).select_related("broader")
    # A control character in `q` (%00) failed PostgreSQL's lookup with a server error.
    q = as_text(q).strip()
    if q:
        qs = qs.filter(search_text__icontains=q)
    # Past every scheme's end; a larger offset failed SQLite's query (an integer past 64 bits).
    offset = min(offset, MAX_OFFSET)
    return list(qs.order_by("notation", "code")[offset : offset + limit])
