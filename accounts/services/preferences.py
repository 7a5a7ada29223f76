"""What a person chooses for their own account, on their own authority."""

from django.db import transaction

from accounts.models import User
from audit import events
from audit.models import AuditEntry
from audit.services import audit_record


@transaction.atomic
def user_alert_emails_choose(*, user: User, emails_routine_alerts: bool) -> User:
    """The person chooses whether routine alerts email them. Urgent alerts and escalations are
    emailed whatever they choose (concerns' alerts decide that), so no one can opt out of a child
    in immediate danger. The change is on the ledger; choosing what is already set changes nothing."""
    if user.emails_routine_alerts == emails_routine_alerts:
        return user
    user.emails_routine_alerts = emails_routine_alerts
    user.full_clean(exclude=["password"])
    user.save(update_fields=["emails_routine_alerts"])
    audit_record(
        actor=user,
        event=events.ACCOUNT_UPDATED,
        target=user,
        fields=("emails_routine_alerts",),
        action=AuditEntry.Action.UPDATE,
    )
    return user
