"""The review loop's writes: the deadline a concern is given at submission, and the DSL team's
triage of it — claim, priority, the review decision, the owner, closing (DESIGN.md sections 2–3).

Status moves only here: `submitted → in review` when someone claims it, `→ open` when the review
decision is recorded (which is what makes it *reviewed*; opening it is not), `→ closed` with an
outcome and a reason. Each change is on the ledger: a named event from here, and the field changes
auditlog records for the concern. Every write locks the concern's row first, so two members of
the DSL team never claim or review one concern at once: the second is told who has it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Site
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.choices import ConcernStatus, EscalationLevel, Outcome, Priority, ReviewDecisionKind
from concerns.deadlines import WorkingHours, add_working_time, review_deadline
from concerns.models import Closure, Concern, Notification, ReviewDecision

if TYPE_CHECKING:
    from accounts.models import User

# Level 2 follows level 1 by one working hour (DESIGN.md section 3).
SENIOR_ESCALATION_AFTER = datetime.timedelta(hours=1)
AWAITING_REVIEW = (ConcernStatus.SUBMITTED, ConcernStatus.IN_REVIEW)


class ReviewConflict(Exception):
    """Someone else holds the concern (has claimed or already reviewed it): the caller says who."""

    def __init__(self, message: str, *, holder: User | None):
        super().__init__(message)
        self.holder = holder


# --- the deadline ---------------------------------------------------------------------------


def review_clock_start(*, concern: Concern, site: Site) -> None:
    """Give an unsaved concern its review deadline and its first escalation time."""
    concern.review_deadline = review_deadline(
        concern.recorded_at, immediate_danger=concern.immediate_danger, hours=WorkingHours.of(site)
    )
    concern.escalates_at = concern.review_deadline


def next_escalation_at(*, concern: Concern, hours: WorkingHours) -> datetime.datetime | None:
    """When an unreviewed concern next escalates: at its deadline, then one working hour later."""
    if concern.escalation_level == 0:
        return concern.review_deadline
    if concern.escalation_level == EscalationLevel.OVERDUE:
        return add_working_time(concern.review_deadline, SENIOR_ESCALATION_AFTER, hours)
    return None


@transaction.atomic
def review_deadlines_recompute(*, site: Site, actor: User | None = None) -> int:
    """The site's hours changed: every concern there still awaiting review gets the deadline the
    new hours give it. Reviewed concerns keep theirs, which is what they were held to."""
    hours = WorkingHours.of(site)
    changed = 0
    awaiting = Concern.objects.select_for_update().filter(site=site, reviewed_at__isnull=True)
    for concern in awaiting.only("pk", "recorded_at", "immediate_danger", "review_deadline", "escalation_level"):
        deadline = review_deadline(concern.recorded_at, immediate_danger=concern.immediate_danger, hours=hours)
        if deadline == concern.review_deadline:
            continue
        concern.review_deadline = deadline
        concern.escalates_at = next_escalation_at(concern=concern, hours=hours)
        Concern.objects.filter(pk=concern.pk).update(review_deadline=deadline, escalates_at=concern.escalates_at)
        changed += 1
    if changed:
        audit_record(
            actor=actor,
            event=events.CONCERN_DEADLINE_RECOMPUTED,
            model=Concern,
            counts={"concerns": changed},
            site_id=site.pk,
        )
    return changed


def review_deadlines_on_new_hours(sender, *, site: Site, actor: User, **kwargs) -> None:
    """accounts' site_hours_changed: recompute in the transaction that changed the hours."""
    review_deadlines_recompute(site=site, actor=actor)


# --- triage ---------------------------------------------------------------------------------


def _locked_for_triage(user: User, concern: Concern) -> Concern:
    """The concern's row, locked for this transaction, if the user may triage it."""
    # No select_related: when the lock waited for another claim, PostgreSQL rechecks the concern's
    # row but not a joined one, so a joined claimer would read as nobody. The holder is read after.
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if not policy.can_triage(user, locked):
        raise PermissionDenied("Only the DSL team of the concern's site triages it.")
    return locked


def _refuse_if_held_by_another(user: User, concern: Concern) -> None:
    if concern.claimed_by_id is not None and concern.claimed_by_id != user.pk:
        raise ReviewConflict(f"{concern.claimed_by} is reviewing this concern.", holder=concern.claimed_by)


def _refuse_if_closed(concern: Concern) -> None:
    if concern.status == ConcernStatus.CLOSED:
        raise ValidationError("This concern is closed.")


def _on_ledger(user: User, event: str, concern: Concern, fields: tuple[str, ...] = ()) -> None:
    audit_record(
        actor=user,
        event=event,
        target=concern,
        action=AuditEntry.Action.UPDATE,
        object_ids=concern.child_links.values_list("child_id", flat=True),
        fields=fields,
        site_id=concern.site_id,
    )


@transaction.atomic
def concern_claim(*, user: User, concern: Concern) -> Concern:
    """Take a concern awaiting review, so the rest of the team sees that someone has it."""
    locked = _locked_for_triage(user, concern)
    _refuse_if_closed(locked)
    if locked.is_reviewed:
        raise ReviewConflict(f"{locked.reviewed_by} has already reviewed this concern.", holder=locked.reviewed_by)
    _refuse_if_held_by_another(user, locked)
    if locked.claimed_by_id == user.pk:
        return locked
    locked.claimed_by, locked.claimed_at = user, timezone.now()
    locked.status = ConcernStatus.IN_REVIEW
    locked.save(update_fields=["claimed_by", "claimed_at", "status"])
    _on_ledger(user, events.CONCERN_CLAIMED, locked, ("claimed_by", "status"))
    return locked


