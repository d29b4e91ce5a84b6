"""Turn catalogue resources into the documents every search backend indexes.

Documents are built in batches from plain rows (`values_list`), not from model instances with prefetches:
a million resources must index at thousands a second (issue 3), and building Django objects for every text,
concept and contribution cost more than the analysis itself (measured 2026-11-29: 250 documents/s through
`prefetch_related`). Concept labels, agent names and collection titles recur in thousands of documents,
so each is analysed once per process and kept (`_Caches`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from django.conf import settings

from llrc.catalogue.models import (
    Agent,
    Collection,
    Contribution,
    FilePage,
    Identifier,
    Resource,
    ResourceText,
    Status,
    pick_text,
)
from llrc.search import index_worker
from llrc.search.analysis import (
    IndexStreams,
    Joined,
    analyse_joined,
    index_text,
    joined,
    sort_key,
)
from llrc.search.backends.base import IndexDocument
from llrc.vocabularies.models import Concept

BATCH = 1000  # resources read together: ten queries a batch, each with an IN list SQLite accepts
CONCEPT_FIELDS = ("languages", "countries", "regions", "subjects", "sdg_targets", "target_groups")
# Concepts whose labels are searchable words of the resource (the others are facets only).
LABELLED = ("subjects", "target_groups", "countries", "regions")


@dataclass
class _Row:
    """What the index needs of one resource, read in bulk."""

    id: int
    resource_type: str
    status: str
    year: int | None
    created: float
    keywords: list[str]
    publisher_id: int | None
    # field, language, value; the original language's text first among a field's
    texts: list[tuple[str, str, str]] = field(default_factory=list)
    agents: list[int] = field(default_factory=list)
    concepts: dict[str, list[int]] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    collections: list[int] = field(default_factory=list)
    pages: list[tuple[str, str]] = field(default_factory=list)  # file language, page text


@dataclass
class _Concept:
    code: str
    labels: list[tuple[str, Joined]]  # (base language, analysed label)
    alt: list[Joined]
    ancestors: list[str]  # codes of broader concepts, nearest first
    everything: Joined = ("", "", "")  # every label and synonym, joined once

    def __post_init__(self) -> None:
        streams = IndexStreams()
        for pieces in [a for _lang, a in self.labels] + self.alt:
            streams.add_joined(pieces)
        self.everything = joined(streams)


class _Caches:
    """Analysed vocabulary, names and collections, shared by every document this process builds."""

    def __init__(self) -> None:
        self.concepts: dict[int, _Concept] = {}
        self.agents: dict[int, tuple[str, str]] = {}  # id -> (name, analysed name and other names)
        self.collections: dict[int, tuple[list[tuple[str, str]], list[str]]] = {}
        self._parents: dict[int, int | None] | None = None
        self._codes: dict[int, str] = {}

    def concept(self, cid: int) -> _Concept | None:
        return self.concepts.get(cid)

    def load_concepts(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.concepts}
        if not missing:
            return
        rows = Concept.objects.filter(pk__in=missing).values_list(
            "id", "code", "labels", "local_labels", "alt_labels", "broader_id"
        )
        for cid, code, labels, local, alt, broader in rows:
            labelled = [
                (lang.split("-")[0], analyse_joined(str(label), lang))
                for lang, label in {**labels, **local}.items()
                if label
            ]
            ancestors = self._ancestors(broader) if broader else []
            self.concepts[cid] = _Concept(
                code, labelled, [analyse_joined(str(a)) for a in alt or [] if a], ancestors
            )

    def _ancestors(self, start: int) -> list[str]:
        if self._parents is None:
            # The whole hierarchy in one query: a few thousand concepts, walked many times.
            self._parents = {}
            for cid, code, broader in Concept.objects.values_list("id", "code", "broader_id"):
                self._parents[cid] = broader
                self._codes[cid] = code
        chain: list[str] = []
        node: int | None = start
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            if node in self._codes:
                chain.append(self._codes[node])
            node = self._parents.get(node)
        return chain

    def load_agents(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.agents}
        for aid, name, other in Agent.objects.filter(pk__in=missing).values_list(
            "id", "name", "other_names"
        ):
            self.agents[aid] = (name, index_text(name, *(other or [])))

    def load_collections(self, ids: Iterable[int]) -> None:
        if not any(i not in self.collections for i in ids):
            return
        everything = {
            cid: (title or {}, slug, parent)
            for cid, title, slug, parent in Collection.objects.values_list(
                "id", "title", "slug", "parent_id"
            )
        }
        for cid, (title, _slug, _parent) in everything.items():
            path: list[str] = []
            node: int | None = cid
            while node is not None and node in everything and everything[node][1] not in path:
                path.insert(0, everything[node][1])
                node = everything[node][2]
            self.collections[cid] = (list(title.items()), path)


def published_ids(ids: Iterable[int] | None = None) -> list[int]:
    qs = Resource.objects.filter(status=Status.PUBLISHED)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs.order_by("pk").values_list("pk", flat=True))


def _among(column: str, ids: list[int]) -> dict[str, Any]:
    """Filter arguments selecting `ids`: a range when they are dense (a rebuild walks the ids in order),
    which spares Django preparing a thousand IN parameters per query; the rows are matched by id after."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {f"{column}__gte": low, f"{column}__lte": high}
    return {f"{column}__in": ids}


