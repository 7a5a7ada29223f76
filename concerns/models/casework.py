"""Casework: what the DSL team adds to a concern after its review, in one append-only table.

Every kind of entry (action, referral, communication, meeting, note, outcome, ...) is a row of
CaseEntry, so a concern's or a child's chronology reads them in one query, ordered by the day each
happened. Kind-specific details are typed, blank-by-default columns on the same row, checked per
kind by concerns.services.casework. Nothing here is ever updated or deleted (a database trigger
refuses an UPDATE, migration 0015): a correction is a later entry that `corrects` the earlier one;
completing an action or a referral's response is its own entry `regarding` the action or referral.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from concerns.choices import (
    CommunicationMethod,
    EntryKind,
    LawfulBasis,
    MeetingKind,
    Outcome,
    ReferralAgency,
    SpecialCategoryCondition,
)
from concerns.models.concerns import Concern


class EntryImmutable(Exception):
    """A saved entry was asked to change: corrections are later entries."""


class CaseEntry(models.Model):
    """One thing the DSL team did or decided about a concern, on the record for good as saved."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=30, choices=EntryKind.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The day it happened (a referral made, a meeting held), which may be before it was recorded.
    happened_on = models.DateField()
    text = models.TextField(help_text="What was done, decided or said; for an action, what is to be done.")
    is_significant = models.BooleanField(default=False)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    # An action done, or a referral's response: the entry they follow.
    regarding = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")

    # An action.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="actions_assigned"
    )
    due_on = models.DateField(null=True, blank=True)
    # A referral.
    agency = models.CharField(max_length=20, choices=ReferralAgency.choices, blank=True)
    agency_other = models.CharField("which agency", max_length=200, blank=True)
    reference = models.CharField("the agency's reference", max_length=100, blank=True)
    spoken_to = models.CharField("who was spoken to", max_length=200, blank=True)
    # A communication.
    with_whom = models.CharField(max_length=200, blank=True)
    method = models.CharField("how", max_length=20, choices=CommunicationMethod.choices, blank=True)
    what_shared = models.TextField("what was shared", blank=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices, blank=True)
    special_condition = models.CharField(
        "condition for special category data", max_length=30, choices=SpecialCategoryCondition.choices, blank=True
    )
    lawful_basis_detail = models.CharField(max_length=300, blank=True)
    # A meeting.
    meeting_kind = models.CharField(max_length=20, choices=MeetingKind.choices, blank=True)
    attendees = models.TextField(blank=True)
    # An outcome.
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["happened_on", "recorded_at", "id"]
        verbose_name_plural = "case entries"
        indexes = [
            # A concern's chronology, in the order things happened.
            models.Index(fields=["concern", "happened_on", "recorded_at"], name="caseentry_chronology"),
            # "My actions", and the overdue-action sweep: actions only, by due date.
            models.Index(
                fields=["assignee", "due_on"], name="caseentry_action_assignee", condition=models.Q(kind="action")
            ),
            models.Index(fields=["due_on"], name="caseentry_action_due", condition=models.Q(kind="action")),
        ]
        constraints = [
            # An action is done once; a correction replaces an entry once.
            models.UniqueConstraint(
                fields=["regarding"], condition=models.Q(kind="action_done"), name="caseentry_action_done_once"
            ),
            models.UniqueConstraint(fields=["corrects"], name="caseentry_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} on concern {self.concern_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise EntryImmutable("A case entry is never changed once saved: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EntryImmutable("A case entry is never deleted.")


class ActionReminder(models.Model):
    """That an overdue action's assignee and the concern's owner were reminded: once per due date."""

    action = models.ForeignKey(CaseEntry, on_delete=models.PROTECT, related_name="reminders")
    due_on = models.DateField()
    reminded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["reminded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "due_on"], name="action_reminded_once")]

    def __str__(self) -> str:
        return f"Reminder of action {self.action_id} due {self.due_on}"
