"""Safeguarding training records: induction in the recording system, then regular refreshers."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import TrainingKind
from accounts.console_selectors import users_managed_by
from accounts.models import TrainingRecord, User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record


def refresher_due_after(completed_on: datetime.date) -> datetime.date:
    """The organisation's refresher interval: one year after the training was completed."""
    try:
        return completed_on.replace(year=completed_on.year + 1)
    except ValueError:  # 29 February
        return completed_on.replace(year=completed_on.year + 1, day=28)


@transaction.atomic
def training_record(
    *,
    admin: User,
    user: User,
    kind: str,
    completed_on: datetime.date,
    due_on: datetime.date | None = None,
    notes: str = "",
) -> TrainingRecord:
    """An administrator records that a person completed safeguarding training, and when the next refresher is due."""
    if not users_managed_by(admin).filter(pk=user.pk).exists():
        raise PermissionDenied("You do not manage this person's account.")
    if kind not in TrainingKind.values:
        raise ValidationError({"kind": "Choose induction or refresher."})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The training date is in the future: enter the day it was completed."})
    due_on = due_on or refresher_due_after(completed_on)
    if due_on <= completed_on:
        raise ValidationError({"due_on": "The next refresher must be due after the training was completed."})
    record = TrainingRecord(
        user=user, kind=kind, completed_on=completed_on, due_on=due_on, notes=notes.strip(), recorded_by=admin
    )
    record.full_clean()
    record.save()
    # The notes are free text and stay off the ledger.
    audit_record(
        actor=admin,
        event=events.TRAINING_RECORDED,
        target=record,
        fields=["kind", "completed_on", "due_on"],
        action=AuditEntry.Action.CREATE,
    )
    return record
