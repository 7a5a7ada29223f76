"""Forgotten passwords: asking for a link (rate-limited, the same for every address) and the
worker that sends it through an outbox, like the alert emails.

The request only counts and writes one row; it never looks the address up. So neither the page
nor its response time tells anyone whether an address has an account, and a mail server that is
slow or down never holds up the page. The worker finds the account, if any, and sends the link.
"""

import datetime
import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import PasswordResetRequest, User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record

logger = logging.getLogger(__name__)

LIMIT_WINDOW = datetime.timedelta(hours=1)
# A person who lost the first email asks again; someone trying address after address, or
# flooding one inbox, is stopped.
LIMIT_PER_ADDRESS = 5
LIMIT_PER_CLIENT = 20
MAX_ATTEMPTS = 5
# Rows are kept this long for the counts, then deleted by the sweep.
KEPT_FOR = datetime.timedelta(days=1)
# The message for the worker was lost if the row is still waiting after this long.
SWEEP_AFTER = datetime.timedelta(seconds=30)

TOO_MANY = (
    "You have asked for several links in the last hour. Use the newest email we sent "
    "(check your junk folder), or try again in an hour."
)


def _digest(email: str) -> str:
    """A keyed digest of the normalised address: enough to count by, not to read back."""
    return hmac.new(force_bytes(settings.SECRET_KEY), force_bytes(email.strip().lower()), hashlib.sha256).hexdigest()


def _over_limit(*, digest: str, client_ip: str | None) -> bool:
    since = timezone.now() - LIMIT_WINDOW
    recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
    if recent.filter(email_digest=digest).count() >= LIMIT_PER_ADDRESS:
        return True
    return client_ip is not None and recent.filter(client_ip=client_ip).count() >= LIMIT_PER_CLIENT


@transaction.atomic
def password_reset_request(*, email: str, client_ip: str | None) -> PasswordResetRequest:
    """Queue a reset link for this address, if it has an account: the same work whether or not it does.

    Raises ValidationError when the address or the client has asked too often in the last hour.
    """
    digest = _digest(email)
    if _over_limit(digest=digest, client_ip=client_ip):
        raise ValidationError(TOO_MANY, code="rate_limited")
    outbox = PasswordResetRequest(email=email.strip().lower(), email_digest=digest, client_ip=client_ip)
    outbox.full_clean()
    outbox.save()
    transaction.on_commit(lambda: _enqueue(outbox.pk))
    return outbox


def _enqueue(request_id: int) -> None:
    from accounts.tasks import password_reset_send

    try:
        password_reset_send.delay(request_id)
    except Exception:
        # The broker is down: the row is committed, and the periodic sweep sends it.
        logger.exception("Could not enqueue a password-reset email; the sweep will send it")


def _email_for(user: User) -> tuple[str, str]:
    context = {
        "email": user.email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "base_url": settings.VIGIL_BASE_URL.rstrip("/"),
        "protocol": "https",
    }
    subject = "".join(render_to_string("accounts/password_reset_subject.txt", context).splitlines())
    return subject, render_to_string("accounts/password_reset_email.txt", context)


def _accounts_for(email: str) -> list[User]:
    # Django's own rule: active accounts with a usable password, matched without regard to case.
    return list(PasswordResetForm().get_users(email))


@transaction.atomic
def password_reset_send(*, request_id: int) -> bool:
    """Send the link for one request, if its address has an account; True once it is dealt with."""
    outbox = (
        PasswordResetRequest.objects.select_for_update(skip_locked=True)
        .filter(pk=request_id, processed_at__isnull=True)
        .first()
    )
    if outbox is None:
        return False  # another worker has it, or it was dealt with already
    try:
        for user in _accounts_for(outbox.email):
            subject, body = _email_for(user)
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
            audit_record(
                actor=None, event=events.ACCOUNT_PASSWORD_RESET_SENT, target=user, action=AuditEntry.Action.ACCESS
            )
    except Exception as error:  # noqa: BLE001 - retried by the sweep, then given up
        return _attempt_failed(outbox, error)
    _forget(outbox)
    return True


def _attempt_failed(outbox: PasswordResetRequest, error: Exception) -> bool:
    outbox.attempts += 1
    given_up = outbox.attempts >= MAX_ATTEMPTS
    logger.warning("Password-reset email %s failed (attempt %s): %s", outbox.pk, outbox.attempts, type(error).__name__)
    if given_up:
        _forget(outbox)
    else:
        outbox.save(update_fields=["attempts"])
    return given_up


def _forget(outbox: PasswordResetRequest) -> None:
    outbox.email = ""
    outbox.processed_at = timezone.now()
    outbox.save(update_fields=["email", "processed_at", "attempts"])


def password_resets_deliver_pending() -> int:
    """The periodic sweep: send what a lost message left waiting, and drop rows past counting."""
    now = timezone.now()
    PasswordResetRequest.objects.filter(requested_at__lt=now - KEPT_FOR).delete()
    waiting = PasswordResetRequest.objects.filter(
        processed_at__isnull=True, requested_at__lte=now - SWEEP_AFTER
    ).order_by("requested_at")
    return sum(password_reset_send(request_id=pk) for pk in list(waiting.values_list("pk", flat=True)[:500]))
