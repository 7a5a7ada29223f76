from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and sites"

    def ready(self) -> None:
        # Sign-in and lockout receivers (audit entries for axes events) register on import.
        from accounts.services import auth  # noqa: F401
