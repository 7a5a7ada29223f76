"""Shares: a DSL's grant of one concern or one child's record to one named person."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from concerns.models.children import Child
from concerns.models.concerns import Concern


class Share(models.Model):
    """A DSL's grant to one named user of one concern or one child's chronology, for a reason, until a date.

    The grant itself is a django-guardian object permission (the tables below); this row is its
    record: who, what, why, until when, and when it was revoked.
    """

    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares_received")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="shares")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="shares")
    reason = models.TextField()
    ends_on = models.DateField(help_text="The last day the share grants access.")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False, child__isnull=True)
                | models.Q(concern__isnull=True, child__isnull=False),
                name="share_one_concern_or_one_child",
            )
        ]
        indexes = [
            models.Index(fields=["ends_on"], name="share_live_by_end", condition=models.Q(revoked_at__isnull=True))
        ]

    def __str__(self) -> str:
        target = f"concern {self.concern_id}" if self.concern_id else f"child {self.child_id}"
        return f"Share of {target} with user {self.grantee_id}"


class ConcernUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct-foreign-key grant table for concerns (indexed joins, not generic ids)."""

    content_object = models.ForeignKey(Concern, on_delete=models.CASCADE)


class ChildUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's direct-foreign-key grant table for children (a shared chronology)."""

    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)
