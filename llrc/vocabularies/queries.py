"""Read-side services for vocabularies."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from llrc.vocabularies.models import Concept, Scheme


def schemes() -> list[dict[str, Any]]:
    counts = dict(Concept.objects.values_list("scheme").annotate(n=Count("id")))
    return [
        {"scheme": s.value, "name": s.label, "concepts": counts.get(s.value, 0)} for s in Scheme
    ]


def scheme_exists(scheme: str) -> bool:
    return scheme in Scheme.values


def concepts(scheme: str, *, q: str = "", limit: int = 100, offset: int = 0) -> list[Concept]:
    qs = Concept.objects.filter(scheme=scheme).select_related("broader")
    if q.strip():
        qs = qs.filter(search_text__icontains=q.strip())
    return list(qs.order_by("notation", "code")[offset : offset + limit])
