"""Request and response shapes of /api/v1 (they also make the OpenAPI document)."""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import ConfigDict


class Labelled(Schema):
    code: str
    label: str


class CreatorOut(Schema):
    name: str
    kind: str
    role: str


class IdentifierOut(Schema):
    scheme: str
    value: str


class FileOut(Schema):
    name: str
    url: str
    media_type: str
    size: int
    sha256: str
    language: str


class RelationOut(Schema):
    kind: str
    resource_id: int


class ResourceSummary(Schema):
    id: int
    url: str
    type: str
    title: str
    title_language: str
    date_issued: str
    snippet: str = ""
    is_demo: bool
    languages: list[Labelled] = []
    why: str = ""
    # The query's words it does not hold, when resources holding some of them are listed.
    missing_words: list[str] = []
    in_file: dict[str, str | int] | None = None


class ResourceOut(ResourceSummary):
    titles: dict[str, str]
    original_language: str
    summaries: dict[str, str]
    plain_summaries: dict[str, str]
    creators: list[CreatorOut]
    publisher: str | None
    languages: list[Labelled]
    countries: list[Labelled]
    regions: list[Labelled]
    subjects: list[Labelled]
    sdg_targets: list[Labelled]
    target_groups: list[Labelled]
    education_levels: list[Labelled]
    keywords: list[str]
    licence: Labelled | None
    access_rights: str
    identifiers: list[IdentifierOut]
    collections: list[str]
    files: list[FileOut]
    relations: list[RelationOut]
    created: str
    modified: str
    # As the record's page lists them: nearest in meaning, then sharing its subjects or collections.
    related: list[ResourceSummary] = []


class BucketOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    total: int
    page: int
    page_size: int
    results: list[ResourceSummary]
    facets: dict[str, list[BucketOut]]
    # The facets listed with their most frequent values only: all_values=<facet> lists one whole.
    facets_cut: list[str] = []
    notices: list[str]
    suggestion: str = ""
    next_cursor: str | None = None


class StrictIn(Schema):
    # A field the API does not read is refused by name: dropped in silence, a client writing "summary"
    # for "summaries" lost its summary and was told 201.
    model_config = ConfigDict(extra="forbid")


class CreatorIn(StrictIn):
    name: str
    kind: str = "organisation"
    role: str = "author"


class IdentifierIn(StrictIn):
    scheme: str
    value: str


class RelationIn(StrictIn):
    kind: str = Field(..., description="translation_of, part_of, version_of, references")
    resource_id: int = Field(..., description="the other resource")


class ResourceIn(StrictIn):
    type: str = Field(
        ..., description="publication, report, policy, legislation, good_practice, ..."
    )
    titles: dict[str, str] = Field(
        ..., description='Title by language tag, e.g. {"en": "...", "zh-hans": "..."}'
    )
    original_language: str = ""
    summaries: dict[str, str] = {}
    plain_summaries: dict[str, str] = {}
    creators: list[CreatorIn] = []
    publisher: str | None = None
    date_issued: str = Field("", description="YYYY, YYYY-MM or YYYY-MM-DD")
    languages: list[str] = []
    countries: list[str] = []
    regions: list[str] = []
    subjects: list[str] = []
    sdg_targets: list[str] = []
    target_groups: list[str] = []
    education_levels: list[str] = []
    keywords: list[str] = Field([], description="Free keywords, as the source gave them")
    licence: str | None = None
    access_rights: str = "unknown"
    identifiers: list[IdentifierIn] = []
    collections: list[str] = []
    status: str = "published"
    relations: list[RelationIn] = Field(
        [], description="Links to resources already here; a translation is recorded both ways"
    )


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class CollectionOut(Schema):
    slug: str
    title: str
    titles: dict[str, str]
    description: str
    institution: str
    parent: str | None
    resource_count: int | None = None


class ConceptOut(Schema):
    code: str
    label: str
    labels: dict[str, str]
    local_labels: dict[str, str]
    broader: str | None
    uri: str


class SchemeOut(Schema):
    scheme: str
    name: str
    concepts: int
