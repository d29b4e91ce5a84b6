from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "llrc.catalogue"
    verbose_name = "Catalogue"
