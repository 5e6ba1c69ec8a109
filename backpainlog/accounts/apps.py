from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backpainlog.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from backpainlog.accounts.lockout import clear_own_failures

        user_logged_in.connect(clear_own_failures, dispatch_uid="accounts_clear_own_failures")
