from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "llrc.web"
    verbose_name = "Public pages"
