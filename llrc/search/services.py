"""Search: the one query path behind the search page and /api/v1/search (DESIGN.md)."""

from __future__ import annotations

import base64
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

import numpy as np
from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from llrc.catalogue.models import Collection, Resource, ResourceType, pick_text
from llrc.lib.identifiers import normalise_doi, normalise_isbn, normalise_issn
from llrc.lib.text import edit_distance
from llrc.search.analysis import QueryWord, normalise, query_words
from llrc.search.backends.base import (
    FACETS,
    FILTER_ONLY,
    SORTS,
    BackendQuery,
    BackendResult,
    SearchBackend,
)
from llrc.search.crosslang import expand_with_dictionary
from llrc.search.documents import (
    build_document,
    resources_for_index,
    vector_text,
)
from llrc.search.file_snippets import FileSnippet, file_snippets
from llrc.search.highlight import highlight, snippet
from llrc.search.query import Match, ParsedQuery, parse_query
from llrc.search.vectors import VectorStore, encode
from llrc.vocabularies.models import Concept, Scheme

MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = 10_000  # deepest offset served; beyond it a reader refines the query

FACET_SCHEMES = {
    "language": Scheme.LANGUAGE,
    "country": Scheme.COUNTRY,
    "subject": Scheme.SUBJECT,
    "target_group": Scheme.TARGET_GROUP,
    "region": Scheme.REGION,
    "sdg": Scheme.SDG,
}


class SearchInputError(ValueError):
    """A search parameter that cannot be served; the message names it."""


@cache
def get_backend() -> SearchBackend:
    name = settings.SEARCH_BACKEND
    if name == "tantivy":
        from llrc.search.backends.tantivy import TantivyBackend

        return TantivyBackend(settings.INDEX_DIR / "tantivy")
    if name == "postgres":
        from django.db import connection

        # The index is a table in the catalogue database (docs/decisions/0004-postgres-search.md).
        if connection.vendor != "postgresql":
            raise SearchInputError(
                "LLRC_SEARCH_BACKEND=postgres keeps the index in PostgreSQL, but the database is "
                f"{connection.vendor}: set DATABASE_URL to a postgresql:// URL, or use "
                "LLRC_SEARCH_BACKEND=tantivy"
            )
        from llrc.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise SearchInputError(
        f"unknown search backend {name!r} (LLRC_SEARCH_BACKEND); this version has: tantivy, postgres"
    )


def reset_backend() -> None:
    get_backend.cache_clear()
    get_vector_store.cache_clear()


# -- writing ---------------------------------------------------------------------------------------
_deferred = threading.local()


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Collect index updates and apply them in one commit at the end (bulk loads: one writer, not thousands)."""
    if getattr(_deferred, "ids", None) is not None:
        yield
        return
    _deferred.ids = []
    try:
        yield
        pending = list(dict.fromkeys(_deferred.ids))
    finally:
        _deferred.ids = None
    if pending:
        index_resources(pending)


def index_resources(ids: Iterable[int]) -> None:
    """Bring the index in line with the catalogue for these resources (published ones in, others out)."""
    wanted = list(ids)
    if getattr(_deferred, "ids", None) is not None:
        _deferred.ids.extend(wanted)
        return
    resources = list(resources_for_index(wanted))
    present = {r.pk for r in resources}
    gone = [i for i in wanted if i not in present]
    backend = get_backend()
    backend.delete(gone)
    if resources:
        backend.index(build_document(r) for r in resources)
    if settings.SEARCH_VECTORS:
        vectors = encode([vector_text(r) for r in resources])
        get_vector_store().upsert([r.pk for r in resources], vectors, remove=gone)


def remove_resources(ids: Iterable[int]) -> None:
    if getattr(_deferred, "ids", None) is not None:
        _deferred.ids.extend(ids)  # index_resources drops ids that are no longer published
        return
    get_backend().delete(list(ids))
    if settings.SEARCH_VECTORS:
        get_vector_store().upsert([], encode([]), remove=list(ids))


def rebuild_index(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index, and the vectors, from the catalogue in one pass over it; the word index
    changes in one commit. Returns the number of documents."""
    total = resources_for_index().count()
    done = 0
    with_vectors = settings.SEARCH_VECTORS
    vector_ids: list[int] = []
    vector_parts: list[np.ndarray] = []
    pending: list[Resource] = []

    def encode_pending() -> None:
        vector_parts.append(encode([vector_text(r) for r in pending]))
        vector_ids.extend(r.pk for r in pending)
        pending.clear()

    def documents():  # type: ignore[no-untyped-def]
        nonlocal done
        for resource in resources_for_index().iterator(chunk_size=500):
            yield build_document(resource)
            if with_vectors:
                pending.append(resource)
                if len(pending) == VECTOR_BATCH:
                    encode_pending()
            done += 1
            if progress and (done % 500 == 0 or done == total):
                progress(done, total)
        if pending:
            encode_pending()

    count = get_backend().replace_all(documents())
    if with_vectors:
        matrix = np.concatenate(vector_parts) if vector_parts else encode([])
        get_vector_store().replace_all(vector_ids, matrix)
    return count


