"""Alert emails one at a time: each succeeds or fails on its own, is retried with back-off, and one
that keeps failing is marked failed and shown to administrators, who can send it again.

A failed alert is a safeguarding risk (a DSL who never hears of a concern), so failures are never
silent: the administrator's console lists them, with the recipient, when and why, and nothing
about the child or the concern.
"""

import datetime
import logging
import smtplib

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit import events
from audit.services import audit_record
from concerns import policy
from concerns.models import Notification

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt. An alert may be about a child in
# immediate danger, so the first retries come quickly; after the last delay, one more attempt.
RETRY_DELAYS_MINUTES = (1, 2, 5, 10, 30, 60, 120)
MAX_ATTEMPTS = len(RETRY_DELAYS_MINUTES) + 1
ERROR_MAX_CHARS = 500


class Outcome(models.TextChoices):
    """What one attempt to send one alert email came to."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    # The mail server itself failed, not this email: the rest of the batch waits for the next sweep.
    SERVER_UNAVAILABLE = "server_unavailable"
    SKIPPED = "skipped"


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """How long to wait after `attempts` failed tries, or None when the email has failed for good."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return datetime.timedelta(minutes=RETRY_DELAYS_MINUTES[attempts - 1])


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _classify(error: Exception) -> tuple[Outcome, str]:
    """What one email's failure means (RETRY, FAILED for good, or SERVER_UNAVAILABLE), in one line."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        refused = bool(replies) and all(code >= 500 for code, _ in replies)
        text = "Recipient refused: " + "; ".join(_smtp_reply(code, reply) for code, reply in replies)
        return (Outcome.FAILED if refused else Outcome.RETRY), text
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        # Vigil's own sending account is refused: every email would be, not only this one.
        return Outcome.SERVER_UNAVAILABLE, f"{type(error).__name__}: {_smtp_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        outcome = Outcome.FAILED if error.smtp_code >= 500 else Outcome.RETRY
        return outcome, f"{type(error).__name__}: {_smtp_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, OSError):
        # Connection refused, timed out or dropped: the next email would fare no better.
        return Outcome.SERVER_UNAVAILABLE, f"{type(error).__name__}: {error}"
    return Outcome.RETRY, f"{type(error).__name__}: {error}"


def email_attempt_failed(*, notification: Notification, error: Exception) -> Outcome:
    """Record a failed attempt on the (locked) row: back off, or mark the email failed for good."""
    outcome, description = _classify(error)
    notification.email_attempts += 1
    notification.email_error = description[:ERROR_MAX_CHARS]
    delay = None if outcome == Outcome.FAILED else retry_delay(notification.email_attempts)
    if delay is None:
        notification.email_failed_at = timezone.now()
    else:
        notification.email_next_attempt_at = timezone.now() + delay
    notification.save(update_fields=["email_attempts", "email_error", "email_failed_at", "email_next_attempt_at"])
    # One line, with no address: the console shows administrators who and why.
    logger.warning(
        "Alert email %s: attempt %s failed (%s), %s",
        notification.pk,
        notification.email_attempts,
        type(error).__name__,
        "given up" if delay is None else f"next try in {delay}",
    )
    # Even when the server is at fault this email is backed off, so the next sweep starts with others.
    if outcome == Outcome.SERVER_UNAVAILABLE or delay is not None:
        return outcome
    return Outcome.FAILED


def failed_alert_emails_for(user) -> QuerySet[Notification]:
    """Alert emails that failed for good, about concerns at sites the user administers, newest first.

    For the console: the recipient and the error only, never the child or the concern's content.
    """
    return (
        Notification.objects.filter(
            email_sent_at__isnull=True,
            email_failed_at__isnull=False,
            concern__site_id__in=policy.admin_site_ids(user),
        )
        .select_related("recipient", "concern__site")
        .only(
            "id",
            "kind",
            "created_at",
            "email_attempts",
            "email_failed_at",
            "email_error",
            "recipient__email",
            "recipient__full_name",
            "concern__site__name",
        )
        .order_by("-email_failed_at", "-id")
    )


@transaction.atomic
def notification_email_retry(*, admin, notification: Notification) -> Notification:
    """An administrator (having fixed the address, or the mail server) sends a failed alert email again."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.email_failed_at is None:
        return notification  # already retried (a double click) or sent
    notification.email_failed_at = None
    notification.email_attempts = 0
    notification.email_next_attempt_at = timezone.now()
    notification.full_clean()
    notification.save(update_fields=["email_failed_at", "email_attempts", "email_next_attempt_at"])
    audit_record(
        actor=admin, event=events.NOTIFICATION_EMAIL_RETRIED, target=notification, site_id=notification.concern.site_id
    )
    transaction.on_commit(_enqueue_send)
    return notification


def _enqueue_send() -> None:
    from concerns.tasks import notifications_send_email

    try:
        notifications_send_email.delay()
    except Exception:
        logger.exception("Could not enqueue alert emails; the sweep will send them")
