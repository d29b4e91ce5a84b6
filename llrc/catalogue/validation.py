"""Validation of a resource description before anything is written.

Every check runs and every problem is collected, so a curator sees all of them at once; the error maps
field name -> messages (Django's ValidationError with a dict), which the admin and the API both render.
The problems the admin shows too (`text_problem`, `name_problem`, relations, and those of lib.text and
lib.identifiers) are in the language active when they are found; a whole description's are English
(`validate_resource_data`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, pgettext

from llrc.catalogue.models import (
    AccessRights,
    AgentKind,
    Collection,
    CreatorRole,
    IdentifierScheme,
    RelationKind,
    Resource,
    ResourceType,
    Status,
)
from llrc.lib.identifiers import normalise_date, normalise_identifier, parse_partial_date
from llrc.lib.text import is_blank, not_text, unclosed_direction
from llrc.vocabularies.models import Concept, Scheme

MAX_TITLE = 2000
MAX_SUMMARY = 20000
MAX_NAME = 300  # Agent.name: a creator's or publisher's name
MAX_IDENTIFIER = 500  # Identifier.value, once normalised
MAX_LANGUAGE_TAG = 16  # ResourceText.language, ResourceFile.language
_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
TEXT_LIMITS = {"title": MAX_TITLE, "summary": MAX_SUMMARY, "plain_summary": MAX_SUMMARY}


@dataclass
class CreatorData:
    name: str
    kind: str = AgentKind.ORGANISATION
    role: str = CreatorRole.AUTHOR


@dataclass
class ResourceData:
    """A complete description of a resource in plain values (codes, slugs, strings)."""

    resource_type: str
    titles: dict[str, str]
    original_language: str = ""
    summaries: dict[str, str] = field(default_factory=dict)
    plain_summaries: dict[str, str] = field(default_factory=dict)
    creators: list[CreatorData] = field(default_factory=list)
    publisher: str | None = None
    date_issued: str = ""
    languages: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    sdg_targets: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    education_levels: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    licence: str | None = None
    access_rights: str = AccessRights.UNKNOWN
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    status: str = Status.PUBLISHED
    is_demo: bool = False
    source: str = ""
    # (kind, id of the other resource): a Chinese version submitted as the translation of an English
    # one is linked as it is created, both ways, in the same transaction.
    relations: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ValidResource:
    """ResourceData after validation: vocabulary codes resolved to concepts, identifiers normalised."""

    data: ResourceData
    year: int | None
    concepts: dict[str, list[Concept]]
    licence: Concept | None
    identifiers: list[tuple[str, str]]
    collections: list[Collection]
    texts: dict[str, dict[str, str]]
    relations: list[tuple[str, Resource]] = field(default_factory=list)


# Which ResourceData attribute is checked against which scheme.
CONCEPT_FIELDS: dict[str, Scheme] = {
    "languages": Scheme.LANGUAGE,
    "countries": Scheme.COUNTRY,
    "regions": Scheme.REGION,
    "subjects": Scheme.SUBJECT,
    "sdg_targets": Scheme.SDG,
    "target_groups": Scheme.TARGET_GROUP,
    "education_levels": Scheme.ISCED,
}

_SCHEME_NOUN = {
    Scheme.LANGUAGE: "language code (ISO 639-1, e.g. en, zh)",
    Scheme.COUNTRY: "country code (ISO 3166-1 alpha-2, e.g. CN)",
    Scheme.REGION: "region code (UN M49, e.g. 142)",
    Scheme.SUBJECT: "UNESCO Thesaurus concept (e.g. concept1488)",
    Scheme.SDG: "SDG target (e.g. 4.6)",
    Scheme.TARGET_GROUP: "target group",
    Scheme.ISCED: "ISCED 2011 level (0-9)",
}


def normalise_language_tag(tag: str) -> str:
    return tag.strip().replace("_", "-").lower()


def known_language_tag(tag: str) -> bool:
    """A text's language: an ISO 639-1 code in the vocabulary, optionally with a script (zh-hans), in
    at most MAX_LANGUAGE_TAG characters (the columns' length: a longer tag failed PostgreSQL's write)."""
    if len(tag) > MAX_LANGUAGE_TAG or not _LANG_TAG.match(tag):
        return False
    base = tag.split("-")[0]
    return Concept.objects.filter(scheme=Scheme.LANGUAGE, code=base).exists()


def text_problem(field: str, value: str) -> str | None:
    """Why a title's or summary's value (`field`: title, summary, plain_summary), stripped and not
    blank, cannot be stored, as the end of a sentence naming it; the API and the admin both ask."""
    limit = TEXT_LIMITS[field]
    if len(value) > limit:
        return _longer_than(limit)
    return unclosed_direction(value)


def name_problem(name: str) -> str | None:
    """Why an agent's name, stripped and not blank, cannot be stored, as the end of a sentence naming
    it: a creator's or publisher's in a description, an agent's in the admin."""
    if len(name) > MAX_NAME:
        return _longer_than(MAX_NAME)
    return unclosed_direction(name)


