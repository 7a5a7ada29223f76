"""Casework: who adds entries to a concern, who reads them, and what an action's assignee sees.

The DSL team of a concern's site who may read it record its entries (DESIGN.md section 1:
"triage: ... record actions, decisions, referrals, outcomes", "add communication logs and meeting
minutes"). Entries are read by those who read how the concern was triaged (the DSL team and the
site's auditors, each only if they may read the concern); its author sees only what is asked of them.

A member of staff asked to do something sees that action and nothing else of the concern: its
text, its due date and the concern's reference. Being an assignee grants no right to read the concern.
"""

from django.db.models import QuerySet

from accounts.choices import RECORDING_ROLES
from accounts.selectors import held_site_ids, holds_role_at
from concerns.choices import EntryKind
from concerns.models import CaseEntry, Concern
from concerns.policy.reading import can_read, can_read_triage, can_triage


def can_record_entry(user, concern: Concern) -> bool:
    """Actions, referrals, communications, meetings, notes and outcomes: the site's DSL team, on a
    concern they may read."""
    return can_triage(user, concern)


def can_read_casework(user, concern: Concern) -> bool:
    """A concern's entries are for those who read how it was triaged (see can_read_triage)."""
    return can_read_triage(user, concern)


def may_be_assigned(person, concern: Concern) -> bool:
    """Who may be asked to do something on a concern: an active member of its site who records
    concerns (staff or the DSL team), never an administrator or an auditor."""
    return bool(person.is_active) and holds_role_at(person, RECORDING_ROLES, concern.site_id)


def _is_assignee_still_there(user, action: CaseEntry) -> bool:
    return (
        action.kind == EntryKind.ACTION
        and action.assignee_id == user.pk
        and holds_role_at(user, RECORDING_ROLES, action.concern.site_id)
    )


def may_see_action(user, action: CaseEntry) -> bool:
    """The action's assignee while still a member of the concern's site (who then sees only the
    action), and anyone who reads the concern's casework."""
    if action.kind != EntryKind.ACTION:
        return False
    return _is_assignee_still_there(user, action) or can_read_casework(user, action.concern)


def can_complete_action(user, action: CaseEntry) -> bool:
    """Its assignee marks an action done; so may the DSL team, told it was done by someone else."""
    if action.kind != EntryKind.ACTION:
        return False
    return _is_assignee_still_there(user, action) or can_record_entry(user, action.concern)


def actions_assigned_to(user) -> QuerySet[CaseEntry]:
    """The actions asked of this user at the sites where they still record concerns."""
    if not getattr(user, "is_authenticated", False):
        return CaseEntry.objects.none()
    sites = held_site_ids(user, RECORDING_ROLES)
    return CaseEntry.objects.filter(kind=EntryKind.ACTION, assignee=user.pk, concern__site_id__in=sites)


def can_answer_information_request(user, request: CaseEntry) -> bool:
    """The author of the concern answers a request for more information, with an addendum."""
    return (
        request.kind == EntryKind.INFORMATION_REQUEST
        and request.concern.author_id == user.pk
        and can_read(user, request.concern)
    )
