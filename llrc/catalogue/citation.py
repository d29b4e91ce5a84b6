"""A citation a reader can copy, in the author-date style common in education research (APA-like), and
the record for reference managers and search engines (RIS, BibTeX, citation_* meta tags)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from llrc.catalogue.models import Contribution, Resource, TextField
from llrc.lib.identifiers import bcp47, parse_partial_date


def _names(resource: Resource, *, chinese: bool) -> str:
    names = [
        c.agent.name
        for c in resource.contributions.all()
        if c.role in ("author", "issuer", "organiser", "editor")
    ]
    if not names:
        return ""
    if chinese:
        return "、".join(names)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " & " + names[-1]


def citation_text(resource: Resource, *, url: str, lang: str = "en") -> str:
    """The citation of the resource under its original title (else the one for `lang`), for a reader
    of the interface language `lang`.

    A Chinese reader citing a work titled in Chinese writes Chinese text: full-width brackets and full
    stops, names joined by 、, 无日期 where APA writes n.d. (they were given "(n.d.)" and English
    punctuation around a Chinese title). A work in another language is cited with APA's punctuation,
    as Chinese writing cites it too, and so is every work for a reader of English."""
    title, title_lang = resource.display(TextField.TITLE, resource.original_language() or lang)
    chinese = lang.startswith("zh") and title_lang.startswith("zh")
    year = resource.date_issued[:4] if resource.date_issued else ("无日期" if chinese else "n.d.")
    dated, stop = (f"（{year}）", "。") if chinese else (f" ({year})", ". ")
    who = _names(resource, chinese=chinese)
    parts = [f"{who or title}{dated}{stop}"]
    if who:
        parts.append(f"{title}{stop}")
    publisher = resource.publisher.name if resource.publisher else ""
    if publisher and publisher != who:
        parts.append(f"{publisher}{stop}")
    dois = _identifiers(resource, "doi")
    parts.append(f"https://doi.org/{dois[0]}" if dois else url)
    return "".join(parts)


def citation_html(resource: Resource, *, url: str, lang: str = "en") -> SafeString:
    """`citation_text`, escaped, with the title marked with its language and direction: a Chinese title
    in an English citation was read with the English voice."""
    text = citation_text(resource, url=url, lang=lang)
    title, title_lang = resource.display(TextField.TITLE, resource.original_language() or lang)
    if not title or not title_lang or title not in text:
        return mark_safe(escape(text))
    before, _title, after = text.partition(title)
    marked = f'<span lang="{escape(bcp47(title_lang))}" dir="auto">{escape(title)}</span>'
    return mark_safe(escape(before) + marked + escape(after))


# Creators a citation names as its authors: a policy's issuing body is its corporate author.
_AUTHOR_ROLES = ("author", "issuer", "organiser")


def _identifiers(resource: Resource, scheme: str) -> list[str]:
    return [i.value for i in resource.identifiers.all() if i.scheme == scheme]


def citation_meta(resource: Resource, *, pdf_url: str = "") -> list[tuple[str, str]]:
    """The record as `citation_*` meta tags (the Highwire Press names that Google Scholar's inclusion
    guidelines ask for, and Zotero and Mendeley read from a page), in the order of those guidelines."""
    title, title_lang = resource.display(TextField.TITLE, resource.original_language() or "en")
    fields = [("citation_title", title)]
    fields += [
        ("citation_author", c.agent.name)
        for c in resource.contributions.all()
        if c.role in _AUTHOR_ROLES
    ]
    if resource.date_issued:
        # Google Scholar reads 2011/01/05, 2011/01 or 2011.
        fields.append(("citation_publication_date", resource.date_issued.replace("-", "/")))
    if resource.publisher:
        fields.append(("citation_publisher", resource.publisher.name))
    if title_lang:
        fields.append(("citation_language", bcp47(title_lang)))
    for scheme in ("doi", "isbn", "issn"):
        fields += [(f"citation_{scheme}", value) for value in _identifiers(resource, scheme)]
    if pdf_url:
        fields.append(("citation_pdf_url", pdf_url))
    return fields


# RIS reference types (the RIS format as EndNote, Zotero and Mendeley read it) of our resource types.
_RIS_TYPES = {
    "publication": "BOOK",
    "report": "RPRT",
    "article": "JOUR",
    "policy": "GOVDOC",
    "legislation": "STAT",
    "declaration": "GOVDOC",
    "audiovisual": "VIDEO",
    "dataset": "DATA",
}


def citation_ris(resource: Resource, *, url: str) -> str:
    """The record as one RIS reference, for a reader's reference manager: lines of `TAG  - value`
    ending with CRLF, as the format asks, each value on its line (line breaks become spaces)."""
    title, title_lang = resource.display(TextField.TITLE, resource.original_language() or "en")
    summary, _summary_lang = resource.display(TextField.SUMMARY, title_lang or "en")
    lines = [("TY", _RIS_TYPES.get(resource.resource_type, "GEN")), ("TI", title)]
    for c in resource.contributions.all():
        if c.role in _AUTHOR_ROLES:
            lines.append(("AU", c.agent.name))
        elif c.role == "editor":
            lines.append(("ED", c.agent.name))
    if resource.date_issued:
        lines.append(("PY", resource.date_issued[:4]))
        if len(resource.date_issued) > 4:
            # RIS dates are YYYY/MM/DD/ with the parts not known left empty.
            parts = resource.date_issued.split("-")
            lines.append(("DA", "/".join(parts + [""] * (3 - len(parts))) + "/"))
    if resource.publisher:
        lines.append(("PB", resource.publisher.name))
    if title_lang:
        lines.append(("LA", bcp47(title_lang)))
    if summary:
        lines.append(("AB", summary))
    lines += [("DO", value) for value in _identifiers(resource, "doi")]
    lines += [("SN", value) for value in _identifiers(resource, "isbn")]
    lines += [("SN", value) for value in _identifiers(resource, "issn")]
    lines += [("UR", url), ("ER", "")]
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


# BibTeX entry types (the classic ones, which every style and reference manager reads) of our resource
# types; the rest are @misc.
# A journal article is @misc too: without the journal's name, which the catalogue does not hold, an
# @article is incomplete for BibTeX.
_BIBTEX_TYPES = {"publication": "book", "report": "techreport"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# LaTeX's special characters, as text writes them: a title with "&" or "50%" broke the LaTeX run (or
# commented out the rest of the line), one with an unbalanced brace broke the whole .bib file.
_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


def _latex(value: str) -> str:
    return " ".join(value.split()).translate(_LATEX)


def _verbatim(value: str) -> str:
    """An address or a DOI as BibTeX styles read them, verbatim (an escaped underscore breaks the link):
    only a brace, which would end the field, is written as a URL writes it."""
    return value.replace("{", "%7B").replace("}", "%7D")


def _month(date_issued: str) -> int | None:
    """The month of a stored date, if it has a real one (rows from before the checks, or edited by
    hand, may not: "2020-13" failed the export)."""
    try:
        return parse_partial_date(date_issued)[1] if date_issued else None
    except ValueError:
        return None


def citation_bibtex(resource: Resource, *, url: str) -> str:
    """The record as one BibTeX entry, for a reader writing in LaTeX (Overleaf, JabRef, Zotero read it
    too): keyed llrc<id>, the title kept as written ({{…}}: styles lowercase what is not protected, and
    "Shanghai" or "UNESCO" must stay as they are), each name as written ({…}: BibTeX would take "UNESCO
    Institute for Lifelong Learning" for a person whose surname is Learning, split a name holding " and
    ", and file "Wang Fang", written family name first, under Fang), UTF-8. No language field: biblatex
    prints a code it does not know as it is ("zh-Hans") in the reference."""
    title, title_lang = resource.display(TextField.TITLE, resource.original_language() or "en")
    summary, _summary_lang = resource.display(TextField.SUMMARY, title_lang or "en")
    kind = _BIBTEX_TYPES.get(resource.resource_type, "misc")

    def name(contribution: Contribution) -> str:
        return f"{{{_latex(contribution.agent.name)}}}"

    contributions = list(resource.contributions.all())
    authors = [name(c) for c in contributions if c.role in _AUTHOR_ROLES]
    editors = [name(c) for c in contributions if c.role == "editor"]
    fields = [("title", f"{{{_latex(title)}}}")]
    if authors:
        fields.append(("author", " and ".join(authors)))
    if editors:
        fields.append(("editor", " and ".join(editors)))
    if resource.date_issued:
        fields.append(("year", resource.date_issued[:4]))
    if resource.publisher:
        fields.append(
            (
                "institution" if kind == "techreport" else "publisher",
                _latex(resource.publisher.name),
            )
        )
    if summary:
        fields.append(("abstract", _latex(summary)))
    fields += [("doi", _verbatim(value)) for value in _identifiers(resource, "doi")[:1]]
    fields += [("isbn", value) for value in _identifiers(resource, "isbn")[:1]]
    fields += [("issn", value) for value in _identifiers(resource, "issn")[:1]]
    fields.append(("url", _verbatim(url)))
    lines = [f"@{kind}{{llrc{resource.pk},"]
    lines += [f"  {key} = {{{value}}}," for key, value in fields]
    month = _month(resource.date_issued)
    if month:
        # A month is one of BibTeX's macros, unbraced, so every style writes it in its own language.
        lines.append(f"  month = {_MONTHS[month - 1]},")
    lines.append("}")
    return "\n".join(lines) + "\n"
