"""Lifting the restriction of one recorded concern: a DSL's recorded decision, never a side effect.

A concern is restricted at submission when any of its categories is. Changing a category later
never widens who reads concerns already recorded (concerns.services.categories); a DSL who decides
that one restricted concern may be read by the deputies lifts it here, with a reason, on the ledger.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record
from concerns import policy
from concerns.models import Concern


@transaction.atomic
def concern_restriction_lift(*, dsl: User, concern: Concern, reason: str) -> Concern:
    """Let the site's deputies read this restricted concern from now on. The reason is required;
    it stays on the concern's record of the decision, not in the ledger (which names the field)."""
    concern = Concern.objects.select_for_update(of=("self",)).get(pk=concern.pk)
    if not concern.is_restricted:
        raise ValidationError("This concern is not restricted.")
    if not policy.can_lift_restriction(dsl, concern):
        raise PermissionDenied("Only a DSL of the school lifts a concern's restriction.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the deputies may now read this concern."})
    concern.is_restricted = False
    concern.restriction_lifted_by = dsl
    concern.restriction_lifted_reason = reason
    concern.save(update_fields=["is_restricted", "restriction_lifted_by", "restriction_lifted_reason"])
    audit_record(
        actor=dsl,
        event=events.CONCERN_RESTRICTION_LIFTED,
        target=concern,
        action=AuditEntry.Action.UPDATE,
        object_ids=list(concern.child_links.values_list("child_id", flat=True)),
        fields=["is_restricted", "restriction_lifted_reason"],
        site_id=concern.site_id,
    )
    return concern