@transaction.atomic
def concern_release(*, user: User, concern: Concern) -> Concern:
    """Give back a claimed concern, unreviewed, for someone else on the team to take."""
    locked = _locked_for_triage(user, concern)
    _refuse_if_held_by_another(user, locked)
    if locked.claimed_by_id is None:
        return locked
    locked.claimed_by, locked.claimed_at = None, None
    if locked.status == ConcernStatus.IN_REVIEW:
        locked.status = ConcernStatus.SUBMITTED
    locked.save(update_fields=["claimed_by", "claimed_at", "status"])
    _on_ledger(user, events.CONCERN_RELEASED, locked, ("claimed_by", "status"))
    return locked


@transaction.atomic
def concern_priority_set(*, user: User, concern: Concern, priority: str) -> Concern:
    """How urgently the DSL team means to act on it: low, medium, high or urgent."""
    if priority not in Priority.values:
        raise ValidationError({"priority": "Choose low, medium, high or urgent."})
    locked = _locked_for_triage(user, concern)
    _refuse_if_closed(locked)
    _refuse_if_held_by_another(user, locked)
    if locked.priority != priority:
        locked.priority = priority
        locked.save(update_fields=["priority"])
        _on_ledger(user, events.CONCERN_PRIORITY_SET, locked, ("priority",))
    return locked


def _owner_problems(owner: User | None, concern: Concern) -> dict[str, str]:
    if owner is not None and not policy.may_own_cases_at(owner, concern):
        return {"owner": "Choose a member of this site's DSL team who can read this concern."}
    return {}


@transaction.atomic
def concern_review(
    *,
    user: User,
    concern: Concern,
    decision: str,
    rationale: str,
    priority: str = "",
    owner: User | None = None,
) -> ReviewDecision:
    """Record the review decision and its rationale: the concern is reviewed, its alerts are
    cleared for everyone, it stops escalating, and it is open for the actions that follow."""
    rationale = (rationale or "").replace("\x00", "").strip()
    problems: dict[str, str] = {}
    if decision not in ReviewDecisionKind.values:
        problems["decision"] = "Choose what was decided."
    if not rationale:
        problems["rationale"] = "Say why: the rationale is part of the record."
    if priority and priority not in Priority.values:
        problems["priority"] = "Choose low, medium, high or urgent."
    locked = _locked_for_triage(user, concern)
    problems.update(_owner_problems(owner, locked))
    if problems:
        raise ValidationError(problems)
    _refuse_if_closed(locked)
    if locked.is_reviewed:
        raise ReviewConflict(f"{locked.reviewed_by} has already reviewed this concern.", holder=locked.reviewed_by)
    _refuse_if_held_by_another(user, locked)
    now = timezone.now()
    review = ReviewDecision(concern=locked, decided_by=user, decided_at=now, decision=decision, rationale=rationale)
    review.full_clean()
    review.save()
    locked.reviewed_at, locked.reviewed_by = now, user
    locked.claimed_by, locked.claimed_at = None, None
    locked.escalates_at = None
    locked.status = ConcernStatus.OPEN
    locked.priority = priority or locked.priority
    locked.owner = owner or locked.owner or user
    locked.save(
        update_fields=[
            "reviewed_at",
            "reviewed_by",
            "claimed_by",
            "claimed_at",
            "escalates_at",
            "status",
            "priority",
            "owner",
        ]
    )
    Notification.objects.filter(concern=locked, read_at__isnull=True).update(read_at=now)
    _on_ledger(user, events.CONCERN_REVIEWED, locked, ("decision", "rationale", "status"))
    return review


@transaction.atomic
def concern_owner_assign(*, user: User, concern: Concern, owner: User) -> Concern:
    """Give the case to a member of the site's DSL team who can read it."""
    locked = _locked_for_triage(user, concern)
    _refuse_if_closed(locked)
    problems = _owner_problems(owner, locked)
    if problems:
        raise ValidationError(problems)
    if locked.owner_id != owner.pk:
        locked.owner = owner
        locked.save(update_fields=["owner"])
        _on_ledger(user, events.CONCERN_OWNER_ASSIGNED, locked, ("owner",))
    return locked


@transaction.atomic
def concern_close(*, user: User, concern: Concern, outcome: str, reason: str) -> Closure:
    """Close a reviewed concern, with its outcome and the reason."""
    reason = (reason or "").replace("\x00", "").strip()
    problems: dict[str, str] = {}
    if outcome not in Outcome.values:
        problems["outcome"] = "Choose the outcome."
    if not reason:
        problems["reason"] = "Say why the concern can be closed."
    if problems:
        raise ValidationError(problems)
    locked = _locked_for_triage(user, concern)
    _refuse_if_closed(locked)
    if not locked.is_reviewed:
        raise ValidationError("A concern is reviewed before it is closed.")
    now = timezone.now()
    closure = Closure(concern=locked, closed_by=user, closed_at=now, outcome=outcome, reason=reason)
    closure.full_clean()
    closure.save()
    locked.status, locked.closed_at = ConcernStatus.CLOSED, now
    locked.save(update_fields=["status", "closed_at"])
    _on_ledger(user, events.CONCERN_CLOSED, locked, ("outcome", "reason", "status"))
    return closure
