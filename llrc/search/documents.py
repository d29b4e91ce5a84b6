"""Turn a catalogue resource into the document every search backend indexes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from llrc.catalogue.models import Resource, Status
from llrc.search.analysis import index_text
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
)


def resources_for_index(ids: Iterable[int] | None = None) -> QuerySet[Resource]:
    qs = Resource.objects.filter(status=Status.PUBLISHED)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.select_related("publisher").prefetch_related(*PREFETCH).order_by("pk")


def build_document(resource: Resource) -> IndexDocument:
    texts = list(resource.text_values.all())
    titles = [t.value for t in texts if t.field == "title"]
    bodies = [t.value for t in texts if t.field != "title"]
    creators = [c.agent.name for c in resource.contributions.all()]
    for c in resource.contributions.all():
        creators.extend(c.agent.other_names)
    if resource.publisher:
        creators.append(resource.publisher.name)
    concept_labels: list[str] = list(resource.keywords or [])
    for field in ("subjects", "target_groups", "countries", "regions"):
        for concept in getattr(resource, field).all():
            concept_labels.extend(concept.all_labels())
    identifiers: list[str] = []
    for ident in resource.identifiers.all():
        identifiers.append(ident.value.lower())
        identifiers.append(ident.value.replace("-", "").lower())
    collection_slugs: list[str] = []
    collection_titles: list[str] = []
    for collection in resource.collections.all():
        for node in collection.path():
            if node.slug not in collection_slugs:
                collection_slugs.append(node.slug)
        collection_titles.extend(collection.title.values())
    return IndexDocument(
        id=resource.pk,
        text={
            "title": index_text(*titles),
            "body": index_text(*bodies, *collection_titles),
            "creator": index_text(*creators),
            "subject": index_text(*concept_labels),
            "identifier": " ".join(dict.fromkeys(identifiers)) + " " + index_text(*identifiers),
        },
        facets={
            "type": [resource.resource_type],
            "language": [c.code for c in resource.languages.all()],
            "country": [c.code for c in resource.countries.all()],
            "region": [c.code for c in resource.regions.all()],
            "year": [str(resource.year)] if resource.year else [],
            "subject": [c.code for c in resource.subjects.all()],
            "target_group": [c.code for c in resource.target_groups.all()],
            "sdg": [c.code for c in resource.sdg_targets.all()],
            "collection": collection_slugs,
            "status": [resource.status],
        },
        year=resource.year,
        created=resource.created.timestamp() if resource.created else 0.0,
    )


def iter_documents(
    ids: Iterable[int] | None = None, *, chunk: int = 500
) -> Iterator[IndexDocument]:
    for resource in resources_for_index(ids).iterator(chunk_size=chunk):
        yield build_document(resource)
