"""Escalation: a concern still unreviewed past its deadline is escalated, once per level (DESIGN.md
section 3; invariant 5, "every overdue concern escalates exactly once per level").

Level 1, at the deadline, re-alerts the people told of the concern at submission (the site's DSL
team and those the author named), each only if they can open it. Level 2, one working hour later,
alerts the site's escalation contact and the organisation-wide DSLs whether or not they may read
it: the alert page shows someone who may not only facts with no content in them (the reference,
the site, the deadline, how overdue it is, who on the DSL team has it).

The database holds the truth: `Concern.escalates_at` says when the next level is due, and the sweep
finds what has come due through the partial index `concern_escalation_due`. It takes rows with
SELECT ... FOR UPDATE SKIP LOCKED, so two beats (or two workers) sweeping at once share the work
rather than both doing it; the Escalation row's unique (concern, level) is the last line of defence.

Catching up after beat was down: each level's time is counted from the deadline, never from when
the sweep got round to the level before. A concern whose level-2 time passed as well while nothing
ran is escalated to level 1 and then, in the same sweep, to level 2: its head is told now, not an
hour after a sweep that was already late. Each Escalation row records when its level fell due
(`due_at`) beside when it fired, so the lateness shows.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation, User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns.choices import EscalationLevel, NotificationKind
from concerns.deadlines import WorkingHours
from concerns.models import Concern, Escalation, TaskHeartbeat
from concerns.services.alerts import alert_recipients_for, alerts_raise
from concerns.services.review import next_escalation_at

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

SWEEP_HEARTBEAT = "escalations_sweep"
# Rows locked per transaction: small enough that a DSL reviewing one of them waits a moment at most.
SWEEP_BATCH = 100


def escalations_due(*, now: datetime.datetime) -> QuerySet[Concern]:
    """Unreviewed concerns whose next escalation has come, the longest overdue first.

    Every condition of the partial index `concern_escalation_due` is spelled out, so the planner
    can use it: a few rows among a million, in a millisecond (DESIGN.md section 6)."""
    escalating = Concern.objects.filter(reviewed_at__isnull=True, escalates_at__isnull=False)
    return escalating.filter(escalates_at__lte=now).order_by("escalates_at")


def escalations_sweep(*, now: datetime.datetime | None = None) -> int:
    """Escalate every concern that has come due, each level once; returns how many escalations fired.

    Runs every minute from beat, safely beside another sweep. A concern whose escalation fails (a
    site's holidays that cannot be read, say) is logged and left for the next sweep, never allowed
    to hold back the others."""
    now = now or timezone.now()
    fired = 0
    failed: set[int] = set()
    # Until a batch finds nothing: a concern whose level-2 time has passed too is taken again. Each
    # one taken moves on a level or is set aside as failed, and there are two levels: the loop ends.
    while True:
        taken, count = _sweep_batch(now=now, failed=failed)
        fired += count
        if not taken:
            break
    TaskHeartbeat.objects.update_or_create(name=SWEEP_HEARTBEAT, defaults={"completed_at": timezone.now()})
    return fired


@transaction.atomic
def _sweep_batch(*, now: datetime.datetime, failed: set[int]) -> tuple[int, int]:
    due = escalations_due(now=now).exclude(pk__in=failed) if failed else escalations_due(now=now)
    batch = list(due.select_for_update(skip_locked=True, of=("self",))[:SWEEP_BATCH])
    fired = 0
    for concern in batch:
        try:
            with transaction.atomic():
                fired += escalation_fire(concern=concern, now=now) is not None
        except Exception:
            logger.exception("Could not escalate concern %s; the next sweep tries again", concern.pk)
            failed.add(concern.pk)
    return len(batch), fired


@transaction.atomic
def escalation_fire(*, concern: Concern, now: datetime.datetime | None = None) -> Escalation | None:
    """Escalate an overdue, unreviewed concern to its next level: the Escalation row, the ledger
    entry and the alerts, together and once. None if it is not due, or that level was already fired."""
    now = now or timezone.now()
    locked = Concern.objects.select_for_update(of=("self",)).select_related("site").get(pk=concern.pk)
    if locked.reviewed_at is not None or locked.escalates_at is None or locked.escalates_at > now:
        return None
    level = locked.escalation_level + 1
    escalation = _escalation_record(locked, level, now) if level in EscalationLevel.values else None
    locked.escalation_level = min(level, EscalationLevel.SENIOR)
    locked.escalates_at = next_escalation_at(concern=locked, hours=WorkingHours.of(locked.site))
    locked.save(update_fields=["escalation_level", "escalates_at"])
    if escalation is None:
        return None
    recipients, kind = _recipients(locked, level)
    alerts_raise(concern=locked, recipients=recipients, kind=kind, urgent=True)
    audit_record(
        actor=None,
        event=events.CONCERN_ESCALATED,
        target=locked,
        action=AuditEntry.Action.UPDATE,
        object_ids=locked.child_links.values_list("child_id", flat=True),
        fields=("escalation_level",),
        counts={"level": level, "alerted": len(recipients)},
        site_id=locked.site_id,
    )
    return escalation


def _escalation_record(concern: Concern, level: int, now: datetime.datetime) -> Escalation | None:
    """The row that says this level fired, or None if one already does (the alerts went with it)."""
    assert concern.escalates_at is not None  # the caller found it due
    escalation = Escalation(concern=concern, level=level, due_at=concern.escalates_at, escalated_at=now)
    # Once per level is the database's to enforce: a check here would race with another sweep.
    escalation.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError:
        logger.warning("Concern %s was already escalated to level %s: not alerting again", concern.pk, level)
        return None
    return escalation


def _recipients(concern: Concern, level: int) -> tuple[list[User], str]:
    if level == EscalationLevel.OVERDUE:
        return alert_recipients_for(concern), NotificationKind.OVERDUE
    return escalation_senior_recipients(concern), NotificationKind.OVERDUE_SENIOR


def escalation_senior_recipients(concern: Concern) -> list[User]:
    """Level 2's: the site's escalation contact and the organisation-wide DSLs, if their accounts are
    active. Told whether or not they may read the concern; what they are shown is the alert page's."""
    ids = set(Organisation.current().safeguarding_leads.values_list("pk", flat=True))
    if concern.site.escalation_contact_id is not None:
        ids.add(concern.site.escalation_contact_id)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
