"""Casework reads: a concern's entries in time order, "My actions", and a concern's next open action.

Each starts from what the user may see (concerns.policy.casework). An action's assignee who does
not otherwise read the concern is given the action's text, its due date and the concern's
reference, as plain values: never the concern itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from concerns import policy
from concerns.choices import ConcernStatus, EntryKind
from concerns.models import CaseEntry, Concern
from concerns.models.concerns import concern_reference


@dataclass(frozen=True)
class AssignedAction:
    """What the person asked to do something sees of it: no more than this."""

    pk: int
    text: str
    due_on: datetime.date
    concern_reference: str
    asked_on: datetime.date

    @property
    def is_overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def _done() -> Exists:
    return Exists(CaseEntry.objects.filter(regarding=OuterRef("pk"), kind=EntryKind.ACTION_DONE))


def _corrected() -> Exists:
    return Exists(CaseEntry.objects.filter(corrects=OuterRef("pk")))


def _with_state(entries: QuerySet[CaseEntry]) -> QuerySet[CaseEntry]:
    """Whether each entry was corrected by a later one, and (for an action) whether it is done."""
    return entries.annotate(is_done=_done(), is_corrected=_corrected())


def _open_actions(entries: QuerySet[CaseEntry]) -> QuerySet[CaseEntry]:
    return entries.filter(~_done(), ~_corrected(), kind=EntryKind.ACTION)


def entries_of(user, concern: Concern) -> list[CaseEntry]:
    """The concern's entries in the order they happened, each with who recorded it (and, for an
    action, who it is asked of), `is_done`, `is_corrected` and its attachments: three queries
    whatever their number. Empty for anyone who does not read the concern's casework."""
    if not policy.can_read_casework(user, concern):
        return []
    entries = CaseEntry.objects.filter(concern=concern).select_related("recorded_by", "assignee")
    return list(_with_state(entries).prefetch_related("attachments").order_by("happened_on", "recorded_at", "id"))


def next_open_action(user, concern: Concern) -> CaseEntry | None:
    """The open action of the concern due soonest, for the top of its page; None if there is none."""
    if not policy.can_read_casework(user, concern):
        return None
    actions = _open_actions(CaseEntry.objects.filter(concern=concern)).select_related("assignee")
    return actions.order_by("due_on", "id").first()


def _assigned(user) -> QuerySet[CaseEntry]:
    actions = policy.actions_assigned_to(user).exclude(concern__status=ConcernStatus.CLOSED)
    return _open_actions(actions)


def _as_assigned(rows) -> list[AssignedAction]:
    return [
        AssignedAction(
            pk=row["pk"],
            text=row["text"],
            due_on=row["due_on"],
            concern_reference=concern_reference(row["concern_id"]),
            asked_on=row["happened_on"],
        )
        for row in rows
    ]


_ASSIGNED_FIELDS = ("pk", "text", "due_on", "concern_id", "happened_on")


def my_actions(user) -> list[AssignedAction]:
    """The open actions asked of this user, soonest due first (one query)."""
    return _as_assigned(_assigned(user).order_by("due_on", "id").values(*_ASSIGNED_FIELDS))


def my_action(user, pk: int) -> AssignedAction | None:
    """One open action asked of this user, for the page where they mark it done; None otherwise (a 404)."""
    return next(iter(_as_assigned(_assigned(user).filter(pk=pk).values(*_ASSIGNED_FIELDS))), None)
