"""Read-side services: what pages, the API and exports show about the catalogue."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from llrc.catalogue.models import (
    Collection,
    Institution,
    Relation,
    Resource,
    ResourceFile,
    Status,
)
from llrc.lib.text import not_text

RESOURCE_PREFETCH = (
    "text_values",
    "contributions__agent",
    "languages",
    "countries",
    "regions",
    "subjects",
    "sdg_targets",
    "target_groups",
    "education_levels",
    "identifiers",
    "files",
    "collections__institution",
    "collections__parent",
)


def published_resources() -> QuerySet[Resource]:
    return Resource.objects.filter(status=Status.PUBLISHED)


def get_published_resource(resource_id: int) -> Resource | None:
    return (
        published_resources()
        .select_related("publisher", "licence")
        .prefetch_related(
            *RESOURCE_PREFETCH,
            Prefetch(
                "relations_out",
                queryset=Relation.objects.filter(target__status=Status.PUBLISHED).prefetch_related(
                    "target__text_values"
                ),
            ),
            Prefetch(
                "relations_in",
                queryset=Relation.objects.filter(source__status=Status.PUBLISHED).prefetch_related(
                    "source__text_values"
                ),
            ),
        )
        .filter(pk=resource_id)
        .first()
    )


def was_withdrawn(resource_id: int) -> bool:
    """Whether the resource was published and then withdrawn: a harvester must tell that from a number
    that never was one, to drop its copy."""
    return Resource.objects.filter(pk=resource_id, status=Status.WITHDRAWN).exists()


def latest_resources(limit: int = 8) -> list[Resource]:
    return list(
        published_resources()
        .prefetch_related("text_values", "languages")
        .order_by("-created", "-id")[:limit]
    )


@dataclass
class CollectionNode:
    collection: Collection
    count: int
    children: list[CollectionNode]


@dataclass
class InstitutionTree:
    institution: Institution
    collections: list[CollectionNode]


def collection_tree() -> list[InstitutionTree]:
    """Institutions with their collections as a tree, each with its count of published resources."""
    collections = list(
        Collection.objects.select_related("institution").annotate(
            n=Count("resources", filter=Q(resources__status=Status.PUBLISHED))
        )
    )
    nodes = {c.pk: CollectionNode(c, c.n, []) for c in collections}
    roots: dict[int, list[CollectionNode]] = {}
    for c in collections:
        if c.parent_id and c.parent_id in nodes:
            nodes[c.parent_id].children.append(nodes[c.pk])
        else:
            roots.setdefault(c.institution_id, []).append(nodes[c.pk])
    return [
        InstitutionTree(inst, roots.get(inst.pk, []))
        for inst in Institution.objects.all()
        if roots.get(inst.pk)
    ]


def get_published_file(file_id: int, name: str) -> ResourceFile | None:
    """A file of a published resource, by its number and the name in its link."""
    if not_text(name):  # no file's name holds one, and PostgreSQL cannot be asked for it (%00)
        return None
    return (
        ResourceFile.objects.select_related("resource")
        .filter(pk=file_id, name=name, resource__status=Status.PUBLISHED)
        .first()
    )


def get_collection(slug: str) -> Collection | None:
    if not_text(slug):  # no slug holds one, and PostgreSQL cannot be asked for it (%00 in a URL)
        return None
    return Collection.objects.select_related("institution", "parent").filter(slug=slug).first()


def published_count(collection: Collection) -> int:
    """How many published resources the collection holds itself, as `collection_tree` counts them."""
    return collection.resources.filter(status=Status.PUBLISHED).count()


def child_collections(collection: Collection) -> list[Collection]:
    return list(collection.children.all())


def translations_of(resource: Resource) -> list[Resource]:
    """Resources linked as translations, in either direction."""
    seen: dict[int, Resource] = {}
    for rel in resource.relations_out.all():
        if rel.kind == "translation_of":
            seen[rel.target_id] = rel.target
    for rel in resource.relations_in.all():
        if rel.kind == "translation_of":
            seen[rel.source_id] = rel.source
    return list(seen.values())
