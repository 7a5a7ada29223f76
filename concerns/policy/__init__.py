"""The access policy: the one place that answers "which rows may this user see" and "may this
user do this to that" (DESIGN.md sections 1 and 4). Selectors and views ask; they decide nothing.

The API, in the spirit of NetBox's `restrict(user, action)`:

    policy.restrict(user, Concern)                 # the concerns this user may read, a queryset
    policy.allows(user, Action.SHARE, concern)     # may this user share this concern?

Anything not visible is a 404 to the caller; visible but not allowed is a 403. The rules
themselves are in the modules beside this one: `reading` (children, concerns, shares),
`alerts` (what an alert opens, and to whom), `casework` (entries on a
concern, and what an action's assignee sees), `ledger` (the audit ledger and the child's page),
`console` (the administrator's records console, with accounts' own rules about whom an
administrator may change).
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.db.models import Model, QuerySet

from accounts.choices import DSL_TEAM_ROLES, RECORDING_ROLES  # noqa: F401 - for the rules' callers
from accounts.selectors import site_ids_for  # noqa: F401 - memberships, the policy's ground
from concerns.models import Attachment, CaseEntry, Child, Concern, Share
from concerns.policy.alerts import (  # noqa: F401
    alerts_openable,
    may_see_alert_notice,
)
from concerns.policy.casework import (  # noqa: F401
    actions_assigned_to,
    can_answer_information_request,
    can_complete_action,
    can_read_casework,
    can_record_entry,
    may_be_assigned,
    may_see_action,
)
from concerns.policy.console import (  # noqa: F401
    admin_required,
    admin_site_ids,
    administered_sites,
    is_console_admin,
    require_admin_of_site,
    require_not_self,
    require_whole_account,
)
from concerns.policy.ledger import (  # noqa: F401
    CHILD_PAGE_ROLES,
    LEDGER_ROLES,
    LedgerSight,
    children_named_on_ledger_for,
    children_with_record_page_for,
    ledger_sight,
    reads_ledger_at,
)
from concerns.policy.reading import (  # noqa: F401
    ALL_ROLES,
    SHARE_HOLDER_ROLES,
    WHOLE_SITE_ROLES,
    attachments_visible_to,
    can_add_addendum,
    can_lift_restriction,
    can_manage_share,
    can_read,
    can_read_triage,
    can_record,
    can_search_concerns,
    can_share,
    can_share_child,
    can_triage,
    children_on_roll_for,
    children_recordable_by,
    concern_ids_shared_with,
    concerns_triageable_by,
    concerns_visible_to,
    induction_outstanding,
    may_hold_share,
    may_own_cases_at,
    owners_possible_for,
    readers_among,
    shares_granting,
    shares_live,
)


class Action(StrEnum):
    VIEW = "view"
    RECORD_ABOUT = "record_about"
    ADD_ADDENDUM = "add_addendum"
    SHARE = "share"
    MANAGE_SHARE = "manage_share"
    LIFT_RESTRICTION = "lift_restriction"
    OPEN_RECORD_PAGE = "open_record_page"
    TRIAGE = "triage"
    RECORD_ENTRY = "record_entry"
    READ_CASEWORK = "read_casework"
    COMPLETE = "complete"


_RESTRICT: dict[tuple[type[Model], Action], Callable[[Any], QuerySet]] = {
    (Concern, Action.VIEW): concerns_visible_to,
    (Concern, Action.TRIAGE): concerns_triageable_by,
    (Attachment, Action.VIEW): attachments_visible_to,
    (Child, Action.VIEW): children_on_roll_for,
    (Child, Action.RECORD_ABOUT): children_recordable_by,
    (Child, Action.OPEN_RECORD_PAGE): children_with_record_page_for,
    (Share, Action.VIEW): shares_granting,
}

_ALLOWS: dict[tuple[type[Model], Action], Callable[[Any, Any], bool]] = {
    (Concern, Action.VIEW): can_read,
    (Concern, Action.ADD_ADDENDUM): can_add_addendum,
    (Concern, Action.SHARE): can_share,
    (Concern, Action.LIFT_RESTRICTION): can_lift_restriction,
    (Concern, Action.TRIAGE): can_triage,
    (Concern, Action.RECORD_ENTRY): can_record_entry,
    (Concern, Action.READ_CASEWORK): can_read_casework,
    (CaseEntry, Action.VIEW): may_see_action,
    (CaseEntry, Action.COMPLETE): can_complete_action,
    (Child, Action.SHARE): can_share_child,
    (Share, Action.MANAGE_SHARE): can_manage_share,
}


def restrict(user, model: type[Model], action: Action = Action.VIEW) -> QuerySet:
    """The rows of `model` this user may `action`. A pair with no rule is a programming error,
    never an empty or a full queryset by default."""
    try:
        rule = _RESTRICT[(model, Action(action))]
    except KeyError:
        raise LookupError(f"The policy has no rule for {action} on {model.__name__}") from None
    return rule(user)


def allows(user, action: Action, obj: Model) -> bool:
    """Whether this user may do `action` to `obj` (which they can already see)."""
    try:
        rule = _ALLOWS[(type(obj), Action(action))]
    except KeyError:
        raise LookupError(f"The policy has no rule for {action} on {type(obj).__name__}") from None
    return rule(user, obj)
