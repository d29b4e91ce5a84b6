"""Turn a catalogue resource into the document every search backend indexes."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

from llrc.catalogue.models import Resource, Status
from llrc.search.analysis import IndexStreams, index_text, normalise
from llrc.search.backends.base import IndexDocument

PREFETCH = (
    "text_values",
    "contributions__agent",
    "publisher",
    "languages",
    "countries",
    "regions",
    "subjects__broader",
    "sdg_targets",
    "target_groups",
    "identifiers",
    "collections__parent__parent",
    "files__pages",
)


def resources_for_index(ids: Iterable[int] | None = None) -> QuerySet[Resource]:
    qs = Resource.objects.filter(status=Status.PUBLISHED)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.select_related("publisher").prefetch_related(*PREFETCH).order_by("pk")


_ancestors: dict[int, list[str]] = {}
_codes: dict[int, str] = {}


def subject_codes_with_ancestors(concept_ids: list[int]) -> list[str]:
    """A resource's subjects and every broader concept above them, so subject facets roll up the
    thesaurus: filtering by Education finds resources described with Adult education."""
    if any(cid not in _ancestors for cid in concept_ids):
        _load_hierarchy()
    codes: list[str] = []
    for cid in concept_ids:
        for code in [_codes.get(cid, ""), *_ancestors.get(cid, [])]:
            if code and code not in codes:
                codes.append(code)
    return codes


def _load_hierarchy() -> None:
    from llrc.vocabularies.models import Concept, Scheme

    parent: dict[int, int | None] = {}
    for cid, code, broader in Concept.objects.filter(scheme=Scheme.SUBJECT).values_list(
        "id", "code", "broader_id"
    ):
        _codes[cid] = code
        parent[cid] = broader
    for cid in parent:
        chain, node, seen = [], parent.get(cid), {cid}
        while node is not None and node not in seen:
            chain.append(_codes[node])
            seen.add(node)
            node = parent.get(node)
        _ancestors[cid] = chain


def build_document(resource: Resource) -> IndexDocument:
    texts = list(resource.text_values.all())
    title, body, subject = IndexStreams(), IndexStreams(), IndexStreams()
    for text in texts:
        (title if text.field == "title" else body).add(text.value, text.language)
    for collection in resource.collections.all():
        for lang, value in collection.title.items():
            body.add(value, lang)
    # Words inside attached files are searchable too (issue 3, full text); the service finds the page.
    for stored in resource.files.all():
        for page in stored.pages.all():
            body.add(page.text, stored.language)
    for keyword in resource.keywords or []:
        subject.add(keyword)
    own_languages = {t.language.split("-")[0] for t in texts}
    for field in ("subjects", "target_groups", "countries", "regions"):
        for concept in getattr(resource, field).all():
            for lang, label in {**concept.labels, **concept.local_labels}.items():
                # With concepts switched off, only labels in the resource's own languages are indexed.
                if settings.SEARCH_CONCEPTS or lang.split("-")[0] in own_languages:
                    subject.add(str(label), lang)
            if settings.SEARCH_CONCEPTS:
                for label in concept.alt_labels:
                    subject.add(str(label))
    creators = [c.agent.name for c in resource.contributions.all()]
    for c in resource.contributions.all():
        creators.extend(c.agent.other_names)
    if resource.publisher:
        creators.append(resource.publisher.name)
    identifiers: list[str] = []
    for ident in resource.identifiers.all():
        identifiers.append(ident.value.lower())
        identifiers.append(ident.value.replace("-", "").lower())
    collection_slugs: list[str] = []
    for collection in resource.collections.all():
        for node in collection.path():
            if node.slug not in collection_slugs:
                collection_slugs.append(node.slug)
    titles = {t.language: t.value for t in texts if t.field == "title"}
    sort_title = normalise(titles.get("en") or next(iter(titles.values()), ""))[:200]
    return IndexDocument(
        id=resource.pk,
        text={
            "title": " ".join(title.tokens),
            "body": " ".join(body.tokens),
            "creator": index_text(*creators),
            "subject": " ".join(subject.tokens),
            "identifier": " ".join(dict.fromkeys(identifiers)) + " " + index_text(*identifiers),
            "stem": " ".join(title.stems + body.stems + subject.stems),
            "pinyin": " ".join(title.pinyin + body.pinyin + subject.pinyin),
        },
        facets={
            "type": [resource.resource_type],
            "language": [c.code for c in resource.languages.all()],
            "country": [c.code for c in resource.countries.all()],
            "region": [c.code for c in resource.regions.all()],
            "year": [str(resource.year)] if resource.year else [],
            "subject": subject_codes_with_ancestors([c.pk for c in resource.subjects.all()]),
            "target_group": [c.code for c in resource.target_groups.all()],
            "sdg": [c.code for c in resource.sdg_targets.all()],
            "collection": collection_slugs,
            "status": [resource.status],
        },
        year=resource.year,
        created=resource.created.timestamp() if resource.created else 0.0,
        sort_title=sort_title,
    )


def vector_text(resource: Resource) -> str:
    """What the sentence encoder reads: titles in every language, then the summary in the original one."""
    texts = list(resource.text_values.all())
    titles = [t.value for t in texts if t.field == "title"]
    original = resource.original_language()
    summaries = sorted(
        (t for t in texts if t.field == "summary"),
        key=lambda t: (t.language != original, t.language),
    )
    return ". ".join([*titles, *(t.value for t in summaries[:1])])
