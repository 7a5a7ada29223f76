"""Telling the DSL team: in-app notifications, which double as the email outbox."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import dsl_team_at
from audit import events
from audit.services import audit_record
from concerns import policy
from concerns.choices import NotificationKind
from concerns.deadlines import IMMEDIATE_DANGER_REVIEW, in_words
from concerns.models import Concern, Notification
from concerns.services import email_delivery

logger = logging.getLogger(__name__)

EMAIL_BATCH = 500


def alert_recipients_for(concern: Concern) -> list:
    """Who is told of a newly submitted concern: the site's DSL team and the people the author
    named — each only if they can open it (DESIGN.md section 1: everyone alerted can open what
    the alert points to). A named deputy was given a recorded share of a restricted concern at
    submission; an unnamed deputy cannot read a restricted concern unless it is in immediate
    danger, so is not told of it."""
    candidates = {user.pk: user for user in dsl_team_at([concern.site_id])}
    candidates.update({user.pk: user for user in concern.named_recipients.filter(is_active=True)})
    return policy.readers_among(concern, list(candidates.values()))


def alerts_raise(*, concern: Concern, recipients, kind: str, urgent: bool) -> list[Notification]:
    """Alert each recipient once about this concern for this reason, in the caller's transaction;
    their emails go through the outbox after commit. Urgent alerts are always emailed, routine
    ones only to people who want them."""
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                concern=concern,
                kind=kind,
                is_urgent=urgent,
                email_wanted=urgent or user.emails_routine_alerts,
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    _enqueue_email_once_on_commit()
    return notifications


def alerts_raise_for_submission(*, concern: Concern) -> list[Notification]:
    """Alert the DSL team of the concern's site who may open it, in the submitting transaction."""
    return alerts_raise(
        concern=concern,
        recipients=alert_recipients_for(concern),
        kind=NotificationKind.CONCERN_SUBMITTED,
        urgent=concern.immediate_danger,
    )


def _enqueue_email_once_on_commit() -> None:
    """One message to the outbox's worker when this transaction commits, however many alerts it
    raised: a sweep escalating a hundred concerns sends one, not a hundred outbox runs.

    Read from Django's own list of what runs on commit, not a flag of ours: a savepoint rolled
    back (one failing escalation in a sweep) takes its callbacks out of that list, and a flag
    would stay set and silence every alert after it on this connection."""
    connection = transaction.get_connection()
    if any(entry[1] is _enqueue_email for entry in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_email)


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


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> bool:
    """The recipient has dealt with this alert: it leaves their unread count. False if it already had."""
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


