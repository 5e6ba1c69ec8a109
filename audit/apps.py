from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Account activity"

    def ready(self) -> None:
        # Sign-ins, failures and sign-outs reach us as django.contrib.auth's signals.
        from audit import receivers  # noqa: F401
