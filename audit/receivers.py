"""Sign-in events go on the ledger too."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import events
from audit.context import client_ip_of
from audit.models import AuditEntry
from audit.services import audit_record


def _remote_addr(request) -> str | None:
    return client_ip_of(request) if request is not None else None


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, event=events.ACCOUNT_LOGIN, target=user, remote_addr=_remote_addr(request))


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, event=events.ACCOUNT_LOGOUT, target=user, remote_addr=_remote_addr(request))


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted address is not stored: it may be a password typed in the wrong box.
    audit_record(
        actor=None,
        event=events.ACCOUNT_LOGIN_FAILED,
        model=get_user_model(),
        action=AuditEntry.Action.ACCESS,
        remote_addr=_remote_addr(request),
    )
