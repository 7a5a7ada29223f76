from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sites"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from accounts import models

        # Sign-in and lockout receivers (audit entries for axes events) register on import.
        from accounts.services import auth  # noqa: F401

        # Every change to who may do what goes on the ledger as field changes; never a password hash.
        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.Membership)
        auditlog.register(models.Site)
        auditlog.register(models.Organisation)
        auditlog.register(models.TrainingRecord, exclude_fields=["notes"])
