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
    slug = models.SlugField(unique=True, verbose_name=_("short name"))
    name = models.JSONField(
        default=dict,
        help_text=_('Name by language, e.g. {"en": "...", "zh-hans": "..."}'),
        verbose_name=_("name"),
    )

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, lang: str | None = None) -> str:
        return pick_text(self.name, lang)[0] or self.slug


class Collection(models.Model):
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="collections",
        verbose_name=_("institution"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent collection"),
    )
    slug = models.SlugField(unique=True, verbose_name=_("short name"))
    title = models.JSONField(default=dict, verbose_name=_("title"))
    description = models.JSONField(default=dict, blank=True, verbose_name=_("description"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
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

    name = models.CharField(max_length=300, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20,
        choices=AgentKind.choices,
        default=AgentKind.ORGANISATION,
        verbose_name=_("kind"),
    )
    other_names = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Names in other languages or scripts"),
        verbose_name=_("other names"),
    )

    class Meta:
        verbose_name = _("creator or publisher")
        verbose_name_plural = _("creators and publishers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="agent_unique_name_kind")
        ]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    resource_type = models.CharField(
        max_length=20, choices=ResourceType.choices, verbose_name=_("resource type")
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.PUBLISHED,
        db_index=True,
        verbose_name=_("status"),
    )
    date_issued = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("YYYY, YYYY-MM or YYYY-MM-DD"),
        verbose_name=_("date issued"),
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, db_index=True, verbose_name=_("year")
    )
    publisher = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="published",
        verbose_name=_("publisher"),
    )
    languages = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.LANGUAGE},
        verbose_name=_("languages"),
    )
    countries = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.COUNTRY},
        verbose_name=_("countries"),
    )
    regions = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.REGION},
        verbose_name=_("regions"),
    )
    subjects = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.SUBJECT},
        verbose_name=_("subjects"),
    )
    sdg_targets = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.SDG},
        verbose_name=_("SDG targets"),
    )
    target_groups = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.TARGET_GROUP},
        verbose_name=_("target groups"),
    )
    education_levels = models.ManyToManyField(
        Concept,
        blank=True,
        related_name="+",
        limit_choices_to={"scheme": Scheme.ISCED},
        verbose_name=_("education levels"),
    )
    licence = models.ForeignKey(
        Concept,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"scheme": Scheme.LICENCE},
        verbose_name=_("licence"),
    )
    access_rights = models.CharField(
        max_length=20,
        choices=AccessRights.choices,
        default=AccessRights.UNKNOWN,
        verbose_name=_("access rights"),
    )
    keywords = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Free keywords, as the source gave them"),
        verbose_name=_("keywords"),
    )
    collections = models.ManyToManyField(
        Collection, blank=True, related_name="resources", verbose_name=_("collections")
    )
    is_demo = models.BooleanField(
        default=False,
        help_text=_("Demonstration data, labelled as such on the pages"),
        verbose_name=_("demonstration data"),
    )
    source = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Where the description came from"),
        verbose_name=_("source"),
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created"))
    modified = models.DateTimeField(auto_now=True, verbose_name=_("modified"))

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
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

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="text_values", verbose_name=_("resource")
    )
    field = models.CharField(max_length=20, choices=TextField.choices, verbose_name=_("field"))
    language = models.CharField(
        max_length=16,
        help_text=_("Language tag: en, zh-hans, fr, es, ar, ru, ..."),
        verbose_name=_("language"),
    )
    value = models.TextField(verbose_name=_("text"))
    is_original = models.BooleanField(
        default=False,
        help_text=_("The value in the language the resource was described in"),
        verbose_name=_("original"),
    )

    class Meta:
        verbose_name = _("title or summary")
        verbose_name_plural = _("titles and summaries")
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
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("resource")
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=_("creator or publisher"),
    )
    role = models.CharField(
        max_length=20,
        choices=CreatorRole.choices,
        default=CreatorRole.AUTHOR,
        verbose_name=_("role"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
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
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("resource")
    )
    scheme = models.CharField(
        max_length=10, choices=IdentifierScheme.choices, verbose_name=_("scheme")
    )
    value = models.CharField(max_length=500, verbose_name=_("value"))

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
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
    source = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="relations_out", verbose_name=_("resource")
    )
    kind = models.CharField(max_length=20, choices=RelationKind.choices, verbose_name=_("kind"))
    target = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="relations_in",
        verbose_name=_("related resource"),
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
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

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="files", verbose_name=_("resource")
    )
    file = models.FileField(upload_to="resources/", max_length=300, verbose_name=_("file"))
    name = models.CharField(
        max_length=255, help_text=_("File name shown to readers"), verbose_name=_("name")
    )
    media_type = models.CharField(max_length=100, verbose_name=_("media type"))
    size = models.PositiveBigIntegerField(verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("SHA-256"))
    language = models.CharField(max_length=16, blank=True, verbose_name=_("language"))
    created = models.DateTimeField(auto_now_add=True, verbose_name=_("added"))
    text_status = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("Result of text extraction: ok, empty, encrypted, failed, unsupported"),
        verbose_name=_("text extraction"),
    )

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FilePage(models.Model):
    """The text of one page of a file, for full-text search and page-numbered snippets."""

    file = models.ForeignKey(
        ResourceFile, on_delete=models.CASCADE, related_name="pages", verbose_name=_("file")
    )
    number = models.PositiveIntegerField(verbose_name=_("page"))
    text = models.TextField(verbose_name=_("text"))
    # The text folded as a query's words are (llrc.search.analysis.fold_text: case, accents, traditional
    # characters, ligatures), so the database finds the pages holding a query's words however the file
    # wrote them: the page a snippet is taken from.
    folded = models.TextField(default="", editable=False, verbose_name=_("folded text"))

    class Meta:
        verbose_name = _("page of a file")
        verbose_name_plural = _("pages of files")
        ordering = ["file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="file_page_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.file} p. {self.number}"


class AuditEntry(models.Model):
    """Who changed what, when: one row per service call that writes."""

    when = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(max_length=150, blank=True, verbose_name=_("actor's name"))
    action = models.CharField(max_length=40, verbose_name=_("action"))
    resource_id_ref = models.BigIntegerField(
        null=True, blank=True, db_index=True, verbose_name=_("resource number")
    )
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.resource_id_ref}"
