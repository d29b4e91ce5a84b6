"""Load the controlled vocabularies into the database from the files shipped in vocabularies/data.

Loading is idempotent: a second run updates labels in place and keeps every concept's primary key, so
resources that point at concepts are never disturbed.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pycountry
from django.db import transaction

from llrc.vocabularies.models import Concept, LoadRecord, Scheme

DATA = Path(__file__).resolve().parent / "data"
UN_LANGUAGES = {"en": "en", "zh-hans": "zh_CN", "fr": "fr", "es": "es", "ar": "ar", "ru": "ru"}
THESAURUS_BASE = "http://vocabularies.unesco.org/thesaurus/"

Progress = Callable[[str], None]


def _upsert(
    scheme: str, rows: Sequence[Mapping[str, Any]], parents: dict[str, str] | None = None
) -> int:
    """Create or update the concepts of one scheme; rows carry code, labels and optional fields."""
    existing = {c.code: c for c in Concept.objects.filter(scheme=scheme)}
    to_create: list[Concept] = []
    to_update: list[Concept] = []
    for row in rows:
        code = str(row["code"])
        concept = existing.get(code) or Concept(scheme=scheme, code=code)
        concept.labels = row.get("labels", {})
        concept.local_labels = row.get("local_labels", concept.local_labels or {})
        concept.alt_labels = row.get("alt_labels", [])
        concept.uri = str(row.get("uri", ""))
        concept.notation = str(row.get("notation", ""))
        concept.search_text = " ".join([code, *concept.all_labels()])
        (to_update if concept.pk else to_create).append(concept)
    Concept.objects.bulk_create(to_create, batch_size=500)
    Concept.objects.bulk_update(
        to_update,
        ["labels", "local_labels", "alt_labels", "uri", "notation", "search_text"],
        batch_size=500,
    )
    if parents:
        by_code = {c.code: c for c in Concept.objects.filter(scheme=scheme)}
        changed = []
        for code, concept in by_code.items():
            parent = by_code.get(parents.get(code, ""))
            if concept.broader_id != (parent.pk if parent else None):
                concept.broader = parent
                changed.append(concept)
        Concept.objects.bulk_update(changed, ["broader"], batch_size=500)
    return len(rows)


def _translations(domain: str) -> dict[str, gettext.NullTranslations]:
    out: dict[str, gettext.NullTranslations] = {}
    for ours, theirs in UN_LANGUAGES.items():
        out[ours] = gettext.translation(
            domain, pycountry.LOCALES_DIR, languages=[theirs], fallback=True
        )
    return out


def load_countries() -> int:
    tr = _translations("iso3166-1")
    rows = [
        {
            "code": c.alpha_2,
            "notation": c.alpha_3,
            "labels": {lang: t.gettext(c.name) for lang, t in tr.items()},
            "alt_labels": [getattr(c, "official_name", "")] if hasattr(c, "official_name") else [],
        }
        for c in pycountry.countries
    ]
    # Taiwan is named as in ISO 3166-1 English short names; pycountry's label is kept as the source gives it.
    return _upsert(Scheme.COUNTRY, rows)


def load_languages() -> int:
    tr = _translations("iso639-3")
    rows = []
    for lang in pycountry.languages:
        if not hasattr(lang, "alpha_2"):
            continue
        labels: dict[str, str] = {}
        alternatives: list[str] = []
        for k, t in tr.items():
            # The Chinese catalogue gives some languages several names in one string: Chinese is
            # "中文; 汉语; 华语", which facets and pages showed whole. The first is the label; the others
            # stay searchable as alternative labels.
            first, *others = (name.strip() for name in t.gettext(lang.name).split(";"))
            labels[k] = first
            alternatives += [name for name in others if name and name not in alternatives]
        rows.append(
            {
                "code": lang.alpha_2,
                "notation": lang.alpha_3,
                "labels": labels,
                "alt_labels": alternatives,
            }
        )
    return _upsert(Scheme.LANGUAGE, rows)


def load_own_vocabularies() -> int:
    own = json.loads((DATA / "llrc-vocabularies.json").read_text(encoding="utf-8"))
    count = _upsert(
        Scheme.REGION,
        [
            {"code": code, "labels": labels, "notation": code}
            for code, labels in own["region"].items()
        ],
        parents=own["region_parents"],
    )
    count += _upsert(
        Scheme.TARGET_GROUP,
        [{"code": code, "labels": labels} for code, labels in own["target_group"].items()],
    )
    count += _upsert(
        Scheme.LICENCE,
        [
            {"code": code, "labels": labels, "uri": f"https://spdx.org/licenses/{code}.html"}
            for code, labels in own["licence"].items()
        ],
    )
    return count


def load_isced() -> int:
    import rdflib
    from rdflib.namespace import SKOS

    graph = rdflib.Graph()
    graph.parse(DATA / "ISCED2011.ttl", publicID="https://data.ec2u.eu/")
    own = json.loads((DATA / "llrc-vocabularies.json").read_text(encoding="utf-8"))["isced"]
    rows = []
    for subject, label in graph.subject_objects(SKOS.prefLabel):
        code = str(subject).rsplit("/", 1)[-1]
        english = str(label).split(" - ", 1)[-1]
        rows.append(
            {
                "code": code,
                "notation": code,
                "uri": str(subject),
                "labels": {"en": english},
                "local_labels": {k: v for k, v in own.get(code, {}).items() if k != "en"},
            }
        )
    return _upsert(Scheme.ISCED, rows)


def load_sdg() -> int:
    data = json.loads(
        (DATA / "sdg_goals_targets_indicators_6lang.json").read_text(encoding="utf-8")
    )
    rows, parents = [], {}
    for item in data:
        if item["type"] not in ("goal", "target"):
            continue
        code = item["code"]
        labels = {k.lower(): " ".join(v.split()) for k, v in item["labels"].items()}
        rows.append({"code": code, "labels": labels, "notation": code})
        if item["type"] == "target":
            parents[code] = code.split(".")[0]
    return _upsert(Scheme.SDG, rows, parents=parents)


def load_thesaurus() -> int:
    """The UNESCO Thesaurus (SKOS): labels in five languages, synonyms, and the broader hierarchy."""
    import rdflib
    from rdflib.namespace import SKOS

    graph = rdflib.Graph()
    graph.parse(DATA / "unesco-thesaurus.ttl")
    local_zh = json.loads((DATA / "unesco-thesaurus-zh-llrc.json").read_text(encoding="utf-8"))[
        "labels"
    ]
    rows: dict[str, dict[str, object]] = {}
    parents: dict[str, str] = {}

    def code_of(node: object) -> str | None:
        text = str(node)
        if text.startswith(THESAURUS_BASE + "concept"):
            return text[len(THESAURUS_BASE) :]
        return None

    for subject in graph.subjects(rdflib.RDF.type, SKOS.Concept):
        code = code_of(subject)
        if code is None:
            continue
        labels = {
            str(o.language): str(o)
            for o in graph.objects(subject, SKOS.prefLabel)
            if isinstance(o, rdflib.Literal) and o.language
        }
        alts = [str(o) for o in graph.objects(subject, SKOS.altLabel)]
        zh = local_zh.get(code)
        rows[code] = {
            "code": code,
            "uri": str(subject),
            "labels": labels,
            "alt_labels": alts,
            "local_labels": {"zh-hans": zh} if zh else {},
        }
        for broader in graph.objects(subject, SKOS.broader):
            parent = code_of(broader)
            if parent:
                parents[code] = parent
    return _upsert(Scheme.SUBJECT, list(rows.values()), parents=parents)


# Raised when a loader makes something else of the same files (the first of several language names
# as the label, 2026-12-01), so that `llrc init` loads the vocabularies again on existing sites too.
LOADERS_VERSION = "2"


def data_digest() -> str:
    import hashlib

    digest = hashlib.sha256((getattr(pycountry, "__version__", None) or "").encode())
    digest.update(LOADERS_VERSION.encode())
    for path in sorted(DATA.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def vocabularies_current() -> bool:
    return LoadRecord.objects.filter(name="vocabularies", digest=data_digest()).exists()


def load_vocabularies(progress: Progress | None = None) -> dict[str, int]:
    """Load every vocabulary in one transaction (all or nothing) and record which files were loaded."""
    say = progress or (lambda _msg: None)
    counts: dict[str, int] = {}
    with transaction.atomic():
        LoadRecord.objects.update_or_create(name="vocabularies", defaults={"digest": data_digest()})
        for name, loader in (
            ("languages", load_languages),
            ("countries", load_countries),
            ("regions, target groups, licences", load_own_vocabularies),
            ("ISCED 2011", load_isced),
            ("SDG goals and targets", load_sdg),
            ("UNESCO Thesaurus", load_thesaurus),
        ):
            counts[name] = loader()
            say(f"{name}: {counts[name]} concepts")
    return counts
