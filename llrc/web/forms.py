"""Search parameters from a query string, and links that add or remove one filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from llrc.lib.text import as_text
from llrc.search.backends.base import FACETS, SORTS
from llrc.search.query import filter_code, without_filter_value, year_range
from llrc.search.services import Bucket
from llrc.web.templatetags.llrc import lang_marked


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    # The filter values as the link wrote them, for the search: it folds them the same way, and names a
    # value that names nothing as the reader wrote it (NOPE, not nope).
    typed: dict[str, list[str]] = field(default_factory=dict)
    whole_facet: str = ""  # a facet listed with all its values (`all=language`)
    # What the page says of a parameter it could not use (a page number that is none, an unknown sort).
    notices: list[str] = field(default_factory=list)


def parse_search_params(query: QueryDict) -> SearchParams:
    notices: list[str] = []
    typed_page = query.get("page", "1")
    try:
        page = int(typed_page)
    except ValueError:
        page = 0
    if page < 1:
        # Said, not passed over: a link with page=abc showed the first page as if it were asked for.
        notices.append(
            _("“%(page)s” is not a page number; the first page is shown.")
            % {"page": as_text(typed_page).strip()[:20]}
        )
        page = 1
    typed = {
        name: [v.strip() for v in query.getlist(name)] for name in FACETS if query.getlist(name)
    }
    # In the case the codes are written in, each once, as the search reads them: a link that removes
    # a selected value (CN) must also remove it when it was typed as cn.
    filters = {
        name: list(dict.fromkeys(filter_code(name, v) for v in values))
        for name, values in typed.items()
    }
    sort = query.get("sort", "relevance")
    if sort not in SORTS:
        notices.append(
            _("“%(sort)s” is not an order results can be sorted in; they are in best-match order.")
            % {"sort": as_text(sort).strip()[:20]}
        )
    return SearchParams(
        q=query.get("q", "").strip(),
        page=page,
        filters=filters,
        typed=typed,
        sort=sort if sort in SORTS else "relevance",
        whole_facet=whole if (whole := query.get("all", "")) in FACETS else "",
        notices=notices,
    )


def replaced_by(name: str, selected: list[str], value: str) -> set[str]:
    """The selected values of a filter that a link adding `value` leaves out: the ranges of years that
    hold a single year. Values of one filter combine with OR, so 2018 added beside 2015..2020 would
    change nothing; a reader who picks 2018 among the years of that range asks for 2018."""
    if name != "year" or value in selected:
        return set()
    year = year_range(value)
    if year is None or year[0] != year[1]:
        return set()
    return {
        v for v in selected if (span := year_range(v)) is not None and span[0] <= year[0] <= span[1]
    }


def search_url(
    base: str,
    params: SearchParams,
    *,
    toggle: tuple[str, str] | None = None,
    page: int | None = None,
    clear_filters: bool = False,
    whole_facet: str = "",
) -> str:
    filters = {} if clear_filters else {k: list(v) for k, v in params.filters.items()}
    if toggle:
        name, value = toggle
        values = filters.setdefault(name, [])
        if value in values:
            values.remove(value)
        else:
            dropped = replaced_by(name, values, value)
            values[:] = [v for v in values if v not in dropped] + [value]
    pairs: list[tuple[str, str]] = []
    if params.q:
        pairs.append(("q", params.q))
    for name in FACETS:
        pairs.extend((name, v) for v in filters.get(name, []))
    if params.sort != "relevance":
        pairs.append(("sort", params.sort))
    if page and page > 1:
        pairs.append(("page", str(page)))
    if whole_facet:
        pairs.append(("all", whole_facet))
    return base + ("?" + urlencode(pairs) if pairs else "")


def facet_list_html(
    base: str,
    params: SearchParams,
    name: str,
    buckets: list[Bucket],
    remove_text: str,
    chosen: list[tuple[str, str, str]] | None = None,
) -> str:
    """The <li> items of one facet: a link that adds or removes each value, and its count. The selected
    values are also added to `chosen`, as (label HTML, the link that removes it, the label).

    A results page has 100-150 of these. Built one by one through search_url and the template engine
    they took a third of the page's time at a million records (23 of 67 ms, measured 2026-11-29), so
    they are built here: the other parameters are encoded once per facet, and the markup is the
    template's, with every value escaped. The result is marked safe by the caller.
    """
    q_part = [f"q={quote_plus(params.q)}"] if params.q else []
    tail = []
    if params.sort != "relevance":
        tail.append(f"sort={quote_plus(params.sort)}")
    selected_now = params.filters.get(name, [])
    # Filters of the other facets, before and after this one in FACETS order.
    before: list[str] = []
    after: list[str] = []
    seen = False
    for other in FACETS:
        if other == name:
            seen = True
            continue
        encoded = [f"{other}={quote_plus(v)}" for v in params.filters.get(other, [])]
        (after if seen else before).extend(encoded)
    own = [f"{name}={quote_plus(v)}" for v in selected_now]
    items = []
    for bucket in buckets:
        value = bucket.value
        # Selected by the query (type:report): the link removes it from the query, as the link of a
        # selected value removes it (it led to the same page with type=report added).
        from_query = bucket.selected and value not in selected_now and bool(params.q)
        if from_query:
            mine = list(own)
        elif value in selected_now:
            mine = [e for v, e in zip(selected_now, own, strict=True) if v != value]
        else:
            dropped = replaced_by(name, selected_now, value)
            mine = [e for v, e in zip(selected_now, own, strict=True) if v not in dropped]
            mine.append(f"{name}={quote_plus(value)}")
        part = q_part
        if from_query:
            left = without_filter_value(params.q, name, value)
            part = [f"q={quote_plus(left)}"] if left else []
        pairs = part + before + mine + after + tail
        url = escape(base + ("?" + "&".join(pairs) if pairs else ""))
        label = lang_marked(escape(str(bucket.label)), bucket.label_lang)
        if bucket.selected:
            # The tick is for the eye: read out, it said "check mark" after "Remove filter:".
            items.append(
                f'<li><a href="{url}" class="selected">'
                f'<span class="visually-hidden">{escape(remove_text)} </span>'
                f'<span aria-hidden="true">✓ </span>{label}</a> '
                f'<span class="count">{bucket.count}</span></li>'
            )
            if chosen is not None:
                chosen.append((label, url, str(bucket.label)))
        else:
            items.append(
                f'<li><a href="{url}">{label}</a> <span class="count">{bucket.count}</span></li>'
            )
    return "\n".join(items)


def page_numbers(current: int, count: int, *, around: int = 2) -> list[int | None]:
    """The page numbers a results list links: the first, the last and `around` on each side of the
    current one, None where numbers are left out (shown as …)."""
    wanted = {1, count, *range(current - around, current + around + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= count)
    out: list[int | None] = []
    for n in numbers:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out
