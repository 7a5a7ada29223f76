"""Alerts: in-app notifications, which double as the email outbox."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from concerns.choices import NotificationKind
from concerns.models.concerns import Concern


class Notification(models.Model):
    """Something a person must attend to, shown in the app and sent by email (the email outbox).

    Emails carry no child names or concern text, only that something needs attention and a link.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Urgent (immediate danger, or an escalation) is marked so everywhere and always emailed.
    is_urgent = models.BooleanField(default=False)
    # False when the person chose not to be emailed routine alerts: the outbox skips it.
    email_wanted = models.BooleanField(default=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    # The email's delivery: each one is tried on its own and retried with back-off, so one bad
    # address never holds back the alerts behind it; one that keeps failing is shown to administrators.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(default=timezone.now)
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "concern", "kind"], name="notification_once_per_kind")
        ]
        indexes = [
            # A person's unread alerts, newest first: a few rows among the hundreds of thousands
            # a DSL of a large site is sent over the years.
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # The header's count of them, urgent first, stopping at the hundredth.
            models.Index(
                fields=["recipient", "-is_urgent"],
                name="notification_unread_urgent",
                condition=models.Q(read_at__isnull=True),
            ),
            # The alerts list's older, read alerts, newest first, without sorting all of them.
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["email_next_attempt_at", "id"],
                name="notification_email_pending",
                condition=models.Q(email_sent_at__isnull=True, email_failed_at__isnull=True, email_wanted=True),
            ),
            models.Index(
                fields=["-email_failed_at"],
                name="notification_email_failed",
                condition=models.Q(email_sent_at__isnull=True, email_failed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id} about concern {self.concern_id}"
