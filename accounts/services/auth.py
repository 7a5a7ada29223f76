"""Signing in: who must use a second factor, how long a session lasts, and lockout bookkeeping."""

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import Organisation, User
from accounts.selectors import roles_for
from audit import events
from audit.context import client_ip_of
from audit.models import AuditEntry
from audit.services import audit_record

# The roles that reach the most: they always need a second factor and have the shorter idle limit.
PRIVILEGED_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.ADMIN, Role.AUDITOR})

# What the session remembers about the sign-in (epoch seconds; never a code or a secret).
SIGNED_IN_AT = "vigil_signed_in_at"
LAST_ACTIVITY_AT = "vigil_last_activity_at"
MFA_VERIFIED_AT = "vigil_mfa_verified_at"
PRIVILEGED = "vigil_privileged"


def is_privileged(user: User) -> bool:
    """Whether the user holds, today, a role with the shorter idle limit and compulsory MFA."""
    return bool(roles_for(user) & PRIVILEGED_ROLES)


def mfa_required(user: User) -> bool:
    """A second factor is needed for privileged roles, for staff unless the organisation turned it
    off, and for anyone who has enrolled an authenticator (their account is protected by it)."""
    if is_privileged(user) or Organisation.current().mfa_required_for_staff:
        return True
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def idle_limit_seconds(session) -> int:
    if session.get(PRIVILEGED):
        return settings.VIGIL_SESSION_IDLE_SECONDS_PRIVILEGED
    return settings.VIGIL_SESSION_IDLE_SECONDS


def idle_seconds_left(session, now: float | None = None) -> int:
    """Seconds until the session ends for want of activity (0 or less: it has ended)."""
    now = time.time() if now is None else now
    last = session.get(LAST_ACTIVITY_AT, now)
    absolute_end = session.get(SIGNED_IN_AT, now) + settings.VIGIL_SESSION_ABSOLUTE_SECONDS
    return int(min(last + idle_limit_seconds(session), absolute_end) - now)


def mfa_is_fresh(session, now: float | None = None) -> bool:
    """Whether the person entered a code within the last few minutes (VIGIL_MFA_FRESH_SECONDS)."""
    verified_at = session.get(MFA_VERIFIED_AT)
    if verified_at is None:
        return False
    now = time.time() if now is None else now
    return now - verified_at <= settings.VIGIL_MFA_FRESH_SECONDS


def session_start(request, user: User) -> None:
    """Stamp a new sign-in: the clock for the absolute limit starts here."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY_AT] = now
    request.session[PRIVILEGED] = is_privileged(user)


@receiver(user_logged_in, dispatch_uid="accounts.session_start")
def _stamp_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request, user)


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def _audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # The attempted email is not recorded: it may be a password typed into the wrong box.
    audit_record(
        actor=None, event=events.ACCOUNT_LOCKED_OUT, model=User, action=AuditEntry.Action.ACCESS, remote_addr=ip_address
    )


def axes_username(request, credentials) -> str:
    """The email as the sign-in form reads it, so "Sam@School.org " and "sam@school.org" count together."""
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()


def axes_client_ip(request) -> str:
    """The client's address for the lockout: the ledger's own reading of it (audit.context.client_ip_of),
    so a client-supplied X-Forwarded-For never resets the count and a malformed one is never an error."""
    return client_ip_of(request) or ""
