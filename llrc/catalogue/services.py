"""Every write to the catalogue goes through these functions (DESIGN.md: one way in).

Each runs in one transaction, writes an audit row, and hands the search index its update in
`transaction.on_commit`, so the index never sees a change that did not commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q

from llrc.catalogue.models import (
    Agent,
    AuditEntry,
    Collection,
    Contribution,
    FilePage,
    Identifier,
    Relation,
    RelationKind,
    Resource,
    ResourceFile,
    ResourceText,
)
from llrc.catalogue.validation import (
    ResourceData,
    ValidResource,
    known_language_tag,
    normalise_language_tag,
    validate_relation,
    validate_resource_data,
)
from llrc.ingest.text import extract_pages
from llrc.search.analysis import fold_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Actor = AbstractBaseUser | AnonymousUser | None

MAX_FILE_BYTES = 512 * 1024 * 1024


def _audit(
    action: str, resource_id: int | None, *, actor: Actor, detail: dict[str, Any] | None = None
) -> None:
    # The audit's actor is a key to AUTH_USER_MODEL, the one user class there is; the stubs call it User.
    user = cast("User", actor) if isinstance(actor, AbstractBaseUser) else None
    AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        resource_id_ref=resource_id,
        detail=detail or {},
    )


def _reindex_on_commit(resource_ids: list[int]) -> None:
    # Imported here: search depends on the catalogue's models, not the other way round.
    from llrc.search import services as search_services

    transaction.on_commit(lambda: search_services.index_resources(resource_ids))


def _unindex_on_commit(resource_ids: list[int]) -> None:
    from llrc.search import services as search_services

    transaction.on_commit(lambda: search_services.remove_resources(resource_ids))


def _get_agent(name: str, kind: str) -> Agent:
    agent, _ = Agent.objects.get_or_create(name=name.strip(), kind=kind)
    return agent


def _write_fields(resource: Resource, valid: ValidResource) -> None:
    data = valid.data
    resource.resource_type = data.resource_type
    resource.status = data.status
    resource.date_issued = data.date_issued.strip()
    resource.year = valid.year
    resource.publisher = _get_agent(data.publisher, "organisation") if data.publisher else None
    resource.licence = valid.licence
    resource.access_rights = data.access_rights
    resource.keywords = data.keywords
    resource.is_demo = data.is_demo
    resource.source = data.source
    resource.save()

    resource.text_values.all().delete()
    ResourceText.objects.bulk_create(
        ResourceText(
            resource=resource,
            field=field,
            language=lang,
            value=value,
            is_original=(lang == data.original_language),
        )
        for field, values in valid.texts.items()
        for lang, value in values.items()
    )
    for attr, concepts in valid.concepts.items():
        getattr(resource, attr).set(concepts)
    resource.collections.set(valid.collections)

    resource.contributions.all().delete()
    for position, creator in enumerate(data.creators):
        Contribution.objects.get_or_create(
            resource=resource,
            agent=_get_agent(creator.name, creator.kind),
            role=creator.role,
            defaults={"position": position},
        )
    resource.identifiers.all().delete()
    Identifier.objects.bulk_create(
        Identifier(resource=resource, scheme=scheme, value=value)
        for scheme, value in valid.identifiers
    )


def create_resource(data: ResourceData, *, actor: Actor) -> Resource:
    """Validate a complete description and store it as a new resource."""
    valid = validate_resource_data(data)
    with transaction.atomic():
        resource = Resource()
        _write_fields(resource, valid)
        _audit("create", resource.pk, actor=actor, detail={"title": resource.display_title("en")})
        _reindex_on_commit([resource.pk])
        for kind, target in valid.relations:
            add_relation(resource, kind, target, actor=actor)
    return resource


def update_resource(resource: Resource, data: ResourceData, *, actor: Actor) -> Resource:
    """Replace a resource's description with `data`; files and relations are kept, and the relations
    in `data` added to them."""
    valid = validate_resource_data(data)
    with transaction.atomic():
        _write_fields(resource, valid)
        _audit("update", resource.pk, actor=actor)
        _reindex_on_commit([resource.pk])
        for kind, target in valid.relations:
            add_relation(resource, kind, target, actor=actor)
    return resource


def delete_resource(resource: Resource, *, actor: Actor) -> None:
    """Delete a resource and its descriptions; it leaves the search results as soon as this commits."""
    resource_id = resource.pk
    with transaction.atomic():
        _audit("delete", resource_id, actor=actor, detail={"title": resource.display_title("en")})
        resource.delete()
        _unindex_on_commit([resource_id])


def record_admin_save(resource: Resource, *, actor: Actor, created: bool) -> None:
    """The admin saves through Django's forms (validated with the same checks); this finishes the write."""
    Resource.objects.filter(pk=resource.pk).update(year=_year_of(resource.date_issued))
    _audit("create" if created else "update", resource.pk, actor=actor, detail={"via": "admin"})
    _reindex_on_commit([resource.pk])


