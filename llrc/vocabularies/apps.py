from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    name = "llrc.vocabularies"
    verbose_name = "Vocabularies"
