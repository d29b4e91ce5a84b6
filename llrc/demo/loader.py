"""Load the demo collection through the catalogue services, exactly as a curator's entries would go in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from llrc.catalogue import services
from llrc.catalogue.models import Collection, Institution, RelationKind, Resource
from llrc.catalogue.validation import CreatorData, ResourceData
from llrc.search import services as search_services

DATA = Path(__file__).resolve().parent / "data"
DEMO_SOURCE = "llrc demo collection"

Say = Callable[[str], None]


def load_collections() -> None:
    spec = json.loads((DATA / "collections.json").read_text(encoding="utf-8"))
    institutions = {}
    for slug, name in spec["institutions"].items():
        institutions[slug], _ = Institution.objects.update_or_create(
            slug=slug, defaults={"name": name}
        )
    for position, item in enumerate(spec["collections"]):
        parent = Collection.objects.get(slug=item["parent"]) if item["parent"] else None
        Collection.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "institution": institutions[item["institution"]],
                "parent": parent,
                "title": item["title"],
                "description": item["description"],
                "position": position,
            },
        )


def _from_json(item: dict) -> ResourceData:  # type: ignore[type-arg]
    return ResourceData(
        resource_type=item["type"],
        titles=item["title"],
        original_language=item.get("original_language", "en"),
        summaries=item.get("summary") or {},
        plain_summaries=item.get("plain_summary") or {},
        creators=[
            CreatorData(c["name"], c.get("kind", "organisation"), c.get("role", "author"))
            for c in item["creators"]
        ],
        publisher=item.get("publisher"),
        date_issued=item.get("issued") or "",
        languages=item.get("languages") or [],
        countries=item.get("countries") or [],
        regions=item.get("regions") or [],
        subjects=item.get("subjects") or [],
        sdg_targets=item.get("sdg_targets") or [],
        target_groups=item.get("target_groups") or [],
        licence=item.get("licence"),
        access_rights=item.get("access_rights") or "unknown",
        collections=item.get("collections") or [],
        is_demo=True,
        source=f"{DEMO_SOURCE}: {item['key']}",
    )


def _described_resources() -> list[dict]:  # type: ignore[type-arg]
    items = []
    for path in sorted((DATA / "resources").glob("*.json")):
        items.extend(json.loads(path.read_text(encoding="utf-8"))["resources"])
    return items


def _csl_records() -> list[ResourceData]:
    out = []
    for line in (
        (DATA / "csl" / "csl_education_and_lis_subset.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ):
        if not line.strip():
            continue
        row = json.loads(line)
        out.append(
            ResourceData(
                resource_type="article",
                titles={"zh-hans": row["title"].strip()},
                original_language="zh-hans",
                summaries={"zh-hans": row["abstract"].strip()},
                languages=["zh"],
                countries=["CN"],
                regions=["030"],
                keywords=row.get("keywords", []),
                access_rights="metadata_only",
                collections=["research-zh"],
                is_demo=True,
                source=f"CSL Chinese Scientific Literature dataset (Apache-2.0): {row['id']}",
            )
        )
    return out


def _manual(lang: str) -> ResourceData:
    english = lang == "en"
    return ResourceData(
        resource_type="toolkit",
        titles={
            "en": "Debian Edu / Skolelinux Bullseye manual",
            "zh-hans": "Debian Edu / Skolelinux Bullseye 使用手册",
        },
        original_language="en" if english else "zh-hans",
        summaries={
            "en": "The handbook of Debian Edu (Skolelinux), a free operating system made for schools: how to "
            "install it, set up a school network with servers, thin clients and workstations, manage users "
            "and keep the system up to date."
            + ("" if english else " This is the Simplified Chinese translation."),
            "zh-hans": "Debian Edu(Skolelinux)是一套为学校打造的自由操作系统,本手册介绍如何安装系统、"
            "搭建由服务器、瘦客户机和工作站组成的校园网络、管理用户以及保持系统更新。"
            + ("这是英文原版。" if english else "这是简体中文译本。"),
        },
        plain_summaries={
            "en": "A guide for the people who look after computers in a school.",
            "zh-hans": "一本写给学校电脑管理员的指南。",
        },
        creators=[CreatorData("Debian Edu / Skolelinux project", "organisation", "author")]
        + (
            [] if english else [CreatorData("Debian Edu translators", "organisation", "translator")]
        ),
        publisher="Debian",
        languages=["en" if english else "zh"],
        licence="GPL-2.0-or-later",
        access_rights="open",
        collections=["toolkits"],
        is_demo=True,
        source="Debian package debian-edu-doc-"
        + ("en" if english else "zh-cn")
        + " 2.12.23~deb12u1",
    )


def load_demo(*, say: Say | None = None) -> int:
    """Load the demo collection once; returns the number of resources created (0 if already there)."""
    report = say or (lambda _m: None)
    if Resource.objects.filter(is_demo=True).exists():
        report("demo collection already loaded")
        return 0
    created = 0
    with search_services.deferred_indexing(), transaction.atomic():
        load_collections()
        for item in _described_resources():
            services.create_resource(_from_json(item), actor=None)
            created += 1
        report(f"described resources: {created}")
        for data in _csl_records():
            services.create_resource(data, actor=None)
            created += 1
        report(f"with the CSL research abstracts: {created}")
        manuals = {}
        for lang, filename in (
            ("en", "debian-edu-bullseye-manual-en.pdf"),
            ("zh-hans", "debian-edu-bullseye-manual-zh-cn.pdf"),
        ):
            resource = services.create_resource(_manual(lang), actor=None)
            services.attach_file(
                resource,
                name=filename,
                content=(DATA / "debian-edu" / filename).read_bytes(),
                language=lang,
                actor=None,
            )
            manuals[lang] = resource
            created += 1
        services.add_relation(
            manuals["zh-hans"], RelationKind.TRANSLATION_OF, manuals["en"], actor=None
        )
        report(f"with the Debian Edu manual in two languages: {created}")
    return created
