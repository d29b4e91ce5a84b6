from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "llrc.search"
    verbose_name = "Search"
