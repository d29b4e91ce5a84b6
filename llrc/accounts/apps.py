from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "llrc.accounts"
    verbose_name = "Accounts"