def _rows(ids: list[int]) -> list[_Row]:
    if not ids:
        return []
    rows = {
        rid: _Row(rid, rtype, status, year, created.timestamp() if created else 0.0, kw or [], pub)
        for rid, rtype, status, year, created, kw, pub in Resource.objects.filter(
            status=Status.PUBLISHED, **_among("pk", ids)
        ).values_list(
            "id", "resource_type", "status", "year", "created", "keywords", "publisher_id"
        )
    }
    wanted = set(ids)
    rows = {rid: row for rid, row in rows.items() if rid in wanted}
    if not rows:
        return []
    keys = list(rows)
    among = _among("resource_id", keys)
    for rid, fld, lang, value in (
        ResourceText.objects.filter(**among)
        .order_by("resource_id", "field", "-is_original", "language")
        .values_list("resource_id", "field", "language", "value")
    ):
        if rid in rows:
            rows[rid].texts.append((fld, lang, value))
    for rid, aid in (
        Contribution.objects.filter(**among)
        .order_by("resource_id", "position", "id")
        .values_list("resource_id", "agent_id")
    ):
        if rid in rows:
            rows[rid].agents.append(aid)
    for name in CONCEPT_FIELDS:
        through = getattr(Resource, name).through
        for rid, cid in (
            through.objects.filter(**among).order_by("id").values_list("resource_id", "concept_id")
        ):
            if rid in rows:
                rows[rid].concepts.setdefault(name, []).append(cid)
    for rid, value in (
        Identifier.objects.filter(**among)
        .order_by("resource_id", "scheme", "value")
        .values_list("resource_id", "value")
    ):
        if rid in rows:
            rows[rid].identifiers.append(value)
    through = Resource.collections.through
    for rid, cid in (
        through.objects.filter(**among).order_by("id").values_list("resource_id", "collection_id")
    ):
        if rid in rows:
            rows[rid].collections.append(cid)
    for rid, lang, text in (
        FilePage.objects.filter(**_among("file__resource_id", keys))
        .order_by("file__resource_id", "file_id", "number")
        .values_list("file__resource_id", "file__language", "text")
    ):
        if rid in rows:
            rows[rid].pages.append((lang, text))
    return [rows[rid] for rid in sorted(rows)]


