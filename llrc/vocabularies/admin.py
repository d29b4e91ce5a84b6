from django.contrib import admin

from llrc.vocabularies.models import Concept


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__", "scheme", "broader"]
    list_filter = ["scheme"]
    # search_text holds the code and every label in every language, so a curator can type 终身 or Lifelong.
    search_fields = ["search_text"]
    autocomplete_fields = ["broader"]
    readonly_fields = ["search_text"]
