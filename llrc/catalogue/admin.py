"""Curators edit the catalogue in the Django admin (issue 2), with the same checks as the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext, gettext_lazy

from llrc.catalogue import services
from llrc.catalogue.models import (
    Agent,
    AuditEntry,
    Collection,
    Contribution,
    Identifier,
    Institution,
    Relation,
    Resource,
    ResourceFile,
    ResourceText,
    TextField,
)
from llrc.catalogue.validation import (
    TEXT_LIMITS,
    collection_cycle,
    known_language_tag,
    name_problem,
    normalise_language_tag,
    text_problem,
    validate_relation,
)
from llrc.lib.identifiers import normalise_date, normalise_identifier, parse_partial_date
from llrc.lib.text import is_blank, not_text


def _not_text_within(value: Any) -> str | None:
    """Why a form's cleaned value is not text (`lib.text.not_text`), looking into JSON lists and maps."""
    if isinstance(value, str):
        return not_text(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        return next((p for p in map(_not_text_within, value) if p), None)
    return None


class TextForm(forms.ModelForm):
    """Every value typed into the admin is checked to be text, whatever field holds it, as the services
    check a description: a control character pasted from a word processor could not be exported."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            problem = _not_text_within(value)
            if problem:
                self.add_error(
                    name,
                    gettext("The text %(problem)s: remove it and save again.")
                    % {"problem": problem},
                )
        return data


class ResourceTextForm(TextForm):
    class Meta:
        model = ResourceText
        fields = ["field", "language", "value", "is_original"]
        widgets = {"value": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def clean_language(self) -> str:
        tag = normalise_language_tag(self.cleaned_data["language"])
        if not known_language_tag(tag):
            raise ValidationError(
                gettext(
                    "Unknown language code %(tag)s: use en, zh-hans, fr, es, ar, ru or another "
                    "ISO 639-1 code."
                )
                % {"tag": repr(tag)}
            )
        return tag

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, field = data.get("value"), data.get("field")
        if value is not None and field in TEXT_LIMITS:
            if is_blank(value):
                self.add_error(
                    "value",
                    gettext("The text has no visible character: write it, or delete the row."),
                )
            elif problem := text_problem(field, value):
                self.add_error("value", gettext("The text %(problem)s.") % {"problem": problem})
        return data


class ResourceTextFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        titles, originals = [], []
        for form in self.forms:
            if (
                not hasattr(form, "cleaned_data")
                or not form.cleaned_data
                or form.cleaned_data.get("DELETE")
            ):
                continue
            data = form.cleaned_data
            if data.get("field") == TextField.TITLE and (data.get("value") or "").strip():
                titles.append(data)
                if data.get("is_original"):
                    originals.append(data)
        if not titles:
            raise ValidationError(gettext("Title: a title is required in at least one language."))
        if len(originals) > 1:
            raise ValidationError(gettext("Title: mark only one title as the original."))
        if not originals:
            raise ValidationError(
                gettext(
                    "Title: mark the title in the language the resource was described in as the "
                    "original."
                )
            )


class ResourceTextInline(admin.TabularInline):
    model = ResourceText
    form = ResourceTextForm
    formset = ResourceTextFormSet
    extra = 2
    min_num = 1


class IdentifierForm(TextForm):
    class Meta:
        model = Identifier
        fields = ["scheme", "value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scheme") and data.get("value"):
            try:
                data["value"] = normalise_identifier(data["scheme"], data["value"])
            except ValueError as exc:
                raise ValidationError({"value": str(exc)}) from exc
            self.instance.value = data["value"]
        return data


class IdentifierInline(admin.TabularInline):
    model = Identifier
    form = IdentifierForm
    extra = 0


class ContributionInline(admin.TabularInline):
    model = Contribution
    form = TextForm
    autocomplete_fields = ["agent"]
    extra = 1


class RelationForm(TextForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data.get("target") and not data.get("DELETE"):
            try:
                validate_relation(self.instance.source_id, data["kind"], data["target"].pk)
            except ValidationError as exc:
                self.add_error("target", exc.message_dict["relations"])
        return data


class RelationInline(admin.TabularInline):
    model = Relation
    form = RelationForm
    fk_name = "source"
    autocomplete_fields = ["target"]
    extra = 0


def _file_language(raw: str) -> str:
    """A file's language tag, normalised; one the vocabulary does not know is refused."""
    tag = normalise_language_tag(raw)
    if tag and not known_language_tag(tag):
        raise ValidationError(gettext("Unknown language code %(tag)s.") % {"tag": repr(tag)})
    return tag


class ResourceFileForm(TextForm):
    def clean_language(self) -> str:
        return _file_language(self.cleaned_data.get("language") or "")


class ResourceFileInline(admin.TabularInline):
    model = ResourceFile
    form = ResourceFileForm
    fields = ["name", "media_type", "size", "sha256", "language"]
    readonly_fields = ["name", "media_type", "size", "sha256"]
    extra = 0
    can_delete = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # new files come through the "Add a file" field, which stores them by SHA-256


class ResourceForm(TextForm):
    new_file = forms.FileField(
        required=False,
        label=gettext_lazy("Add a file"),
        help_text=gettext_lazy("Stored with its SHA-256"),
    )
    new_file_language = forms.CharField(
        required=False, max_length=16, label=gettext_lazy("Language of the file")
    )

    class Meta:
        model = Resource
        exclude: list[str] = []

    def clean_date_issued(self) -> str:
        value = normalise_date(self.cleaned_data.get("date_issued") or "")
        if value:
            try:
                parse_partial_date(value)
            except ValueError as exc:
                raise ValidationError(
                    gettext("Date issued: %(problem)s.") % {"problem": exc}
                ) from exc
        return value

    def clean_new_file_language(self) -> str:
        return _file_language(self.cleaned_data.get("new_file_language") or "")

    def clean_new_file(self) -> Any:
        upload = self.cleaned_data.get("new_file")
        if upload is not None and upload.size == 0:
            raise ValidationError(gettext("The file is empty."))
        # services.attach_file refuses it too, but only in save_related, after the form was accepted:
        # there its refusal was a server error.
        if upload is not None and upload.size > services.MAX_FILE_BYTES:
            raise ValidationError(
                gettext("The file is larger than %(limit)s, the most a file may be.")
                % {"limit": filesizeformat(services.MAX_FILE_BYTES)}
            )
        return upload


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    form = ResourceForm
    list_display = ["__str__", "resource_type", "status", "date_issued", "is_demo", "modified"]
    list_filter = ["resource_type", "status", "access_rights", "is_demo", "collections"]
    search_fields = ["text_values__value", "identifiers__value", "contributions__agent__name"]
    autocomplete_fields = [
        "publisher",
        "languages",
        "countries",
        "regions",
        "subjects",
        "sdg_targets",
        "target_groups",
        "education_levels",
        "licence",
        "collections",
    ]
    inlines = [
        ResourceTextInline,
        ContributionInline,
        IdentifierInline,
        RelationInline,
        ResourceFileInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "resource_type",
                    "status",
                    "date_issued",
                    "publisher",
                    "is_demo",
                    "source",
                ]
            },
        ),
        (
            gettext_lazy("Coverage"),
            {"fields": ["languages", "countries", "regions", "education_levels"]},
        ),
        (
            gettext_lazy("Subjects"),
            {"fields": ["subjects", "sdg_targets", "target_groups", "collections"]},
        ),
        (gettext_lazy("Rights"), {"fields": ["licence", "access_rights"]}),
        (gettext_lazy("Files"), {"fields": ["new_file", "new_file_language"]}),
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> Any:
        result, _dups = super().get_search_results(request, queryset, search_term)
        return result, True

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        upload = form.cleaned_data.get("new_file")
        if upload is not None:
            services.attach_file(
                form.instance,
                name=upload.name,
                content=upload.read(),
                language=form.cleaned_data.get("new_file_language") or "",
                actor=request.user,
            )
        services.record_admin_save(form.instance, actor=request.user, created=not change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Relation:
            super().save_formset(request, form, formset, change)
            return
        # Relations go through the services, which record a translation both ways, audit and reindex
        # both resources; saved by the formset, a translation went one way only.
        formset.save(commit=False)
        for relation in formset.deleted_objects:
            services.remove_relation(relation, actor=request.user)
        for relation, _fields in formset.changed_objects:
            services.remove_relation(Relation.objects.get(pk=relation.pk), actor=request.user)
        for relation in [*formset.new_objects, *(r for r, _f in formset.changed_objects)]:
            services.add_relation(form.instance, relation.kind, relation.target, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Resource) -> None:
        services.delete_resource(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            services.delete_resource(resource, actor=request.user)


class AgentForm(TextForm):
    class Meta:
        model = Agent
        fields = ["name", "kind", "other_names"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if is_blank(name):
            raise ValidationError(gettext("The name has no visible character."))
        problem = name_problem(name)
        if problem:
            raise ValidationError(gettext("The name %(problem)s.") % {"problem": problem})
        return name

    def clean_other_names(self) -> list[str]:
        names = self.cleaned_data.get("other_names") or []
        # The index reads them as names (search.documents.load_agents): a map or a number failed it.
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError(gettext('Other names: give a list of names, ["…", "…"].'))
        for name in names:
            if is_blank(name):
                raise ValidationError(gettext("Other names: a name has no visible character."))
            problem = name_problem(name.strip())
            if problem:
                raise ValidationError(
                    gettext("Other names: %(name)s %(problem)s.")
                    % {"name": repr(name), "problem": problem}
                )
        return [name.strip() for name in names]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentForm
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.record_agent_save(obj, actor=request.user, changed=list(form.changed_data))


# Named as Django's own catalogue names them, so that the Chinese admin reads 英语, 简体中文, 法语...
CONTENT_LANGUAGES = [
    ("en", gettext_lazy("English")),
    ("zh-hans", gettext_lazy("Simplified Chinese")),
    ("fr", gettext_lazy("French")),
    ("es", gettext_lazy("Spanish")),
    ("ar", gettext_lazy("Arabic")),
    ("ru", gettext_lazy("Russian")),
]


def multilingual_form(
    model: type[models.Model], json_fields: dict[str, bool], base: type[TextForm] = TextForm
) -> type[forms.ModelForm]:
    """A form that edits each {language: text} JSON field as one text box per UN language."""
    attrs: dict[str, Any] = {}
    # Each field as its model names it (verbose_name, translated): "Title", 标题.
    labels = {
        name: capfirst(cast(models.Field, model._meta.get_field(name)).verbose_name)
        for name in json_fields
    }
    for name, long_text in json_fields.items():
        for code, language in CONTENT_LANGUAGES:
            widget = (
                forms.Textarea(attrs={"rows": 2})
                if long_text
                else forms.TextInput(attrs={"size": 60})
            )
            attrs[f"{name}__{code}"] = forms.CharField(
                required=False,
                label=format_lazy(
                    gettext_lazy("{field} ({language})"),
                    field=labels[name],
                    language=language,
                ),
                widget=widget,
            )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        for name in json_fields:
            values = getattr(self.instance, name) or {}
            for code, _language in CONTENT_LANGUAGES:
                self.fields[f"{name}__{code}"].initial = values.get(code, "")

    def clean(self: Any) -> dict[str, Any]:
        data: dict[str, Any] = base.clean(self) or {}
        for name in json_fields:
            values = {
                code: (data.get(f"{name}__{code}") or "").strip() for code, _l in CONTENT_LANGUAGES
            }
            data[name] = {code: text for code, text in values.items() if not is_blank(text)}
            setattr(self.instance, name, data[name])
        first = next(iter(json_fields))
        if not data[first]:
            raise ValidationError(
                gettext("%(field)s: give it in at least one language.") % {"field": labels[first]}
            )
        return data

    meta = type("Meta", (), {"model": model, "exclude": list(json_fields)})
    return type(
        f"{model.__name__}Form",
        (base,),
        {**attrs, "Meta": meta, "__init__": __init__, "clean": clean},
    )


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = multilingual_form(Institution, {"name": False})
    list_display = ["slug", "__str__"]
    search_fields = ["slug", "name"]


class CollectionParentForm(TextForm):
    def clean_parent(self) -> Collection | None:
        parent: Collection | None = self.cleaned_data.get("parent")
        chain = collection_cycle(self.instance.pk, parent)
        if chain:
            path = " › ".join(str(c) for c in [*reversed(chain), self.instance])
            raise ValidationError(
                gettext("A collection cannot be inside itself: %(path)s.") % {"path": path}
            )
        return parent


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    form = multilingual_form(
        Collection, {"title": False, "description": True}, base=CollectionParentForm
    )
    list_display = ["slug", "__str__", "institution", "parent"]
    list_filter = ["institution"]
    search_fields = ["slug", "title"]
    autocomplete_fields = ["parent"]

    def save_model(self, request: HttpRequest, obj: Collection, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.record_collection_save(obj, actor=request.user, changed=list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Collection) -> None:
        services.delete_collection(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Collection]) -> None:
        for collection in queryset:
            services.delete_collection(collection, actor=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["when", "actor_label", "action", "resource_id_ref"]
    list_filter = ["action"]
    readonly_fields = ["when", "actor", "actor_label", "action", "resource_id_ref", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
