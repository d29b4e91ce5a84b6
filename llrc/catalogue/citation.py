"""A citation a reader can copy, in the author-date style common in education research (APA-like)."""

from __future__ import annotations

from llrc.catalogue.models import Resource


def _names(resource: Resource) -> str:
    names = [
        c.agent.name
        for c in resource.contributions.all()
        if c.role in ("author", "issuer", "organiser", "editor")
    ]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " & " + names[-1]


def citation_text(resource: Resource, *, url: str, lang: str = "en") -> str:
    title = resource.display_title(resource.original_language() or lang)
    year = resource.date_issued[:4] if resource.date_issued else "n.d."
    parts = []
    who = _names(resource)
    parts.append(f"{who} ({year})." if who else f"{title} ({year}).")
    if who:
        parts.append(f"{title}.")
    publisher = resource.publisher.name if resource.publisher else ""
    if publisher and publisher != who:
        parts.append(f"{publisher}.")
    dois = [i.value for i in resource.identifiers.all() if i.scheme == "doi"]
    parts.append(f"https://doi.org/{dois[0]}" if dois else url)
    return " ".join(parts)
