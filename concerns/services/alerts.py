"""Telling the DSL team: in-app notifications, which double as the email outbox."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import dsl_team_at
from concerns.choices import NotificationKind
from concerns.models import Concern, Notification

logger = logging.getLogger(__name__)

EMAIL_BATCH = 500


def alerts_raise_for_submission(*, concern: Concern) -> list[Notification]:
    """Alert every DSL and deputy of the concern's site, in the submitting transaction."""
    recipients = list(dsl_team_at([concern.site_id]))
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, concern=concern, kind=NotificationKind.CONCERN_SUBMITTED) for user in recipients],
        ignore_conflicts=True,
    )
    transaction.on_commit(_enqueue_email)
    return notifications


def _enqueue_email() -> None:
    from concerns.tasks import notifications_send_email

    try:
        notifications_send_email.delay()
    except Exception:
        # The broker is down: the rows are committed, and the periodic sweep sends them.
        logger.exception("Could not enqueue alert emails; the sweep will send them")


def notifications_mark_read(*, recipient, concern: Concern) -> int:
    """The recipient has opened the concern: its alert leaves their list. Opening is not reviewing."""
    return Notification.objects.filter(recipient=recipient, concern=concern, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _email_body(notification: Notification) -> str:
    # No child names, no concern text: only that something needs attention, and a link.
    link = settings.VIGIL_BASE_URL.rstrip("/") + reverse("concerns:detail", args=[notification.concern_id])
    return (
        f"A new safeguarding concern ({notification.concern.reference}) has been recorded at "
        f"{notification.concern.site.name} and needs review today.\n\n"
        f"Sign in to Vigil to read it: {link}\n"
    )


def notifications_send_email() -> int:
    """Send the email for every notification not yet emailed, each marked sent in its own step.

    Each row is locked while its email goes, so two workers never send the same one; a failure
    leaves that row pending for the next sweep and does not undo the ones already sent.
    """
    sent = 0
    pending = Notification.objects.filter(email_sent_at__isnull=True).order_by("created_at")
    for notification_id in list(pending.values_list("id", flat=True)[:EMAIL_BATCH]):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True)
                .filter(id=notification_id, email_sent_at__isnull=True)
                .select_related("recipient", "concern__site")
                .first()
            )
            if notification is None:
                continue
            send_mail(
                subject="Vigil: a concern needs review",
                message=_email_body(notification),
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
            notification.email_sent_at = timezone.now()
            notification.save(update_fields=["email_sent_at"])
            sent += 1
    return sent
