from __future__ import annotations

from datetime import date

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    pgettext,
    pgettext_lazy,
)

from llrc.catalogue.models import Resource, pick_text
from llrc.lib.identifiers import bcp47, parse_partial_date
from llrc.lib.text import list_separator
from llrc.search.services import SearchHit
from llrc.vocabularies.models import Concept

register = template.Library()


@register.filter
def html_lang(code: str) -> str:
    """A tag for the lang attribute (BCP 47): our zh-hans is written zh-Hans in HTML."""
    return bcp47(code)


def lang_marked(html: str, other: str) -> str:
    """Escaped text in a span naming its language when it is another than the page's (a concept
    without a Chinese label on a Chinese page), so that screen readers read it in its own voice."""
    return f'<span lang="{escape(html_lang(other))}">{html}</span>' if other else html


@register.simple_tag
def text_of(resource: Resource, field: str) -> dict[str, str]:
    """The value of a multilingual field in the reader's language (or the best fallback) and its language."""
    value, lang = pick_text(resource.texts(field), get_language())
    return {"value": value, "lang": html_lang(lang)}


@register.filter
def label(concept: Concept) -> str:
    return concept.label(get_language())


@register.filter
def marked_label(concept: Concept) -> SafeString:
    """The concept's label for the reader, in a span naming its language when it is in another (a
    subject with no Chinese label on a Chinese page), so that screen readers read it in its voice."""
    text, other = concept.label_for(get_language())
    return mark_safe(lang_marked(escape(text), other))


@register.filter
def language_name(code: str) -> str:
    """A language's name in the reader's language (English on an English page, 英语 on a Chinese one),
    or its code when Django does not know it. The names are translated by Django's catalogues unless
    ours translates them too (the language switcher names each language in its own language, from
    `name_local`, and needs no translation of them)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


# Punctuation is the reader's language's: Chinese lists take the enumeration comma, a description's
# parts a full-width comma, a label a full-width colon (GB/T 15834, the use of punctuation marks).
_SEPARATORS = {
    "parts": pgettext_lazy("between the parts of one description (a file's format and size)", ", "),
    "label": pgettext_lazy("between a label and its value (DOI: 10.1/x)", ": "),
}


@register.simple_tag
def separator(kind: str) -> str:
    """`{% separator "list" %}`: ", " on an English page, "、" on a Chinese one; "parts" and "label" too."""
    return list_separator() if kind == "list" else str(_SEPARATORS[kind])


def list_text(items: list[str]) -> str:
    """Items already escaped, joined as a list is in the reader's language."""
    return list_separator().join(items)


@register.filter
def in_brackets(note: str | int) -> SafeString:
    """A note in brackets after what it is about: " (issuer)" in English, "（发布机构）" in Chinese,
    whose full-width brackets take no space before them (so the space is part of the translation)."""
    return mark_safe(
        pgettext("a note in brackets after a word", " (%(note)s)")
        % {"note": conditional_escape(str(note))}  # str() keeps a SafeString safe
    )


def date_text(value: str) -> str:
    """A date of the catalogue (YYYY, YYYY-MM or YYYY-MM-DD) as the reader's language writes it:
    1998年, 2015年6月, 2026年12月1日 on a Chinese page. A value that is not such a date as it is."""
    try:
        year, month, day = parse_partial_date(value)
    except ValueError:
        return value
    if month is None:
        return pgettext("a year on its own, as a date", "%(year)s") % {"year": year}
    if day is None:
        return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    return date_format(date(year, month, day), "DATE_FORMAT")


@register.filter
def partial_date(value: str) -> SafeString:
    """`date_text` in a <time> element whose datetime says the date for machines."""
    return format_html('<time datetime="{}">{}</time>', value, date_text(value))


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


@register.simple_tag
def results_list(hits: list[SearchHit], start: int = 1) -> SafeString:
    """The numbered list of a results page (search and collection pages).

    Written here rather than as a template loop: twenty results took the template engine about 4 of a
    search page's 6 ms of rendering (some 300 variable lookups, measured 2026-11-29 at a million
    records); this builds the same markup in about a tenth of that. Every value is escaped except the
    title, snippet and file snippet, which the search service builds already escaped and marked up.
    """
    # Translated outside the f-string: xgettext (makemessages) does not read calls inside one.
    demo_tag = escape(gettext("demo"))
    demo = f' · <span class="tag">{demo_tag}</span>'
    in_file = gettext("In %(name)s, page %(page)s:")
    # Said of a result when resources holding some of the reader's words are listed.
    lacks = gettext("Does not contain: %(words)s")
    items = []
    for hit in hits:
        record = hit.resource
        meta: str = escape(record.get_resource_type_display())
        if record.date_issued:
            meta += f" · {partial_date(record.date_issued)}"
        if hit.languages:
            meta += " · " + list_text(
                [lang_marked(escape(label), other) for _code, label, other in hit.languages]
            )
        if record.is_demo:
            meta += demo
        lines = [
            '  <li class="result">',
            f'    <h3 lang="{escape(html_lang(hit.title_lang))}" dir="auto">'
            f'<a href="{resource_url(record.pk)}">'
            f"{conditional_escape(hit.title_html)}</a></h3>",
            f'    <p class="meta">{meta}</p>',
        ]
        if hit.snippet_html:
            lines.append(
                f'    <p class="snippet" lang="{escape(html_lang(hit.snippet_lang))}" dir="auto">'
                f"{conditional_escape(hit.snippet_html)}</p>"
            )
        found = hit.file_snippet
        if found:
            where = in_file % {"name": escape(found.file_name), "page": escape(found.page)}
            words: str = conditional_escape(found.html)
            if found.lang:
                # In the file's language and direction, apart from the page's words before it.
                words = f'<span lang="{escape(html_lang(found.lang))}" dir="auto">{words}</span>'
            lines.append(f'    <p class="in-file">{where} {words}</p>')
        if hit.why:
            lines.append(f'    <p class="why">{escape(hit.why)}</p>')
        if hit.missing:
            lines.append(
                f'    <p class="missing">{escape(lacks % {"words": list_text(hit.missing)})}</p>'
            )
        lines.append("  </li>")
        items.append("\n".join(lines))
    # Every part above is escaped or was built escaped.
    return mark_safe(f'<ol class="results" start="{int(start)}">\n' + "\n".join(items) + "\n</ol>")