@transaction.atomic
def notifications_mark_all_read(*, recipient) -> int:
    """Every unread alert of the recipient's is read: their count goes to nothing."""
    return Notification.objects.filter(recipient=recipient.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_open(*, recipient, notification: Notification, shows_notice: bool) -> None:
    """The recipient opened the alert, which marks it read. When they may not read the concern it
    points to (an escalation contact on a restricted concern), they are shown a notice of its
    facts instead: no child's data, but what they were told about is on the ledger all the same."""
    if notification.recipient_id != recipient.pk:
        raise PermissionDenied("Only an alert's recipient opens it.")
    notification_mark_read(notification=notification)
    if shows_notice:
        audit_record(
            actor=recipient,
            event=events.NOTIFICATION_OPENED,
            target=notification.concern,
            site_id=notification.concern.site_id,
        )


def alert_link(notification: Notification) -> str:
    """The alert's own page, in full: it opens the concern for a reader and a notice for anyone else."""
    return settings.VIGIL_BASE_URL.rstrip("/") + reverse("alerts:open", args=[notification.pk])


def _is_urgent(notification: Notification) -> bool:
    return notification.is_urgent or notification.concern.immediate_danger


def _email_subject(notification: Notification) -> str:
    concern = notification.concern
    urgent = "URGENT: " if _is_urgent(notification) else ""
    if notification.kind == NotificationKind.OVERDUE_SENIOR:
        return f"{urgent}Vigil: a concern overdue for review has been escalated to you"
    if notification.kind == NotificationKind.OVERDUE:
        return f"{urgent}Vigil: a concern is overdue for review"
    by = in_words(concern.review_deadline)
    if concern.immediate_danger:
        return f"URGENT: Vigil: a child may be in immediate danger: review by {by}"
    return f"{urgent}Vigil: a concern needs review by {by}"


def _what_is_due(notification: Notification) -> str:
    concern = notification.concern
    deadline = in_words(concern.review_deadline)
    about = f"A safeguarding concern ({concern.reference}) recorded at {concern.site.name}"
    danger = "It is marked as a child who may be in immediate danger. " if concern.immediate_danger else ""
    if notification.kind == NotificationKind.OVERDUE_SENIOR:
        return (
            f"{about} has been overdue for review since {deadline}. {danger}It has been escalated to you, "
            "as the site's escalation contact or an organisation-wide DSL: please make sure the DSL team acts on it."
        )
    if notification.kind == NotificationKind.OVERDUE:
        return (
            f"{about} has been overdue for review since {deadline}. {danger}"
            "It has been escalated: the site's DSL team is alerted again."
        )
    if concern.immediate_danger:
        return (
            f"URGENT: a safeguarding concern ({concern.reference}) recorded at {concern.site.name} is marked "
            "as a child who may be in immediate danger. It must be reviewed within "
            f"{IMMEDIATE_DANGER_REVIEW.seconds // 60} minutes, by {deadline}."
        )
    return f"{about} needs review by {deadline}."


def _email_body(notification: Notification) -> str:
    # No child names, no concern text (DESIGN.md section 3): only that something needs attention,
    # how urgently, by when, and a link that works for everyone alerted.
    return (
        f"{_what_is_due(notification)}\n\n"
        f"Open the alert in Vigil (you will be asked to sign in): {alert_link(notification)}\n\n"
        "This email holds no names and nothing of what was recorded, to keep the child's information safe.\n"
    )


def emails_due():
    """The outbox: alert emails wanted and due now, oldest first (a partial index serves it)."""
    return Notification.objects.filter(
        email_sent_at__isnull=True,
        email_failed_at__isnull=True,
        email_wanted=True,
        email_next_attempt_at__lte=timezone.now(),
    ).order_by("email_next_attempt_at", "id")


def notifications_send_email() -> int:
    """Send every alert email that is due, each on its own: sent, or failed and retried later.

    Each row is locked while its email goes, so two workers never send the same one. A refused
    address backs that email off (and in the end marks it failed, for an administrator to see)
    without holding back the ones behind it; if the mail server itself is down, the rest of the
    batch waits for the next sweep.
    """
    sent = 0
    for notification_id in list(emails_due().values_list("id", flat=True)[:EMAIL_BATCH]):
        outcome = _send_one(notification_id)
        if outcome == email_delivery.Outcome.SERVER_UNAVAILABLE:
            break
        if outcome == email_delivery.Outcome.SENT:
            sent += 1
    return sent


@transaction.atomic
def _send_one(notification_id: int) -> str:
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(id=notification_id, email_sent_at__isnull=True, email_failed_at__isnull=True, email_wanted=True)
        .select_related("recipient", "concern__site")
        .first()
    )
    if notification is None:
        return email_delivery.Outcome.SKIPPED  # another worker has it, or it went meanwhile
    message = _email_body(notification)
    try:
        send_mail(
            subject=_email_subject(notification),
            message=message,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception as error:  # noqa: BLE001 - any failure is this email's, recorded on its row
        return email_delivery.email_attempt_failed(notification=notification, error=error)
    notification.email_sent_at = timezone.now()
    notification.email_attempts += 1
    notification.save(update_fields=["email_sent_at", "email_attempts"])
    return email_delivery.Outcome.SENT