def _longer_than(limit: int) -> str:
    return pgettext(
        "a problem of a value, after the words naming the value",
        "is longer than %(limit)d characters",
    ) % {"limit": limit}


def _check_texts(
    label: str, values: dict[str, str], errors: dict[str, list[str]]
) -> dict[str, str]:
    clean: dict[str, str] = {}
    for raw_tag, raw_value in values.items():
        tag = normalise_language_tag(raw_tag)
        value = (raw_value or "").strip()
        if not known_language_tag(tag):
            errors.setdefault(label, []).append(f"unknown language code {raw_tag!r}")
            continue
        if tag in clean:
            errors.setdefault(label, []).append(f"two values in language {tag!r}")
            continue
        # A value showing nothing ("\u200b") is no value, as one of spaces is not.
        if is_blank(value):
            continue
        problem = text_problem(label, value)
        if problem:
            errors.setdefault(label, []).append(f"the {tag} value {problem}")
            continue
        clean[tag] = value
    return clean


def _characters_errors(data: ResourceData) -> dict[str, list[str]]:
    """Every value of `data` holding a character that is not text (`lib.text.not_text`: a description
    holding one could not be exported as XML or stored in PostgreSQL), by field. Checked before anything
    else: the other checks look values up in the database, which cannot be sent some of them."""
    errors: dict[str, list[str]] = {}

    def check(label: str, what: str, value: str | None) -> None:
        problem = not_text(value) if value else None
        if problem:
            errors.setdefault(label, []).append(f"{what} {problem}")

    for label, texts in (
        ("title", data.titles),
        ("summary", data.summaries),
        ("plain_summary", data.plain_summaries),
    ):
        for tag, value in texts.items():
            check(label, "a language code", tag)
            check(label, f"the {tag!r} value", value)
    for attr in (
        "resource_type",
        "original_language",
        "date_issued",
        "publisher",
        "licence",
        "access_rights",
        "status",
    ):
        check(attr, "the value", getattr(data, attr))
    for attr in (*CONCEPT_FIELDS, "keywords", "collections"):
        for i, value in enumerate(getattr(data, attr)):
            check(attr, f"value {i + 1}", value)
    for i, (scheme, value) in enumerate(data.identifiers):
        check("identifiers", f"identifier {i + 1}'s scheme", scheme)
        check("identifiers", f"identifier {i + 1}", value)
    for i, creator in enumerate(data.creators):
        for what, value in (("name", creator.name), ("kind", creator.kind), ("role", creator.role)):
            check("creators", f"creator {i + 1}'s {what}", value)
    return errors


def validate_resource_data(data: ResourceData) -> ValidResource:
    """`data` checked whole, or a ValidationError naming every problem. Its messages are English, the
    language of the API and the command line that submit descriptions: their frames ("the zh value …",
    "creator 2's name …") are, and the problems within them (from lib.text, lib.identifiers), which
    speak the active language for the admin, are made to."""
    with translation.override("en"):
        return _validate_resource_data(data)