VECTOR_BATCH = 256  # texts per encoder call: large enough to amortise its weight streaming


@cache
def get_vector_store() -> VectorStore:
    return VectorStore(settings.INDEX_DIR / "vectors")


# -- reading ---------------------------------------------------------------------------------------
@dataclass
class Bucket:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    buckets: list[Bucket]


@dataclass
class SearchHit:
    resource: Resource
    score: float
    title: str
    title_html: SafeString
    title_lang: str
    snippet_html: SafeString
    snippet_lang: str
    why: str = (
        ""  # set when the match came through a translation or a subject, not the reader's words
    )
    file_snippet: FileSnippet | None = None


@dataclass
class SearchPage:
    query: str
    terms: list[str]
    filters: dict[str, list[str]]
    total: int
    page: int
    page_size: int
    hits: list[SearchHit]
    facets: list[Facet]
    notices: list[str] = field(default_factory=list)
    suggestion: str = ""  # "did you mean", for zero or few results
    next_cursor: str | None = None  # cursor paging: pass it back for the next page; None at the end

    @property
    def page_count(self) -> int:
        reachable = min(self.total, MAX_RESULT_WINDOW)
        return max(1, math.ceil(reachable / self.page_size))

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def facet_titles() -> dict[str, str]:
    return {
        "type": _("Type"),
        "language": _("Language"),
        "country": _("Country"),
        "year": _("Year"),
        "subject": _("Subject"),
        "target_group": _("Target group"),
        "collection": _("Collection"),
        "region": _("Region"),
        "sdg": _("SDG target"),
    }


def _identifier_query(query: str) -> ParsedQuery | None:
    """A query that is a DOI, ISBN or ISSN is looked up in its normal form, in the identifier field."""
    raw = query.strip()
    if not raw or " " in raw:
        return None
    for normaliser in (normalise_doi, normalise_isbn, normalise_issn):
        try:
            value = normaliser(raw).lower()
        except ValueError:
            continue
        word = QueryWord(token=value, stems=[], pinyin="")
        return ParsedQuery(groups=[[Match(words=[word], fields=("identifier",))]], identifier=True)
    return None


def _clean_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    allowed = set(FACETS) | set(FILTER_ONLY) - {"status"}
    clean: dict[str, list[str]] = {}
    for name, values in filters.items():
        if name not in allowed:
            raise SearchInputError(_("unknown filter %(name)s") % {"name": name})
        kept = [v.strip() for v in values if v and v.strip()]
        if any(len(v) > 200 for v in kept):
            raise SearchInputError(_("a value of filter %(name)s is too long") % {"name": name})
        if kept:
            clean[name] = list(dict.fromkeys(kept))[:50]
    return clean


# What a results page shows of each hit: its texts and the concepts "why it matched" may name.
RESULT_PREFETCH = ("text_values", "subjects", "target_groups", "countries", "regions", "files")

# Facet labels are read on every search; vocabularies change only when `llrc init` reloads them, so labels
# are kept per process (a new process after a reload sees the new ones).
_label_cache: dict[tuple[str, str], Concept | None] = {}


def _concepts(scheme: str, codes: list[str]) -> dict[str, Concept]:
    missing = [c for c in codes if (scheme, c) not in _label_cache]
    if missing:
        found = {
            c.code: c
            for c in Concept.objects.filter(scheme=scheme, code__in=missing).only(
                "code", "labels", "local_labels"
            )
        }
        for code in missing:
            _label_cache[(scheme, code)] = found.get(code)
    return {c: concept for c in codes if (concept := _label_cache[(scheme, c)]) is not None}


