from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "llrc.operations"
    verbose_name = "Operations (the llrc command)"