def record_agent_save(agent: Agent, *, actor: Actor, changed: list[str]) -> None:
    """The admin saves an agent through its form; this finishes the write. The index holds each
    resource's creators' and publisher's names (and other names), so a renamed agent's resources are
    reindexed on commit: the old name was still found by word and the new one only by meaning."""
    resource_ids: list[int] = []
    if {"name", "other_names"} & set(changed):
        resource_ids = sorted(
            set(
                Resource.objects.filter(
                    Q(contributions__agent=agent) | Q(publisher=agent)
                ).values_list("pk", flat=True)
            )
        )
    _audit(
        "update_agent",
        None,
        actor=actor,
        detail={
            "agent": agent.pk,
            "name": agent.name,
            "changed": changed,
            "resources": len(resource_ids),
        },
    )
    if resource_ids:
        _reindex_on_commit(resource_ids)


def _collection_members(collection: Collection, *, below: bool) -> list[int]:
    """Resources in the collection, and with `below` in every collection under it too."""
    ids = {collection.pk}
    if below:
        # Walked in Python: a few hundred collections at most, and the admin refuses cycles.
        children: dict[int | None, list[int]] = {}
        for cid, parent in Collection.objects.values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(cid)
        todo = [collection.pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in ids:
                    ids.add(child)
                    todo.append(child)
    through = Resource.collections.through
    return sorted(
        set(through.objects.filter(collection_id__in=ids).values_list("resource_id", flat=True))
    )


def record_collection_save(collection: Collection, *, actor: Actor, changed: list[str]) -> None:
    """The admin saves a collection through its form; this finishes the write. The index holds the
    titles of each resource's collections (its words) and the slugs of them and of every collection above
    them (the collection filter): a retitled collection's resources, and a moved or renamed one's and
    those of the collections under it, are reindexed on commit, or the filter and the words stay old."""
    resource_ids: list[int] = []
    if {"slug", "parent"} & set(changed):
        resource_ids = _collection_members(collection, below=True)
    elif any(name == "title" or name.startswith("title_") for name in changed):
        resource_ids = _collection_members(collection, below=False)
    _audit(
        "update_collection",
        None,
        actor=actor,
        detail={"collection": collection.slug, "changed": changed, "resources": len(resource_ids)},
    )
    if resource_ids:
        _reindex_on_commit(resource_ids)


def delete_collection(collection: Collection, *, actor: Actor) -> None:
    """Delete a collection (one with collections under it is protected by the database); its resources
    stay, out of it, and are reindexed on commit so that its filter no longer finds them."""
    with transaction.atomic():
        resource_ids = _collection_members(collection, below=False)
        _audit(
            "delete_collection",
            None,
            actor=actor,
            detail={"collection": collection.slug, "resources": len(resource_ids)},
        )
        collection.delete()
        if resource_ids:
            _reindex_on_commit(resource_ids)


def _year_of(date_issued: str) -> int | None:
    from llrc.lib.identifiers import parse_partial_date

    try:
        return parse_partial_date(date_issued)[0] if date_issued else None
    except ValueError:
        return None


def add_relation(source: Resource, kind: str, target: Resource, *, actor: Actor) -> Relation:
    """Relate two resources; a translation is recorded in both directions because it is symmetric."""
    validate_relation(source.pk, kind, target.pk)
    with transaction.atomic():
        relation, _ = Relation.objects.get_or_create(source=source, kind=kind, target=target)
        if kind == RelationKind.TRANSLATION_OF:
            Relation.objects.get_or_create(source=target, kind=kind, target=source)
        _audit("relate", source.pk, actor=actor, detail={"kind": kind, "target": target.pk})
        _reindex_on_commit([source.pk, target.pk])
    return relation


def remove_relation(relation: Relation, *, actor: Actor) -> None:
    """Remove a relation; a translation goes in both directions, as add_relation recorded it."""
    with transaction.atomic():
        Relation.objects.filter(pk=relation.pk).delete()
        if relation.kind == RelationKind.TRANSLATION_OF:
            Relation.objects.filter(
                source_id=relation.target_id, kind=relation.kind, target_id=relation.source_id
            ).delete()
        _audit(
            "unrelate",
            relation.source_id,
            actor=actor,
            detail={"kind": relation.kind, "target": relation.target_id},
        )
        _reindex_on_commit([relation.source_id, relation.target_id])


def _sniff_media_type(name: str, head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and name.lower().endswith(".epub"):
        return "application/epub+zip"
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _store_bytes(content: bytes) -> tuple[str, str, bool]:
    """Write content to the file store under its SHA-256; returns (relative path, digest, whether
    this call wrote it: the bytes were not in the store before)."""
    digest = hashlib.sha256(content).hexdigest()
    relative = f"resources/{digest[:2]}/{digest[2:4]}/{digest}"
    target = Path(settings.FILES_DIR) / relative
    written = _write_bytes(target, content)
    return relative, digest, written


def _write_bytes(target: Path, content: bytes) -> bool:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename: a crash never leaves a half-written file under its digest.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True
    return False


def _forget_bytes(relative: str, digest: str) -> None:
    """Remove stored bytes no file refers to any more (after a delete, or a failed attach)."""
    if ResourceFile.objects.filter(sha256=digest).exists():
        return  # the same bytes are attached elsewhere: they are stored once for all
    (Path(settings.FILES_DIR) / relative).unlink(missing_ok=True)


def release_deleted_file(stored: ResourceFile) -> None:
    """Called for every deleted file row, however it was deleted (a resource's delete cascades to its
    files; the admin deletes a file from its inline): once the delete commits, the bytes go too unless
    another file holds the same ones. Left behind, they would be unreachable and never cleaned up."""
    relative, digest = stored.file.name, stored.sha256
    if relative and digest:
        transaction.on_commit(lambda: _forget_bytes(relative, digest))


def file_path(stored: ResourceFile) -> Path:
    """Where a stored file's bytes are (under LLRC_DATA_DIR/files)."""
    if not stored.file.name:
        raise FileNotFoundError(f"file {stored.pk} has no stored bytes")
    return Path(settings.FILES_DIR) / stored.file.name


@dataclass
class FileStoreReport:
    """What `check_file_store` found: files whose bytes are gone or changed (by file id), and bytes in
    the store no file refers to (relative paths; `removed` when they were deleted)."""

    checked: int = 0
    missing: list[int] = field(default_factory=list)
    damaged: list[int] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)
    removed: bool = False

    @property
    def sound(self) -> bool:
        return not self.missing and not self.damaged


UNREFERENCED_GRACE = 3600.0  # seconds: bytes of an attach whose transaction has not committed yet


def check_file_store(
    *, remove_unreferenced: bool = False, grace: float = UNREFERENCED_GRACE
) -> FileStoreReport:
    """Fixity check of the file store, as preservation repositories run it: every file's bytes are read
    again and their SHA-256 compared with the one recorded when they were attached, so that a bad disk
    or a hand's mistake is found while a backup still holds the right bytes. Bytes no file refers to
    (an attach inside a transaction that was rolled back after it stored them) are listed, and removed
    when asked, unless younger than `grace`: an attach in progress stores its bytes before its row
    commits."""
    report = FileStoreReport()
    root = Path(settings.FILES_DIR)
    referenced: set[str] = set()
    for file_id, relative, digest in ResourceFile.objects.order_by("pk").values_list(
        "pk", "file", "sha256"
    ):
        report.checked += 1
        referenced.add(relative)
        try:
            with (root / relative).open("rb") as handle:
                actual = hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            report.missing.append(file_id)
            continue
        if actual != digest:
            report.damaged.append(file_id)
    store = root / "resources"
    now = time.time()
    for path in sorted(store.glob("??/??/*")) if store.is_dir() else ():
        relative = path.relative_to(root).as_posix()
        if relative in referenced or not path.is_file() or path.name.startswith(".incoming-"):
            continue
        if now - path.stat().st_mtime < grace:
            continue
        report.unreferenced.append(relative)
    if remove_unreferenced:
        for relative in report.unreferenced:
            # Asks the database again: an attach may just have used them.
            _forget_bytes(relative, relative.rsplit("/", 1)[-1])
        report.removed = True
    return report


def attach_file(
    resource: Resource, *, name: str, content: bytes, language: str = "", actor: Actor
) -> ResourceFile:
    """Store a file with the resource; the bytes are kept once per SHA-256 however often they are attached."""
    errors: dict[str, list[str]] = {}
    clean_name = os.path.basename(name.strip().replace("\\", "/"))
    if not clean_name:
        errors["file"] = ["the file needs a name"]
    if not content:
        errors.setdefault("file", []).append("the file is empty")
    elif len(content) > MAX_FILE_BYTES:
        errors.setdefault("file", []).append(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
        )
    language = normalise_language_tag(language)
    if language and not known_language_tag(language):
        # The admin's form checks it too; this is for every other caller (loaders, scripts).
        errors["language"] = [f"unknown language code {language!r}"]
    if errors:
        raise ValidationError(errors)
    relative, digest, written = _store_bytes(content)
    target = Path(settings.FILES_DIR) / relative
    try:
        media_type = _sniff_media_type(clean_name, content[:8])
        # Extracted before the transaction: reading a long PDF must not hold the database's write lock.
        extracted = extract_pages(target, media_type)
        with transaction.atomic():
            stored = ResourceFile.objects.create(
                resource=resource,
                file=relative,
                name=clean_name,
                media_type=media_type,
                size=len(content),
                sha256=digest,
                language=language,
                text_status=extracted.status,
            )
            FilePage.objects.bulk_create(
                FilePage(file=stored, number=number, text=text, folded=fold_text(text))
                for number, text in enumerate(extracted.pages, start=1)
                if text
            )
            _audit(
                "attach_file",
                resource.pk,
                actor=actor,
                detail={"name": clean_name, "sha256": digest},
            )
            _reindex_on_commit([resource.pk])
            # A delete of another file with the same bytes, committed while this attach was not yet,
            # found no row holding them and removed them: once this commits, they are put back.
            transaction.on_commit(lambda: _write_bytes(target, content))
    except BaseException:
        if written:
            # Nothing refers to bytes this call stored for a file that was not attached. A broken
            # transaction cannot say whether they are used: then they are kept.
            with contextlib.suppress(DatabaseError):
                _forget_bytes(relative, digest)
        raise
    return stored
