"""A citation a reader can copy, in the author-date style common in education research (APA-like)."""

from __future__ import annotations

from llrc.catalogue.models import Resource, TextField


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
    dois = [i.value for i in resource.identifiers.all() if i.scheme == "doi"]
    parts.append(f"https://doi.org/{dois[0]}" if dois else url)
    return "".join(parts)
