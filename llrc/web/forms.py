"""Search parameters from a query string, and links that add or remove one filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict

from llrc.search.backends.base import FACETS, SORTS


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)


def parse_search_params(query: QueryDict) -> SearchParams:
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    filters = {name: query.getlist(name) for name in FACETS if query.getlist(name)}
    sort = query.get("sort", "relevance")
    return SearchParams(
        q=query.get("q", "").strip(),
        page=page,
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
    )


def search_url(
    base: str,
    params: SearchParams,
    *,
    toggle: tuple[str, str] | None = None,
    page: int | None = None,
    clear_filters: bool = False,
) -> str:
    filters = {} if clear_filters else {k: list(v) for k, v in params.filters.items()}
    if toggle:
        name, value = toggle
        values = filters.setdefault(name, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
    pairs: list[tuple[str, str]] = []
    if params.q:
        pairs.append(("q", params.q))
    for name in FACETS:
        pairs.extend((name, v) for v in filters.get(name, []))
    if params.sort != "relevance":
        pairs.append(("sort", params.sort))
    if page and page > 1:
        pairs.append(("page", str(page)))
    return base + ("?" + urlencode(pairs) if pairs else "")
