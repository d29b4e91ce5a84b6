"""Controlled vocabularies: one table of concepts, grouped by scheme.

One generic table (rather than a table per vocabulary) keeps the admin pickers, the API and the search
documents uniform; each resource field still points at exactly one scheme through `limit_choices_to`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Scheme(models.TextChoices):
    SUBJECT = "unesco", "UNESCO Thesaurus"
    SDG = "sdg", "Sustainable Development Goals"
    ISCED = "isced", "ISCED 2011"
    COUNTRY = "country", "Countries (ISO 3166-1)"
    REGION = "region", "Regions (UN M49)"
    LANGUAGE = "language", "Languages (ISO 639)"
    TARGET_GROUP = "target_group", "Target groups"
    LICENCE = "licence", "Licences (SPDX)"


# Fallback order for labels: the reader's language, then English, then any.
def _language_key(lang: str | None) -> str:
    return (lang or "en").lower()


class Concept(models.Model):
    scheme = models.CharField(
        max_length=20, choices=Scheme.choices, db_index=True, verbose_name=_("vocabulary")
    )
    code = models.CharField(
        max_length=64,
        help_text=_("Identifier inside the scheme: concept1488, 4.6, CN, zh, CC-BY-4.0"),
        verbose_name=_("code"),
    )
    uri = models.CharField(max_length=255, blank=True, verbose_name=_("URI"))
    labels = models.JSONField(
        default=dict,
        help_text=_("Labels from the source vocabulary, by language code"),
        verbose_name=_("labels"),
    )
    local_labels = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Labels written by the llrc team where the source has none (e.g. Chinese)"),
        verbose_name=_("our labels"),
    )
    alt_labels = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Synonyms in any language"),
        verbose_name=_("other labels"),
    )
    broader = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="narrower",
        verbose_name=_("broader concept"),
    )
    notation = models.CharField(max_length=64, blank=True, verbose_name=_("notation"))
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="concept_unique_code_in_scheme")
        ]
        ordering = ["scheme", "notation", "code"]

    def __str__(self) -> str:
        prefix = (
            f"{self.code} " if self.scheme in (Scheme.SDG, Scheme.COUNTRY, Scheme.LICENCE) else ""
        )
        return prefix + self.label()

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = " ".join([self.code, *self.all_labels()])
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def label(self, lang: str | None = None) -> str:
        return self.label_in(lang)[0]

    def label_in(self, lang: str | None = None) -> tuple[str, str]:
        """The label for readers of `lang`, and the language it is in: another one when the concept has
        no label in theirs (the UNESCO Thesaurus labels some concepts in English only), so that a page
        can mark it for screen readers. "" when the language is not known (the code itself)."""
        key = _language_key(lang or get_language())
        for source in (self.labels, self.local_labels):
            if key in source:
                return str(source[key]), key
        base = key.split("-")[0]
        for source in (self.labels, self.local_labels):
            for code, value in source.items():
                if code.split("-")[0] == base and base != "zh":
                    return str(value), code
        if "en" in self.labels:
            return str(self.labels["en"]), "en"
        merged = {**self.local_labels, **self.labels}
        for code, value in merged.items():
            return str(value), code
        return self.code, ""

    def label_for(self, lang: str | None = None) -> tuple[str, str]:
        """The label for readers of `lang`, and its language when that is another ("" when it is
        theirs or not known): what a page marks with `lang` for screen readers."""
        text, label_lang = self.label_in(lang)
        wanted = _language_key(lang or get_language()).split("-")[0]
        return text, label_lang if label_lang and label_lang.split("-")[0] != wanted else ""

    def label_is_local(self, lang: str | None = None) -> bool:
        key = _language_key(lang or get_language())
        return key not in self.labels and key in self.local_labels

    def all_labels(self) -> list[str]:
        values = [*self.labels.values(), *self.local_labels.values(), *self.alt_labels]
        return [str(v) for v in values if v]

    def ancestors(self) -> list[Concept]:
        chain: list[Concept] = []
        node = self.broader
        seen = {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.broader
        return chain


class LoadRecord(models.Model):
    """Digest of the vocabulary files last loaded, so `llrc init` reloads only when they change."""

    name = models.CharField(max_length=50, unique=True)
    digest = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} {self.digest[:12]}"