def _document(row: _Row, caches: _Caches, with_concepts: bool) -> IndexDocument:
    title, body, subject = IndexStreams(), IndexStreams(), IndexStreams()
    for fld, lang, value in row.texts:
        (title if fld == "title" else body).add(value, lang)
    for cid in row.collections:
        for lang, value in caches.collections.get(cid, ([], []))[0]:
            body.add(value, lang)
    # Words inside attached files are searchable too (issue 3, full text); the service finds the page.
    for lang, text in row.pages:
        body.add(text, lang)
    for keyword in row.keywords:
        subject.add(keyword)
    own_languages = {lang.split("-")[0] for _f, lang, _v in row.texts}
    for name in LABELLED:
        for cid in row.concepts.get(name, ()):
            concept = caches.concept(cid)
            if concept is None:
                continue
            if with_concepts:
                subject.add_joined(concept.everything)
                continue
            for lang, analysed in concept.labels:
                # With concepts switched off, only labels in the resource's own languages are indexed.
                if lang in own_languages:
                    subject.add_joined(analysed)
    creators = [caches.agents[a][1] for a in row.agents if a in caches.agents]
    if row.publisher_id in caches.agents:
        creators.append(caches.agents[row.publisher_id][1])
    identifiers: list[str] = []
    for value in row.identifiers:
        identifiers.append(value.lower())
        identifiers.append(value.replace("-", "").lower())
    slugs: list[str] = []
    for cid in row.collections:
        for slug in caches.collections.get(cid, ([], []))[1]:
            if slug not in slugs:
                slugs.append(slug)
    subjects: list[str] = []
    subject_paths: list[tuple[str, ...]] = []
    for cid in row.concepts.get("subjects", ()):
        # A resource's subjects and every broader concept above them, so subject facets roll up the
        # thesaurus: filtering by Education finds resources described with Adult education.
        concept = caches.concept(cid)
        if concept is None:
            continue
        for code in (concept.code, *concept.ancestors):
            if code not in subjects:
                subjects.append(code)
        subject_paths.append((*reversed(concept.ancestors), concept.code))

    def codes(name: str) -> list[str]:
        return [c.code for cid in row.concepts.get(name, ()) if (c := caches.concept(cid))]

    titles = {lang: value for fld, lang, value in row.texts if fld == "title"}
    # Each interface sorts by the title it shows (pick_text): English, or the first one, except on the
    # Chinese interface, which shows a Chinese title where there is one (165 of the 274 demo records
    # have both; sorted by the English one, their Chinese titles came in no order a reader could see).
    shown, shown_zh = pick_text(titles, "en")[0], pick_text(titles, "zh-hans")[0]
    sort_title = sort_key(shown)[:200]
    # Most resources have a title in one language, which both interfaces show: its key is made once.
    sort_title_zh = sort_title if shown_zh == shown else sort_key(shown_zh)[:200]
    return IndexDocument(
        id=row.id,
        text={
            "title": " ".join(title.tokens),
            "body": " ".join(body.tokens),
            "creator": " ".join(t for t in creators if t),
            "subject": " ".join(subject.tokens),
            "identifier": " ".join([*dict.fromkeys(identifiers), index_text(*identifiers)])
            if identifiers
            else "",
            "stem": " ".join(title.stems + body.stems + subject.stems),
            "pinyin": " ".join(title.pinyin + body.pinyin + subject.pinyin),
        },
        facets={
            "type": [row.resource_type],
            "language": codes("languages"),
            "country": codes("countries"),
            "region": codes("regions"),
            "year": [str(row.year)] if row.year else [],
            "subject": subjects,
            "target_group": codes("target_groups"),
            "sdg": codes("sdg_targets"),
            "collection": slugs,
            "status": [row.status],
        },
        paths={"subject": subject_paths},
        year=row.year,
        created=row.created,
        sort_title=sort_title,
        sort_title_zh=sort_title_zh,
    )


def build_documents(ids: list[int], caches: _Caches | None = None) -> list[IndexDocument]:
    """Documents for these resources (published ones only), in id order. `caches` carries analysed labels
    and names from batch to batch within one rebuild; it must not outlive it, or an edited name or label
    would be indexed in its old form."""
    with _collector_paused():
        return _build(ids, caches or _Caches())