def _validate_resource_data(data: ResourceData) -> ValidResource:
    errors = _characters_errors(data)
    if errors:
        raise ValidationError(errors)

    if data.resource_type not in ResourceType.values:
        errors["resource_type"] = [
            f"unknown resource type {data.resource_type!r}; use one of {', '.join(ResourceType.values)}"
        ]
    if data.status not in Status.values:
        errors["status"] = [
            f"unknown status {data.status!r}; use one of {', '.join(Status.values)}"
        ]
    if data.access_rights not in AccessRights.values:
        errors["access_rights"] = [
            f"unknown access rights {data.access_rights!r}; use one of {', '.join(AccessRights.values)}"
        ]

    titles = _check_texts("title", data.titles, errors)
    if not titles and "title" not in errors:
        errors["title"] = ["a title is required in at least one language"]
    summaries = _check_texts("summary", data.summaries, errors)
    plain = _check_texts("plain_summary", data.plain_summaries, errors)

    original = normalise_language_tag(data.original_language) if data.original_language else ""
    if titles:
        if not original:
            original = next(iter(titles))
        elif original not in titles:
            errors.setdefault("original_language", []).append(
                f"the original language {data.original_language!r} has no title"
            )

    year = None
    data.date_issued = normalise_date(data.date_issued)
    if data.date_issued:
        try:
            year = parse_partial_date(data.date_issued)[0]
        except ValueError as exc:
            errors["date_issued"] = [str(exc)]

    concepts: dict[str, list[Concept]] = {}
    for attr, scheme in CONCEPT_FIELDS.items():
        codes = [c.strip() for c in getattr(data, attr) if c and c.strip()]
        if attr == "languages":
            codes = [normalise_language_tag(c).split("-")[0] for c in codes]
        found = {c.code: c for c in Concept.objects.filter(scheme=scheme, code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            errors[attr] = [
                f"unknown {_SCHEME_NOUN[scheme]}: {', '.join(repr(m) for m in missing)}"
            ]
        concepts[attr] = [found[c] for c in dict.fromkeys(codes) if c in found]

    # A publisher that shows nothing is none: the services would make an agent without a name.
    publisher = (data.publisher or "").strip()
    data.publisher = None if is_blank(publisher) else publisher
    publisher_problem = name_problem(data.publisher) if data.publisher else None
    if publisher_problem:
        errors["publisher"] = [f"the name {publisher_problem}"]

    licence = None
    if data.licence:
        licence = Concept.objects.filter(scheme=Scheme.LICENCE, code=data.licence).first()
        if licence is None:
            errors["licence"] = [
                f"unknown licence {data.licence!r}: use an SPDX identifier such as CC-BY-4.0"
            ]

    identifiers: list[tuple[str, str]] = []
    for id_scheme, value in data.identifiers:
        try:
            normalised = normalise_identifier(id_scheme, value)
        except ValueError as exc:
            errors.setdefault("identifiers", []).append(str(exc))
            continue
        if len(normalised) > MAX_IDENTIFIER:
            errors.setdefault("identifiers", []).append(
                f"a {id_scheme} identifier is longer than {MAX_IDENTIFIER} characters"
            )
            continue
        if (id_scheme, normalised) not in identifiers:
            identifiers.append((id_scheme, normalised))

    collections = list(Collection.objects.filter(slug__in=data.collections))
    missing_collections = sorted(set(data.collections) - {c.slug for c in collections})
    if missing_collections:
        errors["collections"] = [f"unknown collection: {', '.join(missing_collections)}"]

    for i, creator in enumerate(data.creators):
        if is_blank(creator.name):
            errors.setdefault("creators", []).append(f"creator {i + 1} has no name")
        elif problem := name_problem(creator.name.strip()):
            errors.setdefault("creators", []).append(f"creator {i + 1}'s name {problem}")
        if creator.kind not in AgentKind.values:
            errors.setdefault("creators", []).append(
                f"creator {i + 1}: unknown kind {creator.kind!r}"
            )
        if creator.role not in CreatorRole.values:
            errors.setdefault("creators", []).append(
                f"creator {i + 1}: unknown role {creator.role!r}"
            )

    relations: list[tuple[str, Resource]] = []
    others = Resource.objects.in_bulk([target for _kind, target in data.relations])
    for i, (kind, target) in enumerate(data.relations):
        if kind not in RelationKind.values:
            errors.setdefault("relations", []).append(
                f"relation {i + 1}: unknown kind {kind!r}; use one of {', '.join(RelationKind.values)}"
            )
        elif target not in others:
            errors.setdefault("relations", []).append(
                f"relation {i + 1}: there is no resource {target}"
            )
        else:
            relations.append((kind, others[target]))

    keywords = [k.strip() for k in data.keywords if k and not is_blank(k)]
    if any(len(k) > 200 for k in keywords):
        errors["keywords"] = ["a keyword is longer than 200 characters"]
    data.keywords = list(dict.fromkeys(keywords))

    if errors:
        raise ValidationError(errors)

    data.original_language = original
    return ValidResource(
        data=data,
        year=year,
        concepts=concepts,
        licence=licence,
        identifiers=identifiers,
        collections=collections,
        texts={"title": titles, "summary": summaries, "plain_summary": plain},
        relations=list(dict.fromkeys(relations)),
    )


def validate_relation_kind(kind: str) -> None:
    if kind not in RelationKind.values:
        raise ValidationError(
            {
                "relations": [
                    gettext("unknown relation %(kind)s; use one of %(known)s")
                    % {"kind": repr(kind), "known": ", ".join(RelationKind.values)}
                ]
            }
        )


def validate_relation(source_id: int | None, kind: str, target_id: int | None) -> None:
    """A relation's checks, for the services and the admin's relation rows alike."""
    validate_relation_kind(kind)
    if source_id is not None and source_id == target_id:
        raise ValidationError({"relations": [gettext("a resource cannot be related to itself")]})


def collection_cycle(collection_id: int | None, parent: Collection | None) -> list[Collection]:
    """The collections from `parent` up to the collection `collection_id` when putting it under `parent`
    would make it its own ancestor, else nothing. A collection in such a cycle is in no tree: the home
    page and /api/v1/collections, which walk the trees from their roots, lost it."""
    chain: list[Collection] = []
    node = parent
    while collection_id is not None and node is not None and node not in chain:
        chain.append(node)
        if node.pk == collection_id:
            return chain
        node = node.parent
    return []


def validate_identifier_scheme(scheme: str) -> None:
    if scheme not in IdentifierScheme.values:
        raise ValidationError({"identifiers": [f"unknown identifier scheme {scheme!r}"]})
