from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backpainlog.accounts"
    label = "accounts"
    verbose_name = "Accounts"