_pause_lock = threading.Lock()
_pauses = 0  # builds running in this process (request threads may index edits side by side)
_enabled_before = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building a batch allocates hundreds of thousands of short-lived lists and strings, which reference
    counting frees. With the cyclic collector on, their allocations keep setting off collections, and the
    older generations it then scans hold the growing caches: 40 % of a worker's time (measured 2026-11-29:
    570 against 330 µs a document). Nothing built here forms a cycle. The collector is off while any build
    of this process runs and is given back as it was when the last one ends: counted under a lock, because
    two request threads checking and switching it on their own could leave it off for good."""
    global _pauses, _enabled_before
    with _pause_lock:
        if _pauses == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _enabled_before:
                gc.enable()


def _build(ids: list[int], caches: _Caches) -> list[IndexDocument]:
    rows = _rows(ids)
    caches.load_concepts(cid for row in rows for cids in row.concepts.values() for cid in cids)
    caches.load_agents(
        [a for row in rows for a in row.agents] + [r.publisher_id for r in rows if r.publisher_id]
    )
    caches.load_collections([c for row in rows for c in row.collections])
    with_concepts = settings.SEARCH_CONCEPTS
    return [_document(row, caches, with_concepts) for row in rows]


def iter_documents(ids: list[int], batch: int = BATCH) -> Iterator[IndexDocument]:
    caches = _Caches()
    for start in range(0, len(ids), batch):
        yield from build_documents(ids[start : start + batch], caches)


PARALLEL_FROM = 20_000  # below this, starting worker processes costs more than it saves


def document_batches(ids: list[int], *, workers: int = 0) -> Iterator[list[IndexDocument]]:
    """Documents for `ids` in batches, in id order; built by `workers` processes (0: one per core, for
    large sets only). Analysis is pure Python: one process keeps one core busy, and a rebuild of a
    million resources needs every core to reach thousands of documents a second."""
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    if workers == 0:
        workers = len(os.sched_getaffinity(0)) if len(ids) >= PARALLEL_FROM else 1
    if workers <= 1 or len(batches) <= 1:
        caches = _Caches()
        for batch in batches:
            yield build_documents(batch, caches)
        return
    # spawn, not fork: the parent may hold threads (tantivy, BLAS) that a forked child would inherit
    # half-locked. Each worker sets Django up from the same environment and opens its own connection.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=index_worker.start) as pool:
        yield from _in_order(pool, index_worker.build, batches, ahead=4 * workers)


def _in_order[T, R](
    pool: Pool, fn: Callable[[T], R], items: Iterable[T], *, ahead: int
) -> Iterator[R]:
    """`fn` of each item, computed on the pool and given back in the items' order (so the index is
    written in id order whatever the workers' speeds), with at most `ahead` results being made or
    waiting. `pool.imap` would hand every batch out at once: when the index is written slower than the
    workers build (PostgreSQL writes a third as fast), the built documents of a whole catalogue would
    pile up in this process."""
    if ahead < 1:
        raise ValueError(f"ahead must be at least 1, not {ahead}")
    source = iter(items)
    pending: deque[AsyncResult[R]] = deque(
        pool.apply_async(fn, (item,)) for item in islice(source, ahead)
    )
    while pending:
        result = pending.popleft().get()
        for item in islice(source, 1):
            pending.append(pool.apply_async(fn, (item,)))
        yield result


def vector_texts(ids: list[int]) -> list[tuple[int, str]]:
    """What the sentence encoder reads, per published resource: titles in every language, then the
    summary in the original language."""
    texts: dict[int, list[tuple[str, str, str, bool]]] = defaultdict(list)
    for rid, fld, lang, value, original in (
        ResourceText.objects.filter(resource_id__in=ids, resource__status=Status.PUBLISHED)
        .order_by("resource_id", "field", "-is_original", "language")
        .values_list("resource_id", "field", "language", "value", "is_original")
    ):
        texts[rid].append((fld, lang, value, original))
    out: list[tuple[int, str]] = []
    for rid in sorted(texts):
        rows = texts[rid]
        titles = [v for f, _lang, v, _o in rows if f == "title"]
        title_lang = next((lang for f, lang, _v, o in rows if f == "title" and o), "")
        summaries = sorted(
            ((lang, v) for f, lang, v, _o in rows if f == "summary"),
            key=lambda item: (item[0] != title_lang, item[0]),
        )
        out.append((rid, ". ".join([*titles, *(v for _lang, v in summaries[:1])])))
    return out
