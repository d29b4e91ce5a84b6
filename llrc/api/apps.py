from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "llrc.api"
    verbose_name = "REST API"