def _labels(name: str, values: list[str], lang: str) -> dict[str, str]:
    if name == "type":
        return {v: str(ResourceType(v).label) if v in ResourceType.values else v for v in values}
    if name == "collection":
        return {c.slug: c.display_title(lang) for c in Collection.objects.filter(slug__in=values)}
    if name in FACET_SCHEMES:
        return {code: c.label(lang) for code, c in _concepts(FACET_SCHEMES[name], values).items()}
    return {v: v for v in values}


def search_resources(
    query: str = "",
    *,
    filters: dict[str, list[str]] | None = None,
    page: int = 1,
    page_size: int | None = None,
    lang: str = "en",
    sort: str = "relevance",
    cursor: str | None = None,
) -> SearchPage:
    """Find published resources matching words and filters, with snippets and facet counts."""
    notices: list[str] = []
    page_size = page_size or settings.SEARCH_PAGE_SIZE
    if page < 1:
        raise SearchInputError(_("page must be 1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SearchInputError(
            _("page size must be between 1 and %(max)d") % {"max": MAX_PAGE_SIZE}
        )
    offset = (page - 1) * page_size
    if offset >= MAX_RESULT_WINDOW:
        raise SearchInputError(
            _("results beyond the first %(max)d cannot be paged to; add words or filters")
            % {"max": MAX_RESULT_WINDOW}
        )
    query = (query or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        query = query[:MAX_QUERY_CHARS]
        notices.append(
            _("The query was cut to its first %(max)d characters.") % {"max": MAX_QUERY_CHARS}
        )
    if sort not in SORTS:
        raise SearchInputError(
            _("unknown sort order %(sort)s; use one of %(sorts)s")
            % {"sort": sort, "sorts": ", ".join(SORTS)}
        )
    clean_filters = _clean_filters(filters or {})

    parsed = _identifier_query(query) or parse_query(query)
    notices.extend(parsed.notices)
    # Plain words only get meaning matches: a reader who writes a phrase, a field or an exclusion wants
    # exactly that. Checked before translations add alternatives to the groups.
    plain = parsed.plain
    if settings.SEARCH_DICTIONARY and parsed.groups and not parsed.identifier:
        expand_with_dictionary(parsed)
    for name, values in parsed.filters.items():
        clean_filters[name] = list(dict.fromkeys([*clean_filters.get(name, []), *values]))
    terms = parsed.highlight_terms()
    # Words to mark in titles and snippets: the reader's own and their translations.
    marks = list(dict.fromkeys(terms + parsed.translation_terms()))
    backend = get_backend()
    after_id = _decode_cursor(cursor) if cursor is not None else None
    backend_query = BackendQuery(
        parsed=parsed,
        filters=clean_filters,
        offset=0 if cursor is not None else offset,
        limit=page_size,
        sort="id" if cursor is not None else sort,
        after_id=after_id,
    )
    result = backend.search(backend_query)
    if cursor is not None and after_id is not None:
        # The total and facets describe the whole result set, not what is left after the cursor.
        whole = backend.search(replace(backend_query, after_id=None, limit=1))
        result = replace(result, total=whole.total, facets=whole.facets)
    if result.total == 0 and len(parsed.groups) > 1 and cursor is None:
        # Nothing has every word: show what has some of them, and say so.
        backend_query.match_all_terms = False
        result = backend.search(backend_query)
        if result.total:
            notices.append(
                _(
                    "No resource contains all the words; showing resources that contain some of them."
                )
            )
    by_meaning: set[int] = set()
    # Cursor paging walks the exact word matches in id order, so meaning matches stay out of it.
    if (
        settings.SEARCH_VECTORS
        and parsed.groups
        and plain
        and not parsed.identifier
        and cursor is None
    ):
        result, by_meaning = _fuse_with_vectors(backend, backend_query, query, result)

    resources = {
        r.pk: r
        for r in Resource.objects.filter(pk__in=result.ids)
        .select_related("publisher")
        .prefetch_related(*RESULT_PREFETCH)
    }
    hits: list[SearchHit] = []
    for rid, score in zip(result.ids, result.scores, strict=True):
        resource = resources.get(rid)
        if resource is None:  # deleted a moment ago; the index is catching up
            continue
        title, title_lang = pick_text(resource.texts("title"), lang)
        summary_values = resource.texts("summary")
        body, body_lang = pick_text(summary_values, lang)
        # Prefer the summary language where the words actually occur, so a snippet shows the match.
        folded_body = normalise(body) if marks and body else ""
        if folded_body and not any(t in folded_body for t in marks):
            for code, text in summary_values.items():
                folded = normalise(text)
                if any(t in folded for t in marks):
                    body, body_lang = text, code
                    break
        hits.append(
            SearchHit(
                resource=resource,
                score=score,
                title=title,
                title_html=highlight(title, marks),
                title_lang=title_lang,
                snippet_html=snippet(body, marks),
                snippet_lang=body_lang,
            )
        )

    in_files = file_snippets(
        [h.resource.pk for h in hits], terms, also=parsed.translation_terms(), query=query
    )
    translations = parsed.translation_terms()
    for hit in hits:
        hit.file_snippet = in_files.get(hit.resource.pk)
        if hit.resource.pk in by_meaning:
            hit.why = _("Found by meaning: its description is close to your words")
        else:
            hit.why = _why(hit.resource, terms, translations, lang) if terms else ""

    titles = facet_titles()
    facets: list[Facet] = []
    for name in FACETS:
        buckets = result.facets.get(name, [])
        selected = clean_filters.get(name, [])
        values = [v for v, _count in buckets]
        labels = _labels(name, values + selected, lang)
        items = [Bucket(v, labels.get(v, v), c, v in selected) for v, c in buckets]
        # A selected value stays visible even when its count is zero, so it can be removed.
        for value in selected:
            if value not in values:
                items.append(Bucket(value, labels.get(value, value), 0, True))
        if name == "year":
            items.sort(key=lambda b: b.value, reverse=True)
        if items:
            facets.append(Facet(name, titles[name], items))

    suggestion = ""
    if result.total < FEW_RESULTS and plain and parsed.groups and not parsed.identifier:
        suggestion = _did_you_mean(backend, query)

    next_cursor = None
    if cursor is not None and len(result.ids) == page_size:
        next_cursor = _encode_cursor(result.ids[-1])

    return SearchPage(
        next_cursor=next_cursor,
        suggestion=suggestion,
        query=query,
        terms=terms,
        filters=clean_filters,
        total=result.total,
        page=page,
        page_size=page_size,
        hits=hits,
        facets=facets,
        notices=notices,
    )


VECTOR_CANDIDATES = 50
# settings.SEARCH_VECTOR_THRESHOLD: unrelated texts score about 0.05-0.15 cosine, close matches 0.5 and up.
FUSION_WINDOW = 100
RRF_K = 60  # reciprocal rank fusion constant (Cormack, Clarke and Büttcher 2009)


@lru_cache(maxsize=4096)
def _query_vector(text: str) -> np.ndarray:
    # Encoding a query is the slowest step of a search (tens of milliseconds); readers repeat queries.
    vector = encode([text])[0]
    vector.setflags(write=False)
    return vector


def _fuse_with_vectors(
    backend: SearchBackend, word_query: BackendQuery, text: str, words: BackendResult
) -> tuple[BackendResult, set[int]]:
    """Add resources close in meaning to the query and merge the two rankings by reciprocal rank fusion.

    Totals and facets come from one query that matches the words or the vector candidates, so counts stay
    exact. The first FUSION_WINDOW results are in fused order; deeper pages keep the engine's order.
    """
    candidates = get_vector_store().nearest(
        _query_vector(text), limit=VECTOR_CANDIDATES, threshold=settings.SEARCH_VECTOR_THRESHOLD
    )
    if not candidates:
        return words, set()
    union = replace(word_query, also_ids=[i for i, _s in candidates], offset=0, limit=FUSION_WINDOW)
    window = backend.search(union)
    allowed = set(window.ids)
    if window.total > len(window.ids):
        # Candidates beyond the window: ask which of them pass the filters.
        check = replace(
            union,
            parsed=ParsedQuery(),
            restrict_ids=union.also_ids,
            limit=len(candidates),
            facets=(),
        )
        allowed |= set(backend.search(check).ids)
    word_ranked = [i for i, score in zip(window.ids, window.scores, strict=True) if score > 0]
    vector_ranked = [i for i, _s in candidates if i in allowed]
    if word_query.sort != "relevance":
        ordered = window.ids
    else:
        fused: dict[int, float] = {}
        for ranking in (word_ranked, vector_ranked):
            for rank, rid in enumerate(ranking):
                fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + rank + 1)
        ordered = sorted(fused, key=lambda rid: -fused[rid])
    start, stop = word_query.offset, word_query.offset + word_query.limit
    if start < FUSION_WINDOW:
        ids = ordered[start:stop]
    else:
        ids = backend.search(replace(union, offset=start, limit=word_query.limit, facets=())).ids
    score_of = dict(zip(window.ids, window.scores, strict=True))
    result = BackendResult(
        total=window.total,
        ids=ids,
        scores=[score_of.get(i, 0.0) for i in ids],
        facets=window.facets,
    )
    return result, set(vector_ranked) - set(word_ranked)


FEW_RESULTS = 3


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    """ "" or "*" starts at the beginning; otherwise the opaque value a previous page returned."""
    if cursor in ("", "*"):
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "after":
            raise ValueError(prefix)
        return int(value)
    except (ValueError, UnicodeDecodeError):
        raise SearchInputError(
            _("the cursor is not one this service gave out; start again with cursor=*")
        ) from None


def _did_you_mean(backend: SearchBackend, query: str) -> str:
    """Correct words that no document holds (English words, pinyin) to the closest indexed word, and
    offer the corrected query when it finds more."""
    similar = getattr(backend, "similar_terms", None)
    frequency = getattr(backend, "term_frequency", None)
    if similar is None or frequency is None:
        return ""
    changed = False
    words = query.split()
    for i, raw in enumerate(words):
        analysed = query_words(raw)
        if len(analysed) != 1:
            continue
        token = analysed[0].token
        if not token.isascii() or not token.isalpha() or len(token) < 3 or frequency(token):
            continue
        allowed = 1 if len(token) <= 5 else 2
        best = None
        for term, count in similar(token):
            if not term.isascii():
                continue
            distance = edit_distance(token, term, limit=allowed + 1)
            if distance <= allowed and (best is None or (distance, -count) < best[0]):
                best = ((distance, -count), term)
        if best:
            words[i] = best[1]
            changed = True
    if not changed:
        return ""
    corrected = " ".join(words)
    check = backend.search(BackendQuery(parsed=parse_query(corrected), limit=1, facets=()))
    # Only words no document holds were changed, so the query as typed cannot match them all.
    return corrected if check.total > 0 else ""


def _why(resource: Resource, terms: list[str], translations: list[str], lang: str) -> str:
    """Say how a resource matched when none of the reader's own words are in its titles or summaries."""
    own = normalise(" ".join(t.value for t in resource.text_values.all()))
    if any(term in own for term in terms):
        return ""
    found = [t for t in translations if t in own]
    if found:
        return _("Found through a translation of your words: %(words)s") % {
            "words": ", ".join(found[:4])
        }
    for attr in ("subjects", "target_groups", "countries", "regions"):
        for concept in getattr(resource, attr).all():
            labels = normalise(" ".join(concept.all_labels()))
            if any(term in labels for term in terms):
                return _("Found through its description: %(label)s") % {
                    "label": concept.label(lang)
                }
    return ""


RELATED_THRESHOLD = 0.3


def related_resources(resource: Resource, *, limit: int = 5) -> list[Resource]:
    """Published resources close to this one: nearest in meaning, then sharing its subjects."""
    ranked: list[int] = []
    if settings.SEARCH_VECTORS:
        store = get_vector_store()
        own = store.vector_of(resource.pk)
        if own is not None:
            near = store.nearest(own, limit=limit + 1, threshold=RELATED_THRESHOLD)
            ranked += [rid for rid, _score in near if rid != resource.pk]
    codes = [c.code for c in resource.subjects.all()]
    if len(ranked) < limit and codes:
        shared = get_backend().search(
            BackendQuery(
                parsed=ParsedQuery(), filters={"subject": codes}, limit=limit + 1, facets=()
            )
        )
        ranked += [rid for rid in shared.ids if rid != resource.pk and rid not in ranked]
    ranked = ranked[:limit]
    found = {
        r.pk: r
        for r in Resource.objects.filter(pk__in=ranked, status="published").prefetch_related(
            "text_values"
        )
    }
    return [found[rid] for rid in ranked if rid in found]


def index_health() -> int:
    """Number of documents in the index; raises if the index cannot be read."""
    return get_backend().count()
