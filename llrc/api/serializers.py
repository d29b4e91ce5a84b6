"""Plain dictionaries for API responses, built from service results."""

from __future__ import annotations

import html
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags

from llrc.catalogue.models import Collection, Resource, pick_text
from llrc.search.services import HitRecord, SearchHit, SearchPage
from llrc.vocabularies.models import Concept


def _labelled(concepts: Any, lang: str) -> list[dict[str, str]]:
    return [{"code": c.code, "label": c.label(lang)} for c in concepts]


def page_url(request: HttpRequest, resource_id: int, lang: str) -> str:
    code = lang if lang in ("en", "zh-hans") else "en"
    return request.build_absolute_uri(f"/{code}/resources/{resource_id}/")


def resource_summary(
    request: HttpRequest, resource: Resource | HitRecord, lang: str, snippet: str = ""
) -> dict[str, Any]:
    title, title_lang = pick_text(resource.texts("title"), lang)
    return {
        "id": resource.pk,
        "url": page_url(request, resource.pk, lang),
        "type": resource.resource_type,
        "title": title,
        "title_language": title_lang,
        "date_issued": resource.date_issued,
        "snippet": snippet,
        "is_demo": resource.is_demo,
    }


def related_summary(request: HttpRequest, resource: Resource, lang: str) -> dict[str, Any]:
    """A related resource as a search lists it, with its languages (left empty, as the schema's default)."""
    out = resource_summary(request, resource, lang)
    out["languages"] = _labelled(resource.languages.all(), lang)
    return out


def resource_full(request: HttpRequest, resource: Resource, lang: str) -> dict[str, Any]:
    out = resource_summary(request, resource, lang)
    out.update(
        titles=resource.texts("title"),
        original_language=resource.original_language(),
        summaries=resource.texts("summary"),
        plain_summaries=resource.texts("plain_summary"),
        creators=[
            {"name": c.agent.name, "kind": c.agent.kind, "role": c.role}
            for c in resource.contributions.all()
        ],
        publisher=resource.publisher.name if resource.publisher else None,
        languages=_labelled(resource.languages.all(), lang),
        countries=_labelled(resource.countries.all(), lang),
        regions=_labelled(resource.regions.all(), lang),
        subjects=_labelled(resource.subjects.all(), lang),
        sdg_targets=_labelled(resource.sdg_targets.all(), lang),
        target_groups=_labelled(resource.target_groups.all(), lang),
        education_levels=_labelled(resource.education_levels.all(), lang),
        keywords=list(resource.keywords or []),
        licence={"code": resource.licence.code, "label": resource.licence.label(lang)}
        if resource.licence
        else None,
        access_rights=resource.access_rights,
        identifiers=[{"scheme": i.scheme, "value": i.value} for i in resource.identifiers.all()],
        collections=[c.slug for c in resource.collections.all()],
        files=[
            {
                "name": f.name,
                "url": request.build_absolute_uri(reverse("file-download", args=[f.pk, f.name])),
                "media_type": f.media_type,
                "size": f.size,
                "sha256": f.sha256,
                "language": f.language,
            }
            for f in resource.files.all()
        ],
        relations=[
            {"kind": r.kind, "resource_id": r.target_id} for r in resource.relations_out.all()
        ],
        created=resource.created.isoformat(),
        modified=resource.modified.isoformat(),
    )
    return out


def _plain(fragment: str) -> str:
    """Text from the HTML of a snippet: without its marks, and its characters unescaped (China&#x27;s
    reached clients as such, in 94 of the 274 demo records)."""
    return html.unescape(strip_tags(fragment))


def hit_summary(request: HttpRequest, hit: SearchHit, lang: str) -> dict[str, Any]:
    out = resource_summary(request, hit.resource, lang, snippet=_plain(hit.snippet_html))
    out["why"] = hit.why
    out["missing_words"] = hit.missing
    out["languages"] = [{"code": code, "label": label} for code, label, _other in hit.languages]
    if hit.file_snippet:
        out["in_file"] = {
            "name": hit.file_snippet.file_name,
            "page": hit.file_snippet.page,
            "snippet": _plain(hit.file_snippet.html),
        }
    return out


def search_page(request: HttpRequest, page: SearchPage, lang: str) -> dict[str, Any]:
    return {
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "results": [hit_summary(request, hit, lang) for hit in page.hits],
        "facets": {
            facet.name: [
                {"value": b.value, "label": b.label, "count": b.count} for b in facet.buckets
            ]
            for facet in page.facets
        },
        "facets_cut": [facet.name for facet in page.facets if facet.cut],
        "notices": page.notices,
        "suggestion": page.suggestion,
        "next_cursor": page.next_cursor,
    }


def collection(c: Collection, lang: str, count: int | None = None) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "title": c.display_title(lang),
        "titles": c.title,
        "description": c.display_description(lang),
        "institution": c.institution.slug,
        "parent": c.parent.slug if c.parent else None,
        "resource_count": count,
    }


def concept(c: Concept, lang: str) -> dict[str, Any]:
    return {
        "code": c.code,
        "label": c.label(lang),
        "labels": c.labels,
        "local_labels": c.local_labels,
        "broader": c.broader.code if c.broader else None,
        "uri": c.uri,
    }
