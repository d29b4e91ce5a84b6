"""The catalogue: the source of truth for resources, their descriptions, files and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from llrc.vocabularies.models import Concept, Scheme


class ResourceType(models.TextChoices):
    PUBLICATION = "publication", _("Publication")
    REPORT = "report", _("Report")
    ARTICLE = "article", _("Journal article")
    POLICY = "policy", _("Policy or strategy")
    LEGISLATION = "legislation", _("Law or regulation")
    DECLARATION = "declaration", _("Declaration or framework")
    GOOD_PRACTICE = "good_practice", _("Case study or good practice")
    TOOLKIT = "toolkit", _("Toolkit or guide")
    COURSE = "course", _("Course or learning material")
    AUDIOVISUAL = "audiovisual", _("Audio or video")
    DATASET = "dataset", _("Dataset")
    EVENT = "event", _("Event or conference")


class AccessRights(models.TextChoices):
    OPEN = "open", _("Open access")
    EMBARGOED = "embargoed", _("Embargoed")
    RESTRICTED = "restricted", _("Restricted access")
    METADATA_ONLY = "metadata_only", _("Description only")
    UNKNOWN = "unknown", _("Not known")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TextField(models.TextChoices):
    TITLE = "title", _("Title")
    SUMMARY = "summary", _("Summary")
    PLAIN_SUMMARY = "plain_summary", _("Plain-language summary")


def pick_text(values: dict[str, str], lang: str | None = None) -> tuple[str, str]:
    """Best value for the reader's language: exact, same base language, English, then the first one."""
    if not values:
        return "", ""
    key = (lang or get_language() or "en").lower()
    if key in values:
        return values[key], key
    base = key.split("-")[0]
    for code, value in values.items():
        if code.split("-")[0] == base:
            return value, code
    if "en" in values:
        return values["en"], "en"
    code = next(iter(values))
    return values[code], code


class Institution(models.Model):
    slug = models.SlugField(unique=True)
    name = models.JSONField(
        default=dict, help_text='Name by language, e.g. {"en": "...", "zh-hans": "..."}'
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, lang: str | None = None) -> str:
        return pick_text(self.name, lang)[0] or self.slug


class Collection(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="collections"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    slug = models.SlugField(unique=True)
    title = models.JSONField(default=dict)
    description = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["institution__slug", "position", "slug"]

    def __str__(self) -> str:
        return self.display_title()

    def display_title(self, lang: str | None = None) -> str:
        return pick_text(self.title, lang)[0] or self.slug

    def display_description(self, lang: str | None = None) -> str:
        return pick_text(self.description, lang)[0]

    def path(self) -> list[Collection]:
        chain: list[Collection] = [self]
        node = self.parent
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = node.parent
        return chain


class AgentKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Agent(models.Model):
    """A person or organisation that creates, publishes or issues resources."""

    name = models.CharField(max_length=300)
    kind = models.CharField(
        max_length=20, choices=AgentKind.choices, default=AgentKind.ORGANISATION
    )
    other_names = models.JSONField(
        default=list, blank=True, help_text="Names in other languages or scripts"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="agent_unique_name_kind")
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    resource_type = models.CharField(max_length=20, choices=ResourceType.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    date_issued = models.CharField(
        max_length=10, blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False, db_index=True)
    publisher = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="published"
    )
    languages = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.LANGUAGE}
    )
    countries = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.COUNTRY}
    )
    regions = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.REGION}
    )
    subjects = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.SUBJECT}
    )
    sdg_targets = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.SDG}
    )
    target_groups = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.TARGET_GROUP}
    )
    education_levels = models.ManyToManyField(
        Concept, blank=True, related_name="+", limit_choices_to={"scheme": Scheme.ISCED}
    )
    licence = models.ForeignKey(
        Concept,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": Scheme.LICENCE},
    )
    access_rights = models.CharField(
        max_length=20, choices=AccessRights.choices, default=AccessRights.UNKNOWN
    )
    keywords = models.JSONField(
        default=list, blank=True, help_text="Free keywords, as the source gave them"
    )
    collections = models.ManyToManyField(Collection, blank=True, related_name="resources")
    is_demo = models.BooleanField(
        default=False, help_text="Demonstration data, labelled as such on the pages"
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the description came from"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.display_title() or f"Resource {self.pk}"

    def texts(self, field: str) -> dict[str, str]:
        return {t.language: t.value for t in self.text_values.all() if t.field == field}

    def original_language(self) -> str:
        for t in self.text_values.all():
            if t.field == TextField.TITLE and t.is_original:
                return t.language
        return ""

    def display_title(self, lang: str | None = None) -> str:
        return pick_text(self.texts(TextField.TITLE), lang)[0]

    def display(self, field: str, lang: str | None = None) -> tuple[str, str]:
        return pick_text(self.texts(field), lang)


class ResourceText(models.Model):
    """One language version of a title or summary; exactly one title is marked as the original."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="text_values")
    field = models.CharField(max_length=20, choices=TextField.choices)
    language = models.CharField(
        max_length=16, help_text="Language tag: en, zh-hans, fr, es, ar, ru, ..."
    )
    value = models.TextField()
    is_original = models.BooleanField(
        default=False, help_text="The value in the language the resource was described in"
    )

    class Meta:
        ordering = ["field", "-is_original", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "field", "language"], name="text_unique_field_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field} [{self.language}]"


class CreatorRole(models.TextChoices):
    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    ISSUER = "issuer", _("Issuing body")
    ORGANISER = "organiser", _("Organiser")
    CONTRIBUTOR = "contributor", _("Contributor")
    TRANSLATOR = "translator", _("Translator")


class Contribution(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="contributions")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="contributions")
    role = models.CharField(max_length=20, choices=CreatorRole.choices, default=CreatorRole.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "agent", "role"], name="contribution_unique_agent_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} ({self.role})"


class IdentifierScheme(models.TextChoices):
    URL = "url", "URL"
    DOI = "doi", "DOI"
    ISBN = "isbn", "ISBN"
    ISSN = "issn", "ISSN"
    HANDLE = "handle", "Handle"
    ARK = "ark", "ARK"


class Identifier(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=10, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=500)

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "scheme", "value"], name="identifier_unique_per_resource"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class RelationKind(models.TextChoices):
    TRANSLATION_OF = "translation_of", _("Translation of")
    PART_OF = "part_of", _("Part of")
    VERSION_OF = "version_of", _("Version of")
    REFERENCES = "references", _("References")


class Relation(models.Model):
    source = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(max_length=20, choices=RelationKind.choices)
    target = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="relations_in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "target"], name="relation_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="relation_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class ResourceFile(models.Model):
    """A file attached to a resource, stored under LLRC_DATA_DIR/files by its SHA-256 (content-addressed)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="resources/", max_length=300)
    name = models.CharField(max_length=255, help_text="File name shown to readers")
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    language = models.CharField(max_length=16, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    text_status = models.CharField(
        max_length=20,
        blank=True,
        help_text="Result of text extraction: ok, empty, encrypted, failed, unsupported",
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FilePage(models.Model):
    """The text of one page of a file, for full-text search and page-numbered snippets."""

    file = models.ForeignKey(ResourceFile, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField()
    # The text folded as a query's words are (llrc.search.analysis.fold_text: case, accents, traditional
    # characters, ligatures), so the database finds the pages holding a query's words however the file
    # wrote them: the page a snippet is taken from.
    folded = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="file_page_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.file} p. {self.number}"


class AuditEntry(models.Model):
    """Who changed what, when: one row per service call that writes."""

    when = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    resource_id_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-when", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.resource_id_ref}"
