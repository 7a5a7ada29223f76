"""Second factors: an authenticator app (TOTP) and single-use recovery codes, through django-otp."""

from django.db import transaction
from django_otp import devices_for_user

from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record


@transaction.atomic
def mfa_reset(*, admin: User, user: User) -> int:
    """An administrator removes a person's authenticator and recovery codes; they enrol again at next sign-in."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    audit_record(actor=admin, event="account.mfa_reset", target=user, action=AuditEntry.Action.UPDATE)
    return removed
