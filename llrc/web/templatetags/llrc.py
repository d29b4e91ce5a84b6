from __future__ import annotations

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from llrc.catalogue.models import Resource, pick_text
from llrc.vocabularies.models import Concept

register = template.Library()

# Tags for the lang attribute (BCP 47): our zh-hans is written zh-Hans in HTML.
_HTML_LANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}


@register.filter
def html_lang(code: str) -> str:
    return _HTML_LANG.get(code, code)


@register.simple_tag
def text_of(resource: Resource, field: str) -> dict[str, str]:
    """The value of a multilingual field in the reader's language (or the best fallback) and its language."""
    value, lang = pick_text(resource.texts(field), get_language())
    return {"value": value, "lang": _HTML_LANG.get(lang, lang)}


@register.filter
def label(concept: Concept) -> str:
    return concept.label(get_language())


@register.filter
def filesize(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@register.filter
def media_label(media_type: str) -> str:
    return {
        "application/pdf": "PDF",
        "application/epub+zip": "EPUB",
        "text/html": "HTML",
        "text/plain": "Text",
    }.get(media_type, media_type)


_resource_prefixes: dict[tuple[str, str], str] = {}


@register.filter
def resource_url(resource_id: int) -> str:
    """The address of a resource's page, as {% url 'web:resource' id %} gives it.

    A results page links twenty resources; reverse() resolves the pattern each time, so the part before
    the id is worked out once per language (and script prefix) and kept."""
    key = (get_script_prefix(), get_language() or "")
    prefix = _resource_prefixes.get(key)
    if prefix is None:
        prefix = reverse("web:resource", args=[0]).removesuffix("0/")
        _resource_prefixes[key] = prefix
    return f"{prefix}{int(resource_id)}/"
